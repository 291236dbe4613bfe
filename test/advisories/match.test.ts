import { describe, expect, it } from 'vitest';
import {
  affectedEntries,
  affects,
  entryAffects,
  equalityKey,
  fixedVersions,
  groupFixedVersions,
  inEcosystemRange,
  matcherFor,
} from '../../src/advisories/match.js';
import { compareVersions, isValidVersion, versionsEqual } from '../../src/python/pep440.js';
import type { OsvRecord } from '../../src/advisories/types.js';
import { fixtureRecord, fixtureRecords } from '../fixtures/osv/load.js';

/** A one-package record with the given ECOSYSTEM events and listed versions. */
function record(events: Record<string, string>[], versions: string[] = [], extra: Partial<OsvRecord> = {}): OsvRecord {
  return {
    id: 'TEST-1',
    modified: '2024-01-01T00:00:00Z',
    affected: [{ package: { ecosystem: 'PyPI', name: 'demo' }, ranges: [{ type: 'ECOSYSTEM', events }], versions }],
    ...extra,
  };
}

const affected = (r: OsvRecord, version: string, name = 'demo'): boolean => affects(r, name, version);

describe('equal event versions: fixed sorts before introduced', () => {
  it('apache-iotdb PYSEC-2022-42972: [0.12.2, 0.13.0) + [0.13.0, 0.14.0rc1) is one contiguous range', () => {
    const r = fixtureRecord('PYSEC-2022-42972');
    expect(affected(r, '0.12.1', 'apache-iotdb')).toBe(false);
    expect(affected(r, '0.12.2', 'apache-iotdb')).toBe(true);
    expect(affected(r, '0.13.0', 'apache-iotdb')).toBe(true);
    expect(affected(r, '0.13.3', 'apache-iotdb')).toBe(true);
    expect(affected(r, '0.14.0a1', 'apache-iotdb')).toBe(true);
    expect(affected(r, '0.14.0rc1', 'apache-iotdb')).toBe(false);
    expect(affected(r, '0.14.0', 'apache-iotdb')).toBe(false);
  });

  it('pyspark PYSEC-2023-72: 3.1.1 and 3.2.0/3.2.1 are affected, 3.2.2 is fixed', () => {
    const r = fixtureRecord('PYSEC-2023-72');
    for (const v of ['2.4.8', '3.1.1', '3.1.3', '3.2.0', '3.2.1']) expect(affected(r, v, 'pyspark'), v).toBe(true);
    for (const v of ['3.2.2', '3.3.0']) expect(affected(r, v, 'pyspark'), v).toBe(false);
  });
});

describe('overlapping ranges and the versions list', () => {
  it('wagtail PYSEC-2021-114: the sorted walk closes at 2.11.6, but 2.11.6 is listed', () => {
    const r = fixtureRecord('PYSEC-2021-114');
    expect(affected(r, '2.11.5', 'wagtail')).toBe(true);
    expect(affected(r, '2.11.6', 'wagtail')).toBe(true);
    expect(affected(r, '2.11.7', 'wagtail')).toBe(false);
    expect(affected(r, '2.12.3', 'wagtail')).toBe(true);
    expect(affected(r, '2.12.4', 'wagtail')).toBe(false);
    // Without the list, the range alone leaves 2.11.6 out: the list is what reports it.
    const entry = affectedEntries(r, 'wagtail')[0]!;
    expect(entryAffects({ ...entry, versions: [] }, '2.11.6')).toBe(false);
  });

  it('django PYSEC-2023-61: pre-releases listed outside the ranges are reported', () => {
    const r = fixtureRecord('PYSEC-2023-61');
    for (const v of ['3.2a1', '3.2b1', '3.2rc1', '4.2a1', '4.2b1', '4.2rc1', '3.2', '3.2.18', '4.1.8', '4.2']) {
      expect(affected(r, v, 'django'), v).toBe(true);
    }
    for (const v of ['3.1.14', '3.2.19', '4.1.9', '4.2.1', '5.0']) expect(affected(r, v, 'django'), v).toBe(false);
    const entry = affectedEntries(r, 'django')[0]!;
    expect(entryAffects({ ...entry, versions: [] }, '4.2rc1')).toBe(false);
  });

  it('gevent PYSEC-2023-177: 23.9.0 and 23.9.0.post1 are listed though 23.9.0 is the fix', () => {
    const r = fixtureRecord('PYSEC-2023-177');
    expect(affected(r, '23.9.0', 'gevent')).toBe(true);
    expect(affected(r, '23.9.0.post1', 'gevent')).toBe(true);
    expect(affected(r, '23.9.1', 'gevent')).toBe(false);
  });
});

