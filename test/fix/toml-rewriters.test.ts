import { describe, expect, it } from 'vitest';
import { pipfileRewriter } from '../../src/fix/formats/pipfile.js';
import { pyprojectRewriter } from '../../src/fix/formats/pyproject.js';
import { stringSpans } from '../../src/fix/toml-spans.js';
import { parseToml } from '../../src/python/toml.js';
import type { FixTarget } from '../../src/fix/types.js';
import { pipfileFormat } from '../../src/python/formats/pipfile.js';
import { pyprojectFormat } from '../../src/python/formats/pyproject.js';
import { apply, changesOutside } from './helpers.js';

const target = (name: string, from: string, to: string): FixTarget => ({ name, from, to, advisories: ['GHSA-test'] });
const django = target('django', '2.1.5', '2.1.11');

function rewritePyproject(text: string, targets: FixTarget[] = [django]) {
  const result = pyprojectRewriter.rewrite(text, 'pyproject.toml', targets);
  const after = apply(text, result.edits);
  return { ...result, after, outside: changesOutside(text, after, result.changes.map((c) => c.lines)) };
}

describe('string spans of a TOML document', () => {
  it('finds each string value by key path, with its quotes, in arrays, inline tables and sub-tables', () => {
    const text = [
      '[project]',
      'dependencies = [',
      '  "a==1", # first',
      "  'b==2',",
      ']',
      '[tool.poetry.dependencies]',
      'c = { version = "^1.0", extras = ["x"] }',
      '"d.e" = "1.0"',
      '[tool.poetry.dependencies.f]',
      'version = """2.0"""',
      '',
    ].join('\n');
    const spans = stringSpans(text);
    const at = (...path: string[]) => {
      const s = spans.get(path)!;
      return { raw: text.slice(s.start, s.end), content: text.slice(s.contentStart, s.contentEnd), line: s.line, multiline: s.multiline };
    };
    expect(at('project', 'dependencies', '0')).toEqual({ raw: '"a==1"', content: 'a==1', line: 3, multiline: false });
    expect(at('project', 'dependencies', '1')).toEqual({ raw: "'b==2'", content: 'b==2', line: 4, multiline: false });
    expect(at('tool', 'poetry', 'dependencies', 'c', 'version')).toMatchObject({ content: '^1.0', line: 7 });
    expect(at('tool', 'poetry', 'dependencies', 'c', 'extras', '0')).toMatchObject({ content: 'x' });
    expect(at('tool', 'poetry', 'dependencies', 'd.e')).toMatchObject({ content: '1.0', line: 8 });
    expect(at('tool', 'poetry', 'dependencies', 'f', 'version')).toMatchObject({ content: '2.0', multiline: true, line: 10 });
  });

  it('walks text the TOML parser would refuse without stalling (a stray vertical tab or form feed), and finds what follows', () => {
    // It tokenizes with the parsers' own scanner, which consumes input at every step; its own copy
    // looped for ever on a blank that is neither a space nor a tab.
    const text = 'a = 1\v\f\n[project]\ndependencies = ["b==2"]\n';
    const span = stringSpans(text).get(['project', 'dependencies', '0'])!;
    expect(text.slice(span.contentStart, span.contentEnd)).toBe('b==2');
  });

  it('puts every string value at the path and line the parsers recorded for it (one walker for both)', () => {
    const text = [
      '\uFEFF[project]',
      'dependencies = ["a==1", { nested = "x" }]',
      'optional-dependencies.dev = ["b==2"]',
      '[[tool.uv.index]]',
      'url = "https://example.org/simple"',
      '[[tool.uv.index]]',
      'url = "https://example.com/simple"',
      '[tool.poetry.dependencies]',
      'c = { version = "^1.0", extras = ["x"] }',
      '',
    ].join('\n');
    const parsed = parseToml(text);
    if (!parsed.ok) throw new Error(parsed.message);
    const spans = stringSpans(text);
    const everyString = [
      ['project', 'dependencies', '0'],
      ['project', 'dependencies', '1', 'nested'],
      ['project', 'optional-dependencies', 'dev', '0'],
      ['tool', 'uv', 'index', '0', 'url'],
      ['tool', 'uv', 'index', '1', 'url'],
      ['tool', 'poetry', 'dependencies', 'c', 'version'],
      ['tool', 'poetry', 'dependencies', 'c', 'extras', '0'],
    ];
    expect(spans.size).toBe(everyString.length);
    for (const path of everyString) {
      const span = spans.get(path)!;
      expect(parsed.positions.lineOf(path), path.join('.')).toBe(span.line);
      expect(valueAt(parsed.value, path), path.join('.')).toBe(text.slice(span.contentStart, span.contentEnd));
    }
    expect(spans.get(['tool', 'uv', 'index', '1', 'url'])?.line).toBe(7);
  });
});

