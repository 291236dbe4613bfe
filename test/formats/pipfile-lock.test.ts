import { describe, expect, it } from 'vitest';
import { pipfileLockFormat } from '../../src/python/formats/pipfile-lock.js';
import { byName, extractorFor, fixture, itClaimsItsFiles } from './lock-helpers.js';

const extract = extractorFor(pipfileLockFormat, 'Pipfile.lock');

describe('Pipfile.lock', () => {
  itClaimsItsFiles(pipfileLockFormat, 'pipfile-lock', { claimed: ['Pipfile.lock', 'app/Pipfile.lock'], refused: ['Pipfile', 'Pipfile.lock.bak'] });

  it("reads pipenv's own Pipfile.lock: develop entries, markers, editable paths, the index", () => {
    const result = extract(fixture('pipenv/Pipfile.lock'));
    expect(result.errors).toEqual([]);
    expect(result.dependencies).toHaveLength(14);
    expect(result.dependencies.every((d) => d.group === 'dev' && d.kind === 'locked' && d.direct)).toBe(true);
    expect(byName(result.dependencies, 'alabaster')).toEqual({
      name: 'alabaster',
      version: '0.7.10',
      specifier: '==0.7.10',
      extras: [],
      marker: null,
      source: 'registry',
      editable: false,
      kind: 'locked',
      group: 'dev',
      direct: true,
      file: 'Pipfile.lock',
      line: 18,
      hashes: [
        'sha256:2eef172f44e8d301d25aff8068fddd65f767a3f04b5f15b0f4922f113aa1c732',
        'sha256:37cdcb9e9954ed60912ebc1ca12a9d12178c26637abdf124e3cde2341c257fe0',
      ],
    });
    expect(byName(result.dependencies, 'colorama')).toMatchObject({ marker: 'sys_platform == "win32"', line: 46 });
    expect(byName(result.dependencies, 'docutils').hashes).toHaveLength(3);
    expect(byName(result.dependencies, 'pipenv')).toMatchObject({ version: null, specifier: '', source: 'path', url: '.', editable: true, line: 76 });
    expect(byName(result.dependencies, 'pytest-pypy')).toMatchObject({ source: 'path', url: './tests/pytest-pypi', editable: true });
    // PEP 503: `tap.py` is `tap-py`.
    expect(byName(result.dependencies, 'tap-py')).toMatchObject({ version: '2.2', line: 98 });
    expect(result.options).toEqual([{ name: 'index-url', value: 'https://pypi.python.org/simple', line: 8 }]);
  });

  it('reads categories, private indexes, VCS, file and editable path entries', () => {
    const result = extract(fixture('handwritten/Pipfile.lock'));
    expect(result.errors).toEqual([]);
    const deps = result.dependencies;
    expect(deps.map((d) => [d.name, d.group, d.line])).toEqual([
      ['django', 'main', 24],
      ['internal-lib', 'main', 33],
      ['requests', 'main', 40],
      ['vendored', 'main', 47],
      ['mylib', 'main', 50],
      ['pytest', 'dev', 56],
      ['sphinx', 'docs', 66],
    ]);
    expect(byName(deps, 'django')).toMatchObject({ version: '5.1.2', marker: 'python_version >= "3.10"', source: 'registry' });
    expect(byName(deps, 'django').url).toBeUndefined();
    expect(byName(deps, 'internal-lib')).toMatchObject({ source: 'registry', url: 'https://pypi.internal.example/simple' });
    expect(byName(deps, 'requests')).toMatchObject({
      version: null,
      specifier: '',
      extras: ['socks'],
      source: 'vcs',
      url: 'git+https://github.com/psf/requests.git@0e322af87745eff34caffe4df68456ebc20d9068',
    });
    expect(byName(deps, 'vendored')).toMatchObject({ source: 'url', url: 'https://files.example.com/vendored-2.0.tar.gz' });
    expect(byName(deps, 'mylib')).toMatchObject({ source: 'path', url: './libs/mylib', editable: true });
    expect(result.options).toEqual([
      { name: 'index-url', value: 'https://pypi.org/simple', line: 10 },
      { name: 'extra-index-url', value: 'https://pypi.internal.example/simple', line: 10, credentials: true },
    ]);
    expect(JSON.stringify(result)).not.toContain('p4ss');
    expect(result.requiresPython).toBe('3.11');
  });

  it('reports a JSON syntax error once, with line and column', () => {
    const result = extract('{\n    "default": {\n        "six": {"version": "==1.16.0",}\n    }\n}\n');
    expect(result.dependencies).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.line).toBe(3);
    expect(result.errors[0]!.message).toMatch(/^Pipfile\.lock is not valid JSON \(line 3, column \d+\)/);
  });

  it('places an unexpected token at its own line and column, and does not quote the text around it (a value there may be a credential)', () => {
    // Node 20 gives no offset for an unexpected token, only up to ten characters either side of it.
    const text = '{\n    "_meta": {"sources": [{"url": "https://pypi.org/simple"}]},\n    "default": {\n        "six": {"version": ==1.16.0, "token": "s3cr3tValue"}\n    }\n}\n';
    const result = extract(text);
    expect(result.errors).toEqual([{ file: 'Pipfile.lock', line: 4, message: 'Pipfile.lock is not valid JSON (line 4, column 28): Unexpected token \'=\'' }]);
    const nearTheStart = extract('{"x": ghp_abcdefghijklmnopqrstuvwxyz}');
    expect(nearTheStart.errors[0]!.message).toBe('Pipfile.lock is not valid JSON (line 1, column 7): Unexpected token \'g\'');
  });

  it('places the end of a file cut short at its end', () => {
    expect(extract('{"default": ').errors[0]!.message).toBe('Pipfile.lock is not valid JSON (line 1, column 13): Unexpected end of JSON input');
  });

  it('reports an empty file as a syntax error instead of crashing', () => {
    const result = extract('');
    expect(result.dependencies).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.message).toContain('not valid JSON');
  });

  it('reports entries it cannot use and still reads the others', () => {
    const text = JSON.stringify(
      {
        _meta: { 'pipfile-spec': 6, sources: [] },
        default: {
          ranged: { version: '>=1.0' },
          broken: 'not an object',
          unpinned: { hashes: [] },
          six: { version: '==1.16.0', hashes: ['sha256:8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254'] },
        },
      },
      null,
      4,
    );
    const result = extract(text);
    expect(result.dependencies.map((d) => [d.name, d.version, d.line])).toEqual([['six', '1.16.0', 14]]);
    expect(result.errors).toEqual([
      { file: 'Pipfile.lock', line: 7, message: 'Pipfile.lock: entry ranged: version ">=1.0" is not an exact pin (==version)' },
      { file: 'Pipfile.lock', line: 10, message: 'Pipfile.lock: entry broken should be an object' },
      { file: 'Pipfile.lock', line: 11, message: 'Pipfile.lock: entry unpinned has no version' },
    ]);
  });

  it('warns once about a pipfile-spec newer than it knows, and reads the entries anyway', () => {
    const result = extract('{"_meta": {"pipfile-spec": 7}, "default": {"six": {"version": "==1.16.0"}}}');
    expect(result.dependencies.map((d) => d.name)).toEqual(['six']);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.message).toContain('pipfile-spec version 7');
  });

  it('reports a document that is not an object', () => {
    const result = extract('[1, 2, 3]');
    expect(result.dependencies).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.message).toContain('should be a JSON object');
  });
});