describe('last_affected', () => {
  it('py PYSEC-2022-42969: 1.11.0 is the last affected release, inclusive', () => {
    const r = fixtureRecord('PYSEC-2022-42969');
    expect(affected(r, '1.11.0', 'py')).toBe(true);
    expect(affected(r, '1.11.0.post1', 'py')).toBe(false);
    expect(affected(r, '1.11.1', 'py')).toBe(false);
    // introduced "0" is below every version, even 0.dev0 (which PEP 440 puts below "0").
    expect(affected(r, '0.dev0', 'py')).toBe(true);
  });
});

describe('unparseable event values are ignored', () => {
  it('binderhub PYSEC-2021-371 (fixed 0.2.0-n653) stays open and has no fixed versions', () => {
    const r = fixtureRecord('PYSEC-2021-371');
    expect(affected(r, '0.1.0', 'binderhub')).toBe(true);
    expect(affected(r, '1.0.0', 'binderhub')).toBe(true);
    expect(fixedVersions(r, 'binderhub')).toEqual([]);
  });

  it('steam PYSEC-2019-125 (fixed 2019-09-12) stays open and has no fixed versions', () => {
    const r = fixtureRecord('PYSEC-2019-125');
    expect(affected(r, '1.4.4', 'steam')).toBe(true);
    expect(fixedVersions(r, 'steam')).toEqual([]);
  });
});

describe('the versions list', () => {
  it('gratient PYSEC-2024-1 has no ranges: 0.5 and 0.5.0 match, 0.5.1 and 0.5+local do not', () => {
    const r = fixtureRecord('PYSEC-2024-1');
    expect(r.affected?.[0]?.ranges).toBeUndefined();
    expect(affected(r, '0.5', 'gratient')).toBe(true);
    expect(affected(r, '0.5.0', 'gratient')).toBe(true);
    expect(affected(r, 'v0.5', 'gratient')).toBe(true);
    expect(affected(r, '0.5.1', 'gratient')).toBe(false);
    expect(affected(r, '0.5+local', 'gratient')).toBe(false);
  });

  it('non-PEP 440 listed versions match only the identical string (buildbot 0.7.10p1)', () => {
    const r = fixtureRecord('PYSEC-2019-6');
    expect(affected(r, '0.7.10p1', 'buildbot')).toBe(true);
    // Not PEP 440 and not listed: in no range, although the range starts at "0".
    expect(affected(r, '0.7.10p2', 'buildbot')).toBe(false);
    expect(affected(r, '0.7.10P1', 'buildbot')).toBe(false);
  });

  it('listed versions in non-normal form match their PEP 440 equals (py 0.8.0-alpha2)', () => {
    const entry = affectedEntries(fixtureRecord('PYSEC-2022-42969'), 'py')[0]!;
    const listOnly = { ...entry, ranges: [] };
    expect(entry.versions).toContain('0.8.0-alpha2');
    expect(entryAffects(listOnly, '0.8.0a2')).toBe(true);
    expect(entryAffects(listOnly, '0.8.0.alpha.2')).toBe(true);
    expect(entryAffects(listOnly, '0.8.0a3')).toBe(false);
  });

  it("a spelling listed by a record that arrives after a query was matched is still found (an API audit's records come package by package)", () => {
    // Spellings unlikely to be indexed by any earlier test: release 7.1.3.
    const first = record([], ['7.1.3.0'], { id: 'TEST-FIRST' });
    const later = record([], ['v7.1.3'], { id: 'TEST-LATER' });
    const elsewhere = record([], ['7.1.3rc1'], { id: 'TEST-OTHER' });
    expect(affected(first, '7.1.3')).toBe(true);
    expect(affected(elsewhere, '7.1.3')).toBe(false); // the bucket grew by a spelling that is not equal
    expect(affected(later, '7.1.3')).toBe(true); // and again, by one that is
    expect(affected(first, '7.1.3')).toBe(true);
  });
});