describe('the pyproject.toml rewriter', () => {
  it('rewrites PEP 621 dependencies, extras and dependency groups, every pin of the release in every group', () => {
    const text = [
      '[project]',
      'name = "app"',
      'dependencies = [',
      '  "Django==2.1.5",  # web',
      "  'requests>=2',",
      ']',
      '',
      '[project.optional-dependencies]',
      "argon = ['django[argon2] == 2.1.5 ; python_version >= \"3.6\"']",
      '',
      '[dependency-groups]',
      'test = ["django>=2.0,<2.1.6", {include-group = "lint"}]',
      'lint = ["ruff"]',
      '',
    ].join('\r\n');
    const { after, changes, outside } = rewritePyproject(text);
    expect(after).toBe(
      text.replace('"Django==2.1.5"', '"Django==2.1.11"').replace("django[argon2] == 2.1.5 ;", 'django[argon2] == 2.1.11 ;').replace('"django>=2.0,<2.1.6"', '"django>=2.0,<2.1.12"'),
    );
    expect(changes.map((c) => `${c.line} ${c.before} → ${c.after}`)).toEqual(['4 ==2.1.5 → ==2.1.11', '9 == 2.1.5 → == 2.1.11', '12 >=2.0,<2.1.6 → >=2.0,<2.1.12']);
    expect(outside).toEqual([]);
    // The parser still reads the same entries, with the moved constraints.
    expect(pyprojectFormat.extract(after, { file: 'pyproject.toml' }).dependencies.map((d) => `${d.group}:${d.name}${d.specifier}`)).toEqual([
      'main:django==2.1.11',
      'main:requests>=2',
      'argon:django==2.1.11',
      'test:django<2.1.12,>=2.0',
      'test:ruff',
      'lint:ruff',
    ]);
  });

  it('widens Poetry constraints only as far as needed: inline tables, sub-tables and multiple-constraint arrays', () => {
    const text = [
      '[tool.poetry.dependencies]',
      'python = "^3.8"',
      'textual = {version = "^0.65.1", extras = ["syntax"]}',
      '',
      '[tool.poetry.group.dev.dependencies]',
      'textual = [',
      '  {version = "~0.65.0", python = "<3.9"},',
      '  {version = ">=0.65,<0.66", python = ">=3.9"},',
      ']',
      '',
      '[tool.poetry.group.docs.dependencies.textual]',
      "version = '0.65.1'",
      'optional = true',
      '',
    ].join('\n');
    const { after, changes, outside } = rewritePyproject(text, [target('textual', '0.65.1', '0.66.0')]);
    expect(after).toBe(
      [
        '[tool.poetry.dependencies]',
        'python = "^3.8"',
        'textual = {version = "^0.66.0", extras = ["syntax"]}',
        '',
        '[tool.poetry.group.dev.dependencies]',
        'textual = [',
        '  {version = "~0.66.0", python = "<3.9"},',
        '  {version = ">=0.65,<0.67", python = ">=3.9"},',
        ']',
        '',
        '[tool.poetry.group.docs.dependencies.textual]',
        "version = '0.66.0'",
        'optional = true',
        '',
      ].join('\n'),
    );
    // A sub-table entry is reported where the parser reports it (its header) and touches the version line.
    expect(changes.find((c) => c.before === '0.65.1')).toMatchObject({ line: 11, lines: { first: 12, last: 12 } });
    expect(outside).toEqual([]);
  });

  it('keeps a byte order mark and CRLF endings around the one value it changes', () => {
    const text = '\uFEFF[tool.poetry.dependencies]\r\npython = "^3.8"  # runtime\r\nDjango = "2.1.5"\r\n';
    expect(rewritePyproject(text).after).toBe('\uFEFF[tool.poetry.dependencies]\r\npython = "^3.8"  # runtime\r\nDjango = "2.1.11"\r\n');
  });

  it('leaves a Poetry constraint that admits the fix as it is', () => {
    const text = '[tool.poetry.dependencies]\ndjango = "^2.1"\n';
    const { after, changes, leftAlone } = rewritePyproject(text);
    expect(after).toBe(text);
    expect(changes).toEqual([]);
    expect(leftAlone).toEqual([]);
  });

  it('reports what it will not rewrite: unions, exclusions of the fix, strings written with escapes', () => {
    const text = [
      '[project]',
      'dependencies = ["django>=2.0,!=2.1.11", "flask\\u003d=0.12.2"]',
      '[tool.poetry.dependencies]',
      'requests = "^2.18 || ^1.0"',
      '',
    ].join('\n');
    const { after, leftAlone } = rewritePyproject(text, [django, target('flask', '0.12.2', '2.2.5'), target('requests', '2.18.4', '3.0.1')]);
    expect(after).toBe(text);
    expect(leftAlone.map((l) => `${l.package} ${l.kind}: ${l.reason}`)).toEqual([
      expect.stringMatching(/^django not-understood: .*!=2\.1\.11/),
      expect.stringMatching(/^flask not-understood: .*escapes/),
      expect.stringMatching(/^requests not-understood: .*\|\|/),
    ]);
  });

  it('moves a pin in uv override-dependencies and constraint-dependencies, and leaves a range that admits the fix', () => {
    const text = '[project]\ndependencies = ["django>=2"]\n[tool.uv]\nconstraint-dependencies = ["django<=2.1.5"]\noverride-dependencies = ["django==2.1.5"]\n';
    const { after, changes, outside } = rewritePyproject(text);
    expect(after).toBe(text.replace('"django==2.1.5"', '"django==2.1.11"').replace('"django<=2.1.5"', '"django<=2.1.11"'));
    expect(changes.map((c) => `${c.line} ${c.before} → ${c.after}`)).toEqual(['4 <=2.1.5 → <=2.1.11', '5 ==2.1.5 → ==2.1.11']);
    expect(outside).toEqual([]);
  });

  it('does not touch requirements installed from elsewhere ([tool.uv.sources], name @ url)', () => {
    const text = '[project]\ndependencies = ["django==2.1.5", "flask @ https://example.com/flask-0.12.2.tar.gz"]\n[tool.uv.sources]\ndjango = { git = "https://github.com/django/django", tag = "2.1.5" }\n';
    const { after, changes } = rewritePyproject(text, [django, target('flask', '0.12.2', '2.2.5')]);
    expect(after).toBe(text);
    expect(changes).toEqual([]);
  });
});

