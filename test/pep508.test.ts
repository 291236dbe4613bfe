import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  exactPin,
  normalizeMarker,
  normalizeSpecifier,
  parseMarker,
  parseMarkerFully,
  parsePep508,
  parsePep508Fully,
} from '../src/python/pep508.js';

interface Vector {
  text: string;
  ok: boolean;
  name?: string;
  extras?: string[];
  specifier?: string;
  marker?: string | null;
  url?: string | null;
}

const vectorsPath = fileURLToPath(new URL('./fixtures/manifests/pep508-packaging-vectors.json', import.meta.url));
const { vectors } = JSON.parse(readFileSync(vectorsPath, 'utf8')) as { vectors: Vector[] };

function parsed(text: string) {
  const result = parsePep508(text);
  if (!result.ok) throw new Error(`expected ${text} to parse: ${result.message}`);
  return result.requirement;
}

function rejection(text: string): string {
  const result = parsePep508(text);
  if (result.ok) throw new Error(`expected ${text} to be rejected`);
  return result.message;
}

describe('parsePep508 agrees with pypa/packaging', () => {
  it.each(vectors.map((v) => [v.text, v] as const))('%s', (text, vector) => {
    const result = parsePep508(text);
    expect(result.ok).toBe(vector.ok);
    if (result.ok && vector.ok) {
      expect(result.requirement.name).toBe(vector.name);
      expect(result.requirement.extras).toEqual(vector.extras);
      expect(result.requirement.specifier).toBe(vector.specifier);
      expect(result.requirement.marker).toBe(vector.marker);
      expect(result.requirement.url).toBe(vector.url);
    }
  });

  it('covers both accepted and rejected strings', () => {
    expect(vectors.filter((v) => v.ok).length).toBeGreaterThan(40);
    expect(vectors.filter((v) => !v.ok).length).toBeGreaterThan(20);
  });
});

describe('parsePep508', () => {
  it('reads name, extras, specifier and marker', () => {
    expect(parsed('requests[Security, socks] >= 2.0 , < 3 ; python_version < "3.8"')).toEqual({
      name: 'requests',
      normalizedName: 'requests',
      extras: ['security', 'socks'],
      specifier: '<3,>=2.0',
      marker: 'python_version < "3.8"',
      url: null,
    });
  });

  it('normalises the name and extras (PEP 503 / PEP 685) but keeps the name as written', () => {
    const req = parsed('Zope.Interface[Test_Extra,test-extra]==5');
    expect(req.name).toBe('Zope.Interface');
    expect(req.normalizedName).toBe('zope-interface');
    expect(req.extras).toEqual(['test-extra']);
  });

  it('accepts a parenthesised specifier', () => {
    expect(parsed('baz (>=1.0, <2.0)').specifier).toBe('<2.0,>=1.0');
  });

  it('reads name @ url, with a marker only after whitespace', () => {
    const req = parsed('pip @ https://github.com/pypa/pip/archive/1.3.1.zip ; python_version >= "3"');
    expect(req.url).toBe('https://github.com/pypa/pip/archive/1.3.1.zip');
    expect(req.marker).toBe('python_version >= "3"');
    expect(req.specifier).toBe('');
    // Without the space the `;` belongs to the URL, as in packaging.
    expect(parsed('pip @ https://x.test/p.zip;python_version>="3"').url).toBe('https://x.test/p.zip;python_version>="3"');
  });

  it('keeps wildcard, arbitrary-equality and local-version pins', () => {
    expect(parsed('numpy==1.24.*').specifier).toBe('==1.24.*');
    expect(parsed('pytz===2021.1-custom').specifier).toBe('===2021.1-custom');
    expect(parsed('torch == 2.0.1+cu118').specifier).toBe('==2.0.1+cu118');
  });

  it('rejects what packaging rejects, naming the problem', () => {
    expect(rejection('foo=1.0')).toMatch(/Expected semicolon/);
    expect(rejection('foo>=1.0.*')).toMatch(/\.\* suffix can only be used with `==` or `!=`/);
    expect(rejection('foo>=1.0+local')).toMatch(/Local version label/);
    expect(rejection('foo[bar baz]')).toMatch(/Expected comma between extra names/);
    expect(rejection('foo (>=1.0')).toMatch(/Expected matching RIGHT_PARENTHESIS/);
    expect(rejection('-foo')).toMatch(/package name/);
    expect(rejection('foo; bogus == "a"')).toMatch(/marker variable or quoted string/);
    expect(rejection('foo @ https://x.test/a.zip bar')).toMatch(/semicolon \(after URL and whitespace\)/);
  });
});

