import { describe, expect, it } from 'vitest';
import { affects, fixedVersions } from '../../src/advisories/match.js';
import { smallestFix } from '../../src/audit/fix.js';
import { compareVersions } from '../../src/python/pep440.js';
import { fixtureRecords } from '../fixtures/osv/load.js';

const recordsFor = (name: string) => [...fixtureRecords().values()].filter((r) => r.affected?.some((a) => a.package?.name === name));

describe('the smallest upgrade that clears every advisory', () => {
  it('steps over fixes that are themselves vulnerable, ending on a release no advisory hits (django 2.1.5)', () => {
    const django = recordsFor('django');
    const fix = smallestFix('django', '2.1.5', django, null);
    expect(fix.ok).toBe(true);
    if (!fix.ok) return;
    expect(django.filter((r) => !r.withdrawn && affects(r, 'django', fix.version))).toEqual([]);
    // It is the earliest such version among the fixes: no smaller fixed version is clean.
    const allFixes = [...new Set(django.flatMap((r) => fixedVersions(r, 'django')))];
    const cleanSmaller = allFixes.filter(
      (v) => compareVersions(v, '2.1.5') > 0 && compareVersions(v, fix.version) < 0 && django.every((r) => r.withdrawn || !affects(r, 'django', v)),
    );
    expect(cleanSmaller).toEqual([]);
  });

  it('rounds up to a real, non-yanked release when the releases are known', () => {
    const records = recordsFor('jinja2');
    const plain = smallestFix('jinja2', '2.10', records, null);
    expect(plain.ok).toBe(true);
    if (!plain.ok) return;
    const releases = [
      { version: '2.10', yanked: false },
      { version: plain.version, yanked: true },
      { version: '9.9.9', yanked: false },
    ];
    const real = smallestFix('jinja2', '2.10', records, releases);
    expect(real).toEqual({ ok: true, version: '9.9.9' });
  });

  it('steps past a fixed release its own advisory still lists as affected, to the next clean release (gevent 22.10.2, PYSEC-2023-177)', () => {
    const releases = ['22.10.2', '23.9.0', '23.9.0.post1', '23.9.1', '24.2.1'].map((version) => ({ version, yanked: false }));
    expect(smallestFix('gevent', '22.10.2', recordsFor('gevent'), releases)).toEqual({ ok: true, version: '23.9.1' });
  });

  it('finds the smallest release clean of every advisory for each fixture record that lists its own fix (pyspark, wagtail)', () => {
    for (const [name, version] of [
      ['pyspark', '3.1.1'],
      ['wagtail', '2.11.5'],
    ] as const) {
      const records = recordsFor(name);
      const known = [...new Set(records.flatMap((r) => r.affected!.flatMap((a) => [...(a.versions ?? []), ...fixedVersions(r, name)])))].sort(compareVersions);
      const clean = known.filter((v) => compareVersions(v, version) > 0 && !v.includes('rc') && records.every((r) => r.withdrawn || !affects(r, name, v)));
      const fix = smallestFix(name, version, records, known.map((v) => ({ version: v, yanked: false })));
      expect(fix).toEqual({ ok: true, version: clean[0] });
    }
  });

  it('offline, says which advisory still affects the fix it names, not that no fix exists', () => {
    const fix = smallestFix('gevent', '22.10.2', recordsFor('gevent'), null);
    expect(fix).toEqual({
      ok: false,
      blockingId: 'PYSEC-2023-177',
      reason: 'PYSEC-2023-177 names 23.9.0 as its fix but lists it as affected too, and no advisory names a later fix; later releases are not looked up offline',
    });
  });

  it('offline, offers a release another advisory names when the installed one is only listed as affected', () => {
    const listed = { id: 'X-1', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'PyPI', name: 'demo' }, versions: ['1.0'] }] };
    const ranged = { id: 'X-2', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'PyPI', name: 'demo' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.1' }, { fixed: '1.2' }] }] }] };
    expect(smallestFix('demo', '1.0', [listed, ranged], null)).toEqual({ ok: true, version: '1.2' });
  });

  it('says so when an advisory has no fixed release yet', () => {
    const withoutFix = { id: 'X-1', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'PyPI', name: 'demo' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }] };
    expect(smallestFix('demo', '1.0', [withoutFix], null)).toEqual({ ok: false, reason: 'no fixed release of demo for X-1 yet', blockingId: 'X-1' });
  });

  it('refuses to compute an upgrade from a version that is not PEP 440', () => {
    expect(smallestFix('demo', '0.1-charmander', [], null)).toMatchObject({ ok: false });
  });
});
