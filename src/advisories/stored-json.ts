/**
 * Reading back what the mirror derived at import (stored-matcher.ts, stored-record.ts): JSON objects
 * whose text starts with their format's prefix. Anything else (another format, a damaged row) reads
 * as null, and the caller works the answer out from the record instead.
 */

/** The object stored in `text` when it starts with `prefix` (its format) and parses; else null. */
export function storedObject(text: string | null, prefix: string): Record<string, unknown> | null {
  if (text === null || !text.startsWith(prefix)) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

export function allStrings(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item !== 'string') return false;
  return true;
}
