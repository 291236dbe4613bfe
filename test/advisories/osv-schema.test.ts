import { describe, expect, it } from 'vitest';
import { compareOsvTimestamps, generalTimestampKey, osvTimestampKey, parseOsvRecord } from '../../src/advisories/osv-schema.js';
import { fixtureRecord, fixtureRecords } from '../fixtures/osv/load.js';

const minimal = { id: 'PYSEC-2099-1', modified: '2024-01-01T00:00:00Z' };

function reasonFor(json: unknown): string {
  const result = parseOsvRecord(json);
  if (result.ok) throw new Error('expected a rejection');
  return result.reason;
}

describe('parseOsvRecord', () => {
  it('accepts every record of the PyPA fixture', () => {
    const rejected = [...fixtureRecords().values()]
      .map((r) => [r.id, parseOsvRecord(r)] as const)
      .filter(([, result]) => !result.ok);
    expect(rejected).toEqual([]);
    expect(fixtureRecords().size).toBe(2661);
  });

  it('keeps unknown fields, top level and nested', () => {
    const result = parseOsvRecord({
      ...minimal,
      credits: [{ name: 'someone' }],
      affected: [{ package: { ecosystem: 'PyPI', name: 'demo' }, x_extra: 1, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }], note: 'n' }] }],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const record = result.record as unknown as Record<string, unknown>;
    expect(record['credits']).toEqual([{ name: 'someone' }]);
    const affected = (record['affected'] as Record<string, unknown>[])[0]!;
    expect(affected['x_extra']).toBe(1);
    expect((affected['ranges'] as Record<string, unknown>[])[0]!['note']).toBe('n');
  });

  it('returns the real record unchanged in content', () => {
    const original = fixtureRecord('PYSEC-2023-72');
    const result = parseOsvRecord(structuredClone(original));
    expect(result).toEqual({ ok: true, record: original });
  });

  it('names the missing or mistyped field', () => {
    expect(reasonFor({ modified: minimal.modified })).toBe('id: missing');
    expect(reasonFor({ id: 'X-1' })).toBe('modified: missing');
    expect(reasonFor({ ...minimal, id: 42 })).toBe('id: expected string, got number');
    expect(reasonFor({ ...minimal, id: '' })).toBe('id: empty');
    expect(reasonFor({ ...minimal, id: 'has space' })).toBe('id: not a printable ASCII identifier');
    expect(reasonFor({ ...minimal, modified: 'yesterday' })).toBe('modified: not an RFC 3339 timestamp');
    expect(reasonFor({ ...minimal, aliases: 'CVE-1' })).toBe('aliases: expected array, got string');
    expect(reasonFor({ ...minimal, affected: [{ package: { ecosystem: 'PyPI' } }] })).toBe('affected[0].package.name: missing');
  });

  it('rejects empty and ambiguous range events with their path', () => {
    const affected = (events: unknown[]) => ({
      ...minimal,
      affected: [
        {
          package: { ecosystem: 'PyPI', name: 'demo' },
          ranges: [
            { type: 'ECOSYSTEM', events: [{ introduced: '0' }] },
            { type: 'ECOSYSTEM', events },
          ],
        },
      ],
    });
    expect(reasonFor(affected([]))).toBe('affected[0].ranges[1].events: empty');
    expect(reasonFor(affected([{ introduced: '0', fixed: '1.0' }]))).toBe(
      'affected[0].ranges[1].events[0]: needs exactly one of introduced, fixed, last_affected, limit',
    );
    expect(reasonFor(affected([{ introduced: '0' }, {}]))).toBe(
      'affected[0].ranges[1].events[1]: needs exactly one of introduced, fixed, last_affected, limit',
    );
  });

  it('refuses oversized fields instead of storing them', () => {
    expect(reasonFor({ ...minimal, details: 'x'.repeat(5 * 1024 * 1024) })).toBe(
      'details: too long (more than 1000000 characters)',
    );
    const aliases = Array.from({ length: 100_000 }, (_, i) => `CVE-2024-${i}`);
    expect(reasonFor({ ...minimal, aliases })).toBe('aliases: too many entries (more than 1000)');
    expect(reasonFor({ ...minimal, summary: 'y'.repeat(20_000) })).toBe('summary: too long (more than 10000 characters)');
  });

  it('rejects values that are not objects', () => {
    expect(reasonFor(null)).toBe('record: expected a JSON object, got null');
    expect(reasonFor([minimal])).toBe('record: expected a JSON object, got an array');
    expect(reasonFor('PYSEC-1')).toBe('record: expected a JSON object, got string');
  });
});

describe('OSV timestamps', () => {
  it('normalises every precision and zone to one sortable form', () => {
    expect(osvTimestampKey('2021-09-26T23:32:08.989778Z')).toBe('2021-09-26T23:32:08.989778000Z');
    expect(osvTimestampKey('2023-01-24T00:00:00Z')).toBe('2023-01-24T00:00:00.000000000Z');
    expect(osvTimestampKey('2023-01-24T02:00:00+02:00')).toBe('2023-01-24T00:00:00.000000000Z');
    expect(osvTimestampKey('2023-01-24 00:00:00')).toBe('2023-01-24T00:00:00.000000000Z');
    expect(osvTimestampKey('2023-02-30T00:00:00Z')).toBeNull();
    expect(osvTimestampKey('not a date')).toBeNull();
  });

  it('reads the plain UTC form without a Date, to the same key as the general reading', () => {
    const texts = new Set<string>();
    for (const record of fixtureRecords().values()) {
      texts.add(record.modified);
      if (record.published) texts.add(record.published);
    }
    // Every month's last days in a leap year and a common one, the edges of the clock, every fraction length.
    for (const year of ['0999', '1000', '1999', '2000', '2023', '2024', '2100', '9999']) {
      for (let month = 1; month <= 13; month++) {
        for (const day of ['00', '01', '28', '29', '30', '31', '32']) {
          for (const time of ['00:00:00', '23:59:59', '24:00:00', '12:60:00', '12:00:60']) texts.add(`${year}-${String(month).padStart(2, '0')}-${day}T${time}Z`);
        }
      }
    }
    for (let digits = 0; digits <= 10; digits++) texts.add(`2024-02-29T12:34:56${digits ? `.${'123456789X'.slice(0, digits)}` : ''}Z`);
    for (const text of texts) expect(osvTimestampKey(text), text).toBe(generalTimestampKey(text));
    expect(texts.size).toBeGreaterThan(3_000);
  });

  it('compares by time, not by text (".5Z" is later than "Z")', () => {
    expect('2024-01-01T00:00:00.5Z' < '2024-01-01T00:00:00Z').toBe(true); // why plain strings fail
    expect(compareOsvTimestamps('2024-01-01T00:00:00.5Z', '2024-01-01T00:00:00Z')).toBe(1);
    expect(compareOsvTimestamps('2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00Z')).toBe(0);
    expect(compareOsvTimestamps('2023-12-31T23:59:59.999999Z', '2024-01-01T00:00:00Z')).toBe(-1);
  });
});
