/** PEP 503: lower case, every run of `-`, `_` and `.` becomes a single `-`. */
export function normalizeName(name: string): string {
  return name.trim().replace(/[-_.]+/g, '-').toLowerCase();
}

/**
 * Dependency.writtenName: the name as written (trimmed), when it is not already the normalised
 * `name`; undefined when it is, so that an entry written in the normalised form carries nothing more.
 */
export function writtenNameOf(written: string, name: string): string | undefined {
  const trimmed = written.trim();
  return trimmed === name || trimmed === '' ? undefined : trimmed;
}

/** PEP 685 extras use the same normalisation as project names. */
export const normalizeExtra = normalizeName;

/** PEP 508 project names: ASCII letters and digits, with `-`, `_` and `.` inside. */
const VALID_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

export function isValidName(name: string): boolean {
  return VALID_NAME.test(name);
}
