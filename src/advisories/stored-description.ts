/**
 * An advisory's one-line description parts (description.ts), worked out once when the mirror stores
 * the record and kept beside it (advisories.description): reading the summary and details text
 * (markdown, sentences, boilerplate patterns) was most of the cost of building an audit's findings.
 */
import { computeRecordDescription, type RecordDescription } from './description.js';
import type { OsvRecord } from './types.js';

/** Changes whenever what description.ts derives changes: rows of another format are derived again. */
export const STORED_DESCRIPTION_FORMAT = 1;

/** The prefix every stored description of this format starts with (JSON.stringify keeps key order). */
export const STORED_DESCRIPTION_PREFIX = `{"format":${STORED_DESCRIPTION_FORMAT},`;

export const storedDescriptionJson = (record: Pick<OsvRecord, 'summary' | 'details'>): string =>
  JSON.stringify({ format: STORED_DESCRIPTION_FORMAT, ...computeRecordDescription(record) });

/** A stored description read back; null when absent, of another format or damaged (then it is worked out again). */
export function parseStoredDescription(text: string | null): RecordDescription | null {
  if (text === null || !text.startsWith(STORED_DESCRIPTION_PREFIX)) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { summary, telling, first } = value as Record<string, unknown>;
  const line = (v: unknown): v is string | null => v === null || typeof v === 'string';
  if (!line(summary) || !line(telling) || typeof first !== 'string') return null;
  return { summary, telling, first };
}
