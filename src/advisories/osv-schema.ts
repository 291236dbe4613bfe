/**
 * Runtime validation of OSV records (https://ossf.github.io/osv-schema/). Everything that enters the
 * mirror or the API cache goes through `parseOsvRecord`, so the rest of the code can trust the shapes
 * in types.ts. Unknown fields are kept (OSV adds fields over time and we store records whole), but
 * every string and list is bounded: one hostile record must not fill the disk or the heap.
 */
import { z } from 'zod';
import type { OsvRecord } from './types.js';

/** Bounds generous enough for every real record (largest PyPI `details` is a few KB, GHSA ones < 100 KB). */
export const OSV_LIMITS = {
  idLength: 200,
  shortText: 1_000,
  summary: 10_000,
  details: 1_000_000,
  aliases: 1_000,
  affected: 5_000,
  ranges: 1_000,
  events: 10_000,
  versions: 100_000,
  severity: 100,
  references: 10_000,
  url: 10_000,
} as const;

const L = OSV_LIMITS;

const id = z.string().min(1).max(L.idLength).regex(/^[\x21-\x7e]+$/, 'not a printable ASCII identifier');
const shortText = z.string().max(L.shortText);
const timestamp = z
  .string()
  .max(100)
  .refine((s) => osvTimestampKey(s) !== null, 'not an RFC 3339 timestamp');
const freeObject = z.record(z.string(), z.unknown());

const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

const event = z
  .looseObject({
    introduced: shortText.optional(),
    fixed: shortText.optional(),
    last_affected: shortText.optional(),
    limit: shortText.optional(),
  })
  .refine(
    (e) => EVENT_KEYS.filter((k) => e[k] !== undefined).length === 1,
    'needs exactly one of introduced, fixed, last_affected, limit',
  );

const range = z.looseObject({
  type: shortText,
  repo: z.string().max(L.url).optional(),
  events: z.array(event).min(1).max(L.events),
  database_specific: freeObject.optional(),
});

const severity = z.looseObject({ type: shortText, score: shortText });

const affected = z.looseObject({
  package: z.looseObject({ ecosystem: shortText, name: shortText, purl: z.string().max(L.url).optional() }).optional(),
  ranges: z.array(range).max(L.ranges).optional(),
  versions: z.array(shortText).max(L.versions).optional(),
  severity: z.array(severity).max(L.severity).optional(),
  ecosystem_specific: freeObject.optional(),
  database_specific: freeObject.optional(),
});

export const osvRecordSchema = z.looseObject({
  schema_version: shortText.optional(),
  id,
  modified: timestamp,
  published: timestamp.optional(),
  withdrawn: timestamp.optional(),
  aliases: z.array(id).max(L.aliases).optional(),
  related: z.array(id).max(L.aliases).optional(),
  upstream: z.array(id).max(L.aliases).optional(),
  summary: z.string().max(L.summary).optional(),
  details: z.string().max(L.details).optional(),
  severity: z.array(severity).max(L.severity).optional(),
  affected: z.array(affected).max(L.affected).optional(),
  references: z.array(z.looseObject({ type: shortText, url: z.string().max(L.url) })).max(L.references).optional(),
  database_specific: freeObject.optional(),
});

export type ParseResult = { ok: true; record: OsvRecord } | { ok: false; reason: string };

/** Validates one decoded JSON value as an OSV record; the reason names the first offending field. */
export function parseOsvRecord(json: unknown): ParseResult {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, reason: `record: expected a JSON object, got ${describe(json)}` };
  }
  // Nearly every record is well formed: check it by hand (several times faster than zod, which
  // also copies the whole record), and leave the rest to zod, which names the offending field.
  if (isWellFormedOsvRecord(json)) return { ok: true, record: json as OsvRecord };
  const result = osvRecordSchema.safeParse(json);
  if (result.success) return { ok: true, record: result.data as OsvRecord };
  const issue = result.error.issues[0];
  if (issue === undefined) return { ok: false, reason: 'record: invalid' };
  return { ok: false, reason: `${formatPath(issue.path)}: ${describeIssue(issue, valueAt(json, issue.path))}` };
}

// --- the fast path ------------------------------------------------------------------------------
//
// `isWellFormedOsvRecord` accepts a subset of what osvRecordSchema accepts (never more: the tests
// compare the two on the fixture and on thousands of damaged copies of it). Anything it is unsure
// about (a null prototype, an odd type) it refuses, and zod decides.

type Plain = Record<string, unknown>;

const isPlain = (v: unknown): v is Plain =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
const isStr = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;
const ID_CHARS = /^[\x21-\x7e]+$/;
const isId = (v: unknown): boolean => typeof v === 'string' && v.length >= 1 && v.length <= L.idLength && ID_CHARS.test(v);
const isTimestamp = (v: unknown): boolean => typeof v === 'string' && v.length <= 100 && osvTimestampKey(v) !== null;
const optional = (v: unknown, check: (v: unknown) => boolean): boolean => v === undefined || check(v);
const isArrayOf = (v: unknown, max: number, check: (item: unknown) => boolean, min = 0): boolean =>
  Array.isArray(v) && v.length >= min && v.length <= max && v.every(check);
const isShort = (v: unknown): boolean => isStr(v, L.shortText);

function isEvent(v: unknown): boolean {
  if (!isPlain(v)) return false;
  let present = 0;
  for (const key of EVENT_KEYS) {
    const value = v[key];
    if (value === undefined) continue;
    if (!isShort(value)) return false;
    present += 1;
  }
  return present === 1;
}

