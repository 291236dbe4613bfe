import { describe, expect, it } from 'vitest';
import { cpuStopwatch } from '../helpers/cpu-time.js';
import { pylockFormat } from '../../src/python/formats/pylock.js';
import { byName, extractorFor, fixture, itClaimsItsFiles } from './lock-helpers.js';

const extract = extractorFor(pylockFormat, 'pylock.toml');

/** A pylock.toml of the given `[[packages]]` blocks, written as uv writes them. */
const lock = (...packages: string[]) => ['lock-version = "1.0"', 'created-by = "uv"', '', ...packages.flatMap((p) => [p, ''])].join('\n');
const wheel = (name: string, version: string, index = 'https://pypi.org/simple') =>
  `[[packages]]\nname = "${name}"\nversion = "${version}"\nindex = "${index}"\nwheels = [{ url = "https://files.example/${name}.whl", hashes = { sha256 = "${'a'.repeat(64)}" } }]`;

describe('pylock.toml (PEP 751)', () => {
  itClaimsItsFiles(pylockFormat, 'pylock', {
    claimed: ['pylock.toml', 'backend/pylock.toml', 'pylock.dev.toml', 'services/api/pylock.prod-gpu.toml'],
    refused: ['pylock.a.b.toml', 'mypylock.toml', 'pylock..toml', 'pylock.toml.bak', 'pylock.json', 'Pylock.toml', 'pylock.dev.lock', 'pylock.toml/README'],
  });

  it('reads what `uv export --format pylock.toml` writes: every [[packages]] with its line, source and hashes', () => {
    const result = extract(fixture('pylock/uv/pylock.toml'));
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.version, d.source, d.line])).toEqual([
      ['anyio', '4.4.0', 'registry', 10],
      ['colorama', '0.4.6', 'registry', 17],
      ['demo-app', null, 'path', 25],
      ['httpx', '0.27.0', 'vcs', 29],
      ['internal-auth', '1.4.0', 'registry', 34],
      // The same name twice, for two Python ranges: two locked entries.
      ['numpy', '1.26.4', 'registry', 40],
      ['numpy', '2.1.0', 'registry', 48],
      ['pysocks', '1.7.1', 'registry', 56],
      ['pytest', '8.3.2', 'registry', 64],
      ['vendored-sdist', '2.0', 'url', 72],
    ]);
    expect(byName(result.dependencies, 'anyio')).toEqual({
      name: 'anyio',
      version: '4.4.0',
      specifier: '==4.4.0',
      extras: [],
      marker: null,
      source: 'registry',
      editable: false,
      kind: 'locked',
      group: 'main',
      direct: true,
      file: 'pylock.toml',
      line: 10,
      // The sdist's hash, then the wheel's.
      hashes: ['sha256:74618be536889d15e63b4115fcb70769564caf8a9adba59dd72534062ecca362', 'sha256:a8c49dbb6e7b27f9b7f599c30e62118630d02e33fdf2274c42619f43d4d1321f'],
    });
    expect(byName(result.dependencies, 'colorama').marker).toBe('sys_platform == "win32"');
    expect(byName(result.dependencies, 'demo-app')).toMatchObject({ source: 'path', url: '.', editable: true, version: null, specifier: '' });
    // Pinned to the commit, spelled as pip installs it.
    expect(byName(result.dependencies, 'httpx').url).toBe('git+https://github.com/encode/httpx@326b9431c761e1ef1e00b9f760d1f654c8db48c6');
    expect(byName(result.dependencies, 'internal-auth')).toMatchObject({ source: 'registry', url: 'https://pypi.internal.example.com/simple' });
    expect(byName(result.dependencies, 'vendored-sdist')).toMatchObject({ url: 'https://files.example.com/dist/vendored_sdist-2.0.tar.gz', hashes: [expect.stringMatching(/^sha256:[0-9a-f]{64}$/)] });
    // A private index beside PyPI, in a lock uv resolved (first index wins): reported once, without its password.
    expect(result.options).toEqual([{ name: 'uv-index', value: 'https://pypi.internal.example.com/simple', line: 34 }]);
    expect(JSON.stringify(result)).not.toContain('s3cr3t');
    expect(result.requiresPython).toBe('>=3.11');
    expect(result.lockedBy).toBe('uv');
  });

  it('reads what `pip lock` writes ([[packages.wheels]] and [packages.vcs] tables do not shift the lines)', () => {
    const result = extract(fixture('pylock/pip/pylock.toml'));
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.version, d.source, d.line, d.hashes?.length ?? 0])).toEqual([
      ['asgiref', '3.8.1', 'registry', 4, 1],
      ['django', '4.2.0', 'registry', 15, 1],
      ['django-extensions', null, 'vcs', 26, 0],
      ['myapp', null, 'path', 35, 0],
      ['pyyaml', '6.0.1', 'registry', 42, 1],
      ['sqlparse', '0.5.0', 'registry', 53, 1],
    ]);
    expect(byName(result.dependencies, 'django-extensions').url).toBe('git+https://github.com/django-extensions/django-extensions@d43fbf69b5876217d3657b0f42d8116cd47d8bf2');
    expect(byName(result.dependencies, 'myapp')).toMatchObject({ url: '.', editable: true });
    expect(result.options).toEqual([]);
    expect(result.lockedBy).toBe('pip');
  });

  it('reports a non-PyPI index the way the installer would use it', () => {
    // The only index the lock names is the one it was made from.
    const alone = extract(lock(wheel('internal-auth', '1.4.0', 'https://pypi.internal.example.com/simple')));
    expect(alone.options).toEqual([{ name: 'index-url', value: 'https://pypi.internal.example.com/simple', line: 4 }]);
    // Beside PyPI, in a lock pip wrote: pip takes the best version from every index.
    const mixed = extract(lock(wheel('rich', '13.9.4'), wheel('internal-auth', '1.4.0', 'http://tok:en@pypi.internal.example.com/simple/')).replace('created-by = "uv"', 'created-by = "pip"'));
    expect(mixed.options).toEqual([{ name: 'extra-index-url', value: 'http://pypi.internal.example.com/simple/', line: 10 }]);
    expect(byName(mixed.dependencies, 'rich').url).toBeUndefined();
  });

  it('reads vcs, archive and directory entries as the other locks report non-registry sources', () => {
    const result = extract(
      lock(
        '[[packages]]\nname = "tool"\nvcs = { type = "git", url = "https://user:pw@git.example.com/tool.git", requested-revision = "main", commit-id = "0123456789abcdef0123456789abcdef01234567", subdirectory = "py" }',
        '[[packages]]\nname = "hgpkg"\nversion = "1.0"\nvcs = { type = "hg", path = "../hgpkg", commit-id = "abc" }',
        '[[packages]]\nname = "wheelfile"\nversion = "1.0"\narchive = { path = "dist/wheelfile-1.0-py3-none-any.whl", hashes = { sha256 = "' + 'b'.repeat(64) + '" } }',
        '[[packages]]\nname = "lib"\ndirectory = { path = "libs/lib" }',
      ),
    );
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.source, d.url, d.editable])).toEqual([
      ['tool', 'vcs', 'git+https://git.example.com/tool.git@0123456789abcdef0123456789abcdef01234567#subdirectory=py', false],
      ['hgpkg', 'vcs', 'hg+../hgpkg@abc', false],
      ['wheelfile', 'path', 'dist/wheelfile-1.0-py3-none-any.whl', false],
      ['lib', 'path', 'libs/lib', false],
    ]);
    expect(byName(result.dependencies, 'wheelfile').hashes).toEqual([`sha256:${'b'.repeat(64)}`]);
  });

  it('lists a vcs entry without commit-id as unpinned, and says the file lacks it (the entry is still read whole)', () => {
    const result = extract(lock('[[packages]]\nname = "tool"\nvcs = { type = "git", url = "https://git.example.com/tool.git", requested-revision = "main" }'));
    expect(result.dependencies.map((d) => d.url)).toEqual(['git+https://git.example.com/tool.git@main']);
    expect(result.errors).toEqual([{ file: 'pylock.toml', line: 4, message: expect.stringContaining('vcs has no commit-id'), note: true }]);
  });

  describe('lock-version', () => {
    it('refuses another major version with one error on its line, and reads nothing from the file', () => {
      const result = extract(`# written by a future tool\nlock-version = "2.0"\ncreated-by = "uv"\n\n${wheel('rich', '13.9.4')}\n`);
      expect(result.dependencies).toEqual([]);
      expect(result.errors).toEqual([{ file: 'pylock.toml', line: 2, message: expect.stringMatching(/^pylock\.toml lock-version 2\.0 is not one Depwatch can read .*not read$/) }]);
      expect(result.errors[0]!.note).toBeUndefined();
    });

    it('reads a newer 1.x with a warning (the result is partial), as the other locks do', () => {
      const result = extract(lock(wheel('rich', '13.9.4')).replace('"1.0"', '"1.1"'));
      expect(result.dependencies.map((d) => d.name)).toEqual(['rich']);
      expect(result.errors).toEqual([{ file: 'pylock.toml', line: 1, message: expect.stringContaining('pylock.toml lock-version version 1.1 is not one Depwatch knows') }]);
    });

    it('says when it is missing or not a version, and never passes silently', () => {
      const missing = extract(lock(wheel('rich', '13.9.4')).replace('lock-version = "1.0"\n', ''));
      expect(missing.dependencies.map((d) => d.name)).toEqual(['rich']);
      expect(missing.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('has no lock-version') })]);
      const number = extract(lock(wheel('rich', '13.9.4')).replace('"1.0"', '1.0'));
      expect(number.dependencies).toEqual([]);
      expect(number.errors).toEqual([expect.objectContaining({ line: 1, message: expect.stringContaining('is not a version string') })]);
    });
  });

  describe('bad input', () => {
    it('reports a TOML syntax error once, with its line', () => {
      const result = extract('lock-version = "1.0"\ncreated-by = "pip"\n\n[[packages]]\nname = "rich"\nversion = \n');
      expect(result.dependencies).toEqual([]);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]!.line).toBe(6);
      expect(result.errors[0]!.message).toMatch(/^pylock\.toml is not valid TOML \(line 6/);
    });

    it('reports each entry it cannot use on its line, and still reads the others', () => {
      const result = extract(
        lock(
          '[[packages]]\nversion = "1.0"\nwheels = []',
          '[[packages]]\nname = "odd"\nversion = "one point oh"\nwheels = []',
          '[[packages]]\nname = "twice"\nversion = "1.0"\nwheels = []\ndirectory = { path = "x" }',
          '[[packages]]\nname = "nowhere"\nversion = "1.0"',
          '[[packages]]\nname = "unversioned"\nsdist = { url = "https://files.example/u.tar.gz", hashes = { sha256 = "00" } }',
          wheel('rich', '13.9.4'),
        ),
      );
      expect(result.dependencies.map((d) => [d.name, d.line])).toEqual([['rich', 27]]);
      expect(result.errors.map((e) => [e.line, e.message])).toEqual([
        [4, 'pylock.toml: a [[packages]] entry has no name'],
        [8, 'pylock.toml: package odd: version "one point oh" is not a PEP 440 version'],
        [13, 'pylock.toml: package twice: has both sdist/wheels and directory; PEP 751 allows one source'],
        [19, 'pylock.toml: package nowhere: has no source (sdist, wheels, vcs, directory or archive)'],
        [23, 'pylock.toml: package unversioned comes from an index but has no version'],
      ]);
      expect(result.errors.every((e) => e.note === undefined)).toBe(true);
    });

    it('says so when `packages` is not an array of tables', () => {
      const result = extract('lock-version = "1.0"\ncreated-by = "pip"\npackages = "rich==13.9.4"\n');
      expect(result.dependencies).toEqual([]);
      expect(result.errors).toEqual([{ file: 'pylock.toml', line: 3, message: 'pylock.toml: `packages` should be a list of [[packages]] tables' }]);
    });
  });

  it('reads a 2,000-package lock completely, and quickly', () => {
    const text = lock(...Array.from({ length: 2000 }, (_, i) => wheel(`pkg-${i}`, `1.${i}`)));
    const cpuMsSince = cpuStopwatch(); // CPU time: other test files share the cores
    const result = extract(text);
    const elapsed = cpuMsSince();
    expect(result.errors).toEqual([]);
    expect(result.dependencies).toHaveLength(2000);
    expect(result.dependencies.at(-1)).toMatchObject({ name: 'pkg-1999', line: 4 + 1999 * 6 });
    // A guard against accidental quadratic work, generous for a busy CI machine.
    expect(elapsed).toBeLessThan(5000);
  });
});
