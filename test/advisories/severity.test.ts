import { describe, expect, it } from 'vitest';
import { compareSeverity, cvssRating, scoreCvssVector, severityOf, worstSeverityOf } from '../../src/advisories/severity.js';
import type { OsvRecord } from '../../src/advisories/types.js';
import { fixtureRecord, fixtureRecords } from '../fixtures/osv/load.js';

const base = { id: 'TEST-1', modified: '2024-01-01T00:00:00Z' };

describe('scoreCvssVector (scores as NVD and FIRST publish them)', () => {
  it.each([
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 'critical'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N', 7.5, 'high'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N', 6.5, 'medium'],
    ['CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', 5.5, 'medium'],
    ['CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N', 1.8, 'low'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0, 'none'],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 8.8, 'high'],
    // Base score, not the temporal one (9.3) the extra metrics would give.
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:L/A:H/E:F/RL:U/RC:R', 9.9, 'critical'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3, 'critical'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N', 8.7, 'high'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 10, 'critical'],
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 7.5, 'high'],
    ['AV:N/AC:L/Au:N/C:C/I:C/A:C', 10, 'high'],
  ] as const)('%s → %s %s', (vector, score, rating) => {
    expect(scoreCvssVector(vector)).toMatchObject({ score, rating });
  });

  it.each([
    '',
    'garbage',
    'CVSS:3.1/AV:N/AC:H', // incomplete
    'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', // not a base value
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/FOO:BAR', // unknown metric
    'CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', // metric twice
    'CVSS:4.0/AV:N/AC:L',
    'CVSS:9.9/AV:N',
    'AV:N/AC:L/Au:N/C:P/I:P/A:Z',
    'x'.repeat(10_000),
  ])('malformed %j gives null, never throws', (vector) => {
    expect(scoreCvssVector(vector)).toBeNull();
  });

  it('rates on the FIRST scale', () => {
    expect([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(cvssRating)).toEqual([
      'none', 'low', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical',
    ]);
  });
});

describe('severityOf', () => {
  it('scores the real CVSS v3.1 vector of a PyPA record (aiohttp PYSEC-2023-246)', () => {
    expect(severityOf(fixtureRecord('PYSEC-2023-246'))).toEqual({
      level: 'high',
      score: 7.5,
      vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N',
    });
  });

  it('is unknown for a record without any severity (most PyPA records)', () => {
    expect(severityOf(fixtureRecord('PYSEC-2023-72'))).toEqual({ level: 'unknown', score: null, vector: null });
  });

  it('reads every severity of the fixture without throwing, and scores each vector', () => {
    const withSeverity = [...fixtureRecords().values()].filter((r) => r.severity !== undefined);
    expect(withSeverity).toHaveLength(202);
    const levels = withSeverity.map((r) => severityOf(r));
    expect(levels.every((s) => s.score !== null && s.level !== 'unknown')).toBe(true);
  });

  it('takes the worst v3/v4 score among top-level and per-package severities', () => {
    const record: OsvRecord = {
      ...base,
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N' }],
      affected: [
        {
          package: { ecosystem: 'PyPI', name: 'demo' },
          severity: [{ type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' }],
        },
        {
          package: { ecosystem: 'PyPI', name: 'other' },
          severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
        },
      ],
    };
    expect(severityOf(record)).toMatchObject({ level: 'critical', score: 9.8 });
    expect(severityOf(record, 'demo')).toMatchObject({ level: 'critical', score: 9.3 });
    expect(severityOf(record, 'unrelated')).toMatchObject({ level: 'medium', score: 6.5 });
  });

  it('falls back to GHSA database_specific.severity when no v3/v4 vector reads', () => {
    const ghsa = (severity: string, extra: Partial<OsvRecord> = {}): OsvRecord => ({ ...base, database_specific: { severity }, ...extra });
    expect(severityOf(ghsa('MODERATE'))).toEqual({ level: 'medium', score: null, vector: null });
    expect(severityOf(ghsa('CRITICAL'))).toEqual({ level: 'critical', score: null, vector: null });
    expect(severityOf(ghsa('LOW', { severity: [{ type: 'CVSS_V3', score: 'garbage' }] })).level).toBe('low');
    expect(severityOf(ghsa('HIGH', { severity: [{ type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:N/I:N/A:P' }] }))).toEqual({
      level: 'high',
      score: null,
      vector: null,
    });
    expect(severityOf(ghsa('SEVERE')).level).toBe('unknown');
  });

  it('uses CVSS v2 only when nothing else is there', () => {
    const v2: OsvRecord = { ...base, severity: [{ type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' }] };
    expect(severityOf(v2)).toEqual({ level: 'high', score: 7.5, vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' });
    const both: OsvRecord = {
      ...base,
      severity: [...v2.severity!, { type: 'CVSS_V3', score: 'CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N' }],
    };
    expect(severityOf(both)).toMatchObject({ level: 'low', score: 1.8 });
  });

  it('survives malformed severity entries', () => {
    const odd = { ...base, severity: [{ type: 'Ubuntu', score: 'medium' }, { type: 'CVSS_V3', score: 42 }] } as unknown as OsvRecord;
    expect(severityOf(odd)).toEqual({ level: 'unknown', score: null, vector: null });
  });

  it('orders levels for thresholds', () => {
    const levels = ['high', 'unknown', 'critical', 'low', 'medium'] as const;
    expect([...levels].sort(compareSeverity)).toEqual(['unknown', 'low', 'medium', 'high', 'critical']);
  });
});

describe('worstSeverityOf (an alias group rated by its worst record)', () => {
  const rated = (id: string, vector: string | null, word?: string): OsvRecord => ({
    id,
    modified: '2024-01-01T00:00:00Z',
    ...(vector ? { severity: [{ type: 'CVSS_V3', score: vector }] } : {}),
    ...(word ? { database_specific: { severity: word } } : {}),
  });
  const HIGH_75 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N';
  const CRIT_98 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
  const MED_65 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N';

  it('takes the highest level, then the highest score, and names the record that gave it', () => {
    expect(worstSeverityOf([rated('A', MED_65), rated('B', CRIT_98), rated('C', HIGH_75)])).toEqual({ level: 'critical', score: 9.8, vector: CRIT_98, source: 'B' });
    // Within a level the higher score; a database word (no score) loses to a scored vector of its level.
    expect(worstSeverityOf([rated('W', null, 'HIGH'), rated('V', HIGH_75)])).toMatchObject({ level: 'high', score: 7.5, source: 'V' });
    // Equal: the first keeps it.
    expect(worstSeverityOf([rated('P', HIGH_75), rated('Q', HIGH_75)]).source).toBe('P');
  });

  it('answers unknown with no source when no record is rated, and for no records', () => {
    expect(worstSeverityOf([rated('A', null), rated('B', null)])).toEqual({ level: 'unknown', score: null, vector: null, source: null });
    expect(worstSeverityOf([])).toEqual({ level: 'unknown', score: null, vector: null, source: null });
  });

  it('hands out its own copy: changing it changes no later answer', () => {
    const records = [rated('A', CRIT_98)];
    const first = worstSeverityOf(records);
    first.level = 'low';
    first.score = 0;
    expect(worstSeverityOf(records)).toEqual({ level: 'critical', score: 9.8, vector: CRIT_98, source: 'A' });
    expect(severityOf(records[0]!)).toMatchObject({ level: 'critical', score: 9.8 });
  });
});
