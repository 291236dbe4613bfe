import { describe, expect, it } from 'vitest';
import { TyposquatChecker, describeSimilar } from '../../src/packages/typosquat/check.js';
import { POPULARITY, PopularityIndex, popularityFromHistory } from '../../src/packages/typosquat/popularity.js';
import { WAREHOUSE_TOP_PROJECTS } from '../../src/packages/typosquat/warehouse-top-projects.js';

const shipped = new TyposquatChecker();

function target(name: string, checker = shipped) {
  const result = checker.check(name);
  return result.suspect ? result.similarTo[0] : undefined;
}

describe('typosquat check against the shipped list', () => {
  it('ships warehouse’s 200 most-depended-on names, merged under PEP 503', () => {
    expect(WAREHOUSE_TOP_PROJECTS).toHaveLength(200);
    // typing-extensions and typing_extensions are one project.
    expect(PopularityIndex.shipped().size).toBe(199);
  });

  it.each([
    // Real historical PyPI typosquats (python security-announce, 2017-09-22 and the 2019 dateutil case).
    ['urlib3', 'urllib3', 'omission'],
    ['setup-tools', 'setuptools', 'separator'],
    ['python3-dateutil', 'python-dateutil', 'prefix-suffix'],
    ['dateutil', 'python-dateutil', 'prefix-suffix'],
    // The patterns the issue names, one each.
    ['reqests', 'requests', 'omission'],
    ['reequests', 'requests', 'repetition'],
    ['requestss', 'requests', 'repetition'],
    ['reqeusts', 'requests', 'swap'],
    // An added character (colourama: the 2018 squat of colorama) and a keyboard slip.
    ['colourama', 'colorama', 'insertion'],
    ['requestsx', 'requests', 'insertion'],
    ['requestz', 'requests', 'substitution'],
    ['flaak', 'flask', 'substitution'],
    ['rnock', 'mock', 'confusable'],
    ['f1ask', 'flask', 'confusable'],
    ['t0rnado', 'tornado', 'confusable'],
    ['pythondateutil', 'python-dateutil', 'separator'],
    ['dateutil-python', 'python-dateutil', 'word-order'],
    ['sphinx-theme-rtd', 'sphinx-rtd-theme', 'word-order'],
    ['python-requests', 'requests', 'prefix-suffix'],
    ['requests-python', 'requests', 'prefix-suffix'],
    ['opencv', 'opencv-python', 'prefix-suffix'],
  ])('%s is flagged as a squat of %s (%s)', (candidate, expected, kind) => {
    const flag = target(candidate);
    expect(flag).toMatchObject({ name: expected, kind, source: 'warehouse top projects' });
  });

  it.each(['requests', 'Requests', 'REQUESTS', 'typing_extensions', 'Typing.Extensions', 'python_dateutil', 'PyYAML', 'scikit_learn'])(
    'never flags %s: equal under PEP 503 to a popular name, it is that project',
    (name) => {
      expect(shipped.check(name).suspect).toBe(false);
    },
  );

  it.each([
    // Two popular names that resemble each other are both real: boto3/botocore, pytest/pytest-cov…
    'botocore',
    'pytest-cov',
    'jinja2',
    'dask',
    // Resembling only by a pattern the check does not flag: dash/dask differ by h/k (not neighbours on
    // the keyboard), trino/trio by a letter added to a name too short to tell a slip from a new name.
    'dash',
    'trino',
    'trio',
    // A new generation numbered at the end, or by a changed digit: not a slip.
    'markdown2',
    'pyqt6',
    'psycopg3',
    // Unrelated names.
    'depwatch',
    'left-pad-ish',
  ])('does not flag %s', (name) => {
    expect(shipped.check(name).similarTo).toEqual([]);
  });

  it.each([
    ['psycopg', 'psycopg2', 'psycopg 3'],
    ['psycopg-binary', 'psycopg2-binary', 'psycopg 3’s binary build'],
    ['pyaml', 'pyyaml', 'a PyYAML pretty-printer'],
    ['boto', 'boto3', 'the AWS SDK boto3 replaced'],
    ['pycryptodomex', 'pycryptodome', 'PyCryptodome under its Cryptodome package name'],
  ])('does not flag %s as a squat of %s: a reviewed legitimate neighbour (%s), even offline', (name, neighbour) => {
    expect(shipped.check(name).similarTo.map((s) => s.name)).not.toContain(neighbour);
    expect(shipped.check(name).suspect).toBe(false);
  });

  it.each([
    ['psycpog2', 'psycopg2'],
    ['pyyam', 'pyyaml'],
    ['bot03', 'boto3'],
  ])('still flags %s, which only looks like %s', (candidate, expected) => {
    expect(target(candidate)?.name).toBe(expected);
  });

  it('names the target and the pattern in words', () => {
    const [flag] = shipped.check('reqeusts').similarTo;
    expect(describeSimilar(flag!)).toBe('looks like requests (two characters swapped)');
  });

  it('does not flag names that are not valid project names (they are refused elsewhere)', () => {
    expect(shipped.check('requests!').suspect).toBe(false);
    expect(shipped.check('').suspect).toBe(false);
  });
});