function isRange(v: unknown): boolean {
  return (
    isPlain(v) &&
    isShort(v['type']) &&
    optional(v['repo'], (r) => isStr(r, L.url)) &&
    isArrayOf(v['events'], L.events, isEvent, 1) &&
    optional(v['database_specific'], isPlain)
  );
}

const isSeverity = (v: unknown): boolean => isPlain(v) && isShort(v['type']) && isShort(v['score']);

function isAffected(v: unknown): boolean {
  if (!isPlain(v)) return false;
  const pkg = v['package'];
  if (pkg !== undefined && !(isPlain(pkg) && isShort(pkg['ecosystem']) && isShort(pkg['name']) && optional(pkg['purl'], (p) => isStr(p, L.url)))) return false;
  return (
    optional(v['ranges'], (r) => isArrayOf(r, L.ranges, isRange)) &&
    optional(v['versions'], (r) => isArrayOf(r, L.versions, isShort)) &&
    optional(v['severity'], (r) => isArrayOf(r, L.severity, isSeverity)) &&
    optional(v['ecosystem_specific'], isPlain) &&
    optional(v['database_specific'], isPlain)
  );
}

const isReference = (v: unknown): boolean => isPlain(v) && isShort(v['type']) && isStr(v['url'], L.url);

/** True only for values osvRecordSchema certainly accepts (see above). */
export function isWellFormedOsvRecord(v: unknown): boolean {
  if (!isPlain(v)) return false;
  return (
    isId(v['id']) &&
    isTimestamp(v['modified']) &&
    optional(v['schema_version'], isShort) &&
    optional(v['published'], isTimestamp) &&
    optional(v['withdrawn'], isTimestamp) &&
    optional(v['aliases'], (a) => isArrayOf(a, L.aliases, isId)) &&
    optional(v['related'], (a) => isArrayOf(a, L.aliases, isId)) &&
    optional(v['upstream'], (a) => isArrayOf(a, L.aliases, isId)) &&
    optional(v['summary'], (t) => isStr(t, L.summary)) &&
    optional(v['details'], (t) => isStr(t, L.details)) &&
    optional(v['severity'], (a) => isArrayOf(a, L.severity, isSeverity)) &&
    optional(v['affected'], (a) => isArrayOf(a, L.affected, isAffected)) &&
    optional(v['references'], (a) => isArrayOf(a, L.references, isReference)) &&
    optional(v['database_specific'], isPlain)
  );
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined ? 'missing' : `expected ${issue.expected}, got ${describe(value)}`;
    case 'too_small':
      return issue.origin === 'array' || (issue.origin === 'string' && Number(issue.minimum) === 1)
        ? 'empty'
        : `too small (minimum ${String(issue.minimum)})`;
    case 'too_big':
      return issue.origin === 'array'
        ? `too many entries (more than ${String(issue.maximum)})`
        : `too long (more than ${String(issue.maximum)} characters)`;
    default:
      return issue.message;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'record';
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

/**
 * A sortable UTC form of an OSV timestamp (`YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`), or null when it is not
 * one. OSV writes fractions with anything from 0 to 9 digits (`…:08.989778Z`, `…:00Z`), so the strings
 * themselves do not compare correctly (`.` sorts before `Z`). A missing zone is read as UTC.
 */
export function osvTimestampKey(text: string): string | null {
  let key = timestampKeys.get(text);
  if (key === undefined) {
    key = computeTimestampKey(text);
    // Every record's `modified` is read several times (validation, cache checks, import order).
    if (timestampKeys.size >= 50_000) timestampKeys.clear();
    timestampKeys.set(text, key);
  }
  return key;
}

const timestampKeys = new Map<string, string | null>();

/** How OSV writes nearly every timestamp: UTC, `T`, `Z`, a year from 1000 on, 0 to 9 fraction digits. */
const PLAIN_UTC = /^[1-9]\d{3}-(\d\d)-(\d\d)T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.(\d{1,9}))?Z$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function computeTimestampKey(text: string): string | null {
  // The plain form is its own key but for the fraction's padding: no Date to build (an API audit
  // reads a few thousand records' timestamps). Anything else (offsets, a leap second, 29 February,
  // lower-case letters, spaces) takes the general reading, which gives the same key.
  const plain = PLAIN_UTC.exec(text);
  if (plain !== null) {
    const month = Number(plain[1]);
    const day = Number(plain[2]);
    if (month >= 1 && month <= 12 && day >= 1 && day <= DAYS_IN_MONTH[month - 1]! && !(month === 2 && day === 29)) {
      return `${text.slice(0, 19)}.${(plain[4] ?? '').padEnd(9, '0')}Z`;
    }
  }
  return generalTimestampKey(text);
}

/** The key of any timestamp form RFC3339 admits, through Date (exported for tests: the plain form must agree with it). */
export function generalTimestampKey(text: string): string | null {
  const m = RFC3339.exec(text.trim());
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return null;
  let millis = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s));
  if (Number.isNaN(millis) || new Date(millis).getUTCDate() !== day) return null;
  if (sign !== undefined) {
    const offset = (Number(oh) * 60 + Number(om)) * 60_000;
    millis += sign === '+' ? -offset : offset;
  }
  const iso = new Date(millis).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  if (!/^\d{4}-/.test(iso)) return null; // years outside 0000–9999
  return `${iso.slice(0, 19)}.${(frac ?? '').padEnd(9, '0')}Z`;
}

/** Orders two OSV timestamps in time; an unreadable one sorts first. */
export function compareOsvTimestamps(a: string, b: string): number {
  const ka = osvTimestampKey(a) ?? '';
  const kb = osvTimestampKey(b) ?? '';
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
