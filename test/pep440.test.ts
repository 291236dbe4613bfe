import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  filterVersions,
  isPrerelease,
  isValidSpecifier,
  isValidVersion,
  normalizeSpecifier,
  normalizeVersion,
  parseSpecifierSet,
  parseVersion,
  sortVersions,
  specifierContains,
  specifierContainsSingle,
  versionPinMatches,
  versionsEqual,
} from '../src/python/pep440.js';

// Vectors from pypa/packaging's test suite (Apache-2.0 OR BSD-2-Clause), see fixtures/pep440/README.md.
function vectors<T>(file: string): T[] {
  const url = new URL(`./fixtures/pep440/${file}`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { vectors: T[] }).vectors;
}

interface ValidVector { version: string; normalized: string }
interface InvalidVector { version: string }
interface OrderingVector { sorted: string[]; selection: string }
interface SpecifierVector {
  api: 'Specifier' | 'SpecifierSet';
  specifier: string;
  prereleases: boolean | null;
  contains_prereleases: boolean | null;
  version: string;
  expected: boolean;
}

describe('valid_versions.json: Version(v) parses and str() gives the normal form', () => {
  it.each(vectors<ValidVector>('valid_versions.json'))('$version → $normalized', ({ version, normalized }) => {
    expect(isValidVersion(version)).toBe(true);
    expect(normalizeVersion(version)).toBe(normalized);
    // The normal form is itself valid, normalises to itself and is the same version.
    expect(normalizeVersion(normalized)).toBe(normalized);
    expect(versionsEqual(version, normalized)).toBe(true);
  });
});

describe('invalid_versions.json: Version(v) is rejected', () => {
  it.each(vectors<InvalidVector>('invalid_versions.json'))('$version', ({ version }) => {
    expect(isValidVersion(version)).toBe(false);
    expect(parseVersion(version)).toBeNull();
    expect(normalizeVersion(version)).toBeNull();
    expect(() => compareVersions(version, '1.0')).toThrow(/Not a valid PEP 440 version/);
  });
});

describe('ordering.json: each list is strictly increasing', () => {
  it.each(vectors<OrderingVector>('ordering.json'))('$selection', ({ sorted }) => {
    for (let i = 0; i < sorted.length; i += 1) {
      for (let j = 0; j < sorted.length; j += 1) {
        const [a, b] = [sorted[i] ?? '', sorted[j] ?? ''];
        expect(Math.sign(compareVersions(a, b)), `${a} vs ${b}`).toBe(Math.sign(i - j));
      }
    }
    expect(sortVersions([...sorted].reverse())).toEqual(sorted);
  });
});

describe('specifiers.json: Specifier / SpecifierSet contains()', () => {
  it.each(vectors<SpecifierVector>('specifiers.json'))(
    '$api($specifier, prereleases=$prereleases).contains($version, prereleases=$contains_prereleases) is $expected',
    ({ api, specifier, prereleases, contains_prereleases, version, expected }) => {
      const options = { prereleases, containsPrereleases: contains_prereleases };
      if (api === 'Specifier') {
        expect(specifierContainsSingle(specifier, version, options)).toBe(expected);
        // A single clause behaves the same inside a set.
        expect(specifierContains(specifier, version, options)).toBe(expected);
      } else {
        expect(isValidSpecifier(specifier)).toBe(true);
        expect(specifierContains(specifier, version, options)).toBe(expected);
      }
    },
  );
});

