/**
 * What `/audit` replies and their buttons keep (issue 13 item 4): the audits run from Slack, the
 * per-repository ignores of the Ignore… modal, and the fix pull requests opened from a reply. An
 * async interface with two implementations, like the watch and incident states: SQLite (sqlite.ts,
 * wrapping src/store/audits.ts, ignores.ts and fix-pulls.ts unchanged) and PostgreSQL (postgres.ts,
 * shared by replicas, so a button pressed under a reply works on whichever replica Slack reaches).
 *
 * A reply's stored result is changed only through `reviseResult` and `addIgnore`, each one
 * transaction that locks the audit's row and reads the repository's ignores inside it: an Ignore…
 * saved on one replica while another finishes the audit's second stage is never lost.
 */
import type { AuditResult } from '../../audit/audit.js';
import type { IgnoreRule } from '../../audit/ignores.js';
import type { PullState } from '../../github/fix-pull-request.js';
import type { AuditRecord, AuditSummary, AuditViewer, NewAudit } from '../audits.js';
import type { FixPullRecord } from '../fix-pulls.js';
import type { NewIgnore, StoredIgnore } from '../ignores.js';

export type { AuditRecord, AuditSummary, AuditViewer, FixPullRecord, NewAudit, NewIgnore, StoredIgnore };

/** A new result for an audit, worked out from what it holds and the repository's ignores as they are now. */
export type ReviseResult = (record: AuditRecord, repoIgnores: IgnoreRule[]) => AuditResult;

/** Every repository's Slack ignores, read at once (a sweep or a digest asks for hundreds of repositories). */
export type RepoIgnoreLookup = (repo: string) => IgnoreRule[];

export interface AuditStateStore {
  readonly dialect: 'sqlite' | 'postgres';

  // ---------------------------------------------------------------- audits
  insertAudit(audit: NewAudit): Promise<AuditRecord>;
  getAudit(id: number): Promise<AuditRecord | undefined>;
  /** Where the reply was posted, so later edits update that message. */
  setReply(id: number, channel: string, ts: string): Promise<void>;
  /** The reply's thread continuation messages, as they are now (replaced whole). */
  setReplyParts(id: number, parts: readonly string[]): Promise<void>;
  /** Replaces an audit's result with `revise`'s, counts kept in step; undefined when the audit is gone. */
  reviseResult(id: number, revise: ReviseResult): Promise<AuditRecord | undefined>;
  /** Newest first, one per repository, as `viewer` may see them (App Home). */
  recentAudits(limit: number, viewer: AuditViewer): Promise<AuditSummary[]>;
  latestAuditForRepo(repo: string): Promise<AuditSummary | undefined>;

  // ---------------------------------------------------------------- ignores (per repository)
  /**
   * Stores an ignore and, in the same transaction, revises the audit it was made from (`ignore.auditId`).
   * It replaces the repository's earlier ignore of the same advisory (any casing) and package (or
   * every package), returned as `replaced`: one row each, however often or at once it is saved.
   */
  addIgnore(ignore: NewIgnore & { auditId: number }, revise: ReviseResult): Promise<{ ignore: StoredIgnore; replaced: StoredIgnore | null; audit: AuditRecord | undefined }>;
  ignoresForRepo(repo: string): Promise<StoredIgnore[]>;
  /** The repository's ignores as audit rules. */
  ignoreRulesForRepo(repo: string): Promise<IgnoreRule[]>;
  /** Every repository's ignores as rules, read in one query. */
  repoIgnoreLookup(): Promise<RepoIgnoreLookup>;

  // ---------------------------------------------------------------- fix pull requests
  fixPull(auditId: number): Promise<FixPullRecord | undefined>;
  saveFixPull(record: FixPullRecord, openedBy: string, at: Date): Promise<void>;
  setFixPullState(auditId: number, state: PullState, at: Date): Promise<void>;
  /** The newest fix pull request of each repository (`owner/name`) that has one, whatever its state: one read for an alerts job. */
  latestFixPulls(repos: readonly string[]): Promise<Map<string, FixPullRecord>>;
  /** Pull requests still open (the sweep checks whether they were merged or closed). */
  openFixPulls(): Promise<FixPullRecord[]>;
}

/** Groups ignores by repository key (lower case owner/repo), in the order given. */
export function lookupOf(rules: ReadonlyArray<{ repoKey: string; rule: IgnoreRule }>): RepoIgnoreLookup {
  const byRepo = new Map<string, IgnoreRule[]>();
  for (const { repoKey, rule } of rules) {
    const list = byRepo.get(repoKey);
    if (list) list.push(rule);
    else byRepo.set(repoKey, [rule]);
  }
  return (repo) => byRepo.get(repo.toLowerCase()) ?? [];
}
