import { describe, expect, it } from 'vitest';
import { pdmLockFormat } from '../../src/python/formats/pdm-lock.js';
import { byName, extractorFor, fixture, itClaimsItsFiles } from './lock-helpers.js';

const extract = extractorFor(pdmLockFormat, 'pdm.lock');

describe('pdm.lock', () => {
  itClaimsItsFiles(pdmLockFormat, 'pdm-lock', { claimed: ['pdm.lock', 'packages/core/pdm.lock'], refused: ['pdm.toml'] });

  it("reads PDM's own lock (lock_version 4.5): groups, markers, per-package files", () => {
    const result = extract(fixture('pdm/pdm.lock'));
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.version, d.group, d.line])).toEqual([
      ['annotated-types', '0.7.0', 'all', 13],
      ['anyio', '4.9.0', 'main', 27],
      ['arpeggio', '2.0.2', 'workflow', 44],
      ['arrow', '1.3.0', 'all', 54],
      ['attrs', '25.3.0', 'workflow', 69],
      ['babel', '2.17.0', 'doc', 80],
      ['backports-tarfile', '1.2.0', 'all', 94],
      ['backrefs', '5.8', 'doc', 106],
      ['binaryornot', '0.4.4', 'all', 121],
      ['blinker', '1.9.0', 'main', 134],
      ['cachetools', '5.5.2', 'tox', 145],
      ['certifi', '2025.4.26', 'main', 156],
    ]);
    expect(byName(result.dependencies, 'anyio')).toEqual({
      name: 'anyio',
      version: '4.9.0',
      specifier: '==4.9.0',
      extras: [],
      marker: null,
      source: 'registry',
      editable: false,
      kind: 'locked',
      group: 'main',
      direct: true,
      file: 'pdm.lock',
      line: 27,
      hashes: [
        'sha256:9f76d541cad6e36af7beb62e978876f3b41e3e04f2c1fbf0884604c0a9c4d93c',
        'sha256:673c0c244e15788651a4ff38710fea9675823028a6f08a5eda409e0c9840a028',
      ],
    });
    expect(byName(result.dependencies, 'backports-tarfile').marker).toBe('python_version < "3.12"');
    expect(byName(result.dependencies, 'backrefs').hashes).toHaveLength(6);
    expect(result.requiresPython).toBe('>=3.9');
  });

  it('reads extras entries, git, editable path and URL packages', () => {
    const result = extract(fixture('handwritten/pdm.lock'));
    expect(result.errors).toEqual([]);
    const deps = result.dependencies;
    expect(deps.filter((d) => d.name === 'fastapi').map((d) => [d.extras, d.line])).toEqual([
      [[], 13],
      [['standard'], 26],
    ]);
    expect(byName(deps, 'httpx')).toMatchObject({
      source: 'vcs',
      url: 'git+https://github.com/encode/httpx.git@326b9431c761e1ef1e00b9f760d1f654c8db48c6',
    });
    expect(byName(deps, 'mylib')).toMatchObject({ source: 'path', url: './libs/mylib', editable: true });
    expect(byName(deps, 'pywin32')).toMatchObject({ group: 'dev', marker: 'sys_platform == "win32"' });
    expect(byName(deps, 'vendored')).toMatchObject({ source: 'url', url: 'https://files.example.com/vendored-2.0.tar.gz', group: 'dev' });
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(result.requiresPython).toBe('>=3.10');
  });

  it('finds hashes in [metadata.files] of older locks (lock_version 4.0)', () => {
    const text = [
      '[[package]]',
      'name = "Six"',
      'version = "1.16.0"',
      'summary = "Python 2 and 3 compatibility utilities"',
      '',
      '[metadata]',
      'lock_version = "4.0"',
      '',
      '[metadata.files]',
      '"six 1.16.0" = [',
      '    {url = "https://files.pythonhosted.org/packages/six-1.16.0-py2.py3-none-any.whl", hash = "sha256:8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254"},',
      ']',
    ].join('\n');
    const result = extract(text);
    expect(result.errors).toEqual([]);
    expect(result.dependencies).toHaveLength(1);
    expect(result.dependencies[0]).toMatchObject({
      name: 'six',
      group: 'main',
      hashes: ['sha256:8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254'],
    });
  });

  it('warns once about a lock_version it does not know, and reads the entries anyway', () => {
    const result = extract('[metadata]\nlock_version = "5.0"\n\n[[package]]\nname = "six"\nversion = "1.16.0"\n');
    expect(result.dependencies.map((d) => d.name)).toEqual(['six']);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ line: 2 });
    expect(result.errors[0]!.message).toContain('5.0');
  });

  it('reports a TOML syntax error once, with its line', () => {
    const result = extract('[metadata]\nlock_version = "4.5.0"\n[[package]\nname = "six"\n');
    expect(result.dependencies).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.line).toBe(3);
    expect(result.errors[0]!.message).toMatch(/^pdm\.lock is not valid TOML/);
  });

  it('reports entries it cannot use and still reads the others', () => {
    const text = '[[package]]\nname = "no-version"\n\n[[package]]\nsummary = "nameless"\n\n[[package]]\nname = "six"\nversion = "1.16.0"\n';
    const result = extract(text);
    expect(result.dependencies.map((d) => [d.name, d.line])).toEqual([['six', 7]]);
    expect(result.errors).toEqual([
      { file: 'pdm.lock', line: 1, message: 'pdm.lock: package no-version has no version' },
      { file: 'pdm.lock', line: 4, message: 'pdm.lock: a [[package]] entry has no name' },
    ]);
  });
});
