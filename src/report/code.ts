/**
 * What every format says about code and configuration findings (AuditResult.code): their counts
 * and where a finding is. A secret is shown by its kind and fingerprint; its value is not in the
 * finding at all (src/scan/types.ts), so no format can print it.
 */
import { isPartialNote, type CodeFinding, type ScanResult } from '../scan/types.js';

/** `file:line:column`, or the file alone for a finding about the whole file. */
export const codePlace = (f: CodeFinding): string => (f.line === null ? f.file : `${f.file}:${f.line}${f.column !== null ? `:${f.column}` : ''}`);

/** "AWS access key id, fingerprint 3f2a…" for secrets; null for other findings. */
export const secretLabel = (f: CodeFinding): string | null => (f.secret ? `${f.secret.kind}, fingerprint ${f.secret.fingerprint}` : null);

/** Files passed over that did not make the result partial (symbolic links, devices): worth a note. */
export const passedOver = (scan: ScanResult) => scan.skipped.filter((s) => !s.partial);

/** Scan notes that are not partial reasons (those are listed with the partial result). */
export const scanNotes = (scan: ScanResult) => scan.notes.filter((n) => !isPartialNote(n));
