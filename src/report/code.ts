/**
 * What every format says about code and configuration findings (AuditResult.code): their counts
 * and where a finding is. A secret is shown by its kind and fingerprint; its value is not in the
 * finding at all (src/scan/types.ts), so no format can print it.
 */
import { isUnread } from '../audit/partial.js';
import type { ExtractError } from '../python/types.js';
import { isPartialNote, type CodeFinding, type ScanResult, type SkippedFile } from '../scan/types.js';

/** `file:line:column`, or the file alone for a finding about the whole file. */
export const codePlace = (f: CodeFinding): string => (f.line === null ? f.file : `${f.file}:${f.line}${f.column !== null ? `:${f.column}` : ''}`);

/** "AWS access key id, fingerprint 3f2a…" for secrets; null for other findings. */
export const secretLabel = (f: CodeFinding): string | null => (f.secret ? `${f.secret.kind}, fingerprint ${f.secret.fingerprint}` : null);

/**
 * Files passed over that did not make the result partial (symbolic links, devices): worth a note,
 * except those the audit's problems already name as not read. An audit of a directory lists it
 * once for the manifests and the code scan (directory-walk.ts), so a link leading out of the tree
 * is met twice: the manifest listing or read refuses it (a problem, and a partial reason) and the
 * scan passes over it (this note). Both records stay as they are, each true of its own part (JSON
 * keeps `errors` and `code.skipped`, SARIF says only the partial reason); only a report read by a
 * person says the link once, by the stronger of the two: the problem.
 */
export function passedOver(scan: ScanResult, problems: readonly ExtractError[]): SkippedFile[] {
  const notRead = new Set(problems.filter((e) => isUnread(e) && e.line === null).map((e) => e.file));
  return scan.skipped.filter((s) => !s.partial && !notRead.has(s.path));
}

/** Scan notes that are not partial reasons (those are listed with the partial result). */
export const scanNotes = (scan: ScanResult) => scan.notes.filter((n) => !isPartialNote(n));
