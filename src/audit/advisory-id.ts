/**
 * Whether text is written as an advisory id: what `/audit ignore` and the Ignore… modal accept
 * before anything is stored. OSV ids and their aliases are a prefix naming the database, a dash,
 * and an entry id that always has a digit in it (`PYSEC-2019-13`, `CVE-2019-14234`, `MAL-2024-1`,
 * `PSF-2023-5`), except GitHub's, which are three groups of four from a fixed alphabet
 * (`GHSA-6r97-cj55-9hrq`). Words joined by dashes (`NOT-AN-ID`, `my-fix`) are not ids: stored,
 * such an ignore would match nothing and look as if it protected something. Whether a database
 * holds the id is another question (the data may not have a new advisory yet), asked apart.
 */
const GHSA = /^GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}$/i;
const PREFIXED = /^[A-Za-z][A-Za-z0-9]*-([A-Za-z0-9._:-]{1,100})$/;

export function isAdvisoryIdForm(text: string): boolean {
  if (GHSA.test(text)) return true;
  if (/^GHSA-/i.test(text)) return false;
  const entry = PREFIXED.exec(text)?.[1];
  return entry !== undefined && /\d/.test(entry);
}
