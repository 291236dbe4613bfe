/**
 * The `/audit` state on the replica's SQLite file: the synchronous stores of src/store/audits.ts,
 * ignores.ts and fix-pulls.ts behind the async interface. A revision reads and writes inside one
 * better-sqlite3 transaction, so nothing runs between reading the ignores and storing the result.
 */
import type { PullState } from '../../github/fix-pull-request.js';
import { AuditStore } from '../audits.js';
import type { Db } from '../db.js';
import { FixPullStore } from '../fix-pulls.js';
import { IgnoreStore, toIgnoreRule } from '../ignores.js';
import { lookupOf, type AuditRecord, type AuditStateStore, type AuditViewer, type FixPullRecord, type NewAudit, type NewIgnore, type ReviseResult } from './types.js';

export class SqliteAuditState implements AuditStateStore {
  readonly dialect = 'sqlite' as const;
  private readonly audits: AuditStore;
  private readonly ignores: IgnoreStore;
  private readonly fixPulls: FixPullStore;

  constructor(private readonly db: Db) {
    this.audits = new AuditStore(db);
    this.ignores = new IgnoreStore(db);
    this.fixPulls = new FixPullStore(db);
  }

  async insertAudit(audit: NewAudit) {
    return this.audits.insert(audit);
  }

  async getAudit(id: number) {
    return this.audits.get(id);
  }

  async setReply(id: number, channel: string, ts: string) {
    this.audits.setReply(id, channel, ts);
  }

  async setReplyParts(id: number, parts: readonly string[]) {
    this.audits.setReplyParts(id, parts);
  }

  async reviseResult(id: number, revise: ReviseResult) {
    return this.db.transaction(() => this.revise(id, revise))();
  }

  async recentAudits(limit: number, viewer: AuditViewer) {
    return this.audits.recent(limit, viewer);
  }

  async latestAuditForRepo(repo: string) {
    return this.audits.latestForRepo(repo);
  }

  async addIgnore(ignore: NewIgnore & { auditId: number }, revise: ReviseResult) {
    return this.db.transaction(() => ({ ...this.ignores.add(ignore), audit: this.revise(ignore.auditId, revise) }))();
  }

  async ignoresForRepo(repo: string) {
    return this.ignores.forRepo(repo);
  }

  async ignoreRulesForRepo(repo: string) {
    return this.ignores.rulesForRepo(repo);
  }

  async repoIgnoreLookup() {
    return lookupOf(this.ignores.all().map((ignore) => ({ repoKey: ignore.repoKey, rule: toIgnoreRule(ignore) })));
  }

  async fixPull(auditId: number) {
    return this.fixPulls.get(auditId);
  }

  async saveFixPull(record: FixPullRecord, openedBy: string, at: Date) {
    this.fixPulls.save(record, openedBy, at);
  }

  async setFixPullState(auditId: number, state: PullState, at: Date) {
    this.fixPulls.setState(auditId, state, at);
  }

  async latestFixPulls(repos: readonly string[]) {
    const out = new Map<string, FixPullRecord>();
    for (const repo of new Set(repos)) {
      const pull = this.fixPulls.latestForRepo(repo);
      if (pull) out.set(repo, pull);
    }
    return out;
  }

  async openFixPulls() {
    return this.fixPulls.open();
  }

  private revise(id: number, revise: ReviseResult): AuditRecord | undefined {
    const record = this.audits.get(id);
    if (!record) return undefined;
    const result = revise(record, this.ignores.rulesForRepo(record.repo));
    return { ...record, result, ...this.audits.updateResult(id, result) };
  }
}
