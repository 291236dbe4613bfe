/**
 * How one audit's findings change what a repository has open: which rows are written, which are
 * closed, and the diff the sweep and the alerts act on. Pure, so the SQLite and the PostgreSQL
 * stores (src/store/watches.ts, src/store/watch-state/postgres.ts) decide alike and differ only in
 * how they run the writes.
 */
import type { Finding } from '../audit/findings.js';
import type { FindingRow, FindingsDiff } from './watches.js';

/** One audit's findings for a repository, to diff against what was open. */
export interface FindingsUpdate {
  repo: string;
  findings: Finding[];
  keyOf: (f: Finding) => string;
  sha: string | null;
  now: Date;
  /** Only findings of these kinds take part (a re-match of advisories touches vulnerabilities only). */
  kinds?: ReadonlySet<string>;
  /** A repository's first audit: its baseline, stored but not alerted (the sweep tells the watching channels what it holds instead). */
  baseline: boolean;
  /**
   * In a baseline: when a finding's advisory was published or modified, if that was after the
   * repository was first watched (ISO-8601), else undefined. Such a finding alerts as a new advisory
   * would have, had the baseline been taken when the watch was made, in each channel that watched
   * before that time (FindingRow.newSince). Absent: none was.
   */
  newSinceWatched?: (finding: Finding) => string | undefined;
  /**
   * Whether a finding's package, at its version, is new in the repository with this audit (it was
   * not among the last audit's packages): its new findings are then recorded as having arrived with
   * the dependency (FindingRow.dependencyAddedAt). Absent: none is (a re-match changes no package).
   */
  newDependency?: (finding: Finding) => boolean;
  /** False: nothing missing from `findings` is closed (the audit cannot vouch for any of it). */
  closeMissing?: boolean;
  /** Whether a missing open finding may be closed (false for one from a file the audit did not read). */
  mayClose?: (finding: Finding) => boolean;
  /**
   * Why a missing finding is closed without being fixed, in words (its file is now excluded: no
   * longer checked; an ignore now covers it: still there), or null when it is gone from what the
   * audit read (fixed).
   */
  closedReason?: (finding: Finding) => string | null;
}

/** An open finding as stored, with its JSON text (to tell an unchanged one without a write). */
export type OpenFinding = FindingRow & { json: string };

/** A finding to insert, or to update in place (reopening it when it was fixed). */
export interface FindingWrite {
  key: string;
  finding: Finding;
  json: string;
  /** Alertable when newly inserted; a finding still open keeps what it had. */
  alertable: boolean;
  /** When newly inserted: the audit's time when it arrived with its dependency, else null; a finding still open keeps what it had. */
  dependencyAddedAt: string | null;
  /** When newly inserted: FindingRow.newSince; a finding still open keeps what it had. */
  newSince: string | null;
}

export interface FindingsPlan {
  diff: FindingsDiff;
  writes: FindingWrite[];
  /** Open findings to close (at `now`): fixed by `sha` when `reason` is null, else closed for that reason (no sha: nothing fixed them). */
  closes: { key: string; reason: string | null }[];
}

export function planFindings(open: readonly OpenFinding[], input: FindingsUpdate): FindingsPlan {
  const at = input.now.toISOString();
  const taking = (kind: string) => !input.kinds || input.kinds.has(kind);
  const considered = open.filter((r) => taking(r.kind));
  const openByKey = new Map(considered.map((r) => [r.key, r]));
  const seen = new Set<string>();
  const plan: FindingsPlan = { diff: { added: [], stillOpen: [], fixed: [], excluded: [] }, writes: [], closes: [] };
  for (const finding of input.findings) {
    if (!taking(finding.kind)) continue;
    const key = input.keyOf(finding);
    if (seen.has(key)) continue;
    seen.add(key);
    const previous = openByKey.get(key);
    const json = JSON.stringify(finding);
    // Still open and unchanged: nothing to write (a sweep over a fleet is mostly this).
    const unchanged = previous !== undefined && previous.json === json;
    const dependencyAddedAt = previous ? (previous.dependencyAddedAt ?? null) : !input.baseline && input.newDependency?.(finding) ? at : null;
    const newSince = previous ? (previous.newSince ?? null) : input.baseline ? (input.newSinceWatched?.(finding) ?? null) : null;
    const alertable = previous ? previous.alertable : !input.baseline || newSince !== null;
    if (!unchanged) plan.writes.push({ key, finding, json, alertable, dependencyAddedAt, newSince });
    const row: FindingRow = {
      repo: input.repo,
      key,
      kind: finding.kind,
      severity: finding.severity,
      package: finding.package,
      version: finding.version,
      advisoryId: finding.id ?? null,
      finding,
      firstSeen: previous?.firstSeen ?? at,
      lastSeen: unchanged ? previous.lastSeen : at,
      fixedAt: null,
      fixedBySha: null,
      closedReason: null,
      alertable,
      dependencyAddedAt,
      newSince,
    };
    (previous ? plan.diff.stillOpen : plan.diff.added).push(row);
  }
  for (const row of considered) {
    if (seen.has(row.key) || input.closeMissing === false || input.mayClose?.(row.finding) === false) continue;
    const { json: _json, ...closed } = row;
    // A finding whose file is now excluded, or that an ignore now covers, was not fixed: it says why.
    const reason = input.closedReason?.(row.finding) ?? null;
    plan.closes.push({ key: row.key, reason });
    if (reason === null) plan.diff.fixed.push({ ...closed, fixedAt: at, fixedBySha: input.sha, closedReason: null });
    else plan.diff.excluded.push({ ...closed, fixedAt: at, fixedBySha: null, closedReason: reason });
  }
  return plan;
}