describe('versions', () => {
  it('exposes the parts of a version', () => {
    expect(parseVersion('1!2.0.3rc4.post5.dev6+ubuntu.7')).toEqual({
      epoch: 1,
      release: [2, 0, 3],
      pre: ['rc', 4],
      post: 5,
      dev: 6,
      local: ['ubuntu', 7],
    });
    expect(parseVersion('v1.0-1')).toEqual({ epoch: 0, release: [1, 0], pre: null, post: 1, dev: null, local: null });
  });

  it('spells pre-, post- and dev-releases the standard way', () => {
    expect(normalizeVersion('1.0-ALPHA_1')).toBe('1.0a1');
    expect(normalizeVersion('1.0c2')).toBe('1.0rc2');
    expect(normalizeVersion('1.0preview')).toBe('1.0rc0');
    expect(normalizeVersion('1.0-r4')).toBe('1.0.post4');
    expect(normalizeVersion('1.0.dev')).toBe('1.0.dev0');
    expect(normalizeVersion('  01.002  ')).toBe('1.2');
  });

  it('normalises local labels with dots and drops leading zeros in their numbers', () => {
    expect(normalizeVersion('1.0.5+9.5')).toBe('1.0.5+9.5');
    expect(normalizeVersion('1.0+Ubuntu-1_00')).toBe('1.0+ubuntu.1.0');
  });

  it('accepts Python whitespace around a version but not U+FEFF, and ASCII letters only', () => {
    expect(normalizeVersion('\u3000\u00851.0\x1f')).toBe('1.0');
    expect(isValidVersion('\ufeff1.0')).toBe(false);
    expect(isValidVersion('1.0+\u0130')).toBe(false); // packaging 21.3 accepted this (issue #469)
    expect(isValidVersion('1.0+\u212a')).toBe(false); // Kelvin sign, not k
  });

  it('keeps numbers past 2^53 exact in order and normal form', () => {
    expect(normalizeVersion('1.00009007199254740993')).toBe('1.9007199254740993');
    expect(compareVersions('1.9007199254740993', '1.9007199254740992')).toBe(1);
    expect(compareVersions('1.100000000000000000000', '1.99999999999999999999')).toBe(1);
    const long = (digits: number, fill: string): string => `1.${'1'.padEnd(digits, fill)}`;
    expect(sortVersions([long(200, '0'), long(127, '9'), long(126, '9'), long(300, '0'), '1.2'])).toEqual([
      '1.2',
      long(126, '9'),
      long(127, '9'),
      long(200, '0'),
      long(300, '0'),
    ]);
    expect(normalizeVersion(`0${long(200, '0')}`)).toBe(long(200, '0'));
  });

  it('orders epochs before everything else', () => {
    expect(compareVersions('1!0.1', '2024.1')).toBe(1);
    expect(compareVersions('0!1.0', '1.0')).toBe(0);
  });

  it('orders dev < pre < final < post, and locals after their public version', () => {
    const ascending = ['1.0.dev1', '1.0a1.dev1', '1.0a1', '1.0a1.post1', '1.0b1', '1.0rc1', '1.0', '1.0+abc', '1.0+abc.1', '1.0+1', '1.0.post1.dev1', '1.0.post1'];
    expect(sortVersions([...ascending].reverse())).toEqual(ascending);
  });

  it('treats trailing zeros as equal, but not local labels', () => {
    expect(versionsEqual('1.0', '1.0.0.0')).toBe(true);
    expect(versionsEqual('1.0', '1.0+local')).toBe(false);
    expect(versionsEqual('1.0', 'foobar')).toBe(false);
  });

  it('knows a pre-release from a post-release', () => {
    expect(isPrerelease('1.0rc1')).toBe(true);
    expect(isPrerelease('1.0.dev3')).toBe(true);
    expect(isPrerelease('1.0.post1.dev1')).toBe(true);
    expect(isPrerelease('1.0.post1')).toBe(false);
    expect(isPrerelease('not a version')).toBe(false);
  });

  it('sorts stably, dropping what is not PEP 440', () => {
    expect(sortVersions(['2.0', '0.1-charmander', '1.0.0', '1.0', '2.0.0-final'])).toEqual(['1.0.0', '1.0', '2.0']);
  });

  it('returns copies, so callers cannot corrupt the cache', () => {
    const v = parseVersion('3.1.4');
    v?.release.push(9);
    expect(parseVersion('3.1.4')?.release).toEqual([3, 1, 4]);
  });
});

