/**
 * An audit and a code scan of the same tree, reported as one result: the dependency findings stay
 * where they are, the code and configuration findings ride along in `code`, and whatever the scan
 * could not check makes the whole result partial (fail closed: a file too large to scan hides its
 * secrets as surely as an unread manifest hides its pins).
 */
import { describeExclusion, type Exclusion } from './exclude.js';
import { atOrAbove, type Finding, type Severity } from './findings.js';
import type { AuditResult } from './audit.js';
import { reasonsOf, type PartialReason } from './partial.js';
import { isPartialNote, type CodeFinding, type ScanNote, type ScanResult } from '../scan/types.js';

/** The scan's own reasons for being partial, in the audit's terms: files not scanned, rules that failed, findings not listed. */
export function scanPartialReasons(scan: ScanResult): PartialReason[] {
  const reasons: PartialReason[] = scan.skipped
    .filter((s) => s.partial)
    .map((s) => ({ kind: 'unscanned', file: s.path, line: null, message: s.message, ...(s.unlistedBecause !== undefined ? { unlistedBecause: s.unlistedBecause } : {}), ...(s.transient ? { transient: true as const } : {}) }));
  for (const n of scan.notes) if (isPartialNote(n)) reasons.push({ kind: 'unscanned', ...(n.file !== undefined ? { file: n.file, line: null } : {}), message: n.message });
  return reasons;
}

/**
 * The scan's `excluded` notes are said with the audit's exclusions (withScanExclusions). A scan
 * handed the audit's parse of `.depwatch.yml` (a checkout) notes nothing about it; one that read
 * the file itself (a commit's scan, from the archive and cached apart from any audit) notes what
 * the audit of the same commit notes about that file: the audit says those, once.
 */
export function withCodeScan(result: AuditResult, scan: ScanResult): AuditResult {
  const scanReasons = scanPartialReasons(scan);
  const partialReasons = [...reasonsOf(result), ...scanReasons];
  const noted = new Set(result.notes.flatMap((n) => (n.kind === 'invalid' && n.settingsFile !== undefined ? [n.settingsFile] : [])));
  const saidByAudit = (n: ScanNote) => n.kind === 'excluded' || (n.kind === 'invalid' && n.settingsFile !== undefined && noted.has(n.settingsFile));
  const deduped = scan.notes.some(saidByAudit) ? { ...scan, notes: scan.notes.filter((n) => !saidByAudit(n)) } : scan;
  const code = withoutCredentialsTheAuditReports(deduped, result);
  return { ...result, ...withScanExclusions(result, scan), code, partial: result.partial || scanReasons.length > 0, partialReasons };
}

/**
 * A code scan alone (`depwatch scan --sarif`) as a result the audit's reports take: no dependency
 * findings, nothing audited, and the scan partial exactly as it is (its reasons the result's).
 */
export function scanOnlyResult(target: string, scan: ScanResult): AuditResult {
  // No advisory was asked: `advisorySource` is required by the type and read by none of the reports a scan is given to (SARIF).
  const none: AuditResult = { target, dependencies: 0, findings: [], ignored: [], notes: [], errors: [], warnings: [], notices: [], partial: false, partialReasons: [], advisorySource: 'mirror' };
  return withCodeScan(none, scan);
}

/**
 * A password in an index URL of a manifest is the audit's finding (extra-index-url, `credentials`),
 * read whether or not the scan runs: the scan's `secret-url-password` on the same file and line is
 * the same credential, one finding, not two.
 */
function withoutCredentialsTheAuditReports(scan: ScanResult, result: AuditResult): ScanResult {
  const place = (file: string, line: number | null) => `${file}\0${line ?? ''}`;
  // (A result built by hand may hold neither list.)
  const reported = new Set([...(result.findings ?? []), ...(result.ignored ?? [])].flatMap((f) => (f.kind === 'extra-index-url' && f.details?.credentials === true && f.file ? [place(f.file, f.line ?? null)] : [])));
  if (reported.size === 0) return scan;
  const same = (f: CodeFinding) => f.rule === 'secret-url-password' && reported.has(place(f.file, f.line));
  if (!scan.findings.some(same) && !scan.ignored.some(same)) return scan;
  return { ...scan, findings: scan.findings.filter((f) => !same(f)), ignored: scan.ignored.filter((f) => !same(f)) };
}

/**
 * What `exclude:` left unread, said once for the audit and the scan together: each entry's line
 * counts the files the scan did not read and the manifests among them the audit did not, in place
 * of the audit's own line (manifests only) and the scan's `excluded` note (files only).
 */
function withScanExclusions(result: AuditResult, scan: ScanResult): Pick<AuditResult, 'notices' | 'exclusions'> | Record<string, never> {
  const fromScan = scan.notes.flatMap((n) => (n.kind === 'excluded' && n.exclusion ? [n.exclusion] : []));
  if (fromScan.length === 0) return {};
  const key = (e: Exclusion) => `${e.source}\0${e.path}`;
  const audited = new Map((result.exclusions ?? []).map((e) => [key(e), e]));
  const both = fromScan.map((e) => ({ ...e, manifests: audited.get(key(e))?.manifests ?? 0 }));
  const merged = new Set(both.map(key));
  const replaced = new Set((result.exclusions ?? []).filter((e) => merged.has(key(e))).map((e) => describeExclusion(e)));
  return {
    notices: [...result.notices.filter((n) => !replaced.has(n)), ...both.map((e) => describeExclusion(e))],
    exclusions: [...(result.exclusions ?? []).filter((e) => !merged.has(key(e))), ...both],
  };
}

/**
 * A credential written into an index URL of a manifest: the audit's finding, which stands in for the
 * scan's `secret-url-password` on the same line (withoutCredentialsTheAuditReports). It fails a gate
 * that names no level as that secret does, with or without the code scan: a password anyone who can
 * read the repository can use is as urgent as a vulnerability, and dropping the duplicate must not
 * turn a failing run into a passing one.
 */
export function isCommittedCredential(f: Finding): boolean {
  return f.kind === 'extra-index-url' && f.details?.credentials === true;
}

/**
 * The level at which code findings fail a gate that names none (`depwatch audit` without
 * --fail-on): a hardcoded credential or `eval` of input is as urgent as a known vulnerability,
 * while medium and low findings are advice, like outdated releases.
 */
export const DEFAULT_CODE_FAIL_LEVEL: Severity = 'high';

/** Code findings at or above `level` (worst first, as the scan orders them). */
export function codeFindingsAtOrAbove(scan: ScanResult | undefined, level: Severity): CodeFinding[] {
  return scan ? scan.findings.filter((f) => atOrAbove(f.severity, level)) : [];
}
