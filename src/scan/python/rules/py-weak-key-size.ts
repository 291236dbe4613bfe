/**
 * RSA and DSA keys under 2048 bits, and elliptic curves under 224, generated with `cryptography` or
 * PyCryptodome / PyCrypto: bandit's B505. 1024-bit RSA is within reach of a well-funded attacker and
 * refused by current standards; under 1024 (or a curve under 160 bits) it is within reach of anyone.
 * Only sizes the file spells (a number or a module constant) are judged.
 */
import type { Node } from 'web-tree-sitter';
import { columnOf, lineOf, nameOf, type PythonFile } from '../file.js';
import type { PythonRule } from '../rule.js';

const ASYMMETRIC = 'cryptography.hazmat.primitives.asymmetric';
const PYCRYPTO = ['Crypto.PublicKey', 'Cryptodome.PublicKey'];

/** Where each call takes its key size: position and keyword, and the algorithm's name. */
const SIZE_ARGUMENT = new Map<string, { position: number; keyword: string; algorithm: 'RSA' | 'DSA' }>([
  [`${ASYMMETRIC}.rsa.generate_private_key`, { position: 1, keyword: 'key_size', algorithm: 'RSA' }],
  [`${ASYMMETRIC}.dsa.generate_private_key`, { position: 0, keyword: 'key_size', algorithm: 'DSA' }],
  [`${ASYMMETRIC}.dsa.generate_parameters`, { position: 0, keyword: 'key_size', algorithm: 'DSA' }],
  ...PYCRYPTO.flatMap((p) => [
    [`${p}.RSA.generate`, { position: 0, keyword: 'bits', algorithm: 'RSA' }] as const,
    [`${p}.DSA.generate`, { position: 0, keyword: 'bits', algorithm: 'DSA' }] as const,
  ]),
]);

const EC_GENERATE = `${ASYMMETRIC}.ec.generate_private_key`;
/** cryptography's curves under 224 bits, by name, with their size. */
const SMALL_CURVES = new Map([
  ['SECP192R1', 192],
  ['SECT163K1', 163],
  ['SECT163R2', 163],
]);

/** An integer the file spells where the size is given: a literal or a module constant holding one. */
function fixedInteger(node: Node | null, file: PythonFile): number | null {
  const value = node?.type === 'identifier' ? file.moduleConstant(nameOf(node), node) : node;
  if (value?.type !== 'integer' || !/^[0-9_]+$/.test(value.text)) return null;
  return Number(value.text.replace(/_/g, ''));
}

const FIX = 'Generate RSA keys of 3072 bits (2048 at the least), or use Ed25519 / ECDSA on P-256 or larger (ec.SECP256R1()).';

export const rule: PythonRule = {
  info: {
    id: 'py-weak-key-size',
    kind: 'code',
    severity: 'medium',
    confidence: 'high',
    title: 'RSA or DSA key under 2048 bits, or a small elliptic curve',
    help: 'RSA and DSA keys under 2048 bits, and elliptic curves under 224 bits, can be broken by a well-funded attacker (under 1024 bits and 160 bits, by almost anyone), and current standards refuse them: whatever they sign can be forged and whatever they protect read. Generate RSA keys of 3072 bits (2048 at the least) or use Ed25519 / ECDSA on P-256 or larger.',
    bandit: ['B505'],
  },
  calls: [...SIZE_ARGUMENT.keys(), EC_GENERATE],
  check(call, file, report, callee) {
    let algorithm: string;
    let bits: number | null;
    let minimum: number;
    let broken: number;
    if (callee === EC_GENERATE) {
      const curve = file.argument(call, 0, 'curve');
      const target = curve?.type === 'call' ? curve.childForFieldName('function') : curve;
      const name = target ? file.qualify(target) : null;
      const short = name?.startsWith(`${ASYMMETRIC}.ec.`) ? name.slice(ASYMMETRIC.length + 4) : null;
      bits = short ? (SMALL_CURVES.get(short) ?? null) : null;
      algorithm = `the elliptic curve ${short}`;
      minimum = 224;
      broken = 160;
    } else {
      const where = SIZE_ARGUMENT.get(callee!)!;
      bits = fixedInteger(file.argument(call, where.position, where.keyword), file);
      algorithm = `a ${where.algorithm} key`;
      minimum = 2048;
      broken = 1024;
    }
    if (bits === null || bits >= minimum) return;
    report({
      line: lineOf(call),
      column: columnOf(call),
      severity: bits < broken ? 'high' : undefined,
      message: `${callee}() makes ${algorithm} of ${bits} bits, under the ${minimum} current standards require: ${bits < broken ? 'it can be broken with ordinary hardware' : 'a well-funded attacker can break it'}, forging its signatures and reading what it protects.`,
      fix: FIX,
    });
  },
};
