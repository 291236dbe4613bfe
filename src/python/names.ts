/** PEP 503: lower case, every run of `-`, `_` and `.` becomes a single `-`. */
export function normalizeName(name: string): string {
  return name.trim().replace(/[-_.]+/g, '-').toLowerCase();
}

/** PEP 685 extras use the same normalisation as project names. */
export const normalizeExtra = normalizeName;

/** PEP 508 project names: ASCII letters and digits, with `-`, `_` and `.` inside. */
const VALID_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

export function isValidName(name: string): boolean {
  return VALID_NAME.test(name);
}