describe('popularity keeps false flags rare', () => {
  it('flags a name as a less popular one’s neighbour when nothing vouches for it, not once something does', () => {
    expect(target('botocor')).toMatchObject({ name: 'botocore', kind: 'omission' });
    const index = PopularityIndex.shipped().extend([{ name: 'botocor', popularity: POPULARITY.top, source: 'test' }]);
    expect(new TyposquatChecker(index).check('botocor').suspect).toBe(false);
  });

  it('a candidate as popular as the target is not a squat; a less popular one is', () => {
    const index = new PopularityIndex([
      { name: 'jellyfish', popularity: 40, source: 'watched repositories' },
      { name: 'acquisition', popularity: 3, source: 'watched repositories' },
    ]);
    const checker = new TyposquatChecker(index);
    // 2019: jeIlyfish (capital i) squatted jellyfish; PyPI names are case-insensitive.
    expect(checker.check('jeIlyfish').similarTo).toEqual([{ name: 'jellyfish', kind: 'confusable', popularity: 40, source: 'watched repositories' }]);
    // 2017: acqusition squatted acquisition.
    expect(checker.check('acqusition').similarTo[0]).toMatchObject({ name: 'acquisition', kind: 'omission' });
    index.extend([{ name: 'jeilyfish', popularity: 40, source: 'test' }]);
    expect(checker.check('jeilyfish').suspect).toBe(false);
  });

  it('takes the caller’s knowledge of the candidate (its release history) into account', () => {
    expect(shipped.check('botocor').suspect).toBe(true);
    expect(shipped.check('botocor', { popularity: POPULARITY.established }).suspect).toBe(false);
  });

  it('lists every target a name resembles, most popular first', () => {
    const index = new PopularityIndex([
      { name: 'colorama', popularity: 500, source: 'a' },
      { name: 'colorma', popularity: 900, source: 'b' },
    ]);
    // "coloram" swaps the last two letters of colorma and leaves out colorama's last one.
    const result = new TyposquatChecker(index).check('coloram');
    expect(result.similarTo.map((s) => [s.name, s.kind])).toEqual([
      ['colorma', 'swap'],
      ['colorama', 'omission'],
    ]);
  });

  it('rebuilds its lookups when the index is extended after first use', () => {
    const index = new PopularityIndex();
    const checker = new TyposquatChecker(index);
    expect(checker.check('internall-tool').suspect).toBe(false);
    index.extend([{ name: 'internal-tool', popularity: 5, source: 'watched repositories' }]);
    expect(checker.check('internall-tool').similarTo[0]).toMatchObject({ name: 'internal-tool', kind: 'repetition' });
  });
});

describe('popularityFromHistory', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const uploads = (first: string, count: number) => Array.from({ length: count }, (_, i) => (i === 0 ? first : '2025-06-01T00:00:00Z'));

  it('vouches for a project that has released for five years or more', () => {
    expect(popularityFromHistory(uploads('2012-01-01T00:00:00Z', 40), { now })).toBe(POPULARITY.established);
  });

  it('not for a young project, nor for an old one with a handful of releases', () => {
    expect(popularityFromHistory(uploads('2024-01-01T00:00:00Z', 40), { now })).toBe(0);
    expect(popularityFromHistory(uploads('2012-01-01T00:00:00Z', 3), { now })).toBe(0);
    expect(popularityFromHistory([null, 'not a date'], { now })).toBe(0);
  });
});
