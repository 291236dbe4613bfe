/**
 * Rows of the watch tables as either store returns them, mapped to what the code uses. One mapping
 * for both: better-sqlite3 gives flags as 0/1 and ids as numbers, pg gives booleans and (BIGSERIAL)
 * ids as strings; everything else (ISO-8601 text, JSON as text) is stored alike (docs/store.md).
 */
import type { Finding } from '../audit/findings.js';
import type { IgnoreRule } from '../audit/ignores.js';
import { storedErrorText, type AffectedRepo, type AlertRow, type FindingRow, type RepoPartialReason, type RepoStateRow, type RepoSummary, type StoredPackage, type WatchRow } from './watches.js';
import type { SweepProblems } from './watch-state/types.js';

/** A boolean column: 0/1 in SQLite, true/false in PostgreSQL. */
type Flag = number | boolean;
const isSet = (flag: Flag): boolean => flag === true || flag === 1;

/** JSON kept as text; unreadable text reads as the fallback rather than failing the whole query. */
export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export interface FindingDbRow {
  repo: string;
  key: string;
  kind: string;
  severity: string;
  package: string | null;
  version: string | null;
  advisory_id: string | null;
  json: string;
  first_seen: string;
  last_seen: string;
  fixed_at: string | null;
  fixed_by_sha: string | null;
  /** migrations/032 (SQLite), postgres/013: absent from rows of a database not yet migrated. */
  closed_reason?: string | null;
  alertable: Flag;
  /** migrations/036 (SQLite), postgres/017: absent from rows of a database not yet migrated. */
  dependency_added_at?: string | null;
  /** migrations/040 (SQLite), postgres/020: absent from rows of a database not yet migrated. */
  new_since?: string | null;
}

export const toFinding = (r: FindingDbRow): FindingRow => ({
  repo: r.repo,
  key: r.key,
  kind: r.kind as Finding['kind'],
  severity: r.severity as Finding['severity'],
  package: r.package,
  version: r.version,
  advisoryId: r.advisory_id,
  finding: parseJson<Finding>(r.json, { kind: r.kind as Finding['kind'], severity: r.severity as Finding['severity'], package: r.package, version: r.version, file: null, line: null, fix: { version: null, text: '' } }),
  firstSeen: r.first_seen,
  lastSeen: r.last_seen,
  fixedAt: r.fixed_at,
  fixedBySha: r.fixed_by_sha,
  closedReason: r.closed_reason ?? null,
  alertable: isSet(r.alertable),
  dependencyAddedAt: r.dependency_added_at ?? null,
  newSince: r.new_since ?? null,
});

export interface AlertDbRow {
  id: number | string;
  channel: string;
  advisory_id: string;
  client_key: string;
  state: string;
  message_ts: string | null;
  affected_json: string;
  attempts: number;
  last_error: string | null;
  recorded_at: string;
  posted_at: string | null;
  resolved_at: string | null;
  updated_at: string;
}

export const toAlert = (r: AlertDbRow): AlertRow => ({
  id: Number(r.id),
  channel: r.channel,
  advisoryId: r.advisory_id,
  clientKey: r.client_key,
  state: r.state as AlertRow['state'],
  messageTs: r.message_ts,
  affected: parseJson<AffectedRepo[]>(r.affected_json, []),
  attempts: r.attempts,
  lastError: r.last_error,
  recordedAt: r.recorded_at,
  postedAt: r.posted_at,
  resolvedAt: r.resolved_at,
  updatedAt: r.updated_at,
});

export interface WatchDbRow {
  repo: string;
  channel: string;
  added_by: string;
  added_at: string;
  private: Flag;
  admin_linked: Flag;
  /** migrations/038 (SQLite), postgres/019: absent from rows of a database not yet migrated. */
  baseline_said_at?: string | null;
  /** migrations/040 (SQLite), postgres/020: JSON string[]; null when not kept. */
  baseline_said_ids?: string | null;
}

/** The ids a watch's "Now watching" message counted; null when not kept, or unreadable (the rule of before: nothing is new to the view by it). */
function saidIdsOf(text: string | null | undefined): string[] | null {
  const parsed = parseJson<unknown>(text, null);
  return Array.isArray(parsed) && parsed.every((id) => typeof id === 'string') ? (parsed as string[]) : null;
}

