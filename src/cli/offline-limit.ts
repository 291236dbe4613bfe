/** `--max-data-age DAYS` and DEPWATCH_MAX_DATA_AGE_DAYS, for every command that takes --offline. */
import { DEFAULT_MAX_DATA_AGE_DAYS, MAX_DATA_AGE_ENV, parseMaxDataAgeDays } from '../advisories/max-data-age.js';
import type { OfflineLimit } from '../advisories/select.js';
import { CliError, type CliIO } from './io.js';
import { quoteInput } from '../quoted-input.js';

/** The usage lines of the option, the same in every command that takes it. */
export const MAX_DATA_AGE_USAGE = `  --max-data-age DAYS  with --offline, a mirror whose newest record is older than DAYS days gives a
                   partial result (exit 2 unless findings give 1); default ${DEFAULT_MAX_DATA_AGE_DAYS}, or ${MAX_DATA_AGE_ENV} (env)`;

/** node:util parseArgs's entry for the option. */
export const MAX_DATA_AGE_OPTION = { 'max-data-age': { type: 'string' } } as const;

/**
 * How old an offline mirror's data may be: the flag, else the setting, else the default. A value
 * that is not a whole number of days is refused (one line, exit 2) even online, where it changes
 * nothing: a limit the user believes in and that does not hold is worse than none.
 */
export function offlineLimit(flag: string | undefined, io: CliIO): OfflineLimit {
  if (flag !== undefined) return { maxDataAgeDays: parsed(flag, '--max-data-age') };
  const setting = io.env[MAX_DATA_AGE_ENV];
  if (setting === undefined || setting.trim() === '') return { maxDataAgeDays: DEFAULT_MAX_DATA_AGE_DAYS };
  return { maxDataAgeDays: parsed(setting, MAX_DATA_AGE_ENV) };
}

function parsed(text: string, where: string): number {
  const days = parseMaxDataAgeDays(text);
  // Quoted as given (control characters escaped), cut short: the value may be anything the shell passed.
  if (days === null) throw new CliError(`${where}: ${quoteInput(text)} is not a whole number of days (0 or more), e.g. ${where === MAX_DATA_AGE_ENV ? `${MAX_DATA_AGE_ENV}=30` : '--max-data-age 30'}`);
  return days;
}
