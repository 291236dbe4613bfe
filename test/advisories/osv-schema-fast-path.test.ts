/**
 * parseOsvRecord checks well-formed records by hand and leaves the rest to zod. The hand check must
 * never accept what the zod schema refuses: compared here on every fixture record and on thousands
 * of damaged copies of them (a field replaced by a wrong type, an over-long string, a missing key).
 */
import { describe, expect, it } from 'vitest';
import { isWellFormedOsvRecord, OSV_LIMITS, osvRecordSchema, parseOsvRecord } from '../../src/advisories/osv-schema.js';
import { fixtureRecords } from '../fixtures/osv/load.js';
import { seededRandom } from '../helpers/seeded-random.js';

type Path = (string | number)[];

/** Every path to a value inside `value` (objects and arrays), the root excluded. */
function paths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(value)) value.forEach((v, i) => (out.push([...prefix, i]), paths(v, [...prefix, i], out)));
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) out.push([...prefix, k]), paths(v, [...prefix, k], out);
  return out;
}

const REPLACEMENTS: (() => unknown)[] = [
  () => null,
  () => 42,
  () => true,
  () => '',
  () => 'not a timestamp',
  () => 'x'.repeat(OSV_LIMITS.shortText + 1),
  () => 'ü'.repeat(OSV_LIMITS.idLength + 1),
  () => [],
  () => [null],
  () => [{}],
  () => ({}),
  () => Object.create(null) as unknown,
  () => ({ introduced: '1.0', fixed: '2.0' }),
  () => ({ fixed: 3 }),
  () => '2024-02-30T00:00:00Z',
  () => 'has space',
  () => undefined,
];

function damaged(record: unknown, next: () => number): unknown {
  const copy = structuredClone(record) as Record<string, unknown>;
  const all = paths(copy);
  const path = all[Math.floor(next() * all.length)];
  if (path === undefined) return copy;
  let parent: unknown = copy;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
  const last = path[path.length - 1]!;
  const replacement = REPLACEMENTS[Math.floor(next() * REPLACEMENTS.length)]!();
  if (next() < 0.15 && !Array.isArray(parent)) delete (parent as Record<string | number, unknown>)[last];
  else (parent as Record<string | number, unknown>)[last] = replacement;
  return copy;
}

describe('the hand-written check behind parseOsvRecord', () => {
  const records = [...fixtureRecords().values()];

  it('accepts every fixture record, as the schema does', () => {
    const refused = records.filter((r) => !isWellFormedOsvRecord(JSON.parse(JSON.stringify(r))));
    expect(refused.map((r) => r.id)).toEqual([]);
  });

  it('never accepts a damaged record that the schema refuses', () => {
    const next = seededRandom(7);
    let refusedBySchema = 0;
    let acceptedByBoth = 0;
    const tooLenient: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const record = records[Math.floor(next() * records.length)]!;
      const candidate = damaged(record, next);
      const schemaOk = osvRecordSchema.safeParse(candidate).success;
      const fastOk = isWellFormedOsvRecord(candidate);
      if (!schemaOk) refusedBySchema += 1;
      if (fastOk && schemaOk) acceptedByBoth += 1;
      if (fastOk && !schemaOk) tooLenient.push(JSON.stringify(candidate).slice(0, 300));
    }
    expect(tooLenient).toEqual([]);
    // The damage is real often enough for this to mean something, and harmless damage still takes the fast path.
    expect(refusedBySchema).toBeGreaterThan(1500);
    expect(acceptedByBoth).toBeGreaterThan(1000);
  });

  it('still explains a refusal through the schema', () => {
    const result = parseOsvRecord({ id: 'PYSEC-1', modified: '2024-01-01T00:00:00Z', affected: [{ ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0', fixed: '1' }] }] }] });
    expect(result).toEqual({ ok: false, reason: 'affected[0].ranges[0].events[0]: needs exactly one of introduced, fixed, last_affected, limit' });
  });
});
