/** The mirror's change log: which packages' advisories changed since a mark, for sweeps that re-match only those. */
import { describe, expect, it } from 'vitest';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import type { OsvRecord } from '../../src/advisories/types.js';
import { openDb } from '../../src/store/db.js';

const record = (id: string, modified: string, packages: string[], extra: Partial<OsvRecord> = {}): OsvRecord => ({
  id,
  modified,
  affected: packages.map((name) => ({ package: { ecosystem: 'PyPI', name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }] })),
  ...extra,
});

describe('the mirror change log', () => {
  it('reports the packages of records added since a mark, by PEP 503 name, and nothing when nothing changed', async () => {
    const mirror = new AdvisoryMirror(openDb(':memory:'));
    await mirror.importRecords([record('PYSEC-2099-1', '2025-01-01T00:00:00Z', ['Old_Pkg'])]);
    const mark = mirror.changeMark();
    expect(mirror.changedSince(mark)).toEqual(new Set());

    await mirror.importRecords([record('PYSEC-2099-2', '2025-01-02T00:00:00Z', ['New.Pkg', 'other-pkg'])]);
    expect(mirror.changedSince(mark)).toEqual(new Set(['new-pkg', 'other-pkg']));
    // Re-importing the same records changes nothing and logs nothing.
    const after = mirror.changeMark();
    await mirror.importRecords([record('PYSEC-2099-2', '2025-01-02T00:00:00Z', ['New.Pkg', 'other-pkg'])]);
    expect(mirror.changedSince(after)).toEqual(new Set());
  });

  it('reports a package an updated record no longer names, and a withdrawn record’s packages', async () => {
    const mirror = new AdvisoryMirror(openDb(':memory:'));
    await mirror.importRecords([record('PYSEC-2099-1', '2025-01-01T00:00:00Z', ['dropped', 'kept']), record('PYSEC-2099-2', '2025-01-01T00:00:00Z', ['gone'])]);
    const mark = mirror.changeMark();
    await mirror.importRecords([
      record('PYSEC-2099-1', '2025-01-03T00:00:00Z', ['kept']),
      record('PYSEC-2099-2', '2025-01-03T00:00:00Z', ['gone'], { withdrawn: '2025-01-03T00:00:00Z' }),
    ]);
    expect(mirror.changedSince(mark)).toEqual(new Set(['dropped', 'kept', 'gone']));
  });

  it('cannot tell what changed since a mark it did not give', async () => {
    const mirror = new AdvisoryMirror(openDb(':memory:'));
    await mirror.importRecords([record('PYSEC-2099-1', '2025-01-01T00:00:00Z', ['pkg'])]);
    const mark = mirror.changeMark();
    expect(mirror.changedSince('api:whatever')).toBeNull();
    expect(mirror.changedSince('mirror:not-a-number')).toBeNull();
    // A mark of the form before marks named their log.
    expect(mirror.changedSince('mirror:1')).toBeNull();
    // A mark from a longer log than this database holds (the database was replaced since).
    expect(mirror.changedSince(mark.replace(/:\d+$/, ':999'))).toBeNull();
  });

  it('cannot tell what changed since another mirror’s mark, even where its sequence numbers would fit', async () => {
    // Two replicas, each with a mirror of its own, remember their marks in the same shared state.
    const mine = new AdvisoryMirror(openDb(':memory:'));
    const theirs = new AdvisoryMirror(openDb(':memory:'));
    for (const mirror of [mine, theirs]) await mirror.importRecords([record('PYSEC-2099-1', '2025-01-01T00:00:00Z', ['a']), record('PYSEC-2099-2', '2025-01-02T00:00:00Z', ['b'])]);
    await mine.importRecords([record('PYSEC-2099-3', '2025-01-03T00:00:00Z', ['c'])]);
    const theirMark = theirs.changeMark();
    expect(theirMark.replace(/^mirror:[^:]+:/, '')).toBe('2');
    expect(mine.changedSince(theirMark)).toBeNull();
    expect(theirs.changedSince(theirMark)).toEqual(new Set());
    // The same database, opened again (a restart), keeps its log's name.
    const db = openDb(':memory:');
    const first = new AdvisoryMirror(db);
    await first.importRecords([record('PYSEC-2099-1', '2025-01-01T00:00:00Z', ['a'])]);
    const mark = first.changeMark();
    await first.importRecords([record('PYSEC-2099-2', '2025-01-02T00:00:00Z', ['b'])]);
    expect(new AdvisoryMirror(db).changedSince(mark)).toEqual(new Set(['b']));
  });

  it('says which records it holds, withdrawn ones included', async () => {
    const mirror = new AdvisoryMirror(openDb(':memory:'));
    await mirror.importRecords([record('PYSEC-2099-1', '2025-01-01T00:00:00Z', ['a']), record('PYSEC-2099-2', '2025-01-01T00:00:00Z', ['b'], { withdrawn: '2025-01-02T00:00:00Z' })]);
    expect(['PYSEC-2099-1', 'PYSEC-2099-2', 'PYSEC-2099-3'].map((id) => mirror.holds(id))).toEqual([true, true, false]);
  });

  it('keeps only its newest rows, and cannot tell what changed since a mark older than those', async () => {
    const mirror = new AdvisoryMirror(openDb(':memory:'), { changeLogRows: 3 });
    await mirror.importRecords([record('PYSEC-2099-1', '2025-01-01T00:00:00Z', ['a'])]);
    const oldMark = mirror.changeMark();
    await mirror.importRecords([record('PYSEC-2099-2', '2025-01-01T00:00:00Z', ['b', 'c'])]);
    const recentMark = mirror.changeMark();
    await mirror.importRecords([record('PYSEC-2099-3', '2025-01-01T00:00:00Z', ['d', 'e'])]);
    // Five rows were logged and three kept: rows after oldMark are gone, rows after recentMark are not.
    expect(mirror.changedSince(oldMark)).toBeNull();
    expect(mirror.changedSince(recentMark)).toEqual(new Set(['d', 'e']));
    expect(mirror.changedSince(mirror.changeMark())).toEqual(new Set());
  });
});