export const toWatch = (r: WatchDbRow): WatchRow => ({
  repo: r.repo,
  channel: r.channel,
  addedBy: r.added_by,
  addedAt: r.added_at,
  private: isSet(r.private),
  adminLinked: isSet(r.admin_linked),
  baselineSaidAt: r.baseline_said_at ?? null,
  baselineSaid: saidIdsOf(r.baseline_said_ids),
});

export interface StateDbRow {
  repo: string;
  display: string;
  html_url: string | null;
  private: Flag;
  head_oid: string | null;
  audited_sha: string | null;
  audited_at: string | null;
  packages_json: string | null;
  ignores_json: string | null;
  dependencies: number | null;
  error: string | null;
  error_at: string | null;
  checked_at: string | null;
  advisories_mark: string | null;
  /** migrations/034 (SQLite), postgres/015: JSON RepoPartialReason[], or null when complete. */
  partial_reasons?: string | null;
  /** migrations/038 (SQLite), postgres/019: when a sweep first read the advisories for it; null: not yet baselined. */
  baseline_at?: string | null;
}

/**
 * sweep_status's second row: what the pull-request reviews could not list, kept from sweep to sweep
 * as the JSON text src/watch/pr-review/listing-notice.ts writes (in `problems`; `since`: when it was
 * first written). Readers of the sweep's own row ask for id 'sweep', so they never see it.
 */
export const PULL_LISTING_ID = 'pull-requests';

/**
 * sweep_status's third row: the messages naming pull requests not reviewed that still stand, kept
 * from sweep to sweep as the JSON text src/watch/pr-review/not-reviewed-notice.ts writes (in
 * `problems`), so the sweep after the outage edits them on any replica, after any restart.
 */
export const PULL_NOT_REVIEWED_ID = 'pull-requests-not-reviewed';

export interface SweepStatusDbRow {
  problems: string | null;
  since: string | null;
  /** migrations/035 (SQLite), postgres/016; NULL in rows written before it. */
  problems_since?: string | null;
  recovered_at: string | null;
  updated_at: string | null;
}

/**
 * sweep_status's row, or null when no run of partial sweeps was ever recorded. A run goes on while
 * `problems` is set; `recovered_at` is the last recovery, kept while a new run goes on (the notice's
 * cool-down, src/watch/sweep-notice.ts).
 */
export const toSweepProblems = (r: SweepStatusDbRow | undefined): SweepProblems | null => {
  if (!r?.since) return null;
  const ongoing = r.problems !== null;
  const stored = parseJson<unknown>(r.problems, []);
  const items: unknown[] = Array.isArray(stored) ? stored : [];
  const problems = items.filter((p): p is string => typeof p === 'string');
  const more = items.find((p): p is number => typeof p === 'number' && Number.isSafeInteger(p) && p > 0) ?? 0;
  return {
    problems: ongoing ? problems : [],
    more: ongoing ? more : 0,
    since: r.since,
    problemsSince: (ongoing && r.problems_since) || r.since,
    lastAt: r.updated_at ?? r.since,
    recoveredAt: ongoing ? null : r.recovered_at,
    previousRecoveredAt: ongoing ? r.recovered_at : null,
  };
};

/**
 * sweep_status.problems as stored: masked, each line capped, at most MAX_SWEEP_PROBLEMS lines, then
 * how many more there were as a number (a reader that predates it keeps the strings only).
 */
export const sweepProblemsColumn = (problems: readonly string[]): string => {
  const kept = problems.slice(0, MAX_SWEEP_PROBLEMS).map(storedErrorText);
  return JSON.stringify(problems.length > kept.length ? [...kept, problems.length - kept.length] : kept);
};
const MAX_SWEEP_PROBLEMS = 10;

/**
 * A sweep problem without the detail that changes from one sweep to the next in one outage. Each
 * says what failed, then the error in parentheses (errorLine: request ids, timings, statuses), and
 * a lost batch says which by number ("sweep batch 3 of 7 failed (…): its 250 repositories …";
 * src/watch/partial-state.ts NOT_LOOKED_UP lists where they are made): what is in parentheses is
 * dropped, and every run of digits reads as `#`. One pass, nesting counted.
 */
function problemMeaning(problem: string): string {
  const out: string[] = [];
  let depth = 0;
  for (const ch of problem) {
    if (ch === '(') {
      if (depth++ === 0) out.push('()');
    } else if (ch === ')' && depth > 0) depth--;
    else if (depth === 0 && ch >= '0' && ch <= '9') {
      if (out[out.length - 1] !== '#') out.push('#');
    } else if (depth === 0) out.push(ch);
  }
  return out.join('');
}

