/**
 * Incident state on SQLite: the synchronous functions of src/store/incidents.ts behind the async
 * interface, unchanged underneath. A change that announces is one better-sqlite3 IMMEDIATE
 * transaction around the existing one (which becomes its savepoint) and the outbox write, so the
 * state and the message that shows it are never one without the other.
 */
import type { Db } from '../db.js';
import * as sql from '../incidents.js';
import { SqliteOutbox } from '../outbox/sqlite.js';
import type { OutboundMessage } from '../outbox/types.js';
import type { IncidentSeverity, Step } from '../../incidents/types.js';
import type { Announce, IncidentSnapshot, IncidentStore, NewIncident, NewTimelineEvent, RemindDecision, StepChange } from './types.js';

export class SqliteIncidentStore implements IncidentStore {
  readonly dialect = 'sqlite' as const;
  readonly outbox: SqliteOutbox;

  constructor(
    readonly db: Db,
    outbox?: SqliteOutbox,
  ) {
    this.outbox = outbox ?? new SqliteOutbox(db);
  }

  private snapshot(incidentId: number): IncidentSnapshot | null {
    const incident = sql.getIncident(this.db, incidentId);
    if (!incident) return null;
    return { incident, steps: sql.listSteps(this.db, incidentId), roles: sql.listRoles(this.db, incidentId), messages: sql.listMessages(this.db, incidentId) };
  }

  /** Runs `change` and, when it changed something, writes what `announce` says: one transaction. */
  private announcing<T>(incidentId: number, now: string, announce: Announce | undefined, change: () => T, changed: (result: T) => boolean): T {
    return this.db
      .transaction((): T => {
        const result = change();
        if (announce && changed(result)) {
          const after = this.snapshot(incidentId);
          const messages: readonly OutboundMessage[] = after ? announce(after) : [];
          if (messages.length > 0) this.outbox.write(messages, new Date(now));
        }
        return result;
      })
      .immediate();
  }

  async createIncident(input: NewIncident) {
    return sql.createIncident(this.db, input);
  }

  async deleteIncident(incidentId: number) {
    sql.deleteIncident(this.db, incidentId);
  }

  async getIncident(incidentId: number) {
    return sql.getIncident(this.db, incidentId);
  }

  async getStep(incidentId: number, stepId: number) {
    return sql.getStep(this.db, incidentId, stepId);
  }

  async listSteps(incidentId: number) {
    return sql.listSteps(this.db, incidentId);
  }

  async listRoles(incidentId: number) {
    return sql.listRoles(this.db, incidentId);
  }

  async listTimeline(incidentId: number) {
    return sql.listTimeline(this.db, incidentId);
  }

  async listActionItems(incidentId: number) {
    return sql.listActionItems(this.db, incidentId);
  }

  async listOpenIncidents(options: { channel?: string; includeDrills?: boolean } = {}) {
    return sql.listOpenIncidents(this.db, options);
  }

  async listMessages(incidentId: number, kind?: string) {
    return sql.listMessages(this.db, incidentId, kind);
  }

  async incidentForMessage(channel: string, ts: string) {
    return sql.incidentForMessage(this.db, channel, ts);
  }

  async incidentStats(since: string) {
    return sql.incidentStats(this.db, since);
  }

  async recordRootMessage(incidentId: number, ts: string, permalink: string | null, text: string) {
    return this.db.transaction(() => {
      sql.setRootMessage(this.db, incidentId, ts, permalink);
      sql.recordMessage(this.db, incidentId, { ts, kind: 'root', part: null, text });
      return sql.getIncident(this.db, incidentId);
    })();
  }

  async recordMessage(incidentId: number, message: sql.IncidentMessage) {
    sql.recordMessage(this.db, incidentId, message);
  }

  async addTimeline(event: NewTimelineEvent, options: { acknowledge?: boolean } = {}) {
    return this.db
      .transaction((): boolean => {
        if (!sql.addTimelineWhileOpen(this.db, event)) return false;
        if (options.acknowledge) sql.acknowledge(this.db, event.incidentId, event.at);
        return true;
      })
      .immediate();
  }

  async addPin(event: Omit<NewTimelineEvent, 'type'> & { messageTs: string }) {
    return sql.addPin(this.db, event);
  }

  async changeStep(change: StepChange, announce?: Announce) {
    return this.announcing(change.incidentId, change.now, announce, () => sql.changeStep(this.db, change), (r) => r.ok);
  }

  async setSeverity(incidentId: number, severity: IncidentSeverity, actor: string, now: string, announce?: Announce) {
    return this.announcing(incidentId, now, announce, () => sql.setSeverity(this.db, incidentId, severity, actor, now), (r) => r.changed);
  }

  async setRole(incidentId: number, role: string, userId: string, actor: string, now: string, announce?: Announce) {
    return this.announcing(incidentId, now, announce, () => sql.setRole(this.db, incidentId, role, userId, actor, now), (r) => r.changed);
  }

  async addActionItem(item: { incidentId: number; text: string; owner: string | null; createdBy: string; now: string }) {
    return this.db
      .transaction(() => {
        const added = sql.addActionItem(this.db, item);
        if (added) sql.acknowledge(this.db, item.incidentId, item.now);
        return added;
      })
      .immediate();
  }

  async closeIncident(incidentId: number, actor: string, summary: string | null, now: string, announce?: Announce) {
    return this.announcing(incidentId, now, announce, () => sql.closeIncident(this.db, incidentId, actor, summary, now), (r) => r !== null);
  }

  async saveReport(incidentId: number, markdown: string) {
    sql.saveReport(this.db, incidentId, markdown);
  }

  async markInjectsSent(incidentId: number, seen: number, count: number, events: readonly NewTimelineEvent[]) {
    return this.db.transaction(() => {
      if (!sql.markInjectsSent(this.db, incidentId, seen, count)) return false;
      for (const e of events) sql.addTimeline(this.db, e);
      return true;
    })();
  }

  async overdueSteps(now: string, intervalMinutes: number) {
    return sql.overdueSteps(this.db, now, intervalMinutes);
  }

  async remind(step: Step, now: string, decide: RemindDecision) {
    return this.db
      .transaction(() => {
        const claimed = sql.claimReminder(this.db, step, now);
        if (!claimed) return false;
        const { timeline, messages } = decide({ step: claimed, roles: sql.listRoles(this.db, step.incidentId) });
        sql.addTimeline(this.db, timeline);
        this.outbox.write(messages, new Date(now));
        return true;
      })
      .immediate();
  }

  async snoozeStep(incidentId: number, stepId: number, until: string, actor: string, now: string, label: string) {
    return sql.snoozeStep(this.db, incidentId, stepId, until, actor, now, label);
  }
}
