/**
 * MD5 and SHA-1 from hashlib, unless marked `usedforsecurity=False`: bandit's B324 (reported medium).
 * Both have practical collisions (SHA-1 since 2017, MD5 long before) and are fast enough to brute
 * force, so a signature, password hash or integrity check built on them can be forged. Checksums and
 * cache keys are fine, and Python 3.9+ lets the code say so with usedforsecurity=False.
 */
import type { Node } from 'web-tree-sitter';
import { PythonFile, columnOf, lineOf, nameOf } from '../file.js';
import type { PythonRule } from '../rule.js';

/** A string literal naming a broken algorithm, as hashlib.new reads it (any case). Short on purpose: `"sha1"` fits. */
const WEAK_NAME = /^[rRuU]?(['"])(md4|md5|sha|sha1)\1$/i;

/** The algorithm name given to hashlib.new when the file spells it (a literal or a module constant), else null. */
function weakName(node: Node | undefined, file: PythonFile): string | null {
  const value = node?.type === 'identifier' ? file.moduleConstant(nameOf(node)) : node;
  if (!value || value.type !== 'string' || value.text.length > 8) return null;
  return WEAK_NAME.exec(value.text)?.[2]?.toLowerCase() ?? null;
}

const SECRETS = /pass(?:word|wd|phrase)?|secret|token|api_?key|signature/i;

export const rule: PythonRule = {
  info: {
    id: 'py-weak-hash',
    kind: 'code',
    severity: 'medium',
    confidence: 'medium',
    title: 'MD5 or SHA-1 used without usedforsecurity=False',
    help: 'MD5 and SHA-1 are broken: collisions can be made on purpose and both are fast to brute force, so signatures, password hashes and integrity checks built on them can be forged. Use SHA-256 (or hashlib.scrypt / argon2 for passwords, hmac with SHA-256 for signatures); for checksums and cache keys that protect nothing, say so with usedforsecurity=False.',
    bandit: ['B324'],
  },
  calls: ['hashlib.md5', 'hashlib.sha1', 'hashlib.new'],
  check(call, file, report, callee) {
    const args = file.argumentsOf(call);
    if (args.hasSplat) return; // usedforsecurity may come in **kwargs
    if (PythonFile.isFalse(args.keywords.get('usedforsecurity'))) return;
    let algorithm: string | null = callee === 'hashlib.md5' ? 'md5' : callee === 'hashlib.sha1' ? 'sha1' : null;
    let data = args.keywords.get('string') ?? args.keywords.get('data') ?? args.positional[0];
    if (callee === 'hashlib.new') {
      algorithm = weakName(args.keywords.get('name') ?? args.positional[0], file);
      data = args.keywords.get('data') ?? args.keywords.get('string') ?? args.positional[1];
    }
    if (!algorithm) return;
    const name = algorithm.startsWith('md') ? algorithm.toUpperCase() : 'SHA-1';
    // Hashing something named like a password or a key: the use is a security one.
    const secret = !!data && SECRETS.test(data.text.slice(0, 200));
    report({
      line: lineOf(call),
      column: columnOf(call),
      confidence: secret ? 'high' : undefined,
      message: secret
        ? `${callee}() hashes what looks like a secret with ${name}, which is broken and fast to brute force: the hash can be reversed or forged.`
        : `${callee}() uses ${name}, which is broken (collisions on demand, fast to brute force); if this hash protects anything, it can be forged.`,
      fix: 'Use hashlib.sha256() (hashlib.scrypt or argon2 for passwords, hmac with SHA-256 for signatures); for a checksum or cache key, pass usedforsecurity=False.',
    });
  },
};