/**
 * Whether two sweep_status.problems values say the same problems in what they mean (problemMeaning,
 * as a set: order and how many batches were lost aside), so that a run whose sweeps fail the same
 * way with other details keeps its problems_since, and its notice is not edited on every sweep.
 */
export function sameSweepProblems(stored: string | null, next: string): boolean {
  if (stored === null) return false;
  const meanings = (column: string) => {
    const parsed = parseJson<unknown>(column, []);
    const items: unknown[] = Array.isArray(parsed) ? parsed : [];
    return [...new Set(items.filter((p): p is string => typeof p === 'string').map(problemMeaning))].sort().join('\n');
  };
  return meanings(stored) === meanings(next);
}

/** The `repo_state` columns of a RepoSummary: none of the JSON ones. */
export const REPO_SUMMARY_COLUMNS = 'repo, display, html_url, private, audited_sha, dependencies, error, checked_at, partial_reasons, baseline_at';
export type RepoSummaryDbRow = Pick<StateDbRow, 'repo' | 'display' | 'html_url' | 'private' | 'audited_sha' | 'dependencies' | 'error' | 'checked_at' | 'partial_reasons' | 'baseline_at'>;

/** What a `partial_reasons` value that cannot be read (hand-edited, truncated, another shape) reads as: fail closed, on every reader. */
export const UNREADABLE_REASONS: RepoPartialReason = { kind: 'unread', text: 'stored reasons could not be read' };

/** The stored reasons as stored (extra fields kept), or null when the value cannot be read. */
function storedReasons(text: string): { kind: string; text: string; transient?: unknown; omitted?: unknown }[] | null {
  const parsed = parseJson<unknown>(text, null);
  if (!Array.isArray(parsed)) return null;
  const ok = parsed.every((r) => typeof r === 'object' && r !== null && typeof (r as { kind?: unknown }).kind === 'string' && typeof (r as { text?: unknown }).text === 'string');
  return ok ? (parsed as { kind: string; text: string; transient?: unknown; omitted?: unknown }[]) : null;
}

/**
 * Stored reasons, each checked for shape. A damaged value reads as one reason, UNREADABLE_REASONS,
 * alike on both stores: never as "complete", and never an error that fails the whole read.
 */
export function partialReasonsOf(text: string | null | undefined): RepoPartialReason[] {
  if (text === null || text === undefined || text === '') return [];
  const reasons = storedReasons(text);
  return reasons === null ? [UNREADABLE_REASONS] : reasons.map((r) => ({ kind: r.kind as RepoPartialReason['kind'], text: r.text, ...(typeof r.transient === 'boolean' ? { transient: r.transient } : {}), ...(typeof r.omitted === 'number' && Number.isSafeInteger(r.omitted) && r.omitted > 0 ? { omitted: r.omitted } : {}) }));
}

/**
 * `partial_reasons` after a clean re-match: without the advisory-source reasons (it checked them
 * again), in TypeScript so both stores agree. A damaged value is kept as it is (never cleaned, and
 * never an error: this runs in the fleet's one re-match transaction).
 */
export function withoutAdvisoryReasons(text: string | null | undefined): string | null {
  if (text === null || text === undefined || text === '') return null;
  const reasons = storedReasons(text);
  if (reasons === null) return text;
  const kept = reasons.filter((r) => r.kind !== 'advisories');
  return kept.length ? JSON.stringify(kept) : null;
}

export const toSummary = (r: RepoSummaryDbRow): RepoSummary => ({
  repo: r.repo,
  display: r.display,
  htmlUrl: r.html_url ?? null,
  private: isSet(r.private),
  auditedSha: r.audited_sha ?? null,
  dependencies: r.dependencies ?? 0,
  error: r.error ?? null,
  checkedAt: r.checked_at ?? null,
  partialReasons: partialReasonsOf(r.partial_reasons),
  baselineAt: r.baseline_at ?? null,
});

export const toState = (r: StateDbRow): RepoStateRow => ({
  ...toSummary(r),
  headOid: r.head_oid ?? null,
  auditedAt: r.audited_at ?? null,
  packages: parseJson<StoredPackage[]>(r.packages_json, []),
  ignores: parseJson<IgnoreRule[]>(r.ignores_json, []),
  errorAt: r.error_at ?? null,
  advisoriesMark: r.advisories_mark ?? null,
});
