import { describe, expect, it } from 'vitest';
import { cpuStopwatch } from '../helpers/cpu-time.js';
import { uvLockFormat } from '../../src/python/formats/uv-lock.js';
import { makeUvLock } from '../fixtures/generate.js';
import { byName, extractorFor, fixture, itClaimsItsFiles } from './lock-helpers.js';

const extract = extractorFor(uvLockFormat, 'uv.lock');

describe('uv.lock', () => {
  itClaimsItsFiles(uvLockFormat, 'uv-lock', { claimed: ['uv.lock', 'backend/uv.lock'], refused: ['myuv.lock', 'uv.toml'] });

  it('reads the full-stack-fastapi-template workspace: the member is not listed, it decides direct and group', () => {
    const result = extract(fixture('full-stack-fastapi-template/uv.lock'));
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.version, d.group, d.direct, d.line])).toEqual([
      ['alembic', '1.18.4', 'main', true, 20],
      ['annotated-doc', '0.0.4', 'main', false, 35],
      ['annotated-types', '0.7.0', 'main', false, 44],
      ['anyio', '4.12.1', 'main', false, 53],
      // `app` (line 67, editable "backend") is the workspace member itself.
      ['ruff', '0.15.17', 'dev', true, 128],
      ['sentry-sdk', '2.62.0', 'main', true, 153],
      ['shellingham', '1.5.4', 'main', false, 171],
      ['six', '1.17.0', 'main', false, 180],
      // Named by the virtual root's [manifest.dependency-groups].
      ['smokeshow', '0.5.0', 'github-actions', true, 189],
    ]);
    expect(byName(result.dependencies, 'alembic')).toEqual({
      name: 'alembic',
      version: '1.18.4',
      specifier: '==1.18.4',
      extras: [],
      marker: null,
      source: 'registry',
      editable: false,
      kind: 'locked',
      group: 'main',
      direct: true,
      file: 'uv.lock',
      line: 20,
      hashes: [
        'sha256:cb6e1fd84b6174ab8dbb2329f86d631ba9559dd78df550b57804d607672cedbc',
        'sha256:a5ed4adcf6d8a4cb575f3d759f071b03cd6e5c7618eb796cb52497be25bfe19a',
      ],
    });
    expect(byName(result.dependencies, 'ruff').hashes).toHaveLength(18);
    expect(byName(result.dependencies, 'sentry-sdk').extras).toEqual(['fastapi']);
    expect(result.options).toEqual([]);
    expect(result.requiresPython).toBe('>=3.10, <4.0');
  });

  it('reads every source kind uv writes (registry, git, path, directory, editable, url) around an editable root', () => {
    const result = extract(fixture('handwritten/uv.lock'));
    expect(result.errors).toEqual([]);
    const deps = result.dependencies;
    expect(deps.map((d) => d.name)).not.toContain('demo-app');
    expect(byName(deps, 'certifi')).toMatchObject({ direct: false, group: 'main', line: 5 });
    expect(byName(deps, 'httpx')).toMatchObject({
      version: '0.27.0',
      source: 'vcs',
      url: 'git+https://github.com/encode/httpx@326b9431c761e1ef1e00b9f760d1f654c8db48c6',
      direct: true,
      group: 'main',
      extras: ['socks'],
    });
    expect(byName(deps, 'internal-tools')).toMatchObject({ version: null, specifier: '', source: 'path', url: '../internal-tools', editable: false });
    expect(byName(deps, 'localwheel')).toMatchObject({
      source: 'path',
      url: 'wheels/localwheel-1.0.0-py3-none-any.whl',
      hashes: ['sha256:0d8b6dd8ee6e1f8e1e0b4e9d2d7bd4cc7c6f4b6cf1f2c7b0b1d7b0c6d2f4a1e3'],
    });
    expect(byName(deps, 'mylib')).toMatchObject({ source: 'path', url: 'libs/mylib', editable: true, direct: true });
    expect(byName(deps, 'pysocks')).toMatchObject({ group: 'socks', direct: true });
    expect(byName(deps, 'pytest')).toMatchObject({ group: 'test', direct: true });
    // Reached only through the dev group's pytest: transitive packages are `main`.
    expect(byName(deps, 'pluggy')).toMatchObject({ group: 'main', direct: false });
    expect(byName(deps, 'torch')).toMatchObject({ version: '2.4.1+cpu', source: 'registry', url: 'https://download.pytorch.org/whl/cpu' });
    expect(byName(deps, 'vendored-sdist')).toMatchObject({ source: 'url', url: 'https://files.example.com/dist/vendored_sdist-2.0.tar.gz' });
    expect(byName(deps, 'zope-interface')).toMatchObject({ marker: 'sys_platform == "linux"', direct: true });
    expect(result.options).toEqual([{ name: 'index-url', value: 'https://download.pytorch.org/whl/cpu', line: 116 }]);
    expect(JSON.stringify(result)).not.toContain('s3cr3t');
    expect(result.requiresPython).toBe('>=3.11');
  });

  it('treats a virtual root as the project, not a dependency', () => {
    const text = [
      'version = 1',
      'requires-python = ">=3.12"',
      '',
      '[[package]]',
      'name = "my-scripts"',
      'version = "0.0.0"',
      'source = { virtual = "." }',
      'dependencies = [',
      '    { name = "rich" },',
      ']',
      '',
      '[[package]]',
      'name = "rich"',
      'version = "13.9.4"',
      'source = { registry = "https://pypi.org/simple" }',
    ].join('\n');
    const result = extract(text);
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.direct, d.line])).toEqual([['rich', true, 12]]);
    // Windows line endings change nothing.
    expect(extract(text.replace(/\n/g, '\r\n')).dependencies.map((d) => [d.name, d.direct, d.line])).toEqual([['rich', true, 12]]);
  });

  it('gives each version of a package locked twice the marker, group and extras its own references give (uv names the version, and the source, in them)', () => {
    const registry = 'source = { registry = "https://pypi.org/simple" }';
    const text = [
      'version = 1',
      'requires-python = ">=3.9"',
      '',
      '[[package]]',
      'name = "demo"',
      'version = "0.1.0"',
      'source = { editable = "." }',
      'dependencies = [',
      `    { name = "numpy", version = "1.16.0", ${registry}, marker = "python_full_version < '3.10'" },`,
      `    { name = "numpy", version = "1.26.0", ${registry}, extra = ["dev"], marker = "python_full_version >= '3.10'" },`,
      `    { name = "tool", version = "1.0", ${registry} },`,
      ']',
      '',
      '[package.dev-dependencies]',
      'lint = [',
      `    { name = "tool", version = "1.0", source = { git = "https://github.com/o/tool?rev=v1#abc123" } },`,
      `    { name = "tool", version = "2.0", ${registry} },`,
      ']',
      '',
      '[[package]]',
      'name = "numpy"',
      'version = "1.16.0"',
      registry,
      '',
      '[[package]]',
      'name = "numpy"',
      'version = "1.26.0"',
      registry,
      '',
      '[[package]]',
      'name = "tool"',
      'version = "1.0"',
      registry,
      '',
      '[[package]]',
      'name = "tool"',
      'version = "1.0"',
      'source = { git = "https://github.com/o/tool?rev=v1#abc123" }',
      '',
      '[[package]]',
      'name = "tool"',
      'version = "2.0"',
      registry,
    ].join('\n');
    const result = extract(text);
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.version, d.source, d.group, d.marker, d.extras])).toEqual([
      ['numpy', '1.16.0', 'registry', 'main', 'python_full_version < "3.10"', []],
      ['numpy', '1.26.0', 'registry', 'main', 'python_full_version >= "3.10"', ['dev']],
      ['tool', '1.0', 'registry', 'main', null, []],
      ['tool', '1.0', 'vcs', 'lint', null, []],
      ['tool', '2.0', 'registry', 'lint', null, []],
    ]);
  });

  it('warns once about a lock version it does not know, and reads the entries anyway', () => {
    const result = extract('version = 2\n\n[[package]]\nname = "rich"\nversion = "13.9.4"\nsource = { registry = "https://pypi.org/simple" }\n');
    expect(result.dependencies.map((d) => d.name)).toEqual(['rich']);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ line: 1 });
    expect(result.errors[0]!.message).toContain('uv.lock version 2');
  });

  it('reports a TOML syntax error once, with its line', () => {
    const result = extract('version = 1\n\n[[package]]\nname = "rich"\nversion = \n');
    expect(result.dependencies).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.line).toBe(5);
    expect(result.errors[0]!.message).toMatch(/^uv\.lock is not valid TOML \(line 5/);
  });

  it('reports entries it cannot use and still reads the others', () => {
    const text = [
      'version = 1',
      '',
      '[[package]]',
      'version = "1.0"',
      'source = { registry = "https://pypi.org/simple" }',
      '',
      '[[package]]',
      'name = "odd"',
      'version = "1.0"',
      'source = { carrier-pigeon = "coop" }',
      '',
      '[[package]]',
      'name = "rich"',
      'version = "13.9.4"',
      'source = { registry = "https://pypi.org/simple" }',
    ].join('\n');
    const result = extract(text);
    expect(result.dependencies.map((d) => [d.name, d.line])).toEqual([['rich', 12]]);
    expect(result.errors.map((e) => e.line)).toEqual([3, 7]);
    expect(result.errors[0]!.message).toContain('no name');
    expect(result.errors[1]!.message).toContain('package odd');
  });

  it('reports a release from an index without a version (it cannot be rated); a project directory may have none', () => {
    const text = [
      'version = 1',
      'requires-python = ">=3.12"',
      '',
      '[[package]]',
      'name = "jinja2"',
      'source = { registry = "https://pypi.org/simple" }',
      '',
      '[[package]]',
      'name = "from-private-index"',
      'source = { registry = "https://pypi.corp.example/simple" }',
      '',
      // uv leaves the version out of a source tree whose version is dynamic (setuptools-scm and the like).
      '[[package]]',
      'name = "dynamic-lib"',
      'source = { directory = "libs/dynamic-lib" }',
      '',
      '[[package]]',
      'name = "dynamic-editable"',
      'source = { editable = "libs/dynamic-editable" }',
      '',
      '[[package]]',
      'name = "rich"',
      'version = "13.9.4"',
      'source = { registry = "https://pypi.org/simple" }',
    ].join('\n');
    const result = extract(text);
    expect(result.dependencies.map((d) => [d.name, d.version, d.source])).toEqual([
      ['dynamic-lib', null, 'path'],
      ['dynamic-editable', null, 'path'],
      ['rich', '13.9.4', 'registry'],
    ]);
    expect(result.errors).toEqual([
      { file: 'uv.lock', line: 4, message: 'uv.lock: package jinja2 has no version' },
      { file: 'uv.lock', line: 8, message: 'uv.lock: package from-private-index has no version' },
    ]);
  });

  it('refuses a version written as a TOML number (django 2.1, a hand edit) instead of leaving it unaudited', () => {
    const result = extract('version = 1\n\n[[package]]\nname = "django"\nversion = 2.1\nsource = { registry = "https://pypi.org/simple" }\n');
    expect(result.dependencies).toEqual([]);
    expect(result.errors).toEqual([
      {
        file: 'uv.lock',
        line: 3,
        message: 'uv.lock: package django: version 2.1 is a number, not a string: quote it as the lock tool writes it (a number loses how it was written: 1.10 reads as 1.1)',
      },
    ]);
  });

  it('reads a generated 1,000-package lock completely, and quickly', () => {
    const text = makeUvLock(1000);
    const cpuMsSince = cpuStopwatch(); // CPU time: other test files share the cores
    const result = extract(text);
    const elapsed = cpuMsSince();
    expect(result.errors).toEqual([]);
    expect(result.dependencies).toHaveLength(1000);
    // 40 main dependencies, 5 in the `speedups` extra, 10 in the `dev` group.
    expect(result.dependencies.filter((d) => d.direct).map((d) => d.group).sort()).toEqual([
      ...Array<string>(10).fill('dev'),
      ...Array<string>(40).fill('main'),
      ...Array<string>(5).fill('speedups'),
    ]);
    expect(result.dependencies.every((d) => d.hashes !== undefined && d.hashes.length >= 2 && d.line !== null)).toBe(true);
    // A guard against accidental quadratic work, generous for a busy CI machine; the figure
    // the product promises (well under 200 ms) is measured by the benchmark.
    expect(elapsed).toBeLessThan(5000);
  });
});