describe('withdrawn records never match', () => {
  const withdrawn = [
    'PYSEC-2019-144',
    'PYSEC-2020-221',
    'PYSEC-2021-13',
    'PYSEC-2021-125',
    'PYSEC-2022-15',
    'PYSEC-2022-43055',
    'PYSEC-2022-43059',
    'PYSEC-2023-73',
    'PYSEC-2023-101',
    'PYSEC-2023-141',
  ];

  it('the fixture has exactly the ten withdrawn records its README lists', () => {
    const found = [...fixtureRecords().values()].filter((r) => r.withdrawn !== undefined).map((r) => r.id);
    expect(found.sort()).toEqual([...withdrawn].sort());
  });

  it.each(withdrawn)('%s matches none of its listed versions', (id) => {
    const r = fixtureRecord(id);
    for (const entry of r.affected ?? []) {
      const name = entry.package!.name;
      for (const v of [...(entry.versions ?? []), '0.0.1', '1.0']) expect(affects(r, name, v)).toBe(false);
    }
    // The same record without `withdrawn` would match (so the flag is what stops it), where it lists anything.
    const listed = r.affected?.find((e) => (e.versions ?? []).length > 0);
    if (listed !== undefined) {
      const { withdrawn: _w, ...live } = r;
      expect(affects(live, listed.package!.name, listed.versions![0]!)).toBe(true);
    }
  });
});

describe('package names and ecosystems', () => {
  it('names compare after PEP 503 normalisation (jw.util PYSEC-2020-341)', () => {
    const r = fixtureRecord('PYSEC-2020-341');
    expect(r.affected?.[0]?.package?.name).toBe('jw.util');
    const version = r.affected![0]!.versions![0]!;
    for (const name of ['jw.util', 'JW_Util', 'jw-util', 'JW--util', 'jw_._util']) expect(affects(r, name, version), name).toBe(true);
    expect(affects(r, 'jwutil', version)).toBe(false);
  });

  it('only PyPI entries count (ecosystem is case-sensitive)', () => {
    const r = record([{ introduced: '0' }]);
    const npm: OsvRecord = { ...r, affected: [{ ...r.affected![0]!, package: { ecosystem: 'npm', name: 'demo' } }] };
    const lower: OsvRecord = { ...r, affected: [{ ...r.affected![0]!, package: { ecosystem: 'pypi', name: 'demo' } }] };
    expect(affected(r, '1.0')).toBe(true);
    expect(affected(npm, '1.0')).toBe(false);
    expect(affected(lower, '1.0')).toBe(false);
    expect(affectedEntries(r, 'other')).toEqual([]);
  });
});

