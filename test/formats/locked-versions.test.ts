/**
 * What every lock reader does with a locked version: one exact PEP 440 version is a pin; anything
 * else (a wildcard, a range, an operator, a number) is one error on the entry's line naming the
 * package, and the rest of the file is still read. A string that is not a version matches no
 * advisory, so taking it as a pin would let the entry pass unrated.
 */
import { describe, expect, it } from 'vitest';
import { pdmLockFormat } from '../../src/python/formats/pdm-lock.js';
import { pipfileLockFormat } from '../../src/python/formats/pipfile-lock.js';
import { poetryLockFormat } from '../../src/python/formats/poetry-lock.js';
import { pylockFormat } from '../../src/python/formats/pylock.js';
import { uvLockFormat } from '../../src/python/formats/uv-lock.js';
import type { ExtractResult } from '../../src/python/types.js';
import { extractorFor } from './lock-helpers.js';

/** A lock of two packages: `urllib3` locked at `version` (TOML or JSON text as written), then `six` 1.16.0. */
interface LockKind {
  file: string;
  extract: (text: string) => ExtractResult;
  lock: (version: string) => string;
  /** Line of urllib3's entry, and of six's. */
  lines: [number, number];
}

const toml = (header: string, source: string) => (version: string) =>
  [`${header}`, 'name = "urllib3"', `version = ${version}`, source, '', header, 'name = "six"', 'version = "1.16.0"', source, ''].join('\n');

const kinds: LockKind[] = [
  { file: 'poetry.lock', extract: extractorFor(poetryLockFormat, 'poetry.lock'), lock: toml('[[package]]', ''), lines: [1, 6] },
  { file: 'pdm.lock', extract: extractorFor(pdmLockFormat, 'pdm.lock'), lock: toml('[[package]]', ''), lines: [1, 6] },
  {
    file: 'uv.lock',
    extract: extractorFor(uvLockFormat, 'uv.lock'),
    lock: (version) => `version = 1\n\n${toml('[[package]]', 'source = { registry = "https://pypi.org/simple" }')(version)}`,
    lines: [3, 8],
  },
  {
    file: 'pylock.toml',
    extract: extractorFor(pylockFormat, 'pylock.toml'),
    lock: (version) => `lock-version = "1.0"\ncreated-by = "pip"\n\n${toml('[[packages]]', 'wheels = []')(version)}`,
    lines: [4, 9],
  },
  {
    file: 'Pipfile.lock',
    extract: extractorFor(pipfileLockFormat, 'Pipfile.lock'),
    // Pipfile.lock writes the pin with its operator: `"version": "==1.16.0"`.
    lock: (version) => {
      const pinned = version.startsWith('"') ? `"==${version.slice(1)}` : version;
      return `{"_meta": {"pipfile-spec": 6, "sources": []},\n "default": {\n  "urllib3": {"version": ${pinned}},\n  "six": {"version": "==1.16.0"}\n }\n}\n`;
    },
    lines: [3, 4],
  },
];

describe.each(kinds)('$file', ({ file, extract, lock, lines: [urllib3Line, sixLine] }) => {
  it.each(['"1.24.*"', '">=2.1"', '"==1.24.*"', '"1.24,<2"', '"1.24 2"'])('refuses version %s on its line, naming the package, and reads the rest', (version) => {
    const result = extract(lock(version));
    expect(result.dependencies.map((d) => [d.name, d.version, d.line])).toEqual([['six', '1.16.0', sixLine]]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ file, line: urllib3Line });
    expect(result.errors[0]!.message).toContain('urllib3');
    expect(result.errors[0]!.message).toMatch(/not a PEP 440 version|not an exact pin/);
    // Not a note: something was not read, so the audit is partial.
    expect(result.errors[0]!.note).toBeUndefined();
  });

  it('takes a local version (1.24.1+cpu) as the exact release it is', () => {
    const result = extract(lock('"1.24.1+cpu"'));
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.version, d.specifier])).toEqual([
      ['urllib3', '1.24.1+cpu', '==1.24.1+cpu'],
      ['six', '1.16.0', '==1.16.0'],
    ]);
  });

  it('refuses a version written as a number (1.10 would read as 1.1), and reads the rest', () => {
    const result = extract(lock('1.10'));
    expect(result.dependencies.map((d) => d.name)).toEqual(['six']);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ file, line: urllib3Line });
    expect(result.errors[0]!.message).toContain('urllib3');
    expect(result.errors[0]!.message).toContain('version 1.1 is a number, not a string');
  });
});

describe('Pipfile.lock pins', () => {
  const extract = extractorFor(pipfileLockFormat, 'Pipfile.lock');
  const withVersion = (version: string) => extract(JSON.stringify({ _meta: {}, default: { urllib3: { version } } }));

  it('reads `===1.24.1` (arbitrary equality with a PEP 440 version) as that release', () => {
    const result = withVersion('===1.24.1');
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.version, d.specifier])).toEqual([['1.24.1', '==1.24.1']]);
  });

  it('refuses arbitrary equality with a string that is not PEP 440: it cannot be rated', () => {
    const result = withVersion('===1.24.1-custom.build!');
    expect(result.dependencies).toEqual([]);
    expect(result.errors.map((e) => e.message)).toEqual(['Pipfile.lock: entry urllib3: version "===1.24.1-custom.build!" is not an exact pin of one PEP 440 version']);
  });

  it('refuses a range without `==` as before', () => {
    expect(withVersion('>=2.1').errors.map((e) => e.message)).toEqual(['Pipfile.lock: entry urllib3: version ">=2.1" is not an exact pin (==version)']);
  });
});
