/**
 * Broken or obsolete ciphers, and ECB mode, from `cryptography` and PyCryptodome / PyCrypto:
 * bandit's B304 (ciphers) and B305 (ECB). RC4, DES, RC2 and XOR are broken outright (high); the
 * 64-bit-block ciphers (Triple DES, Blowfish, CAST5, IDEA) leak plaintext after a few tens of GB
 * under one key (Sweet32) and are withdrawn (medium); ECB encrypts equal blocks to equal
 * ciphertext, so the data's patterns show through whatever the cipher (medium).
 */
import type { Node } from 'web-tree-sitter';
import { columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';

type Weakness = { name: string; severity: 'high' | 'medium'; why: string };

const BROKEN = 'is broken: its output can be decrypted or forged without the key';
const SMALL_BLOCK = 'has 64-bit blocks: after some tens of GB under one key, blocks collide and reveal plaintext (Sweet32), and it is withdrawn from standards';

/** Cipher names as the two libraries spell them, with what is wrong with each. */
const CIPHERS: Record<string, Weakness> = {
  ARC4: { name: 'RC4', severity: 'high', why: BROKEN },
  ARC2: { name: 'RC2', severity: 'high', why: BROKEN },
  DES: { name: 'DES', severity: 'high', why: 'has a 56-bit key, found by brute force in hours' },
  XOR: { name: 'XOR', severity: 'high', why: 'is not encryption: the key repeats and falls out of any known text' },
  TripleDES: { name: 'Triple DES', severity: 'medium', why: SMALL_BLOCK },
  DES3: { name: 'Triple DES', severity: 'medium', why: SMALL_BLOCK },
  Blowfish: { name: 'Blowfish', severity: 'medium', why: SMALL_BLOCK },
  CAST5: { name: 'CAST5', severity: 'medium', why: SMALL_BLOCK },
  CAST: { name: 'CAST5', severity: 'medium', why: SMALL_BLOCK },
  IDEA: { name: 'IDEA', severity: 'medium', why: SMALL_BLOCK },
};

const CRYPTOGRAPHY_ALGORITHMS = ['cryptography.hazmat.primitives.ciphers.algorithms', 'cryptography.hazmat.decrepit.ciphers.algorithms'];
const CRYPTOGRAPHY_NAMES = ['ARC4', 'TripleDES', 'Blowfish', 'CAST5', 'IDEA'];
const PYCRYPTO_PACKAGES = ['Crypto.Cipher', 'Cryptodome.Cipher'];
const PYCRYPTO_WEAK = ['ARC4', 'ARC2', 'DES', 'DES3', 'XOR', 'Blowfish', 'CAST'];
/** Good ciphers whose `new()` takes a mode that may be ECB. */
const PYCRYPTO_MODED = ['AES', 'Camellia'];

const ECB_MODE = 'cryptography.hazmat.primitives.ciphers.modes.ECB';

const FIX = 'Use authenticated encryption with a fresh nonce each time: AES-GCM or ChaCha20-Poly1305 (cryptography\'s AESGCM / ChaCha20Poly1305, or AES.new(key, AES.MODE_GCM) in PyCryptodome).';

/** Whether a mode argument names ECB (`AES.MODE_ECB`, `Crypto.Cipher.DES.MODE_ECB`). */
function isEcb(mode: Node | null, qualified: string | null): boolean {
  return !!mode && /(?:^|\.)MODE_ECB$/.test(qualified ?? mode.text);
}

export const rule: PythonRule = {
  info: {
    id: 'py-weak-cipher',
    kind: 'code',
    severity: 'high',
    confidence: 'high',
    title: 'Broken cipher or ECB mode',
    help: 'RC4, DES, RC2 and XOR can be broken without the key; Triple DES, Blowfish, CAST5 and IDEA have 64-bit blocks that collide after some tens of GB (Sweet32) and are withdrawn; ECB mode encrypts equal blocks to equal ciphertext, so patterns in the data show through. Use authenticated encryption: AES-GCM or ChaCha20-Poly1305, with a fresh nonce for every message.',
    bandit: ['B304', 'B305'],
  },
  calls: [
    ...CRYPTOGRAPHY_ALGORITHMS.flatMap((m) => CRYPTOGRAPHY_NAMES.map((n) => `${m}.${n}`)),
    ECB_MODE,
    ...PYCRYPTO_PACKAGES.flatMap((p) => [...PYCRYPTO_WEAK, ...PYCRYPTO_MODED].map((n) => `${p}.${n}.new`)),
  ],
  check(call, file, report, callee) {
    const at = { line: lineOf(call), column: columnOf(call) };
    if (callee === ECB_MODE) {
      report({
        ...at,
        severity: 'medium',
        message: `${callee}() is ECB mode: equal plaintext blocks give equal ciphertext blocks, so the data's structure shows through the encryption, and nothing detects tampering.`,
        fix: FIX,
      });
      return;
    }
    const parts = callee!.split('.');
    const isNew = parts[parts.length - 1] === 'new';
    const cipher = parts[parts.length - (isNew ? 2 : 1)]!;
    const weak = CIPHERS[cipher];
    if (weak) {
      report({
        ...at,
        severity: weak.severity,
        message: `${callee}() encrypts with ${weak.name}, which ${weak.why}.`,
        fix: FIX,
      });
      return;
    }
    // AES.new(key, AES.MODE_ECB): a good cipher in the mode that leaks patterns.
    const mode = file.argument(call, 1, 'mode');
    if (!isEcb(mode, mode ? file.qualify(mode) : null)) return;
    report({
      ...at,
      severity: 'medium',
      message: `${callee}() uses ${cipher} in ECB mode: equal plaintext blocks give equal ciphertext blocks, so the data's structure shows through the encryption, and nothing detects tampering.`,
      fix: FIX,
    });
  },
};
