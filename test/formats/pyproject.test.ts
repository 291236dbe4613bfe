import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuStopwatch } from '../helpers/cpu-time.js';
import { pyprojectFormat } from '../../src/python/formats/pyproject.js';
import { parseToml, scanPositions } from '../../src/python/toml.js';
import type { Dependency, ExtractResult } from '../../src/python/types.js';

function fixture(project: string): ExtractResult {
  const path = `${project}/pyproject.toml`;
  const text = readFileSync(new URL(`../fixtures/manifests/${path}`, import.meta.url), 'utf8');
  return pyprojectFormat.extract(text, { file: path });
}

function extract(text: string): ExtractResult {
  return pyprojectFormat.extract(text, { file: 'pyproject.toml' });
}

function only(result: ExtractResult, name: string, group?: string): Dependency {
  const found = result.dependencies.filter((d) => d.name === name && (group === undefined || d.group === group));
  expect(found, `${name} in ${group ?? 'any group'}`).toHaveLength(1);
  return found[0]!;
}

function groupNames(result: ExtractResult, group: string): string[] {
  return result.dependencies.filter((d) => d.group === group).map((d) => d.name);
}

describe('pyproject.toml format', () => {
  it('matches pyproject.toml at any depth and nothing else', () => {
    expect(pyprojectFormat.matches('pyproject.toml')).toBe(true);
    expect(pyprojectFormat.matches('libs/core/pyproject.toml')).toBe(true);
    expect(pyprojectFormat.matches('pyproject.toml.bak')).toBe(false);
    expect(pyprojectFormat.matches('my-pyproject.toml')).toBe(false);
  });

  describe('real files', () => {
    it('reads Flask: PEP 621 dependencies, extras, dependency groups, and skips build-system', () => {
      const result = fixture('flask');
      expect(result.errors).toEqual([]);
      expect(result.requiresPython).toBe('>=3.9');
      expect(groupNames(result, 'main')).toEqual([
        'blinker',
        'click',
        'importlib-metadata',
        'itsdangerous',
        'jinja2',
        'markupsafe',
        'werkzeug',
      ]);
      expect(only(result, 'importlib-metadata')).toEqual({
        name: 'importlib-metadata',
        version: null,
        specifier: '>=3.6.0',
        extras: [],
        marker: 'python_version < "3.10"',
        source: 'registry',
        editable: false,
        kind: 'requirement',
        group: 'main',
        direct: true,
        file: 'flask/pyproject.toml',
        line: 26,
        section: 'project.dependencies',
      });
      expect(only(result, 'asgiref', 'async')).toMatchObject({ specifier: '>=3.2', line: 34 });
      expect(only(result, 'python-dotenv', 'dotenv')).toMatchObject({ specifier: '', line: 35 });
      expect(only(result, 'gha-update', 'gha-update')).toMatchObject({
        marker: 'python_full_version >= "3.12"',
        line: 53,
      });
      expect(only(result, 'greenlet', 'tests')).toMatchObject({ marker: 'python_version < "3.11"', line: 61 });
      expect(groupNames(result, 'docs-auto')).toEqual(['sphinx-autobuild']);
      // flit_core is only a build requirement.
      expect(result.dependencies.some((d) => d.name === 'flit-core')).toBe(false);
      // The tox pins inside [tool.tox] are command arguments, not dependencies.
      expect(result.dependencies.filter((d) => d.name === 'werkzeug')).toHaveLength(1);
    });

    it('reads httpx: wildcard pins stay wildcards and carry no exact version', () => {
      const result = fixture('httpx');
      expect(result.errors).toEqual([]);
      expect(only(result, 'httpcore')).toMatchObject({ specifier: '<0.19.0,>=0.18.0', version: null, line: 32 });
      expect(only(result, 'click', 'cli')).toMatchObject({ specifier: '==8.*', version: null, line: 44 });
      expect(only(result, 'brotlicffi', 'brotli')).toMatchObject({
        marker: 'platform_python_implementation != "CPython"',
        line: 41,
      });
      expect(only(result, 'h2', 'http2').line).toBe(49);
      expect(result.dependencies.some((d) => d.name === 'hatchling')).toBe(false);
    });

    it('reads an early Poetry pyproject: caret/tilde translation, python markers, dev-dependencies', () => {
      const result = fixture('poetry');
      expect(result.errors).toEqual([]);
      expect(result.requiresPython).toBe('<2.8,>=2.7 || <4.0,>=3.4');
      expect(only(result, 'cleo')).toMatchObject({ specifier: '<0.7.0,>=0.6.7', group: 'main', line: 26 });
      expect(only(result, 'requests')).toMatchObject({ specifier: '<3.0,>=2.18', line: 27 });
      expect(only(result, 'cachecontrol')).toMatchObject({
        specifier: '<0.13.0,>=0.12.4',
        extras: ['filecache'],
        line: 33,
      });
      expect(only(result, 'typing')).toMatchObject({
        specifier: '<4.0,>=3.6',
        marker:
          'python_version >= "2.7" and python_version < "2.8" or python_version >= "3.4" and python_version < "3.5"',
        line: 40,
      });
      expect(only(result, 'virtualenv').marker).toBe('python_version >= "2.7" and python_version < "2.8"');
      expect(only(result, 'pygments-github-lexers', 'dev')).toMatchObject({ specifier: '<0.0.6,>=0.0.5', line: 54 });
      expect(only(result, 'black', 'dev')).toMatchObject({
        specifier: '<19.0,>=18.3-alpha.0',
        marker: 'python_version >= "3.6" and python_version < "4.0"',
        line: 55,
      });
      expect(result.dependencies.some((d) => d.name === 'python')).toBe(false);
      expect(groupNames(result, 'dev')).toHaveLength(10);
    });

    it('reads Textual: Poetry groups, exact pins, optional dependencies grouped by their extra', () => {
      const result = fixture('textual');
      expect(result.errors).toEqual([]);
      expect(result.requiresPython).toBe('<4.0.0,>=3.8.1');
      expect(only(result, 'markdown-it-py')).toMatchObject({
        specifier: '>=2.1.0',
        extras: ['linkify', 'plugins'],
        group: 'main',
        line: 27,
      });
      expect(only(result, 'platformdirs')).toMatchObject({ specifier: '<5,>=3.6.0', line: 31 });
      expect(only(result, 'tree-sitter-sql')).toMatchObject({
        group: 'syntax',
        specifier: '<0.3.8,>=0.3.0',
        marker: 'python_version >= "3.9"',
        line: 49,
      });
      expect(groupNames(result, 'syntax')).toHaveLength(16);
      expect(only(result, 'black', 'dev')).toMatchObject({ specifier: '==24.4.2', version: '24.4.2', line: 76 });
      expect(only(result, 'types-setuptools', 'dev').specifier).toBe('<68.0.0.0,>=67.2.0.1');
      expect(only(result, 'mkdocstrings', 'dev')).toMatchObject({ extras: ['python'], line: 84 });
    });

    it('reads PDM: dev-dependency groups keyed by name', () => {
      const result = fixture('pdm');
      expect(result.errors).toEqual([]);
      expect(result.requiresPython).toBe('>=3.7');
      expect(groupNames(result, 'main')).toHaveLength(17);
      expect(only(result, 'installer')).toMatchObject({ specifier: '~=0.3.0', line: 14 });
      expect(only(result, 'pytest-xdist', 'test')).toMatchObject({ specifier: '>=1.31.0', line: 65 });
      expect(only(result, 'towncrier', 'workflow')).toMatchObject({ specifier: '<20.0.0,>=19.2.0', line: 75 });
      expect(only(result, 'vendoring', 'workflow').marker).toBe('python_version ~= "3.8"');
      expect(groupNames(result, 'doc')).toEqual(['mkdocs', 'mkdocs-material', 'mkdocstrings', 'markdown-include']);
    });

    it('reads pydantic: exact pins, VCS direct references in PDM groups, lines past comments', () => {
      const result = fixture('pydantic');
      expect(result.errors).toEqual([]);
      expect(only(result, 'pydantic-core')).toMatchObject({ version: '2.20.1', specifier: '==2.20.1', line: 23 });
      expect(result.dependencies.filter((d) => d.name === 'typing-extensions').map((d) => d.line)).toEqual([20, 21]);
      expect(only(result, 'pydantic-extra-types', 'docs')).toMatchObject({
        source: 'vcs',
        url: 'git+https://github.com/pydantic/pydantic-extra-types.git@main',
        version: null,
        line: 56,
      });
      expect(only(result, 'coverage', 'testing')).toMatchObject({ extras: ['toml'], line: 65 });
      expect(only(result, 'pytest-codspeed', 'testing')).toMatchObject({ marker: 'python_version < "3.13"', line: 75 });
      expect(only(result, 'pytest-memray', 'memray')).toMatchObject({
        marker: 'python_version < "3.13" and platform_system != "Windows"',
        line: 92,
      });
    });

    it('reads langgraph-prebuilt: include-group expansion and uv path sources', () => {
      const result = fixture('langgraph-prebuilt');
      expect(result.errors).toEqual([]);
      expect(groupNames(result, 'lint')).toEqual(['ruff', 'codespell', 'mypy']);
      // `dev` includes test then lint: every requirement again, under `dev`, at its original line.
      expect(groupNames(result, 'dev')).toEqual([...groupNames(result, 'test'), ...groupNames(result, 'lint')]);
      expect(only(result, 'mypy', 'dev').line).toBe(44);
      expect(only(result, 'langgraph', 'dev')).toMatchObject({
        source: 'path',
        url: '../langgraph',
        editable: true,
        line: 34,
      });
      expect(only(result, 'langgraph-checkpoint', 'main')).toMatchObject({
        source: 'path',
        url: '../checkpoint',
        specifier: '<4.0.0,>=2.1.0',
        version: null,
        line: 20,
      });
      expect(only(result, 'langchain-core', 'main').source).toBe('registry');
    });
    it('reads poetry-plugin-export: Poetry groups, including an optional one declared in two tables', () => {
      const result = fixture('poetry-plugin-export');
      expect(result.errors).toEqual([]);
      expect(result.requiresPython).toBe('<4.0,>=3.9');
      expect(result.dependencies.filter((d) => d.group === 'main').map((d) => [d.name, d.specifier, d.line])).toEqual([
        ['poetry', '<3.0.0,>=2.0.0', 21],
        ['poetry-core', '<3.0.0,>=1.7.0', 22],
      ]);
      expect(only(result, 'pytest-xdist', 'dev')).toMatchObject({ specifier: '<4.0,>=3.1', extras: ['psutil'], line: 30 });
      expect(only(result, 'pytest-github-actions-annotate-failures', 'github-actions')).toMatchObject({
        specifier: '<0.2.0,>=0.1.7',
        line: 37,
      });
      expect(groupNames(result, 'dev')).toHaveLength(7);
    });
  });

  describe('PEP 621 and PEP 735', () => {
    it('reports a bad requirement once and keeps the others', () => {
      const result = extract(
        ['[project]', 'name = "x"', 'dependencies = [', '  "good>=1",', '  "bad>>=1",', '  42,', '  "also-good",', ']'].join('\n'),
      );
      expect(result.dependencies.map((d) => [d.name, d.line])).toEqual([
        ['good', 4],
        ['also-good', 7],
      ]);
      expect(result.errors).toHaveLength(2);
      expect(result.errors[0]).toMatchObject({ file: 'pyproject.toml', line: 5 });
      expect(result.errors[0]!.message).toContain('bad>>=1');
      expect(result.errors[1]).toMatchObject({ line: 6, message: expect.stringContaining('found a number') });
    });

    it('finds lines for one-line arrays, multi-line strings before them, and quoted keys', () => {
      const result = extract(
        [
          '[project]',
          'description = """',
          'dependencies = ["not", "this"]',
          '"""',
          'dependencies = ["a", \'b[x] ; os_name == "nt"\']',
          '[project."optional-dependencies"]',
          '"my.extra" = [',
          '  # a comment with "quotes" and [brackets]',
          '  "c==1.0",',
          ']',
        ].join('\n'),
      );
      expect(result.errors).toEqual([]);
      expect(result.dependencies.map((d) => [d.name, d.group, d.line])).toEqual([
        ['a', 'main', 5],
        ['b', 'main', 5],
        ['c', 'my.extra', 9],
      ]);
      expect(only(result, 'b')).toMatchObject({ extras: ['x'], marker: 'os_name == "nt"' });
      expect(only(result, 'c').version).toBe('1.0');
    });

    it('expands nested include-group, reporting each requirement under every including group', () => {
      const result = extract(
        [
          '[dependency-groups]',
          'test = ["pytest>=8"]',
          'typing = ["mypy"]',
          'Dev_Tools = [{include-group = "test"}, "ruff"]',
          'all = [',
          '  {include-group = "dev-tools"},',
          '  {include-group = "typing"},',
          ']',
        ].join('\n'),
      );
      expect(result.errors).toEqual([]);
      expect(result.dependencies.map((d) => `${d.group}:${d.name}@${d.line}`)).toEqual([
        'test:pytest@2',
        'typing:mypy@3',
        'Dev_Tools:pytest@2',
        'Dev_Tools:ruff@4',
        'all:pytest@2',
        'all:ruff@4',
        'all:mypy@3',
      ]);
    });

    it('reports include cycles and unknown groups without losing the rest', () => {
      const result = extract(
        [
          '[dependency-groups]',
          'a = ["one", {include-group = "b"}]',
          'b = ["two", {include-group = "a"}]',
          'c = [{include-group = "nope"}, "three"]',
        ].join('\n'),
      );
      // One note per cycle (not one per group that reaches it): nothing of a or b is lost.
      const cycle = result.errors.filter((e) => e.message.includes('cycle'));
      expect(cycle).toEqual([{ file: 'pyproject.toml', line: 3, message: expect.stringContaining('a → b → a (each group is read once;'), note: true }]);
      expect(result.errors.find((e) => e.message.includes('unknown group'))).toMatchObject({ line: 4 });
      expect(result.dependencies.map((d) => `${d.group}:${d.name}`)).toEqual(['a:one', 'a:two', 'b:two', 'b:one', 'c:three']);
    });

    it('skips [build-system] requires', () => {
      const result = extract('[build-system]\nrequires = ["setuptools>=61", "wheel"]\n');
      expect(result.dependencies).toEqual([]);
      expect(result.errors).toEqual([]);
    });
  });

  describe('dynamic dependencies (filled in by the build backend)', () => {
    const includesOf = (result: ExtractResult) => result.includes?.map((i) => [i.path, i.line, i.group ?? null]);

    it("follows setuptools' dynamic file directive: a path or a list, main and per extra, at the line of each", () => {
      const result = extract(
        [
          '[project]',
          'name = "x"',
          'dynamic = ["dependencies", "optional-dependencies"]',
          '[tool.setuptools.dynamic]',
          'dependencies = {file = ["reqs/base.txt", "reqs/extra.txt"]}',
          '[tool.setuptools.dynamic.optional-dependencies]',
          'test = {file = "reqs/test.txt"}',
          'docs = { file = [',
          '  "reqs/docs.txt",',
          '] }',
        ].join('\n'),
      );
      expect(result.errors).toEqual([]);
      expect(result.dependencies).toEqual([]);
      expect(includesOf(result)).toEqual([
        ['reqs/base.txt', 5, null],
        ['reqs/extra.txt', 5, null],
        ['reqs/test.txt', 7, 'test'],
        ['reqs/docs.txt', 9, 'docs'],
      ]);
      expect(result.includes!.every((i) => i.kind === 'requirement')).toBe(true);
    });

    it('follows the hatch-requirements-txt plugin: files, the old filename, its requirements.txt default, and extras', () => {
      const hook = '[tool.hatch.metadata.hooks.requirements_txt]';
      const files = extract(`[project]\nname = "x"\ndynamic = ["dependencies", "optional-dependencies"]\n${hook}\nfiles = ["requirements/prod.txt"]\n[tool.hatch.metadata.hooks.requirements_txt.optional-dependencies]\ncli = ["requirements/cli.txt", "requirements/extra.txt"]\n`);
      expect(files.errors).toEqual([]);
      expect(includesOf(files)).toEqual([
        ['requirements/prod.txt', 5, null],
        ['requirements/cli.txt', 7, 'cli'],
        ['requirements/extra.txt', 7, 'cli'],
      ]);
      expect(includesOf(extract(`[project]\ndynamic = ["dependencies"]\n${hook}\nfilename = "deps.txt"\n`))).toEqual([['deps.txt', 4, null]]);
      expect(includesOf(extract(`[project]\ndynamic = ["dependencies"]\n${hook}\n`))).toEqual([['requirements.txt', 3, null]]);
    });

    it('says dynamic dependencies no file names are computed at build time and not read, with how to make them readable', () => {
      const setuptools = extract('[project]\nname = "x"\ndynamic = ["version", "dependencies"]\n');
      expect(setuptools.includes).toBeUndefined();
      expect(setuptools.errors).toEqual([
        {
          file: 'pyproject.toml',
          line: 3,
          message:
            'project.dynamic lists "dependencies": the build backend (setuptools, the default) computes them when it builds, from setup.py\'s install_requires; they were not read (to have them read, list them in [project] dependencies, or name a requirements file with [tool.setuptools.dynamic] dependencies = {file = ["requirements.txt"]})',
        },
      ]);
      // The loader drops that line when the setup.py beside the file is read (test/load.test.ts).
      expect(setuptools.leftToSetupPy).toEqual(setuptools.errors);
      const other = extract('[build-system]\nbuild-backend = "scikit_build_core.build"\n[project]\nname = "x"\ndynamic = ["optional-dependencies"]\n');
      expect(other.leftToSetupPy).toBeUndefined();
      expect(other.errors.map((e) => [e.line, e.message])).toEqual([[5, expect.stringMatching(/^project\.dynamic lists "optional-dependencies": the build backend \(scikit_build_core\.build\) computes them when it builds; they were not read/)]]);
      // hatchling with another metadata hook: the way to a file it reads is hatch-requirements-txt.
      const hatch = extract('[build-system]\nbuild-backend = "hatchling.build"\n[project]\nname = "x"\ndynamic = ["dependencies"]\n[tool.hatch.metadata.hooks.uv-dynamic-versioning]\ndependencies = ["x=={{ version }}"]\n');
      expect(hatch.errors.map((e) => e.message)).toEqual([expect.stringMatching(/hatchling\.build\) computes them when it builds; they were not read \(to have them read, list them in \[project\] dependencies, or name a requirements file with files = \["requirements\.txt"\] in \[tool\.hatch\.metadata\.hooks\.requirements_txt\]/)]);
    });

    it("says a setuptools directive other than file (attr) is not read, and a bad file value, keeping the rest", () => {
      const result = extract(
        [
          '[project]',
          'dynamic = ["dependencies", "optional-dependencies"]',
          '[tool.setuptools.dynamic]',
          'dependencies = {attr = "pkg.REQUIRES"}',
          '[tool.setuptools.dynamic.optional-dependencies]',
          'a = {file = 3}',
          'b = {file = ["ok.txt", 4]}',
        ].join('\n'),
      );
      expect(result.errors.map((e) => [e.line, e.message])).toEqual([
        [4, 'tool.setuptools.dynamic.dependencies uses {attr = …}, not {file = [...]}: computed when the project is built; not read'],
        [6, 'tool.setuptools.dynamic.optional-dependencies.a.file must be a path or an array of paths, not a number; not read'],
        [7, 'tool.setuptools.dynamic.optional-dependencies.b.file: expected a path, found a number; not read'],
      ]);
      expect(includesOf(result)).toEqual([['ok.txt', 7, 'b']]);
    });

    it('reads Poetry 2 dynamic dependencies from [tool.poetry.dependencies] without an error, when Poetry builds', () => {
      const poetry = '[project]\nname = "x"\ndynamic = ["dependencies"]\n[tool.poetry.dependencies]\npython = "^3.10"\nrequests = "^2.31"\n';
      const result = extract(`[build-system]\nbuild-backend = "poetry.core.masonry.api"\n${poetry}`);
      expect(result.errors).toEqual([]);
      expect(result.dependencies.map((d) => d.name)).toEqual(['requests']);
      // setuptools (the default backend) never reads [tool.poetry]: its dependencies come from elsewhere.
      expect(extract(poetry).errors).toEqual([expect.objectContaining({ line: 3, message: expect.stringMatching(/^project\.dynamic lists "dependencies"/) })]);
    });

    it('says a field both declared and listed as dynamic is invalid, and reads both', () => {
      const result = extract('[project]\nname = "x"\ndependencies = ["flask==3.0.0"]\ndynamic = ["dependencies"]\n[tool.setuptools.dynamic]\ndependencies = {file = "requirements.txt"}\n');
      expect(result.dependencies.map((d) => d.name)).toEqual(['flask']);
      expect(includesOf(result)).toEqual([['requirements.txt', 6, null]]);
      expect(result.errors).toEqual([{ file: 'pyproject.toml', line: 3, message: expect.stringMatching(/^project\.dependencies is also listed in project\.dynamic, which PEP 621 forbids/) }]);
    });

    it('ignores backend file tables for fields that are not dynamic (the backend ignores them too)', () => {
      const result = extract('[project]\nname = "x"\ndependencies = []\n[tool.setuptools.dynamic]\ndependencies = {file = "requirements.txt"}\n');
      expect(result.errors).toEqual([]);
      expect(result.includes).toBeUndefined();
    });

    it('says a dynamic that is not a list of names', () => {
      expect(extract('[project]\ndynamic = "dependencies"\n').errors).toEqual([
        { file: 'pyproject.toml', line: 2, message: 'project.dynamic must be an array of field names, not a string; dynamic dependencies, if any, were not read' },
      ]);
      expect(extract('[project]\ndynamic = ["dependencies", 1]\n').errors.map((e) => e.message)).toEqual(['project.dynamic must be an array of field names; dynamic dependencies, if any, were not read']);
    });
  });

  describe('Poetry', () => {
    it('reads every constraint form and table key', () => {
      const result = extract(
        [
          '[tool.poetry.dependencies]',
          'python = "^3.9"',
          'caret = "^1.2"',
          'tilde = "~1.2.3"',
          'any = "*"',
          'range = ">=1,<2"',
          'exact = "1.2.3"',
          'either = "^1.2 || ^2"',
          'marked = { version = "^2.0", markers = "sys_platform == \'win32\'", python = "<3.11", platform = "win32" }',
          'from-git = { git = "https://github.com/org/repo.git", tag = "v1.0" }',
          'local = { path = "../local", develop = true }',
          'archive = { url = "https://example.com/pkg-1.0.tar.gz" }',
          'private = { version = "^3", source = "internal" }',
          'Mixed_Case = "2.0"',
        ].join('\n'),
      );
      expect(result.errors).toEqual([]);
      expect(result.requiresPython).toBe('<4.0,>=3.9');
      const by = (name: string) => only(result, name);
      expect(by('caret')).toMatchObject({ specifier: '<2.0,>=1.2', version: null, line: 3, section: 'tool.poetry.dependencies' });
      expect(by('tilde').specifier).toBe('<1.3.0,>=1.2.3');
      expect(by('any').specifier).toBe('');
      expect(by('range').specifier).toBe('<2,>=1');
      expect(by('exact')).toMatchObject({ specifier: '==1.2.3', version: '1.2.3' });
      expect(by('either')).toMatchObject({ specifier: '<2.0,>=1.2 || <3,>=2', version: null });
      expect(by('marked')).toMatchObject({
        specifier: '<3.0,>=2.0',
        marker: 'sys_platform == "win32" and python_version < "3.11" and sys_platform == "win32"',
        line: 9,
      });
      expect(by('from-git')).toMatchObject({
        source: 'vcs',
        url: 'git+https://github.com/org/repo.git@v1.0',
        version: null,
        line: 10,
      });
      expect(by('local')).toMatchObject({ source: 'path', url: '../local', editable: true });
      expect(by('archive')).toMatchObject({ source: 'url', url: 'https://example.com/pkg-1.0.tar.gz' });
      expect(by('private')).toMatchObject({ source: 'registry', specifier: '<4,>=3' });
      expect(by('mixed-case').version).toBe('2.0');
    });

    it('turns a multiple-constraint list into one dependency per element, each with its line and marker', () => {
      const result = extract(
        [
          '[tool.poetry.group.test.dependencies]',
          'foo = [',
          '    { version = "<=1.9", python = ">=3.6,<3.8" },',
          '    { version = "^2.0", python = ">=3.8", markers = "platform_machine == \'x86_64\'" },',
          ']',
        ].join('\n'),
      );
      expect(result.errors).toEqual([]);
      expect(result.dependencies.map((d) => [d.group, d.specifier, d.marker, d.line])).toEqual([
        ['test', '<=1.9', 'python_version >= "3.6" and python_version < "3.8"', 3],
        ['test', '<3.0,>=2.0', 'platform_machine == "x86_64" and python_version >= "3.8"', 4],
      ]);
    });

    it('finds entries declared as their own table', () => {
      const result = extract(
        ['[tool.poetry.dependencies]', 'a = "^1"', '', '[tool.poetry.dependencies.requests]', 'version = "^2.28"', 'extras = ["socks"]'].join('\n'),
      );
      expect(only(result, 'requests')).toMatchObject({ specifier: '<3.0,>=2.28', extras: ['socks'], line: 4 });
    });

    it('reports a bad constraint on its line and reads the next entry', () => {
      const result = extract(['[tool.poetry.dependencies]', 'good = "^1"', 'bad = "^^1"', 'weird = 3', 'next = "~2"'].join('\n'));
      expect(result.dependencies.map((d) => d.name)).toEqual(['good', 'next']);
      expect(result.errors.map((e) => e.line)).toEqual([3, 4]);
      expect(result.errors[0]!.message).toContain('Could not parse version constraint');
    });

    it('reads a wildcard too big for a double as written, in version and python, and the entries after it', () => {
      const huge = '100000000000000000000000';
      const result = extract(['[tool.poetry.dependencies]', `foo = { version = "1", python = "${huge}.*" }`, `bar = "${huge}.*"`, 'baz = "^1"'].join('\n'));
      expect(result.errors).toEqual([]);
      expect(result.dependencies.map((d) => [d.name, d.specifier, d.marker])).toEqual([
        ['foo', '==1', `python_version >= "${huge}" and python_version < "100000000000000000000001"`],
        ['bar', `==${huge}.*`, null],
        ['baz', '<2,>=1', null],
      ]);
    });

    it('lists [[tool.poetry.source]] as options with their priority in the name, credentials removed', () => {
      const result = extract(
        [
          '[[tool.poetry.source]]',
          'name = "corp"',
          'url = "https://user:s3cret@pypi.corp.example/simple/"',
          'priority = "supplemental"',
          '',
          '[[tool.poetry.source]]',
          'name = "mirror"',
          'url = "https://mirror.example/simple/"',
          'priority = "primary"',
          '',
          '[[tool.poetry.source]]',
          'name = "torch"',
          'url = "https://download.pytorch.org/whl/cpu"',
          'priority = "explicit"',
          '',
          '[[tool.poetry.source]]',
          'name = "legacy"',
          'url = "https://legacy.example/simple/"',
          'secondary = true',
        ].join('\n'),
      );
      expect(result.options).toEqual([
        { name: 'poetry-source-supplemental', value: 'https://pypi.corp.example/simple/', line: 3, credentials: true },
        { name: 'poetry-source', value: 'https://mirror.example/simple/', line: 8 },
        { name: 'poetry-source-explicit', value: 'https://download.pytorch.org/whl/cpu', line: 13 },
        { name: 'poetry-source-supplemental', value: 'https://legacy.example/simple/', line: 18 },
      ]);
    });

    it('treats tool.poetry.dependencies as enrichment when [project] dependencies exist (Poetry 2)', () => {
      const result = extract(
        [
          '[project]',
          'dependencies = ["requests>=2", "httpx"]',
          '[tool.poetry.dependencies]',
          'requests = { git = "https://github.com/psf/requests.git", branch = "main" }',
          'httpx = { source = "corp" }',
          'only-here = "^1"',
        ].join('\n'),
      );
      expect(result.errors).toEqual([]);
      expect(result.dependencies.map((d) => d.name)).toEqual(['requests', 'httpx', 'only-here']);
      expect(only(result, 'requests')).toMatchObject({
        source: 'vcs',
        url: 'git+https://github.com/psf/requests.git@main',
        line: 2,
      });
      expect(only(result, 'httpx').source).toBe('registry');
    });
  });

  describe('uv and PDM', () => {
    it('reads uv dev-dependencies, applies every kind of source, and lists indexes', () => {
      const result = extract(
        [
          '[project]',
          'dependencies = ["lib-a", "lib-b", "lib-c", "member", "torch>=2"]',
          '[tool.uv]',
          'dev-dependencies = ["pytest>=8", "lib-a"]',
          'extra-index-url = ["https://extra.example/simple"]',
          '[tool.uv.sources]',
          'lib-a = { git = "https://github.com/org/lib-a", rev = "abc123" }',
          'lib_b = { path = "packages/lib-b", editable = true }',
          'lib-c = { url = "https://files.example/lib_c-1.0-py3-none-any.whl" }',
          'member = { workspace = true }',
          'torch = { index = "pytorch" }',
          '[[tool.uv.index]]',
          'name = "pytorch"',
          'url = "https://download.pytorch.org/whl/cpu"',
          'explicit = true',
        ].join('\n'),
      );
      expect(result.errors).toEqual([]);
      expect(result.dependencies.filter((d) => d.name === 'lib-a').map((d) => [d.group, d.source, d.url])).toEqual([
        ['main', 'vcs', 'git+https://github.com/org/lib-a@abc123'],
        ['dev', 'vcs', 'git+https://github.com/org/lib-a@abc123'],
      ]);
      expect(only(result, 'lib-b')).toMatchObject({ source: 'path', url: 'packages/lib-b', editable: true });
      expect(only(result, 'lib-c')).toMatchObject({ source: 'url' });
      expect(only(result, 'member')).toMatchObject({ source: 'path', editable: true });
      expect(only(result, 'torch')).toMatchObject({ source: 'registry', specifier: '>=2' });
      expect(only(result, 'pytest', 'dev')).toMatchObject({ specifier: '>=8', line: 4 });
      expect(result.options).toEqual([
        { name: 'extra-index-url', value: 'https://extra.example/simple', line: 5 },
        { name: 'uv-index-explicit', value: 'https://download.pytorch.org/whl/cpu', line: 14 },
      ]);
    });

    it('lists uv constraint-dependencies and override-dependencies as constraints; a bad entry is one error, the rest kept', () => {
      const result = extract(
        [
          '[project]',
          'name = "x"',
          'dependencies = ["django", "jinja2>=3"]',
          '[tool.uv]',
          'constraint-dependencies = ["pyyaml==5.1", "django<5"]',
          'override-dependencies = [',
          '  "jinja2==2.10",',
          '  "not a requirement ((",',
          '  42,',
          '  "urllib3==1.24.1; python_version >= \'3.8\'",',
          ']',
        ].join('\n'),
      );
      expect(result.dependencies.map((d) => [d.kind, d.name, d.version, d.specifier, d.group, d.line, d.section])).toEqual([
        ['requirement', 'django', null, '', 'main', 3, 'project.dependencies'],
        ['requirement', 'jinja2', null, '>=3', 'main', 3, 'project.dependencies'],
        ['constraint', 'pyyaml', '5.1', '==5.1', 'main', 5, 'tool.uv.constraint-dependencies'],
        ['constraint', 'django', null, '<5', 'main', 5, 'tool.uv.constraint-dependencies'],
        // uv installs the override whatever asks for jinja2: the audit rates 2.10.
        ['constraint', 'jinja2', '2.10', '==2.10', 'main', 7, 'tool.uv.override-dependencies'],
        ['constraint', 'urllib3', '1.24.1', '==1.24.1', 'main', 10, 'tool.uv.override-dependencies'],
      ]);
      expect(only(result, 'urllib3').marker).toBe('python_version >= "3.8"');
      expect(result.errors.map((e) => [e.line, e.message])).toEqual([
        [8, expect.stringContaining('Invalid requirement "not a requirement (("')],
        [9, 'tool.uv.override-dependencies: expected a requirement string, found a number'],
      ]);
    });

    it('gives a [tool.uv.workspace] table\'s members and exclude globs, by which the loader tells members (whose two lists uv ignores)', () => {
      expect(extract('[tool.uv.workspace]\nmembers = ["packages/*", 3]\nexclude = ["packages/old"]\n').uvWorkspace).toEqual({ members: ['packages/*'], exclude: ['packages/old'] });
      expect(extract('[tool.uv.workspace]\n').uvWorkspace).toEqual({ members: [], exclude: [] });
      expect(extract('[tool.uv]\nconstraint-dependencies = []\n').uvWorkspace).toBeUndefined();
    });

    it('says when constraint-dependencies or override-dependencies is not an array', () => {
      const result = extract('[tool.uv]\noverride-dependencies = "jinja2==2.10"\n');
      expect(result.dependencies).toEqual([]);
      expect(result.errors).toEqual([
        { file: 'pyproject.toml', line: 2, message: 'tool.uv.override-dependencies must be an array of requirement strings, not a string' },
      ]);
    });

    it('reads PDM editable entries with #egg names', () => {
      const result = extract(
        ['[tool.pdm.dev-dependencies]', 'dev = [', '  "-e file:///${PROJECT_ROOT}/packages/foo#egg=foo-lib",', '  "-e ./bar",', ']'].join('\n'),
      );
      expect(only(result, 'foo-lib', 'dev')).toMatchObject({ editable: true, source: 'path', line: 3 });
      expect(result.errors).toEqual([{ file: 'pyproject.toml', line: 4, message: expect.stringContaining('#egg=') }]);
    });
  });

  describe('direct references to a distribution file', () => {
    const WHEEL = 'https://files.example/x/urllib3-1.24.1-py2.py3-none-any.whl';

    it('take the version the file name states, in PEP 621 dependencies, optional-dependencies and dependency-groups, as a requirements line does', () => {
      const result = extract(
        [
          '[project]',
          'name = "app"',
          `dependencies = ["urllib3 @ ${WHEEL}", "Django @ https://files.example/Django-2.2.0.tar.gz#sha256=00"]`,
          '[project.optional-dependencies]',
          'web = ["Jinja2 @ file:///wheels/Jinja2-2.10-py2.py3-none-any.whl"]',
          '[dependency-groups]',
          'test = ["requests @ https://files.example/requests-2.19.0-py2.py3-none-any.whl?x=1"]',
        ].join('\n'),
      );
      expect(result.errors).toEqual([]);
      expect(only(result, 'urllib3')).toMatchObject({ source: 'url', url: WHEEL, version: '1.24.1', specifier: '' });
      expect(only(result, 'django')).toMatchObject({ source: 'url', version: '2.2.0' });
      expect(only(result, 'jinja2')).toMatchObject({ source: 'path', version: '2.10', group: 'web' });
      expect(only(result, 'requests')).toMatchObject({ source: 'url', version: '2.19.0', group: 'test' });
    });

    it("keep no version for the project's own folders, a VCS checkout, or a file of another project", () => {
      const result = extract(
        [
          '[project]',
          'name = "app"',
          'dependencies = [',
          '  "mylib @ file:///home/me/src/mylib",',
          '  "core @ file:///home/me/src/core-1.0",',
          '  "werkzeug @ git+https://github.com/pallets/werkzeug.git@0.15.0",',
          `  "requests @ ${WHEEL}",`,
          ']',
        ].join('\n'),
      );
      expect(result.errors).toEqual([]);
      expect(result.dependencies.map((d) => [d.name, d.version])).toEqual([
        ['mylib', null],
        ['core', null],
        ['werkzeug', null],
        ['requests', null],
      ]);
    });

    it('take the version in Poetry url and path entries of a wheel or sdist, not of a folder', () => {
      const result = extract(
        [
          '[tool.poetry.dependencies]',
          'python = "^3.9"',
          `urllib3 = { url = "${WHEEL}" }`,
          'django = { path = "wheels/Django-2.2.0-py3-none-any.whl" }',
          'jinja2 = { path = "../dist/Jinja2-2.10.tar.gz" }',
          'local = { path = "../local", develop = true }',
          'folder = { path = "../folder-1.0.tar.gz", develop = true }',
        ].join('\n'),
      );
      expect(result.errors).toEqual([]);
      expect(only(result, 'urllib3')).toMatchObject({ source: 'url', version: '1.24.1' });
      expect(only(result, 'django')).toMatchObject({ source: 'path', version: '2.2.0' });
      expect(only(result, 'jinja2')).toMatchObject({ source: 'path', version: '2.10' });
      expect(only(result, 'local')).toMatchObject({ source: 'path', version: null });
      expect(only(result, 'folder')).toMatchObject({ editable: true, version: null });
    });

    it('take the version a uv source of a wheel states, and none for a path folder', () => {
      const result = extract(
        [
          '[project]',
          'dependencies = ["urllib3", "lib-b"]',
          '[tool.uv.sources]',
          `urllib3 = { url = "${WHEEL}" }`,
          'lib-b = { path = "packages/lib-b" }',
        ].join('\n'),
      );
      expect(result.errors).toEqual([]);
      expect(only(result, 'urllib3')).toMatchObject({ source: 'url', version: '1.24.1' });
      expect(only(result, 'lib-b')).toMatchObject({ source: 'path', version: null });
    });
  });

  describe('TOML positions', () => {
    it('finds keys, array elements and array-of-tables entries around tricky strings', () => {
      const source = [
        '# [not.a.header]', // 1
        'title = "a [bracket] and a # hash"', // 2
        "lit = 'C:\\path\\'", // 3
        'multi = """', // 4
        'line one \\', // 5
        '  dependencies = ["fake"]', // 6
        '"""', // 7
        '[[tool.poetry.source]]', // 8
        'name = "a"', // 9
        '[[tool.poetry.source]]', // 10
        'url = "https://b.example"', // 11
        '[ tool . "my.table" ]', // 12
        'when = 1979-05-27 07:32:00Z', // 13
        'arr = [ [1, 2], { x = "y" }, "third" ]', // 14
        'dotted.key = "v"', // 15
      ].join('\n');
      expect(parseToml(source).ok).toBe(true);
      const positions = scanPositions(source);
      expect(positions.lineOf(['title'])).toBe(2);
      expect(positions.lineOf(['multi'])).toBe(4);
      expect(positions.lineOf(['dependencies'])).toBeNull();
      expect(positions.lineOf(['tool', 'poetry', 'source', '0', 'name'])).toBe(9);
      expect(positions.elementLine(['tool', 'poetry', 'source'], 1)).toBe(10);
      expect(positions.lineOf(['tool', 'poetry', 'source', '1', 'url'])).toBe(11);
      expect(positions.lineOf(['tool', 'my.table'])).toBe(12);
      expect(positions.lineOf(['tool', 'my.table', 'when'])).toBe(13);
      expect(positions.elementLine(['tool', 'my.table', 'arr'], 2)).toBe(14);
      expect(positions.lineOf(['tool', 'my.table', 'arr', '1', 'x'])).toBe(14);
      expect(positions.lineOf(['tool', 'my.table', 'dotted', 'key'])).toBe(15);
    });

    it('reads a 1.5 MB pyproject with 100,000 dependencies, every line right, within seconds', () => {
      const count = 100_000;
      const text = `[project]\ndependencies = [\n${Array.from({ length: count }, (_, i) => `  "p${i}>=1",\n`).join('')}]\n`;
      expect(text.length).toBeLessThan(2_000_000);
      const cpuMsSince = cpuStopwatch(); // CPU time: other test files share the cores
      const result = extract(text);
      const elapsed = cpuMsSince();
      expect(result.errors).toEqual([]);
      expect(result.dependencies).toHaveLength(count);
      expect(result.dependencies[count - 1]).toMatchObject({ name: `p${count - 1}`, line: count + 2 });
      expect(elapsed).toBeLessThan(5000);
    });
  });

  describe('hostile input', () => {
    it('reports a TOML syntax error once, with its line, and nothing else', () => {
      const lines = ['[project]', 'name = "x"', 'dependencies = [', '  "requests",', ']', '', 'version = = "1"', 'more = 1'];
      const result = extract(lines.join('\n'));
      expect(result.dependencies).toEqual([]);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatchObject({ file: 'pyproject.toml', line: 7 });
      expect(result.errors[0]!.message).toMatch(/line 7/);
    });

    it('refuses a 5 MB file quickly with one clear error', () => {
      const big = `[project]\ndependencies = [\n${'  "a",\n'.repeat(750_000)}]\n`;
      expect(big.length).toBeGreaterThan(5_000_000);
      const cpuMsSince = cpuStopwatch();
      const result = extract(big);
      expect(cpuMsSince()).toBeLessThan(1000);
      expect(result.dependencies).toEqual([]);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]!.message).toMatch(/too large/);
    });

    it('rejects deeply nested arrays without overflowing the stack', () => {
      const depth = 100_000;
      const result = extract(`x = ${'['.repeat(depth)}${']'.repeat(depth)}\n[project]\ndependencies = ["a"]\n`);
      expect(result.dependencies).toEqual([]);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]!.message).toMatch(/nested/);
    });

    it('treats __proto__ and constructor as ordinary keys', () => {
      const result = extract(
        ['[tool.poetry.dependencies]', '__proto__ = "^1"', 'constructor = "^2"', '[dependency-groups]', '__proto__ = ["x"]'].join('\n'),
      );
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      expect(result.dependencies.map((d) => [d.name, d.group])).toEqual([
        ['x', '__proto__'],
        ['constructor', 'main'],
      ]);
      expect(result.errors).toEqual([{ file: 'pyproject.toml', line: 2, message: expect.stringContaining('not a valid project name') }]);
    });

    it('reports wrong types per entry without crashing', () => {
      const result = extract(
        ['project = 3', '[dependency-groups]', 'g = "not-a-list"', '[tool.poetry]', 'dependencies = ["a"]', 'dev-dependencies = { x = { extras = "no" } }'].join('\n'),
      );
      expect(result.dependencies).toEqual([]);
      expect(result.errors.map((e) => e.line)).toEqual([1, 3, 5, 6]);
    });

    it('reads an empty file as no dependencies', () => {
      expect(extract('')).toEqual({ dependencies: [], errors: [], options: [], requiresPython: null });
    });
  });
});
