/**
 * What the audit reads of a whole record beyond matching, worked out once when the mirror stores it
 * and kept beside it (advisories.derived): the parts of its one-line description (description.ts)
 * and its severity over every entry (severity.ts). Reading the summary and details text (markdown,
 * sentences, boilerplate patterns) and scoring CVSS vectors were most of the cost of building an
 * audit's findings. The severity for one package is kept with that package's matcher.
 */
import { describeRecord, primeDescription, type RecordDescription } from './description.js';
import { primeSeverity, severityFrom, severityOf, type Severity } from './severity.js';
import { allStrings, storedObject } from './stored-json.js';
import type { OsvRecord } from './types.js';

/** Changes whenever what is derived, or how, changes: rows of another format are derived again. */
export const STORED_RECORD_FORMAT = 2;

/** The prefix every stored text of this format starts with (JSON.stringify keeps key order). */
export const STORED_RECORD_PREFIX = `{"format":${STORED_RECORD_FORMAT},`;

export interface StoredRecordParts {
  /** The record's aliases, which grouping reads from every matched record (format 2). */
  aliases: string[] | null;
  description: RecordDescription;
  /** `severityOf(record)`: over every entry, as alias ratings read it. */
  severity: Severity;
}

/**
 * The stored parts of a record. Through describeRecord and severityOf, which remember their answers:
 * the API client keeps the parts of the records an audit matched, which the audit has described and
 * rated already, so keeping them costs no second reading of their text.
 */
export const storedRecordJson = (record: OsvRecord): string =>
  JSON.stringify({ format: STORED_RECORD_FORMAT, aliases: record.aliases ?? null, description: describeRecord(record), severity: severityOf(record) });

/** Described and rated when stored: findings built from the record need not read its text or score its vectors again. */
export function primeRecordParts(record: OsvRecord, parts: StoredRecordParts): void {
  primeDescription(record, parts.description);
  primeSeverity(record, undefined, parts.severity);
}

/** The stored parts read back; null when absent, of another format or damaged (then they are worked out again). */
export function parseStoredRecord(text: string | null): StoredRecordParts | null {
  const stored = storedObject(text, STORED_RECORD_PREFIX);
  if (stored === null) return null;
  const description = descriptionFrom(stored['description']);
  const severity = severityFrom(stored['severity']);
  const aliases = stored['aliases'];
  if (aliases !== null && !allStrings(aliases)) return null;
  return description === null || severity === null ? null : { aliases, description, severity };
}

function descriptionFrom(value: unknown): RecordDescription | null {
  if (typeof value !== 'object' || value === null) return null;
  const { summary, telling, first } = value as Record<string, unknown>;
  const line = (v: unknown): v is string | null => v === null || typeof v === 'string';
  if (!line(summary) || !line(telling) || typeof first !== 'string') return null;
  return { summary, telling, first };
}
