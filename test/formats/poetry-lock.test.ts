import { describe, expect, it } from 'vitest';
import { poetryLockFormat } from '../../src/python/formats/poetry-lock.js';
import { bestCpuMs } from '../helpers/cpu-time.js';
import { byName, extractorFor, fixture, itClaimsItsFiles } from './lock-helpers.js';

const extract = extractorFor(poetryLockFormat, 'poetry.lock');

describe('poetry.lock', () => {
  itClaimsItsFiles(poetryLockFormat, 'poetry-lock', { claimed: ['poetry.lock', 'services/api/poetry.lock'], refused: ['pyproject.toml', 'poetry.lock.orig'] });

  it('reads lock-version 1.0 (Poetry test fixture): category, marker, hashes from [metadata.files]', () => {
    const result = extract(fixture('poetry/old_lock/poetry.lock'));
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => `${d.name}==${d.version}`)).toEqual([
      'certifi==2020.6.20',
      'chardet==3.0.4',
      'docker==4.3.1',
      'idna==2.10',
      'pywin32==227',
      'requests==2.24.0',
      'six==1.15.0',
      'urllib3==1.25.10',
      'websocket-client==0.57.0',
    ]);
    expect(byName(result.dependencies, 'certifi')).toEqual({
      name: 'certifi',
      version: '2020.6.20',
      specifier: '==2020.6.20',
      extras: [],
      marker: null,
      source: 'registry',
      editable: false,
      kind: 'locked',
      group: 'main',
      direct: true,
      file: 'poetry.lock',
      line: 1,
      hashes: [
        'sha256:8fc0819f1f30ba15bdb34cceffb9ef04d99f420f68eb75d901e9560b8749fc41',
        'sha256:5930595817496dd21bb8dc35dad090f1c2cd0adfaf21204bf6732ca5d8ee34d3',
      ],
    });
    const pywin32 = byName(result.dependencies, 'pywin32');
    expect(pywin32.marker).toBe('sys_platform == "win32"');
    expect(pywin32.line).toBe(43);
    expect(pywin32.hashes).toHaveLength(12);
    expect(byName(result.dependencies, 'websocket-client').line).toBe(91);
    expect(result.requiresPython).toBe('^3.8');
  });

  it('reads lock-version 2.0 (Poetry test fixture): per-package files, a develop directory dependency', () => {
    const result = extract(fixture('poetry/with_path_dependency/poetry.lock'));
    expect(result.errors).toEqual([]);
    expect(result.dependencies).toHaveLength(6);
    const bazz = byName(result.dependencies, 'bazz');
    expect(bazz).toMatchObject({ version: '1', source: 'path', url: 'bazz', editable: true, line: 3, group: 'main' });
    expect(bazz.hashes).toBeUndefined();
    expect(byName(result.dependencies, 'requests')).toMatchObject({
      version: '2.25.1',
      line: 56,
      hashes: [
        'sha256:c210084e36a42ae6b9219e00e48287def368a26d03a048ddad7bfee44f75871e',
        'sha256:27973dd4a904a4f13b263a19c866c13b92a39ed1c964655f025f3f8d3d75b804',
      ],
    });
  });

  it('reads lock-version 2.1 (poetry-plugin-export): groups and markers', () => {
    const result = extract(fixture('poetry-plugin-export/poetry.lock'));
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.group, d.line])).toEqual([
      ['backports-tarfile', 'main', 3],
      ['build', 'main', 20],
      ['cachecontrol', 'main', 46],
      ['certifi', 'main', 68],
      ['cfgv', 'dev', 80],
    ]);
    expect(byName(result.dependencies, 'backports-tarfile').marker).toBe('python_version < "3.12"');
    expect(byName(result.dependencies, 'build')).toMatchObject({ version: '1.2.2.post1', specifier: '==1.2.2.post1', marker: null });
    expect(byName(result.dependencies, 'cfgv').hashes).toEqual([
      'sha256:b7265b1f29fd3316bfcd2b330d63d024f2bfd8bcb8b0272f8e19a504856c48f9',
      'sha256:e52591d4c5f5dead8e0f673fb16db7949d2cfb3f7da4582893288f0ded8fe560',
    ]);
    expect(result.requiresPython).toBe('>=3.9,<4.0');
  });

  it('reads every kind of [package.source]: legacy index, url, directory, file and git', () => {
    const result = extract(fixture('handwritten/poetry.lock'));
    expect(result.errors).toEqual([]);
    const deps = result.dependencies;
    // A table of markers: the entry's group (the first of `groups`) decides which one applies.
    expect(byName(deps, 'colorama')).toMatchObject({ group: 'main', marker: 'platform_system == "Windows"' });
    expect(byName(deps, 'corp-auth')).toMatchObject({ source: 'registry', url: 'https://pypi.corp.example/simple', line: 16 });
    expect(byName(deps, 'demo-url')).toMatchObject({ source: 'url', url: 'https://example.com/downloads/demo-0.1.0.tar.gz' });
    expect(byName(deps, 'mypackage')).toMatchObject({ source: 'path', url: '../mypackage', editable: true });
    expect(byName(deps, 'localarchive')).toMatchObject({ source: 'path', url: 'vendor/localarchive-1.0.0-py3-none-any.whl', editable: false });
    expect(byName(deps, 'requests')).toMatchObject({
      source: 'vcs',
      version: '2.32.3',
      url: 'git+https://github.com/psf/requests.git@0e322af87745eff34caffe4df68456ebc20d9068',
    });
    expect(byName(deps, 'pytest')).toMatchObject({ group: 'dev', source: 'registry', url: 'https://pypi.corp.example/simple' });
    // The private index is reported once, at the first entry that uses it, without its credentials.
    expect(result.options).toEqual([{ name: 'extra-index-url', value: 'https://pypi.corp.example/simple', line: 16 }]);
    expect(JSON.stringify(result)).not.toContain('token123');
  });

  it('reports a TOML syntax error once, with its line, and returns no entries', () => {
    const result = extract('[[package]]\nname = "a"\nversion = "1.0"\n\n[[package]]\nname = "b\n');
    expect(result.dependencies).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ file: 'poetry.lock', line: 6 });
    expect(result.errors[0]!.message).toMatch(/poetry\.lock is not valid TOML \(line 6/);
  });

  it('names the file it read, not the format, when the file is named otherwise (deps --format poetry-lock requirements.txt; user trial s17 #8)', () => {
    const result = poetryLockFormat.extract('django==2.1.5\n', { file: 'trees/req/requirements.txt' });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.message).toMatch(/^requirements\.txt \(read as poetry\.lock\) is not valid TOML \(line 1/);
  });

  it('reports a bad entry and still reads the others', () => {
    const text = [
      '[[package]]',
      'name = "good"',
      'version = "1.0"',
      '',
      '[[package]]',
      'name = "no-version"',
      '',
      '[[package]]',
      'version = "2.0"',
      '',
      '[[package]]',
      'name = "Also_Good"',
      'version = "3.0"',
      '',
      '[metadata]',
      'lock-version = "2.1"',
    ].join('\n');
    const result = extract(text);
    expect(result.dependencies.map((d) => [d.name, d.line])).toEqual([
      ['good', 1],
      ['also-good', 11],
    ]);
    expect(result.errors).toEqual([
      { file: 'poetry.lock', line: 5, message: 'poetry.lock: package no-version has no version' },
      { file: 'poetry.lock', line: 8, message: 'poetry.lock: a [[package]] entry has no name' },
    ]);
  });

  it('warns once about a lock-version it does not know, and reads the entries anyway', () => {
    const result = extract('[[package]]\nname = "a"\nversion = "1.0"\ngroups = ["main"]\n\n[metadata]\nlock-version = "3.0"\n');
    expect(result.dependencies.map((d) => d.name)).toEqual(['a']);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ line: 7 });
    expect(result.errors[0]!.message).toContain('3.0');
  });

  it('keeps line numbers right with Windows line endings and a multi-line string that quotes a header', () => {
    const text = [
      '[[package]]',
      'name = "first"',
      'version = "1.0"',
      'description = """Say',
      '[[package]]',
      'in a docstring"""',
      '',
      '[[package]]',
      'name = "second"',
      'version = "2.0"',
      '',
    ].join('\r\n');
    const result = extract(text);
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.line])).toEqual([
      ['first', 1],
      ['second', 8],
    ]);
  });

  it('keeps line numbers right when the line that opens a multi-line string also holds [[', () => {
    const text = [
      '[[package]]',
      'name = "first"',
      'version = "1.0"',
      'description = """Links such as [[wiki]] and',
      '[[package]]',
      'in a docstring"""',
      "notes = '''[[x]]",
      '[[package]]',
      "'''",
      '',
      '[[package]]  # """ in a comment opens nothing',
      'name = "second"',
      'version = "2.0"',
      '',
      '[[package]]',
      'name = "third"',
      'version = "3.0"',
      '',
    ].join('\n');
    const result = extract(text);
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.line])).toEqual([
      ['first', 1],
      ['second', 11],
      ['third', 15],
    ]);
  });

  it("takes a package's hashes from its own files when it has them, else from [metadata.files] of its name, as Poetry does", () => {
    const hash = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
    const text = [
      '[[package]]',
      'name = "a"',
      'version = "1.0"',
      '',
      '[[package]]',
      'name = "A"',
      'version = "2.0"',
      '',
      '[[package]]',
      'name = "a"',
      'version = "3.0"',
      `files = [{file = "a-3.0.tar.gz", hash = "${hash(3)}"}]`,
      '',
      '[metadata]',
      'lock-version = "1.1"',
      '',
      '[metadata.files]',
      `a = [{file = "a-1.0.tar.gz", hash = "${hash(1)}"}, {file = "a-2.0.tar.gz", hash = "${hash(2)}"}, {file = "a-2.0.whl", hash = "${hash(2)}"}]`,
      '',
    ].join('\n');
    const result = extract(text);
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.version, d.hashes])).toEqual([
      ['1.0', [hash(1), hash(2)]],
      ['2.0', [hash(1), hash(2)]],
      ['3.0', [hash(3)]],
    ]);
  });

  it('costs time linear in the file when many packages share one name and its [metadata.files]', () => {
    // n packages of one name and n hashes for it: copying them into each package was n² work.
    const lock = (n: number) =>
      Array.from({ length: n }, (_, i) => `[[package]]\nname = "a"\nversion = "1.${i}"\n`).join('\n') +
      `\n[metadata]\nlock-version = "1.1"\n\n[metadata.files]\na = [\n${Array.from({ length: n }, (_, i) => `  {file = "a-1.${i}.tar.gz", hash = "sha256:${i.toString(16).padStart(64, '0')}"},\n`).join('')}]\n`;
    const small = lock(300);
    const large = lock(3_000);
    expect(extract(large).dependencies.at(-1)!.hashes).toHaveLength(3_000);
    let smallMs = 0;
    let largeMs = 0;
    for (const budgetMs of [0, 200, 800]) {
      smallMs = bestCpuMs(() => void extract(small), budgetMs);
      largeMs = bestCpuMs(() => void extract(large), budgetMs);
      if (largeMs <= 30 * smallMs + 10) break;
    }
    expect(largeMs, `${smallMs.toFixed(1)} ms at 300, ${largeMs.toFixed(1)} ms at 3,000`).toBeLessThanOrEqual(30 * smallMs + 10);
  }, 120_000);

  it('reports a `package` key that is not a list of tables instead of crashing', () => {
    const result = extract('package = "oops"\n');
    expect(result.dependencies).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.message).toContain('should be a list');
  });
});
