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
import type { RepoPartialReason, RepoSummary } from '../store/watches.js';
import type { SweepProblems } from '../store/watch-state/types.js';

/**
 * The reasons to store for an audit and the code scan of the same commit (`scan`: its result, or
 * what it threw; absent: code scanning is off). One line each, as the /audit reply says them.
 */
export function repoPartialReasons(audit: Pick<AuditResult, 'partialReasons' | 'warnings'>, scan?: { result: ScanResult } | { error: unknown }): RepoPartialReason[] {
  const reasons: PartialReason[] = [...reasonsOf(audit)];
  if (scan && 'result' in scan) for (const r of scanPartialReasons(scan.result)) reasons.push(r);
  // The scan throwing (not one that said why it did not run) is taken as passing: it is tried again.
  else if (scan) reasons.push({ kind: 'unscanned', message: `code and configuration were not scanned: ${errorLine(scan.error)}`, transient: true });
  return forReaders(reasons).map((r) => ({
    // A clean re-match of the same commit looks up advisories only: what it checks again is kept as
    // `advisories` (it clears those itself), the registry not reached stays a data-source reason.
    kind: r.kind === 'data-source' && r.unreached !== 'registry' ? 'advisories' : r.kind,
    text: describeReason(r),
    transient: r.transient === true,
  }));
}

/**
 * Whether an unchanged repository is audited again in full rather than re-matched: its last audit
 * was partial for a reason that may pass (PyPI or GitHub not reached, the code scan not run because
 * GitHub failed), which a re-match does not check again (it looks up advisories only, and clears
 * the `advisories` kind itself). A reason that gives the same answer at the same commit (a file too
 * large, a line that does not parse) does not: a permanently partial repository is not read again
 * on every sweep. Reasons stored before `transient` was kept are not known to be either: audited
 * once more, which stores them with it.
 */
export function needsRecheck(reasons: readonly RepoPartialReason[]): boolean {
  return reasons.some((r) => r.kind !== 'advisories' && r.transient !== false);
}

/** "poetry.lock:4 not read completely: …", and how many more there are (those not stored too): the one line a list has room for. */
export function firstReason(reasons: readonly RepoPartialReason[]): string {
  const [first, ...rest] = reasons;
  if (!first) return '';
  const more = rest.reduce((n, r) => n + (r.omitted ?? 1), 0);
  return more > 0 ? `${first.text} (+${more} more)` : first.text;
}

/**
 * The repositories a digest covers that were not fully checked, and how many it covers: each with
 * why (its last sweep failed, its last audit was partial, it was never audited). Absent when every
 * one was checked in full. Kept in the digest's data (optional: older outbox rows have none).
 */
export interface NotFullyChecked {
  /** How many repositories the digest covers. */
  of: number;
  repos: { repo: string; why: string }[];
  /** Sweeps have been partial as a whole since `since` (sweep_status), and the last one's problems. */
  sweep?: { since: string; problems: string[]; more?: number };
}

/**
 * What a reader's content depends on: the kinds of stored reasons that concern it, and whether sweeps
 * that could not look up advisories do. A sweep error and "never audited" concern every reader; a
 * kind this version does not know (a later version's) too, failing closed.
 */
export interface Concerns {
  kinds: ReadonlySet<RepoPartialReason['kind']>;
  sweepProblems: boolean;
}

const KNOWN_KINDS: ReadonlySet<string> = new Set<RepoPartialReason['kind']>(['unread', 'no-manifests', 'data-source', 'advisories', 'unscanned']);

/**
 * `states`: the covered repositories' stored state (absent: never swept); `display`: how to name
 * one; `concerns`: what the reader's content depends on (reasons of other kinds are left out).
 */
export function notFullyChecked(repos: readonly string[], states: ReadonlyMap<string, Pick<RepoSummary, 'error' | 'auditedSha' | 'partialReasons'>>, display: (repo: string) => string, sweep: SweepProblems | null, concerns: Concerns): NotFullyChecked | undefined {
  const out: NotFullyChecked['repos'] = [];
  const concerning = (r: RepoPartialReason) => concerns.kinds.has(r.kind) || !KNOWN_KINDS.has(r.kind);
  for (const repo of repos) {
    const s = states.get(repo);
    const reasons = s ? s.partialReasons.filter(concerning) : [];
    const why = !s ? 'never audited' : s.error ? `error: ${s.error}` : !s.auditedSha ? 'never audited' : reasons.length ? firstReason(reasons) : null;
    if (why) out.push({ repo: display(repo), why });
  }
  const ongoing = concerns.sweepProblems && sweep && sweep.recoveredAt === null && sweep.problems.length > 0 ? { since: sweep.since, problems: sweep.problems, ...(sweep.more > 0 ? { more: sweep.more } : {}) } : null;
  if (out.length === 0 && !ongoing) return undefined;
  return { of: repos.length, repos: out, ...(ongoing ? { sweep: ongoing } : {}) };
}

/**
 * The sweep warnings that mean advisories were not looked up for some repositories, by how each
 * starts where it is made. Only these are sweep problems: a positive list, so a warning added later
 * (say, one about the data's quality) never turns into "could not check for new advisories" by
 * itself. Warnings about advisories that were looked up — a range that cannot be read (matched fail
 * closed), ratings unavailable, findings kept open for data this replica lacks — are not: they are
 * said on the repositories' own partial reasons.
 */
const NOT_LOOKED_UP: readonly string[] = [
  // src/watch/sweep.ts and src/jobs/sweep-batches.ts: OSV could not be refreshed, the mirror held was used in its place.
  'advisory refresh failed (',
  // src/watch/sweep.ts: the re-match job itself failed.
  're-matching failed (',
  // src/workers/jobs/rematch.ts: the advisory source failed during the re-match.
  'advisories unavailable (',
  // src/jobs/sweep-batches.ts: a batch of repositories was lost.
  'sweep batch ',
  // src/jobs/sweep-batches.ts: the batch's replica held advisory data older than the sweep's.
  "advisory data older than the sweep's",
  // src/watch/sweep.ts baselineWaiting: newly watched repositories whose baseline could not read the advisories.
  'baseline waiting: ',
];

/**
 * What a sweep could not do as a whole, as the watch state keeps it (sweep_status): its warnings
 * that mean advisories were not looked up (NOT_LOOKED_UP). A repository's own failure is kept on its
 * state and said per repository instead.
 */
export function sweepProblemsOf(result: { warnings: readonly string[] }): string[] {
  return result.warnings.filter((w) => NOT_LOOKED_UP.some((start) => w.startsWith(start)));
}
