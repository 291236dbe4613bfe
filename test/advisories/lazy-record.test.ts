import { describe, expect, it } from 'vitest';
import { lazyRecord, UnreadableRecordError } from '../../src/advisories/lazy-record.js';
import type { OsvRecord } from '../../src/advisories/types.js';

const WHOLE: OsvRecord = {
  id: 'PYSEC-2024-1',
  modified: '2024-05-01T00:00:00Z',
  published: '2024-04-01T00:00:00Z',
  aliases: ['CVE-2024-1', 'GHSA-aaaa-bbbb-cccc'],
  summary: 'Request smuggling',
  details: 'A long text.',
  affected: [{ package: { ecosystem: 'PyPI', name: 'demo' }, versions: ['1.0'], ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.1' }] }] }],
  references: [{ type: 'WEB', url: 'https://example.org/advisory' }],
};

function counted(whole: OsvRecord | null = WHOLE) {
  const loads = { count: 0 };
  const record = lazyRecord(WHOLE.id, WHOLE.modified, WHOLE.aliases ?? null, () => {
    loads.count += 1;
    return whole === null ? null : structuredClone(whole);
  });
  return { record, loads };
}

describe('a lazily read advisory record', () => {
  it('answers its id, modified and aliases without reading its text, and reads as not withdrawn', () => {
    const { record, loads } = counted();
    expect([record.id, record.modified, record.aliases, record.withdrawn]).toEqual([WHOLE.id, WHOLE.modified, WHOLE.aliases, undefined]);
    expect(loads.count).toBe(0);
  });

  it('reads its whole text once, the first time any other field is asked for', () => {
    const { record, loads } = counted();
    expect(record.affected).toEqual(WHOLE.affected);
    expect(record.details).toBe(WHOLE.details);
    expect(record.severity).toBeUndefined();
    expect(loads.count).toBe(1);
  });

  it('is the whole record to JSON, to a spread and to a structured clone (a worker thread)', () => {
    expect(JSON.parse(JSON.stringify(counted().record))).toEqual(WHOLE);
    expect({ ...counted().record }).toEqual(WHOLE);
    expect(structuredClone(counted().record)).toEqual(WHOLE);
  });

  it('keeps a field the record has but this version does not know, once its text is read', () => {
    const { record } = counted({ ...WHOLE, upstream: ['CVE-2024-0'] } as OsvRecord);
    expect(record.summary).toBe(WHOLE.summary);
    expect(JSON.parse(JSON.stringify(record))).toMatchObject({ upstream: ['CVE-2024-0'] });
  });

  it('throws on every read when its text can no longer be read, rather than answering that it affects nothing', () => {
    const { record, loads } = counted(null);
    expect(() => record.affected).toThrow(UnreadableRecordError);
    expect(() => record.summary).toThrow(/PYSEC-2024-1: its stored record can no longer be read/);
    expect(loads.count).toBe(2);
    expect(record.id).toBe(WHOLE.id);
  });
});
