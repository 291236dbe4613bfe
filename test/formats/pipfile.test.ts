import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pipfileFormat } from '../../src/python/formats/pipfile.js';
import type { Dependency, ExtractResult } from '../../src/python/types.js';

function fixture(project: string): ExtractResult {
  const path = `${project}/Pipfile`;
  const text = readFileSync(new URL(`../fixtures/manifests/${path}`, import.meta.url), 'utf8');
  return pipfileFormat.extract(text, { file: path });
}

function extract(text: string): ExtractResult {
  return pipfileFormat.extract(text, { file: 'Pipfile' });
}

function only(result: ExtractResult, name: string): Dependency {
  const found = result.dependencies.filter((d) => d.name === name);
  expect(found, name).toHaveLength(1);
  return found[0]!;
}

describe('Pipfile format', () => {
  it('matches Pipfile at any depth, not Pipfile.lock', () => {
    expect(pipfileFormat.matches('Pipfile')).toBe(true);
    expect(pipfileFormat.matches('services/api/Pipfile')).toBe(true);
    expect(pipfileFormat.matches('Pipfile.lock')).toBe(false);
    expect(pipfileFormat.matches('NotAPipfile')).toBe(false);
  });

  it("reads pipenv's own Pipfile: editable paths, ranges, platform shorthand markers", () => {
    const result = fixture('pipenv');
    expect(result.errors).toEqual([]);
    expect(result.dependencies).toHaveLength(12);
    expect(result.dependencies.every((d) => d.group === 'dev')).toBe(true);
    expect(only(result, 'pipenv')).toEqual({
      name: 'pipenv',
      version: null,
      specifier: '',
      extras: [],
      marker: null,
      source: 'path',
      editable: true,
      kind: 'requirement',
      group: 'dev',
      direct: true,
      file: 'pipenv/Pipfile',
      line: 3,
      url: '.',
    });
    expect(only(result, 'flake8')).toMatchObject({ specifier: '<4,>=3.3.0', source: 'registry', line: 4 });
    expect(only(result, 'sphinx')).toMatchObject({ specifier: '<=1.5.5', line: 7 });
    expect(only(result, 'pytest-pypy')).toMatchObject({ source: 'path', url: './tests/pytest-pypi', line: 12 });
    expect(only(result, 'stdeb')).toMatchObject({ specifier: '', marker: 'sys_platform == "linux"', line: 14 });
    // [scripts] is not a package category.
    expect(result.dependencies.some((d) => d.name === 'tests')).toBe(false);
  });

  it("reads requests' Pipfile: the source as the index, the project itself with extras", () => {
    const result = fixture('requests');
    expect(result.errors).toEqual([]);
    expect(result.options).toEqual([{ name: 'index-url', value: 'https://pypi.org/simple/', line: 2 }]);
    expect(only(result, 'requests')).toMatchObject({
      group: 'main',
      source: 'path',
      editable: true,
      extras: ['brotli', 'socks'],
      line: 25,
    });
    expect(only(result, 'pytest-httpbin')).toMatchObject({ group: 'dev', specifier: '<1.0,>=0.0.7', line: 16 });
    expect(only(result, 'more-itertools')).toMatchObject({ specifier: '<6.0', line: 13 });
    expect(result.dependencies.filter((d) => d.group === 'dev')).toHaveLength(16);
  });

  it('reads every value form, custom categories and [requires]', () => {
    const result = extract(
      [
        '[[source]]',
        'name = "pypi"',
        'url = "https://pypi.org/simple"',
        'verify_ssl = true',
        '',
        '[[source]]',
        'name = "internal"',
        'url = "http://admin:hunter2@pypi.internal:8080/simple"',
        'verify_ssl = false',
        '',
        '[packages]',
        'django = "==4.2.1"',
        'Flask = ">=2.0"',
        'anything = "*"',
        'celery = {version = "~=5.3", extras = ["redis", "SQS"], markers = "python_version >= \'3.8\'"}',
        'requests = {git = "https://github.com/psf/requests.git", ref = "v2.31.0", editable = true}',
        'wheelfile = {file = "https://example.com/pkg-1.0-py3-none-any.whl"}',
        'winonly = {version = "*", os_name = "== \'nt\'", platform_machine = "x86_64"}',
        'mine = {version = "*", index = "internal"}',
        '',
        '[dev-packages]',
        'pytest = "*"',
        '',
        '[docs]',
        'sphinx = "<8"',
        '',
        '[requires]',
        'python_version = "3.11"',
      ].join('\n'),
    );
    expect(result.errors).toEqual([]);
    expect(result.requiresPython).toBe('==3.11.*');
    expect(only(result, 'django')).toMatchObject({ version: '4.2.1', specifier: '==4.2.1', group: 'main', line: 12 });
    expect(only(result, 'flask')).toMatchObject({ specifier: '>=2.0', line: 13 });
    expect(only(result, 'anything').specifier).toBe('');
    expect(only(result, 'celery')).toMatchObject({
      specifier: '~=5.3',
      extras: ['redis', 'sqs'],
      marker: 'python_version >= "3.8"',
    });
    expect(only(result, 'requests')).toMatchObject({
      source: 'vcs',
      url: 'git+https://github.com/psf/requests.git@v2.31.0',
      editable: true,
      version: null,
    });
    expect(only(result, 'wheelfile')).toMatchObject({ source: 'url', url: 'https://example.com/pkg-1.0-py3-none-any.whl' });
    expect(only(result, 'winonly').marker).toBe('os_name == "nt" and platform_machine == "x86_64"');
    expect(only(result, 'mine')).toMatchObject({ source: 'registry', specifier: '' });
    expect(only(result, 'pytest').group).toBe('dev');
    expect(only(result, 'sphinx')).toMatchObject({ group: 'docs', specifier: '<8', line: 25 });
    expect(result.options).toEqual([
      { name: 'index-url', value: 'https://pypi.org/simple', line: 3 },
      { name: 'extra-index-url', value: 'http://pypi.internal:8080/simple', line: 8, credentials: true },
      { name: 'trusted-host', value: 'pypi.internal:8080', line: 9 },
    ]);
  });

  it('reads python_full_version in [requires]', () => {
    expect(extract('[requires]\npython_full_version = "3.8.10"\n').requiresPython).toBe('==3.8.10');
  });

  it('reports a bad entry on its line and keeps the rest', () => {
    const result = extract(
      ['[packages]', 'ok = "*"', 'bad = "=>1.0"', 'worse = 12', 'bad-extras = {version = "*", extras = "x"}', 'fine = ">1"', '[requires]', 'python_version = 3.10'].join('\n'),
    );
    expect(result.dependencies.map((d) => d.name)).toEqual(['ok', 'fine']);
    expect(result.errors.map((e) => e.line)).toEqual([3, 4, 5, 8]);
    expect(result.errors[0]!.message).toContain('invalid version specifier');
    expect(result.requiresPython).toBeNull();
  });

  it('reads a version without an operator as pipenv does, an exact pin, never as part of the name', () => {
    const result = extract(
      ['[packages]', 'requests = "1.0"', 'table = {version = "2.1"}', 'wild = "1.*"', 'spaced = " 3.0 "', 'minus = "-1.0"', 'bracket = "[x]"', 'parens = "(==1)"', 'after = "==4"'].join('\n'),
    );
    expect(result.dependencies.map((d) => [d.name, d.specifier, d.version, d.extras])).toEqual([
      ['requests', '==1.0', '1.0', []],
      ['table', '==2.1', '2.1', []],
      ['wild', '==1.*', null, []],
      ['spaced', '==3.0', '3.0', []],
      ['after', '==4', '4', []],
    ]);
    expect(result.errors.map((e) => [e.line, e.message])).toEqual([
      [6, 'minus: invalid version specifier "-1.0"'],
      [7, 'bracket: invalid version specifier "[x]"'],
      [8, 'parens: invalid version specifier "(==1)"'],
    ]);
  });

  it('reports a TOML syntax error once, with its line', () => {
    const result = extract(['[[source]]', 'url = "https://pypi.org/simple"', '', '[packages]', 'a = "*"', 'b = "*"', 'c = "*', 'd = "*"'].join('\n'));
    expect(result.dependencies).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.line).toBe(7);
    expect(result.errors[0]!.message).toMatch(/line 7/);
  });

  it("takes the version of a file entry from the wheel or sdist it names, and none for a folder", () => {
    const result = extract(
      [
        '[packages]',
        'urllib3 = { file = "https://files.example/x/urllib3-1.24.1-py2.py3-none-any.whl" }',
        'django = { path = "./wheels/Django-2.2.0-py3-none-any.whl" }',
        'mylib = { path = ".", editable = true }',
        'other = { path = "../other" }',
      ].join('\n'),
    );
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.source, d.version])).toEqual([
      ['urllib3', 'url', '1.24.1'],
      ['django', 'path', '2.2.0'],
      ['mylib', 'path', null],
      ['other', 'path', null],
    ]);
  });
});