describe('range boundaries', () => {
  const r = record([{ introduced: '1.0' }, { fixed: '1.5' }, { introduced: '2.0' }, { last_affected: '2.3' }]);

  it('introduced is inclusive, fixed exclusive, last_affected inclusive', () => {
    const cases: [string, boolean][] = [
      ['0.9', false],
      ['1.0', true],
      ['1.0.0', true],
      ['1.4.99', true],
      ['1.5', false],
      ['1.5.0', false],
      ['1.9', false],
      ['2.0', true],
      ['2.3', true],
      ['2.3.0', true],
      ['2.3.1', false],
    ];
    for (const [v, expected] of cases) expect(affected(r, v), v).toBe(expected);
  });

  it('pre-, post-, dev and local releases sit where PEP 440 puts them', () => {
    const cases: [string, boolean][] = [
      ['1.0rc1', false], // below 1.0
      ['1.0.dev0', false],
      ['1.0.post1', true],
      ['1.0+local', true],
      ['1.5rc1', true], // below the fix
      ['1.5.dev0', true],
      ['1.5+local', false], // local of the fix sorts above it
      ['1.5.post1', false],
      ['2.3+ubuntu1', false], // above last_affected 2.3
      ['2.3.post1', false],
      ['2.3rc1', true],
    ];
    for (const [v, expected] of cases) expect(affected(r, v), v).toBe(expected);
  });

  it('epochs order above every epoch-less version', () => {
    const open = record([{ introduced: '0' }, { fixed: '5.0' }]);
    expect(affected(open, '4.9')).toBe(true);
    expect(affected(open, '1!0.1')).toBe(false);
    const epoch = record([{ introduced: '1!1.0' }, { fixed: '1!2.0' }]);
    expect(affected(epoch, '1!1.5')).toBe(true);
    expect(affected(epoch, '99.0')).toBe(false);
    expect(affected(epoch, '1!2.0')).toBe(false);
  });

  it('limit events bound the range, and limit "*" is no bound', () => {
    const limited = record([{ introduced: '0' }, { limit: '2.0' }]);
    expect(affected(limited, '1.9')).toBe(true);
    expect(affected(limited, '2.0')).toBe(false);
    expect(affected(limited, '3.0')).toBe(false);
    const two = record([{ introduced: '0' }, { limit: '2.0' }, { limit: '4.0' }]);
    expect(affected(two, '3.0')).toBe(true);
    expect(affected(two, '4.0')).toBe(false);
    expect(affected(record([{ introduced: '1.0' }, { limit: '*' }]), '99')).toBe(true);
  });

  it('a query that is not PEP 440 is in no range', () => {
    const open = record([{ introduced: '0' }]);
    expect(affected(open, '1.0')).toBe(true);
    expect(affected(open, '2.0.0-final-ish')).toBe(false);
    expect(affected(open, '')).toBe(false);
  });

  it('GIT and SEMVER ranges are ignored', () => {
    const git: OsvRecord = {
      id: 'TEST-GIT',
      modified: '2024-01-01T00:00:00Z',
      affected: [
        {
          package: { ecosystem: 'PyPI', name: 'demo' },
          ranges: [
            { type: 'GIT', repo: 'https://example.invalid/repo', events: [{ introduced: '0' }, { fixed: 'abc123' }] },
            { type: 'SEMVER', events: [{ introduced: '0' }] },
          ],
        },
      ],
    };
    expect(affected(git, '1.0')).toBe(false);
  });

  it('a range with events in any order gives the same answer', () => {
    const events = [{ introduced: '1.0' }, { fixed: '1.5' }, { introduced: '2.0' }, { fixed: '2.1' }];
    const reversed = [...events].reverse();
    for (const v of ['0.5', '1.0', '1.4', '1.5', '2.0', '2.0.5', '2.1']) {
      expect(inEcosystemRange({ type: 'ECOSYSTEM', events: reversed }, v), v).toBe(
        inEcosystemRange({ type: 'ECOSYSTEM', events }, v),
      );
    }
  });
});

describe('groupFixedVersions', () => {
  const aliased = (id: string, fixes: string[]): OsvRecord => ({ ...record(fixes.flatMap((fixed): Record<string, string>[] => [{ introduced: '0' }, { fixed }])), id });

  it('is one list for an alias group, de-duplicated, in version order whichever record came first', () => {
    const a = aliased('PYSEC-1', ['3.0', '1.5']);
    const b = aliased('GHSA-1', ['1.5', '2.0']);
    expect(groupFixedVersions([a, b], 'demo')).toEqual(['1.5', '2.0', '3.0']);
    expect(groupFixedVersions([b, a], 'demo')).toEqual(['1.5', '2.0', '3.0']);
  });

  it('orders two spellings of one release by spelling, so audit, check and the card agree', () => {
    const a = aliased('PYSEC-1', ['2.0.0']);
    const b = aliased('GHSA-1', ['2.0']);
    expect(groupFixedVersions([a, b], 'demo')).toEqual(['2.0', '2.0.0']);
    expect(groupFixedVersions([b, a], 'demo')).toEqual(['2.0', '2.0.0']);
  });
});

describe('fixedVersions', () => {
  it('lists every valid fixed version of the package, sorted by version, de-duplicated', () => {
    expect(fixedVersions(fixtureRecord('PYSEC-2023-72'), 'pyspark')).toEqual(['3.1.1', '3.2.0', '3.2.2']);
    expect(fixedVersions(fixtureRecord('PYSEC-2021-114'), 'wagtail')).toEqual(['2.11.6', '2.11.7', '2.12.4']);
    expect(fixedVersions(fixtureRecord('PYSEC-2023-61'), 'Django')).toEqual(['3.2.19', '4.1.9', '4.2.1']);
    const dup = record([{ introduced: '0' }, { fixed: '1.10' }, { introduced: '2.0' }, { fixed: '1.9' }, { fixed: '1.10' }]);
    expect(fixedVersions(dup, 'demo')).toEqual(['1.9', '1.10']);
  });

  it('is empty for other packages and for last_affected-only ranges', () => {
    expect(fixedVersions(fixtureRecord('PYSEC-2023-72'), 'pyspark-other')).toEqual([]);
    expect(fixedVersions(fixtureRecord('PYSEC-2022-42969'), 'py')).toEqual([]);
  });
});

