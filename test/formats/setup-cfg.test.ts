import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIni, setupCfgFormat } from '../../src/python/formats/setup-cfg.js';
import type { Dependency, ExtractResult } from '../../src/python/types.js';

function fixture(project: string): ExtractResult {
  const path = `${project}/setup.cfg`;
  const text = readFileSync(new URL(`../fixtures/manifests/${path}`, import.meta.url), 'utf8');
  return setupCfgFormat.extract(text, { file: path });
}

function extract(text: string): ExtractResult {
  return setupCfgFormat.extract(text, { file: 'setup.cfg' });
}

function only(result: ExtractResult, name: string, group?: string): Dependency {
  const found = result.dependencies.filter((d) => d.name === name && (group === undefined || d.group === group));
  expect(found, name).toHaveLength(1);
  return found[0]!;
}

describe('setup.cfg format', () => {
  it('matches setup.cfg at any depth', () => {
    expect(setupCfgFormat.matches('setup.cfg')).toBe(true);
    expect(setupCfgFormat.matches('pkg/setup.cfg')).toBe(true);
    expect(setupCfgFormat.matches('setup.cfg.orig')).toBe(false);
  });

  it("reads pytest's setup.cfg: install_requires with markers, extras, python_requires", () => {
    const result = fixture('pytest');
    expect(result.errors).toEqual([]);
    expect(result.requiresPython).toBe('>=3.8');
    expect(result.dependencies.filter((d) => d.group === 'main').map((d) => d.name)).toEqual([
      'iniconfig',
      'packaging',
      'pluggy',
      'colorama',
      'exceptiongroup',
      'tomli',
    ]);
    expect(only(result, 'pluggy')).toMatchObject({ specifier: '<2.0,>=1.3.0', line: 37 });
    expect(only(result, 'colorama')).toEqual({
      name: 'colorama',
      version: null,
      specifier: '',
      extras: [],
      marker: 'sys_platform == "win32"',
      source: 'registry',
      editable: false,
      kind: 'requirement',
      group: 'main',
      direct: true,
      file: 'pytest/setup.cfg',
      line: 38,
    });
    expect(only(result, 'exceptiongroup')).toMatchObject({ specifier: '>=1.0.0rc8', marker: 'python_version < "3.11"', line: 39 });
    expect(only(result, 'hypothesis', 'testing')).toMatchObject({ specifier: '>=3.56', line: 58 });
    expect(result.dependencies.filter((d) => d.group === 'testing')).toHaveLength(9);
    // setup_requires is build tooling.
    expect(result.dependencies.some((d) => d.name === 'setuptools-scm')).toBe(false);
  });

  it("reads tox's setup.cfg: two extras and its python_requires", () => {
    const result = fixture('tox');
    expect(result.errors).toEqual([]);
    expect(result.requiresPython).toBe('>=3.6');
    expect(only(result, 'typing-extensions')).toMatchObject({ specifier: '>=3.7.4.2', marker: 'python_version < "3.8"', line: 31 });
    expect(only(result, 'towncrier', 'docs')).toMatchObject({ specifier: '>=19.9.0rc1', line: 44 });
    expect(only(result, 'wheel', 'testing').line).toBe(59);
    expect(result.dependencies.filter((d) => d.group === 'docs')).toHaveLength(3);
    expect(result.dependencies.filter((d) => d.group === 'testing')).toHaveLength(14);
  });

  it('parses INI like configparser: both delimiters, comments inside values, case-insensitive keys', () => {
    const result = extract(
      [
        '; leading comment',
        '[options]',
        'Install_Requires:',
        '    requests[security] >= 2.8.1, == 2.8.*',
        '    # pinned for the old API',
        '',
        '    click ; python_version >= "3.8"',
        '    pywin32>=300; sys_platform == "win32" and python_version < "3.12"',
        'python_requires = >= 3.8, != 3.9.0',
        '',
        '[options.extras_require]',
        'Postgres = psycopg2-binary>=2.9',
        'all =',
        '  psycopg2-binary>=2.9',
        '  uvloop>=0.17 ; platform_system != "Windows"',
      ].join('\n'),
    );
    expect(result.errors).toEqual([]);
    expect(result.requiresPython).toBe('!=3.9.0,>=3.8');
    expect(result.dependencies.map((d) => [d.group, d.name, d.line])).toEqual([
      ['main', 'requests', 4],
      ['main', 'click', 7],
      ['main', 'pywin32', 8],
      ['postgres', 'psycopg2-binary', 12],
      ['all', 'psycopg2-binary', 14],
      ['all', 'uvloop', 15],
    ]);
    expect(only(result, 'requests')).toMatchObject({ extras: ['security'], specifier: '==2.8.*,>=2.8.1', version: null });
    expect(only(result, 'pywin32').marker).toBe('sys_platform == "win32" and python_version < "3.12"');
  });

  it('splits a one-line value on semicolons as setuptools does, reporting the broken half', () => {
    const result = extract(['[options]', 'install_requires = requests; six>=1.0', '[options.extras_require]', 'x = foo; python_version<"3.8"'].join('\n'));
    expect(result.dependencies.map((d) => [d.name, d.group, d.line])).toEqual([
      ['requests', 'main', 2],
      ['six', 'main', 2],
      ['foo', 'x', 4],
    ]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ line: 4, message: expect.stringContaining('extras_require[x]') });
  });

  it('cuts " #" comments off list entries as setuptools does (install_requires and extras_require go through its parse_strings)', () => {
    const result = extract(
      [
        '[options]',
        'install_requires =',
        '    urllib3==1.24.1  # inline comment?',
        '    pkg @ https://example.com/pkg.whl#sha256=abc',
        '    six>=1.0 ; python_version < "3" # old pythons',
        '    tabbed\t# a tab is not " #": setuptools keeps it, and it is no requirement',
        'python_requires = >=3.8',
        '[options.extras_require]',
        'x = foo>=2 # one-line value; bar # second half',
      ].join('\n'),
    );
    expect(result.dependencies.map((d) => [d.group, d.name, d.specifier, d.line])).toEqual([
      ['main', 'urllib3', '==1.24.1', 3],
      ['main', 'pkg', '', 4],
      ['main', 'six', '>=1.0', 5],
      ['x', 'foo', '>=2', 9],
      ['x', 'bar', '', 9],
    ]);
    // A '#' without a space before it is part of the requirement (a URL's fragment).
    expect(only(result, 'pkg').url).toBe('https://example.com/pkg.whl#sha256=abc');
    expect(only(result, 'six').marker).toBe('python_version < "3"');
    expect(result.errors).toEqual([expect.objectContaining({ line: 6, message: expect.stringContaining('install_requires') })]);
  });

  it('joins a list entry ending in a backslash to the next, as setuptools does (dropping the character before it too)', () => {
    const result = extract(['[options]', 'install_requires =', '    requests>=2 \\', '    ,<3', '    six'].join('\n'));
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.specifier, d.line])).toEqual([
      ['requests', '<3,>=2', 3],
      ['six', '', 5],
    ]);
  });

  it('reports bad lines and keeps the rest', () => {
    const result = extract(
      [
        'orphan = 1',
        '[options]',
        'install_requires =',
        '    good>=1',
        '    bad>>1',
        '    fine',
        'this line has no delimiter',
        '[options]',
        'install_requires = duplicate',
      ].join('\n'),
    );
    expect(result.dependencies.map((d) => d.name)).toEqual(['good', 'fine']);
    expect(result.errors.map((e) => e.line)).toEqual([1, 7, 8, 5]);
  });

  it('follows file: lists (setuptools 62.6+) as includes: comma-separated, across lines, an extra as its group', () => {
    const result = extract(
      [
        '[options]',
        'install_requires = file: requirements/base.txt, requirements/web.txt',
        '[options.extras_require]',
        'test = file: requirements/test.txt,',
        '    requirements/%%odd.txt',
        'docs = sphinx',
      ].join('\n'),
    );
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.group])).toEqual([['sphinx', 'docs']]);
    expect(result.includes).toEqual([
      { path: 'requirements/base.txt', kind: 'requirement', line: 2 },
      { path: 'requirements/web.txt', kind: 'requirement', line: 2 },
      { path: 'requirements/test.txt', kind: 'requirement', line: 4, group: 'test' },
      { path: 'requirements/%odd.txt', kind: 'requirement', line: 4, group: 'test' },
    ]);
  });

  it('says a file: path continued on the next line without a comma (setuptools finds no such file)', () => {
    const result = extract('[options]\ninstall_requires = file: a.txt\n    b.txt\n');
    expect(result.includes).toBeUndefined();
    expect(result.errors).toEqual([{ file: 'setup.cfg', line: 2, message: 'install_requires: "a.txt\\nb.txt" is not one path (separate files with commas); not read' }]);
  });

  it('keeps configparser continuation rules: a deeper indent continues, the same indent starts a key', () => {
    const ini = parseIni(['[s]', '  a = 1', '    2', '  b = 3', 'c = 4', '   5'].join('\n'));
    expect(ini.errors).toEqual([]);
    const section = ini.sections.get('s')!;
    expect(section.options.get('a')!.lines.map((l) => l.text)).toEqual(['1', '2']);
    expect(section.options.get('b')!.lines.map((l) => l.text)).toEqual(['3']);
    expect(section.options.get('c')!.lines.map((l) => [l.text, l.line])).toEqual([
      ['4', 5],
      ['5', 6],
    ]);
  });

  it('keeps blank lines inside a value as configparser does, one piece per run, and drops those at its end', () => {
    const ini = parseIni(['[s]', 'a =', '  1', '', '', '  2', '', '\r', 'b = 3'].join('\n'));
    const a = ini.sections.get('s')!.options.get('a')!;
    expect(a.lines.map((l) => [l.text, l.line])).toEqual([
      ['', 2],
      ['1', 3],
      ['\n', 4],
      ['2', 6],
    ]);
    // Joined with line breaks, the pieces are configparser's value: '\n1\n\n\n2'.
    expect(a.lines.map((l) => l.text).join('\n')).toBe('\n1\n\n\n2');
  });

  it('reads a value spanning a million line breaks as one requirement list', () => {
    const result = extract(`[options]\ninstall_requires =\n    a==1${'\r'.repeat(1_000_000)}    b==2\n`);
    expect(result.dependencies.map((d) => [d.name, d.line])).toEqual([
      ['a', 3],
      ['b', 1_000_003],
    ]);
    expect(result.errors).toEqual([]);
  });

  it('refuses absurdly large input and survives odd bytes', () => {
    expect(extract('x'.repeat(3_000_000)).errors[0]!.message).toMatch(/too large/);
    const odd = extract('\uFEFF[options]\r\ninstall_requires =\r\n  a\r\n  \u0000b\r\n');
    expect(odd.dependencies.map((d) => d.name)).toEqual(['a']);
    expect(odd.errors).toHaveLength(1);
  });

  it("takes the version of a `name @` wheel or sdist URL from its file name, and none for the project's own folder", () => {
    const result = extract(
      [
        '[options]',
        'install_requires =',
        '    urllib3 @ https://files.example/x/urllib3-1.24.1-py2.py3-none-any.whl',
        '    mylib @ file:///home/me/src/mylib',
        '[options.extras_require]',
        'web = Django @ https://files.example/Django-2.2.0.tar.gz',
      ].join('\n'),
    );
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.source, d.version, d.group])).toEqual([
      ['urllib3', 'url', '1.24.1', 'main'],
      ['mylib', 'path', null, 'main'],
      ['django', 'url', '2.2.0', 'web'],
    ]);
  });
});