describe('normalizeMarker', () => {
  it('prints markers like str(Marker): double quotes, single spaces', () => {
    expect(normalizeMarker("python_version<'3.8'and sys_platform=='win32'")).toBe(
      'python_version < "3.8" and sys_platform == "win32"',
    );
  });

  it('maps the legacy variable names packaging maps', () => {
    expect(normalizeMarker('os.name == "nt"')).toBe('os_name == "nt"');
    expect(normalizeMarker('sys.platform == "linux"')).toBe('sys_platform == "linux"');
    expect(normalizeMarker('python_implementation == "CPython"')).toBe('platform_python_implementation == "CPython"');
    expect(normalizeMarker('platform.python_implementation == "PyPy"')).toBe('platform_python_implementation == "PyPy"');
  });

  it('keeps parentheses for nested groups and drops redundant outer ones', () => {
    expect(normalizeMarker('(python_version < "3.8" or python_version >= "3.10") and os_name == "posix"')).toBe(
      '(python_version < "3.8" or python_version >= "3.10") and os_name == "posix"',
    );
    expect(normalizeMarker('((os_name == "nt"))')).toBe('os_name == "nt"');
    expect(normalizeMarker('python_version < "3" and (os_name == "nt")')).toBe('python_version < "3" and os_name == "nt"');
  });

  it('handles in / not in, reversed operands and extra normalisation', () => {
    expect(normalizeMarker('python_version not in "2.7 3.4"')).toBe('python_version not in "2.7 3.4"');
    expect(normalizeMarker('"3.8" > python_version')).toBe('"3.8" > python_version');
    expect(normalizeMarker('extra == "Foo_Bar"')).toBe('extra == "foo-bar"');
  });

  it('returns null for an invalid marker', () => {
    expect(normalizeMarker('python_version <')).toBeNull();
    expect(normalizeMarker('python_version notin "3"')).toBeNull();
    expect(normalizeMarker('')).toBeNull();
    const result = parseMarker('python_version < "3" and');
    expect(result.ok).toBe(false);
  });

  it('exposes the parsed tree', () => {
    const result = parseMarker('os_name == "nt" or (python_version < "3" and sys_platform == "linux")');
    expect(result.ok && result.tree.length).toBe(3);
    expect(result.ok && result.tree[1]).toBe('or');
  });
});

describe('normalizeSpecifier', () => {
  it('removes whitespace inside clauses and sorts them by their text', () => {
    expect(normalizeSpecifier('>= 1.0 , < 2 , != 1.5')).toBe('!=1.5,<2,>=1.0');
    expect(normalizeSpecifier('')).toBe('');
  });

  it('drops clauses equal to an earlier one, as SpecifierSet does', () => {
    expect(normalizeSpecifier('>=1.0,>=1.0.0')).toBe('>=1.0');
    expect(normalizeSpecifier('~=1.0,~=1.0.0')).toBe('~=1.0,~=1.0.0');
    expect(normalizeSpecifier('==01.0,==1,==0!1.0rc01.post0.dev00+Ab.007')).toBe('==0!1.0rc01.post0.dev00+Ab.007,==01.0');
  });

  it('keeps clauses whose numbers differ past what a double holds apart', () => {
    expect(normalizeSpecifier('==9007199254740993,==9007199254740992')).toBe('==9007199254740992,==9007199254740993');
    expect(normalizeSpecifier('>=1.9007199254740993,>=1.9007199254740992')).toBe('>=1.9007199254740992,>=1.9007199254740993');
  });
});