describe('specifiers', () => {
  const contains = (spec: string, version: string, prereleases?: boolean): boolean =>
    specifierContains(spec, version, prereleases === undefined ? undefined : { prereleases });

  it('ignores the candidate local label unless the specifier has one', () => {
    expect(contains('==1.0', '1.0+ubuntu1')).toBe(true);
    expect(contains('==1.0+ubuntu1', '1.0+ubuntu1')).toBe(true);
    expect(contains('==1.0+ubuntu1', '1.0+ubuntu2')).toBe(false);
    expect(contains('==1.0+ubuntu1', '1.0')).toBe(false);
    expect(contains('<=1.0', '1.0+ubuntu1')).toBe(true);
    expect(contains('>1.0', '1.0+ubuntu1')).toBe(false);
  });

  it('matches wildcards as prefixes, padding the release with zeros', () => {
    expect(contains('==2.0.*', '2')).toBe(true);
    expect(contains('==2.0.*', '2.0.5+local')).toBe(true);
    expect(contains('==2.0.*', '2.1')).toBe(false);
    expect(contains('!=2.0.*', '2.1')).toBe(true);
    expect(contains('==1.0.*', '1.0rc1', true)).toBe(true);
    expect(contains('==1!2.*', '2.5')).toBe(false);
  });

  it('reads ~=X.Y as >=X.Y together with ==X.*, ignoring suffixes of the last number', () => {
    expect(contains('~=2.2', '2.9')).toBe(true);
    expect(contains('~=2.2', '3.0')).toBe(false);
    expect(contains('~=2.2.0', '2.3')).toBe(false);
    expect(contains('~=2.2.post3', '2.2.post4')).toBe(true);
    expect(contains('~=2.2.post3', '2.2')).toBe(false);
    expect(contains('~=1.4.5a4', '1.4.6')).toBe(true);
    expect(contains('~=1!1.0', '1!1.5')).toBe(true);
    expect(isValidSpecifier('~=1')).toBe(false);
  });

  it('compares === as text as written, letters without case, nothing normalised (PEP 440; packaging 26.1+)', () => {
    expect(contains('===1.0', '1.0')).toBe(true);
    expect(contains('===1.0', '1.0.0')).toBe(false);
    expect(contains('===1.1', '1.01')).toBe(false); // packaging 21.3 compared the normal form 1.1
    expect(contains('===1.01', '1.01')).toBe(true);
    expect(contains('===1.0.post1', '1.0-1')).toBe(false);
    expect(contains('===1.0', '1.0+cpu')).toBe(false);
    expect(contains('===1.0RC1', '1.0rc1')).toBe(true);
    expect(contains('===0.1-charmander', '0.1-CHARMANDER')).toBe(true);
    expect(contains('!=1.0', '0.1-charmander')).toBe(false); // only === matches an invalid version
  });

  it('versionPinMatches is ==: equal versions, the candidate\'s local label ignored when the pin has none', () => {
    expect(versionPinMatches('2.0', '2.0.0')).toBe(true);
    expect(versionPinMatches('2.0', '2.0+cpu')).toBe(true);
    expect(versionPinMatches('2.0+cpu', '2.0+cpu')).toBe(true);
    expect(versionPinMatches('2.0+cpu', '2.0+cu118')).toBe(false);
    expect(versionPinMatches('2.0+cpu', '2.0')).toBe(false);
    expect(versionPinMatches('2.0', '2.0.post1')).toBe(false);
    expect(versionPinMatches('2.0', '0.1-charmander')).toBe(false);
  });

  it('excludes post-releases and local versions of V from >V, unless V is a post-release', () => {
    expect(contains('>1.7', '1.7.1')).toBe(true);
    expect(contains('>1.7', '1.7.post2')).toBe(false);
    expect(contains('>1.7.post2', '1.7.post3')).toBe(true);
    expect(contains('>1.7', '1.8.post1')).toBe(true);
  });

  it('excludes pre-releases of V from <V, unless V is a pre-release', () => {
    expect(contains('<3.1', '3.1.dev0', true)).toBe(false);
    expect(contains('<3.1', '3.0.dev0', true)).toBe(true);
    expect(contains('<3.1rc1', '3.1a1', true)).toBe(true);
    expect(contains('<3.1rc1', '3.1a1')).toBe(false); // `<` naming a pre-release does not let them in
    expect(contains('<3.0.0a8', '3.0.0a7', true)).toBe(true);
    expect(contains('>3.0.0a7', '3.0.0a8', true)).toBe(true);
  });

  it('leaves out pre-releases unless a clause names one or the caller allows them', () => {
    expect(contains('>=1.0', '2.0b1')).toBe(false);
    expect(contains('>=1.0', '2.0b1', true)).toBe(true);
    expect(contains('>=1.0b1', '2.0b1')).toBe(true);
    expect(contains('>=1.0b1,<3', '2.0b1')).toBe(true); // one clause naming a pre-release opens the set
    expect(contains('!=1.0b1', '2.0b1')).toBe(false); // != naming one does not
    expect(specifierContains('>=1.0b1', '2.0b1', { prereleases: false })).toBe(false);
    expect(specifierContains('>=1.0', '2.0b1', { prereleases: false, containsPrereleases: true })).toBe(true);
    expect(contains('', '2.0b1')).toBe(false);
    expect(contains('', '2.0')).toBe(true);
  });

  it('rejects what is not PEP 440, without throwing', () => {
    for (const bad of ['>=1.0.x', '==foobar', '~=1', '>=1.0+local', '<=1.*', '>= 1.0 foo', '=>1.0', '1.0']) {
      expect(isValidSpecifier(bad), bad).toBe(false);
      expect(specifierContains(bad, '1.0'), bad).toBe(false);
    }
    expect(isValidSpecifier('')).toBe(true);
    expect(isValidSpecifier(' >= 1.0 , < 2 ,')).toBe(true);
    expect(specifierContainsSingle('>=1.0,<2', '1.5')).toBe(false); // not one clause
  });

  it('lists and normalises clauses the way packaging prints them', () => {
    expect(parseSpecifierSet(' >= 1.0 , <2 ')).toEqual([
      { operator: '>=', version: '1.0' },
      { operator: '<', version: '2' },
    ]);
    expect(normalizeSpecifier(' >= 1.0 , <2 ')).toBe('<2,>=1.0');
    expect(normalizeSpecifier('==1.0,==1.0.0')).toBe('==1.0');
    expect(normalizeSpecifier('')).toBe('');
    expect(normalizeSpecifier('>=1,foo')).toBeNull();
  });
});