describe('the Pipfile rewriter', () => {
  it('rewrites specifier strings and version keys in every category, and leaves "*" alone', () => {
    const text = [
      '[[source]]',
      'url = "https://pypi.org/simple"',
      '',
      '[packages]',
      'django = "==2.1.5"',
      'requests = "*"',
      '',
      '[dev-packages]',
      "Django = {version = '<=2.1.5', extras = ['bcrypt']}",
      '',
      '[docs]',
      'django = ">=2.1"',
      '',
    ].join('\n');
    const result = pipfileRewriter.rewrite(text, 'Pipfile', [django, target('requests', '2.18.4', '2.31.0')]);
    const after = apply(text, result.edits);
    expect(after).toBe(text.replace('"==2.1.5"', '"==2.1.11"').replace("'<=2.1.5'", "'<=2.1.11'"));
    expect(result.changes.map((c) => `${c.line}`)).toEqual(['5', '9']);
    expect(changesOutside(text, after, result.changes.map((c) => c.lines))).toEqual([]);
    expect(pipfileFormat.extract(after, { file: 'Pipfile' }).dependencies.map((d) => `${d.group}:${d.name}${d.specifier}`)).toEqual([
      'main:django==2.1.11',
      'main:requests',
      'dev:django<=2.1.11',
      'docs:django>=2.1',
    ]);
  });

  it('reads a bare version as the parser does (== pin) and writes the new pin back bare; "==" keeps "=="', () => {
    const text = [
      '[packages]',
      'requests = "2.19.0"',
      'django = {version = "2.1.5", extras = ["bcrypt"]}',
      '',
      '[dev-packages]',
      'requests = "==2.19.0"',
      "django = ' 2.1.5 '",
      '',
    ].join('\n');
    const requests = target('requests', '2.19.0', '2.31.0');
    const result = pipfileRewriter.rewrite(text, 'Pipfile', [requests, django]);
    const after = apply(text, result.edits);
    expect(after).toBe(
      [
        '[packages]',
        'requests = "2.31.0"',
        'django = {version = "2.1.11", extras = ["bcrypt"]}',
        '',
        '[dev-packages]',
        'requests = "==2.31.0"',
        "django = ' 2.1.11 '",
        '',
      ].join('\n'),
    );
    expect(result.leftAlone).toEqual([]);
    expect(result.changes.map((c) => `${c.line}:${c.before}→${c.after}`)).toEqual(['2:2.19.0→2.31.0', '3:2.1.5→2.1.11', '6:==2.19.0→==2.31.0', '7:2.1.5→2.1.11']);
    expect(changesOutside(text, after, result.changes.map((c) => c.lines))).toEqual([]);
    expect(pipfileFormat.extract(after, { file: 'Pipfile' }).dependencies.map((d) => `${d.group}:${d.name}${d.specifier}`)).toEqual([
      'main:requests==2.31.0',
      'main:django==2.1.11',
      'dev:requests==2.31.0',
      'dev:django==2.1.11',
    ]);
  });

  it('leaves a bare version that already admits the fix, or is not about the vulnerable release, alone', () => {
    const text = ['[packages]', 'requests = "2.31.0"', 'django = "2.0"', ''].join('\n');
    const result = pipfileRewriter.rewrite(text, 'Pipfile', [target('requests', '2.19.0', '2.31.0'), django]);
    expect(result.edits).toEqual([]);
    expect(result.leftAlone).toEqual([]);
  });
});

/** Follows a span path through the parsed document, array elements by index. */
function valueAt(root: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((value, part) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined), root);
}