describe('exactPin', () => {
  it('returns the pinned version', () => {
    expect(exactPin('==1.2.3')).toBe('1.2.3');
    expect(exactPin('===2021.1-custom')).toBe('2021.1-custom');
    expect(exactPin('==1.0+local')).toBe('1.0+local');
    expect(exactPin('!=1.5,==1.4')).toBe('1.4');
  });

  it('returns null for wildcards, ranges and nothing', () => {
    expect(exactPin('==1.*')).toBeNull();
    expect(exactPin('>=1.0,<2')).toBeNull();
    expect(exactPin('')).toBeNull();
    expect(exactPin('==1.0,==2.0')).toBeNull();
  });
});

/** Every requirement-looking line of the real requirements files the tests carry (corpus and fixtures). */
function realRequirementLines(): string[] {
  const lines: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(txt|in)$/.test(entry.name)) {
        for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
          const text = line.replace(/(^|\s)#.*$/, '').trim();
          if (text !== '' && !text.startsWith('-')) lines.push(text.split(' --')[0]!);
        }
      }
    }
  };
  walk(fileURLToPath(new URL('./corpus/files', import.meta.url)));
  walk(fileURLToPath(new URL('./fixtures/manifests', import.meta.url)));
  return lines;
}

const cartesian = (...parts: string[][]): string[] =>
  parts.reduce<string[]>((acc, options) => acc.flatMap((prefix) => options.map((option) => prefix + option)), ['']);

describe('the common-shape shortcut gives exactly what the full grammar gives', () => {
  it('on every packaging vector', () => {
    for (const { text } of vectors) expect(parsePep508(text), text).toEqual(parsePep508Fully(text));
  });

  it('on every line of the real requirements files in the tests, and on their markers', () => {
    const lines = realRequirementLines();
    expect(lines.length).toBeGreaterThan(500);
    for (const line of lines) {
      expect(parsePep508(line), line).toEqual(parsePep508Fully(line));
      const semicolon = line.indexOf(';');
      if (semicolon !== -1) {
        const marker = line.slice(semicolon + 1);
        expect(parseMarker(marker), marker).toEqual(parseMarkerFully(marker));
      }
    }
  });

  it('on requirements at the edges of the shortcut (names, extras, clauses, blanks, what follows)', () => {
    const clauses = ['==1', '== 1.0', '===1', '==1.*', '!=1.0.*', '>=1.*', '~=1', '~=1.0', '<1a1', '>v1', '==1.0+local', '<= 2', '>2.0.post1'];
    const texts = cartesian(
      ['a', 'Foo.Bar_baz', 'foo_', 'foo-', ' x1'],
      ['', '[a]', '[ A_b , c ]', '[]', '[a,]', '[a b]'],
      ['', ' ', '\t'],
      ['', ...clauses, ...clauses.slice(0, 6).map((c) => `${c},<3`), ...clauses.slice(0, 6).map((c) => `>0 , ${c}`), '(>=1)', '>=1,,<2'],
      ['', ' ', ';', ' ; python_version<"3"', ' @ https://x/y.whl'],
    );
    expect(texts.length).toBeGreaterThan(5000);
    for (const text of texts) expect(parsePep508(text), JSON.stringify(text)).toEqual(parsePep508Fully(text));
  });

  it('on markers at the edges of the shortcut (aliases, operators, quotes, escapes, what follows)', () => {
    const texts = cartesian(
      ['', ' '],
      ['python_version', 'os.name', 'python_implementation', 'platform.machine', 'extra', 'Extra', 'python_versions', 'extras'],
      ['', ' ', '\t'],
      ['<', '<=', '===', '~=', '==', 'in', 'not in', '=', '!'],
      [' "3.8"', '"3.8"', "'3.8'", '"Foo_Bar"', '"a\\nb"', '"it\'s"', `'say "hi"'`, '""', '3.8', '"open'],
      ['', ' ', ' and os_name == "nt"', ')', ' or'],
    );
    for (const text of texts) expect(parseMarker(text), JSON.stringify(text)).toEqual(parseMarkerFully(text));
  });
});