describe('equalityKey', () => {
  it('agrees with PEP 440 equality on every listed version of the fixture and on tricky spellings', () => {
    const tricky = [
      '1', '1.0', '1.0.0', '1.0.0.0', '01.00', '1!1.0', '1!1', '0!1.0', '1.0+abc', '1.0.0+ABC', '1.0+abc.0',
      '1.0+01', '1.0+1', '1.0+1.0', '1.0a1', '1.0.0alpha1', '1.0-a-1', '1.0.post0', '1.0-0', '1.0.0.post0.dev0',
      '1.0.dev', '1.0.dev0', '1.10', '1.1', '1.01', '10.0', '1.0.10', '0', '0.0', '0.0.dev0', 'v1.0', '2.0.0rc1', '2rc1',
    ];
    const listed = [...fixtureRecords().values()].flatMap((r) => (r.affected ?? []).flatMap((e) => e.versions ?? []));
    const versions = [...new Set([...tricky, ...listed])].filter(isValidVersion).sort(compareVersions);
    expect(versions.length).toBeGreaterThan(10_000);
    // Equal versions are adjacent once sorted; each key must name exactly one run of equal versions.
    const runOf = new Map<string, string>();
    for (let i = 0; i < versions.length; i++) {
      const v = versions[i]!;
      const key = equalityKey(v);
      const first = runOf.get(key);
      if (first === undefined) runOf.set(key, v);
      else expect(versionsEqual(first, v), `${first} vs ${v} (key ${key})`).toBe(true);
      const next = versions[i + 1];
      if (next !== undefined && versionsEqual(v, next)) expect(equalityKey(next), `${v} = ${next}`).toBe(key);
    }
    expect(equalityKey('1.0.0')).toBe(equalityKey('1'));
    expect(equalityKey('1.0+local')).not.toBe(equalityKey('1.0'));
    expect(equalityKey('1.10')).not.toBe(equalityKey('1.1'));
  });
});

describe('matcherFor', () => {
  it('answers like affects for every version, and never for a withdrawn record', () => {
    const r = fixtureRecord('PYSEC-2023-72');
    const matcher = matcherFor(r, 'PySpark');
    for (const v of ['2.4.8', '3.1.1', '3.2.1', '3.2.2', '3.3.0', 'not-a-version']) expect(matcher(v), v).toBe(affects(r, 'pyspark', v));
    expect(matcherFor(fixtureRecord('PYSEC-2022-15'), 'loguru')('0.5.3')).toBe(false);
  });
});

describe('listed versions in any spelling', () => {
  const record = (versions: string[]): OsvRecord => ({
    id: 'X-LISTED-1',
    modified: '2024-01-01T00:00:00Z',
    affected: [{ package: { ecosystem: 'PyPI', name: 'demo' }, versions }],
  });

  it('matches a query equal to a listed version however either is spelled', () => {
    const r = record(['\u00a00.5', 'V2.0-RC1', '1!3.0', '0.7.10p1', '4.0.0+Local.01']);
    expect(['0.5', '0.5.0', 'v0.5', '2.0rc1', '2.0.0c1', '1!3', '4.0+local.1', '0.7.10p1'].filter((v) => affects(r, 'demo', v))).toHaveLength(8);
    expect(['0.6', '2.0', '3.0', '4.0', '4.0+local.2', '0.7.10', '0.7.10P1', '2!3.0'].filter((v) => affects(r, 'demo', v))).toEqual([]);
  });

  it('keeps answering right for records met after many others', () => {
    // Records arrive one after another; each new list must be found, even for a query asked before.
    expect(affects(record(['9.1']), 'demo', '9.1.0')).toBe(true);
    expect(affects(record(['9.1.0.0']), 'demo', '9.1.0')).toBe(true);
    expect(affects(record(['9.1.0.1']), 'demo', '9.1.0')).toBe(false);
  });
});