describe('filterVersions', () => {
  const releases = ['1.0', '1.1a1', '1.1', '2.0rc1', 'not-pep440'];

  it('keeps final releases in input order', () => {
    expect(filterVersions('>=1.0', releases)).toEqual(['1.0', '1.1']);
    expect(filterVersions('', releases)).toEqual(['1.0', '1.1']);
  });

  it('keeps pre-releases when allowed or named by the specifier', () => {
    expect(filterVersions('>=1.0', releases, { prereleases: true })).toEqual(['1.0', '1.1a1', '1.1', '2.0rc1']);
    expect(filterVersions('>=1.1a1', releases)).toEqual(['1.1a1', '1.1', '2.0rc1']);
  });

  it('falls back to pre-releases only when nothing final matches, unless refused', () => {
    expect(filterVersions('>=2.0.dev0', ['1.0', '2.0rc1'], { prereleases: false })).toEqual([]);
    expect(filterVersions('>=1.5', ['1.0', '2.0rc1'])).toEqual(['2.0rc1']);
    expect(filterVersions('>=1.5', ['1.0', '2.0rc1'], { prereleases: false })).toEqual([]);
    expect(filterVersions('', ['1.0a1', '1.0b1'])).toEqual(['1.0a1', '1.0b1']);
  });

  it('keeps an invalid version only when === names it, and allows nothing for a bad specifier', () => {
    expect(filterVersions('===not-pep440', releases)).toEqual(['not-pep440']);
    expect(filterVersions('>=1,foo', releases)).toEqual([]);
  });
});
