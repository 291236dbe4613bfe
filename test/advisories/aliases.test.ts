import { describe, expect, it } from 'vitest';
import { compareIdPreference, groupByAlias } from '../../src/advisories/aliases.js';
import type { OsvRecord } from '../../src/advisories/types.js';
import { fixtureRecord, fixtureRecords } from '../fixtures/osv/load.js';

const rec = (id: string, aliases: string[] = []): OsvRecord => ({ id, modified: '2024-01-01T00:00:00Z', aliases });

/** Deterministic shuffles (a small LCG), so a failure can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const summary = (groups: ReturnType<typeof groupByAlias>) =>
  groups.map((g) => ({ id: g.id, aliases: g.aliases, records: g.records.map((r) => r.id) }));

describe('groupByAlias', () => {
  it('merges PYSEC, GHSA and CVE records of one flaw, PYSEC first', () => {
    const groups = groupByAlias([
      rec('GHSA-6r97-cj55-9hrq', ['CVE-2019-14234']),
      rec('PYSEC-2019-13', ['CVE-2019-14234', 'GHSA-6r97-cj55-9hrq']),
      rec('PYSEC-2019-99', ['CVE-2019-99999']),
    ]);
    expect(summary(groups)).toEqual([
      { id: 'PYSEC-2019-13', aliases: ['CVE-2019-14234', 'GHSA-6r97-cj55-9hrq'], records: ['PYSEC-2019-13', 'GHSA-6r97-cj55-9hrq'] },
      { id: 'PYSEC-2019-99', aliases: ['CVE-2019-99999'], records: ['PYSEC-2019-99'] },
    ]);
  });

  it('is transitive: A~B through one alias, B~C through another', () => {
    const groups = groupByAlias([rec('GHSA-aaaa', ['CVE-1']), rec('MAL-2024-1', ['CVE-2']), rec('OSV-X', ['CVE-1', 'CVE-2'])]);
    expect(summary(groups)).toEqual([
      { id: 'GHSA-aaaa', aliases: ['CVE-1', 'CVE-2', 'MAL-2024-1', 'OSV-X'], records: ['GHSA-aaaa', 'MAL-2024-1', 'OSV-X'] },
    ]);
  });

  it('groups one-sided aliases (only one record names the other)', () => {
    const groups = groupByAlias([rec('PYSEC-1'), rec('GHSA-x', ['PYSEC-1'])]);
    expect(summary(groups)).toEqual([{ id: 'PYSEC-1', aliases: ['GHSA-x'], records: ['PYSEC-1', 'GHSA-x'] }]);
  });

  it('the real four-record chain of the fixture (AccessControl, via GHSA-qcx9-j53g-ccgf) is one group', () => {
    const ids = ['PYSEC-2021-335', 'PYSEC-2021-368', 'PYSEC-2021-370', 'PYSEC-2021-875'];
    const groups = groupByAlias(ids.map(fixtureRecord));
    expect(groups).toHaveLength(1);
    expect(groups[0]!.id).toBe('PYSEC-2021-335');
    expect(groups[0]!.aliases).toEqual(expect.arrayContaining(['PYSEC-2021-368', 'PYSEC-2021-370', 'PYSEC-2021-875', 'GHSA-qcx9-j53g-ccgf', 'CVE-2021-32807', 'CVE-2021-32811']));
    expect(groups[0]!.aliases).not.toContain('PYSEC-2021-335');
  });

  it('gives the same groups whatever the input order (osv-scanner#3081)', () => {
    const all = [...fixtureRecords().values()];
    const reference = summary(groupByAlias(all));
    expect(reference.length).toBeLessThan(all.length);
    expect(reference.length).toBeGreaterThan(2000);
    for (const seed of [1, 2, 3]) expect(summary(groupByAlias(shuffled(all, seed)))).toEqual(reference);
    expect(summary(groupByAlias([...all].reverse()))).toEqual(reference);
    // Every record lands in exactly one group.
    expect(reference.flatMap((g) => g.records).sort()).toEqual(all.map((r) => r.id).sort());
  });

  it('keeps a record given twice once', () => {
    const groups = groupByAlias([rec('PYSEC-1', ['CVE-1']), rec('PYSEC-1', ['CVE-1'])]);
    expect(summary(groups)).toEqual([{ id: 'PYSEC-1', aliases: ['CVE-1'], records: ['PYSEC-1'] }]);
  });

  it('groups a lone record as the general grouping does, for every fixture advisory (and odd alias lists)', () => {
    // Given twice, a record takes the general path (sets, then one kept by id); alone, the short one.
    const odd = [rec('PYSEC-9', ['PYSEC-9', 'CVE-2', 'CVE-1', 'CVE-2']), rec('GHSA-x'), { id: 'CVE-3', modified: '2024-01-01T00:00:00Z' }];
    for (const record of [...fixtureRecords().values(), ...odd]) {
      expect(summary(groupByAlias([record])), record.id).toEqual(summary(groupByAlias([record, record])));
    }
  });

  it('returns nothing for nothing', () => {
    expect(groupByAlias([])).toEqual([]);
  });
});

describe('compareIdPreference', () => {
  it('prefers PYSEC, then GHSA, then the rest by string', () => {
    const ids = ['CVE-2020-1', 'GHSA-b', 'MAL-1', 'PYSEC-2020-2', 'GHSA-a', 'PYSEC-2020-10'];
    expect([...ids].sort(compareIdPreference)).toEqual(['PYSEC-2020-10', 'PYSEC-2020-2', 'GHSA-a', 'GHSA-b', 'CVE-2020-1', 'MAL-1']);
  });
});
