/**
 * A stored record whose text is read only if something asks for it. An offline audit matches with
 * the matchers, descriptions and severities the mirror derived at import, and groups by aliases:
 * it needs a record's id, `modified` and aliases, never its details or its lists of versions. Reading
 * and decoding the whole JSON of the 2,600 records a large audit touches was a quarter of its time.
 *
 * Every other OSV field is an own, enumerable accessor that loads the whole record the first time any
 * of them is read, then turns into a plain data property: code that reads `affected` or `details`,
 * JSON.stringify, a spread and structured cloning to a worker thread (which reads own properties
 * through their getters) all see the whole record. Nothing can read a field that is silently missing.
 * `withdrawn` is never lazy: matching reads it on every record, and records handed out this way are
 * not withdrawn (the mirror's index query leaves withdrawn ones out).
 */
import type { OsvRecord } from './types.js';

/** The fields loaded on first use: all of OsvRecord but id, modified, aliases and withdrawn. */
const LAZY_FIELDS = ['schema_version', 'published', 'related', 'summary', 'details', 'severity', 'affected', 'references', 'database_specific'] as const;

export class UnreadableRecordError extends Error {
  override name = 'UnreadableRecordError';
}

/** How each lazy record loads its whole text; removed once it has. */
const loaders = new WeakMap<object, { id: string; load: () => OsvRecord | null }>();

function materialise(record: Record<string, unknown>): void {
  const loader = loaders.get(record);
  if (loader === undefined) return;
  const whole = loader.load();
  // Kept until a load succeeds: every read of an unreadable record throws, none answers undefined.
  if (whole === null) throw new UnreadableRecordError(`advisory ${loader.id}: its stored record can no longer be read`);
  loaders.delete(record);
  for (const key of LAZY_FIELDS) {
    const value = (whole as unknown as Record<string, unknown>)[key];
    Object.defineProperty(record, key, { value, writable: true, enumerable: value !== undefined, configurable: true });
  }
  // Fields this version does not know about (OSV adds some) come along as they are, from then on:
  // a copy made before any known field was read (JSON, a spread, a clone) has the known ones only.
  for (const [key, value] of Object.entries(whole)) if (!(key in record)) record[key] = value;
}

/**
 * One accessor pair per field, shared by every lazy record: records made alike share V8's hidden
 * classes, so reading their id or aliases stays as fast as on a plain object (a getter made per
 * record would put every record in slow dictionary mode, and grouping reads them thousands of times).
 */
const LAZY_DESCRIPTORS: PropertyDescriptorMap = Object.fromEntries(
  LAZY_FIELDS.map((key) => [
    key,
    {
      get(this: Record<string, unknown>) {
        materialise(this);
        return this[key];
      },
      set(this: Record<string, unknown>, value: unknown) {
        materialise(this);
        this[key] = value;
      },
      enumerable: true,
      configurable: true,
    },
  ]),
);

/**
 * `load` returns the whole record (null when it can no longer be read). A record that cannot be
 * loaded throws on every lazy read rather than answering undefined, which would read as "affects
 * nothing".
 */
export function lazyRecord(id: string, modified: string, aliases: readonly string[] | null, load: () => OsvRecord | null): OsvRecord {
  const record: Record<string, unknown> = aliases === null ? { id, modified } : { id, modified, aliases };
  Object.defineProperties(record, LAZY_DESCRIPTORS);
  loaders.set(record, { id, load });
  return record as unknown as OsvRecord;
}
