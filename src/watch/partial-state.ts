/**
 * What the watch state keeps of a sweep audit that was partial (repo_state.partial_reasons), and how
 * /audit list and the digests say it: a repository whose lockfile could not be read, or whose code
 * could not be scanned, is "not fully checked", never "0 open vulnerabilities" alone.
 */
import type { AuditResult } from '../audit/audit.js';
import { scanPartialReasons } from '../audit/code-scan.js';
import { describeReason, forReaders, reasonsOf, type PartialReason } from '../audit/partial.js';
import { errorLine } from '../error-line.js';
import type { ScanResult } from '../scan/types.js';
import type { RepoPartialReason } from '../store/watches.js';

/** A data-source warning a clean re-match of the same commit does not check again (it looks up advisories only). */
const NOT_REMATCHED = 'package registry unavailable';

/**
 * The reasons to store for an audit and the code scan of the same commit (`scan`: its result, or
 * what it threw; absent: code scanning is off). One line each, as the /audit reply says them.
 */
export function repoPartialReasons(audit: Pick<AuditResult, 'partialReasons' | 'warnings'>, scan?: { result: ScanResult } | { error: unknown }): RepoPartialReason[] {
  const reasons: PartialReason[] = [...reasonsOf(audit)];
  if (scan && 'result' in scan) reasons.push(...scanPartialReasons(scan.result));
  else if (scan) reasons.push({ kind: 'unscanned', message: `code and configuration were not scanned: ${errorLine(scan.error)}` });
  return forReaders(reasons).map((r) => ({
    kind: r.kind === 'data-source' && !r.message.startsWith(NOT_REMATCHED) ? 'advisories' : r.kind,
    text: describeReason(r),
  }));
}

/** "poetry.lock:4 not read completely: …", and how many more there are: the one line a list has room for. */
export function firstReason(reasons: readonly RepoPartialReason[]): string {
  const [first] = reasons;
  if (!first) return '';
  return reasons.length > 1 ? `${first.text} (+${reasons.length - 1} more)` : first.text;
}
