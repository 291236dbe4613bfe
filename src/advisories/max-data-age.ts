/**
 * The setting for how old an offline mirror's data may be (`--max-data-age`,
 * DEPWATCH_MAX_DATA_AGE_DAYS), apart from the mirror that applies it (offline-mirror.ts): the
 * configuration checks the setting wherever it runs, and must not load the mirror's code to do so.
 * No imports.
 */

/** How old (in whole days) an offline mirror's data may be before the result is partial. */
export const DEFAULT_MAX_DATA_AGE_DAYS = 7;

/** The setting that moves the limit for every offline command (`--max-data-age` wins over it). */
export const MAX_DATA_AGE_ENV = 'DEPWATCH_MAX_DATA_AGE_DAYS';

/** A limit as written (`--max-data-age`, DEPWATCH_MAX_DATA_AGE_DAYS): a whole number of days, 0 or more; null when it is not one. */
export function parseMaxDataAgeDays(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,9}$/.test(trimmed)) return null;
  return Number(trimmed);
}
