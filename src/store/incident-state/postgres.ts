/**
 * Incident state on PostgreSQL (migrations/postgres/006_incidents.sql), shared by replicas, so a
 * click, a command or a modal is answered alike whichever replica Slack sends it to. Parameterised
 * SQL through pg; each multi-row method is one transaction on one pooled client.
 *
 * Across replicas: a step change is a conditional UPDATE on the version the click saw (of two
 * presses one wins, the other learns who beat it); every change that redraws the incident locks the
 * incident's row first, so changes of one incident take turns and each one's redraw (written to the
 * outbox in its transaction) reads what the one before it committed; a reminder is a compare-and-set
 * on the step's version and last reminder while its incident is open, so of two ticks one writes it; two "Start incident" presses on one
 * source take turns on a transaction advisory lock of that source.
 */
import { milestonesAfter, transitionStep } from '../../incidents/state.js';
import { COMMANDER_ROLE, type ActionItem, type Incident, type IncidentSeverity, type RoleHolder, type Step } from '../../incidents/types.js';
import { reminderIsDueSql, statsOf, toIncident, toStep, toTimeline, type CreateResult, type IncidentMessage, type StepChangeResult } from '../incidents.js';
import { PostgresOutbox } from '../outbox/postgres.js';
import type { OutboundMessage } from '../outbox/types.js';
import { inTransaction, type PgClient, type PgPool } from '../postgres.js';
import type { Announce, IncidentStore, NewIncident, NewTimelineEvent, OverdueStep, RemindDecision, StepChange } from './types.js';

type Row = Record<string, unknown>;
type Queryable = Pick<PgPool, 'query'> | PgClient;

/** First key of the two-key advisory locks taken while starting an incident from a source ("inc"). */
const START_LOCK_SPACE = 0x696e63;

const toRole = (r: Row): RoleHolder => ({ role: String(r.role), userId: String(r.user_id), assignedBy: String(r.assigned_by), assignedAt: String(r.assigned_at) });
const toActionItem = (r: Row): ActionItem => ({
  id: Number(r.id),
  incidentId: Number(r.incident_id),
  text: String(r.text),
  owner: typeof r.owner === 'string' ? r.owner : null,
  createdBy: String(r.created_by),
  createdAt: String(r.created_at),
});
const toMessage = (r: Row): IncidentMessage => ({ ts: String(r.ts), kind: String(r.kind), part: r.part === null ? null : Number(r.part), text: typeof r.text === 'string' ? r.text : null });

async function rows(q: Queryable, text: string, values: unknown[] = []): Promise<Row[]> {
  return (await q.query(text, values)).rows as Row[];
}

async function one(q: Queryable, text: string, values: unknown[] = []): Promise<Row | null> {
  return (await rows(q, text, values))[0] ?? null;
}

async function incidentOf(q: Queryable, id: number, lock = false): Promise<Incident | null> {
  const row = await one(q, `SELECT * FROM incidents WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return row ? toIncident(row) : null;
}

/**
 * Whether the incident is open, its row locked until commit (FOR UPDATE, as every change of it does;
 * FOR SHARE for a write that only needs it to stay open): a close under way is waited for and then
 * seen, and a close that comes later waits for this write, so a write checked with this never lands
 * on a closed incident.
 */
async function lockOpen(client: PgClient, incidentId: number, mode: 'UPDATE' | 'SHARE' = 'UPDATE'): Promise<boolean> {
  return (await one(client, `SELECT id FROM incidents WHERE id = $1 AND status = 'open' FOR ${mode}`, [incidentId])) !== null;
}

async function stepOf(q: Queryable, incidentId: number, stepId: number): Promise<Step | null> {
  const row = await one(q, 'SELECT * FROM incident_steps WHERE incident_id = $1 AND id = $2', [incidentId, stepId]);
  return row ? toStep(row) : null;
}

async function stepsOf(q: Queryable, incidentId: number): Promise<Step[]> {
  return (await rows(q, 'SELECT * FROM incident_steps WHERE incident_id = $1 ORDER BY id', [incidentId])).map(toStep);
}

async function rolesOf(q: Queryable, incidentId: number): Promise<RoleHolder[]> {
  return (await rows(q, 'SELECT * FROM incident_roles WHERE incident_id = $1 ORDER BY role', [incidentId])).map(toRole);
}

async function messagesOf(q: Queryable, incidentId: number, kind?: string): Promise<IncidentMessage[]> {
  const found = kind
    ? await rows(q, 'SELECT * FROM incident_messages WHERE incident_id = $1 AND kind = $2 ORDER BY part NULLS FIRST, ts', [incidentId, kind])
    : await rows(q, 'SELECT * FROM incident_messages WHERE incident_id = $1 ORDER BY ts', [incidentId]);
  return found.map(toMessage);
}

async function addTimeline(q: Queryable, e: NewTimelineEvent): Promise<void> {
  await q.query('INSERT INTO incident_timeline (incident_id, at, actor, type, text, message_ts) VALUES ($1, $2, $3, $4, $5, $6)', [e.incidentId, e.at, e.actor, e.type, e.text, e.messageTs ?? null]);
}

async function acknowledge(q: Queryable, incidentId: number, at: string): Promise<void> {
  await q.query('UPDATE incidents SET acknowledged_at = $1 WHERE id = $2 AND acknowledged_at IS NULL', [at, incidentId]);
}

export class PostgresIncidentStore implements IncidentStore {
  readonly dialect = 'postgres' as const;
  readonly outbox: PostgresOutbox;

  constructor(readonly pool: PgPool) {
    this.outbox = new PostgresOutbox(pool);
  }

  /** Writes what `announce` says about the incident as this transaction left it. */
  private async announce(client: PgClient, incidentId: number, now: string, announce: Announce | undefined): Promise<void> {
    if (!announce) return;
    const incident = await incidentOf(client, incidentId);
    if (!incident) return;
    const messages: readonly OutboundMessage[] = announce({ incident, steps: await stepsOf(client, incidentId), roles: await rolesOf(client, incidentId), messages: await messagesOf(client, incidentId) });
    if (messages.length > 0) await PostgresOutbox.write(client, messages, new Date(now));
  }

  async createIncident(input: NewIncident): Promise<CreateResult> {
    return inTransaction(this.pool, async (client) => {
      if (input.source) {
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [START_LOCK_SPACE, input.source]);
        const existing = await one(client, `SELECT * FROM incidents WHERE source = $1 AND status = 'open' ORDER BY id LIMIT 1`, [input.source]);
        if (existing) return { created: false, existing: toIncident(existing) };
      }
      const inserted = await one(
        client,
        `INSERT INTO incidents (kind, title, severity, template, template_name, channel, source, context, scenario, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
        [input.kind, input.title, input.severity, input.template.id, input.template.name, input.channel, input.source ?? null, input.context ? JSON.stringify(input.context) : null, input.scenario ?? null, input.createdBy, input.now],
      );
      const id = Number(inserted?.id);
      for (const step of input.steps) {
        await client.query(
          `INSERT INTO incident_steps (incident_id, id, key, section_key, section_title, title, detail, role, milestone, owner, due_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [id, step.id, step.key, step.sectionKey, step.sectionTitle, step.title, step.detail, step.role, step.milestone, step.owner, step.dueAt],
        );
      }
      await client.query('INSERT INTO incident_roles (incident_id, role, user_id, assigned_by, assigned_at) VALUES ($1, $2, $3, $3, $4)', [id, COMMANDER_ROLE, input.createdBy, input.now]);
      await addTimeline(client, { incidentId: id, at: input.now, actor: input.createdBy, type: 'started', text: `started the incident “${input.title}” (${input.severity})` });
      return { created: true, incident: (await incidentOf(client, id)) as Incident };
    });
  }

  async deleteIncident(incidentId: number): Promise<void> {
    await this.pool.query('DELETE FROM incidents WHERE id = $1', [incidentId]);
  }

  getIncident(incidentId: number) {
    return incidentOf(this.pool, incidentId);
  }

  getStep(incidentId: number, stepId: number) {
    return stepOf(this.pool, incidentId, stepId);
  }

  listSteps(incidentId: number) {
    return stepsOf(this.pool, incidentId);
  }

  listRoles(incidentId: number) {
    return rolesOf(this.pool, incidentId);
  }

  async listTimeline(incidentId: number) {
    return (await rows(this.pool, 'SELECT * FROM incident_timeline WHERE incident_id = $1 ORDER BY at, id', [incidentId])).map(toTimeline);
  }

  async listActionItems(incidentId: number) {
    return (await rows(this.pool, 'SELECT * FROM incident_action_items WHERE incident_id = $1 ORDER BY id', [incidentId])).map(toActionItem);
  }

  async listOpenIncidents(options: { channel?: string; includeDrills?: boolean } = {}) {
    const where = [`status = 'open'`];
    const values: string[] = [];
    if (options.channel) {
      values.push(options.channel);
      where.push(`channel = $${values.length}`);
    }
    if (options.includeDrills === false) where.push(`kind = 'real'`);
    return (await rows(this.pool, `SELECT * FROM incidents WHERE ${where.join(' AND ')} ORDER BY id DESC`, values)).map(toIncident);
  }

  listMessages(incidentId: number, kind?: string) {
    return messagesOf(this.pool, incidentId, kind);
  }

  async incidentForMessage(channel: string, ts: string) {
    const row = await one(this.pool, 'SELECT m.* FROM incident_messages m JOIN incidents i ON i.id = m.incident_id WHERE i.channel = $1 AND m.ts = $2', [channel, ts]);
    if (!row) return null;
    const incident = await incidentOf(this.pool, Number(row.incident_id));
    return incident ? { incident, message: toMessage(row) } : null;
  }

  async incidentStats(since: string) {
    return statsOf((await rows(this.pool, `SELECT * FROM incidents WHERE kind = 'real' AND status = 'closed' AND closed_at >= $1`, [since])).map(toIncident));
  }

  async recordRootMessage(incidentId: number, ts: string, permalink: string | null, text: string) {
    return inTransaction(this.pool, async (client) => {
      await client.query('UPDATE incidents SET root_ts = $1, root_permalink = $2 WHERE id = $3', [ts, permalink, incidentId]);
      await this.recordMessageOn(client, incidentId, { ts, kind: 'root', part: null, text });
      return incidentOf(client, incidentId);
    });
  }

  private async recordMessageOn(q: Queryable, incidentId: number, m: IncidentMessage): Promise<void> {
    await q.query(
      `INSERT INTO incident_messages (incident_id, ts, kind, part, text) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (incident_id, ts) DO UPDATE SET kind = excluded.kind, part = excluded.part, text = excluded.text`,
      [incidentId, m.ts, m.kind, m.part, m.text],
    );
  }

  recordMessage(incidentId: number, message: IncidentMessage) {
    return this.recordMessageOn(this.pool, incidentId, message);
  }

  async addTimeline(event: NewTimelineEvent, options: { acknowledge?: boolean } = {}) {
    return inTransaction(this.pool, async (client) => {
      if (!(await lockOpen(client, event.incidentId))) return false;
      await addTimeline(client, event);
      if (options.acknowledge) await acknowledge(client, event.incidentId, event.at);
      return true;
    });
  }

  async addPin(e: Omit<NewTimelineEvent, 'type'> & { messageTs: string }) {
    const res = await this.pool.query(
      `INSERT INTO incident_timeline (incident_id, at, actor, type, text, message_ts) VALUES ($1, $2, $3, 'pin', $4, $5)
       ON CONFLICT (incident_id, message_ts) WHERE message_ts IS NOT NULL DO NOTHING`,
      [e.incidentId, e.at, e.actor, e.text, e.messageTs],
    );
    return (res.rowCount ?? 0) > 0;
  }

  async changeStep(change: StepChange, announce?: Announce): Promise<StepChangeResult> {
    return inTransaction(this.pool, async (client): Promise<StepChangeResult> => {
      const incident = await incidentOf(client, change.incidentId, true);
      const before = incident ? await stepOf(client, change.incidentId, change.stepId) : null;
      if (!incident || !before) return { ok: false, reason: 'not_found' };
      if (before.version !== change.expectedVersion) return { ok: false, reason: 'conflict', current: before, incident };
      const t = transitionStep(incident, before, change.action, change.actor, change.now);
      if (!t.ok) return { ok: false, reason: t.error, message: t.message, current: before, incident };
      const next = t.step;
      const updated = await client.query(
        `UPDATE incident_steps SET status = $1, owner = $2, reason = $3, changed_by = $4, changed_at = $5, finished_at = $6,
           last_reminded_at = $7, snoozed_until = $8, version = version + 1
         WHERE incident_id = $9 AND id = $10 AND version = $11`,
        [next.status, next.owner, next.reason, next.changedBy, next.changedAt, next.finishedAt, next.lastRemindedAt, next.snoozedUntil, change.incidentId, change.stepId, change.expectedVersion],
      );
      if ((updated.rowCount ?? 0) === 0) return { ok: false, reason: 'conflict', current: (await stepOf(client, change.incidentId, change.stepId)) ?? before, incident };
      await addTimeline(client, { incidentId: incident.id, at: change.now, actor: change.actor, type: change.action.type === 'assign' ? 'assigned' : 'step', text: t.summary });
      const m = milestonesAfter(incident, await stepsOf(client, incident.id), change.now);
      await client.query('UPDATE incidents SET acknowledged_at = $1, contained_at = $2, resolved_at = $3, version = version + 1 WHERE id = $4', [m.acknowledgedAt, m.containedAt, m.resolvedAt, incident.id]);
      await this.announce(client, incident.id, change.now, announce);
      return { ok: true, incident: (await incidentOf(client, incident.id)) as Incident, step: (await stepOf(client, incident.id, change.stepId)) as Step, before };
    });
  }

  async setSeverity(incidentId: number, severity: IncidentSeverity, actor: string, now: string, announce?: Announce) {
    return inTransaction(this.pool, async (client) => {
      const incident = await incidentOf(client, incidentId, true);
      if (!incident || incident.status !== 'open' || incident.severity === severity) return { changed: false, from: incident?.severity ?? null };
      await client.query('UPDATE incidents SET severity = $1, version = version + 1 WHERE id = $2', [severity, incidentId]);
      await addTimeline(client, { incidentId, at: now, actor, type: 'severity', text: `changed the severity from ${incident.severity} to ${severity}` });
      await acknowledge(client, incidentId, now);
      await this.announce(client, incidentId, now, announce);
      return { changed: true, from: incident.severity };
    });
  }

  async setRole(incidentId: number, role: string, userId: string, actor: string, now: string, announce?: Announce) {
    return inTransaction(this.pool, async (client) => {
      const incident = await incidentOf(client, incidentId, true);
      const previous = (await rolesOf(client, incidentId)).find((r) => r.role === role)?.userId ?? null;
      if (!incident || incident.status !== 'open' || previous === userId) return { changed: false, previous };
      await client.query(
        `INSERT INTO incident_roles (incident_id, role, user_id, assigned_by, assigned_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (incident_id, role) DO UPDATE SET user_id = excluded.user_id, assigned_by = excluded.assigned_by, assigned_at = excluded.assigned_at`,
        [incidentId, role, userId, actor, now],
      );
      const text = previous ? `handed the ${role} role from <@${previous}> to <@${userId}>` : `gave the ${role} role to <@${userId}>`;
      await addTimeline(client, { incidentId, at: now, actor, type: 'role', text });
      await client.query('UPDATE incidents SET version = version + 1 WHERE id = $1', [incidentId]);
      await acknowledge(client, incidentId, now);
      await this.announce(client, incidentId, now, announce);
      return { changed: true, previous };
    });
  }

  async addActionItem(item: { incidentId: number; text: string; owner: string | null; createdBy: string; now: string }) {
    return inTransaction(this.pool, async (client) => {
      if (!(await lockOpen(client, item.incidentId))) return null;
      const row = await one(client, 'INSERT INTO incident_action_items (incident_id, text, owner, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *', [
        item.incidentId,
        item.text,
        item.owner,
        item.createdBy,
        item.now,
      ]);
      await addTimeline(client, { incidentId: item.incidentId, at: item.now, actor: item.createdBy, type: 'action_item', text: `added an action item${item.owner ? ` for <@${item.owner}>` : ''}: ${item.text}` });
      await acknowledge(client, item.incidentId, item.now);
      return toActionItem(row as Row);
    });
  }

  async closeIncident(incidentId: number, actor: string, summary: string | null, now: string, announce?: Announce) {
    return inTransaction(this.pool, async (client) => {
      const closed = await client.query(
        `UPDATE incidents SET status = 'closed', closed_at = $1, closed_by = $2, summary = $3, resolved_at = COALESCE(resolved_at, $1),
           acknowledged_at = COALESCE(acknowledged_at, $1), version = version + 1
         WHERE id = $4 AND status = 'open'`,
        [now, actor, summary, incidentId],
      );
      if ((closed.rowCount ?? 0) === 0) return null;
      await addTimeline(client, { incidentId, at: now, actor, type: 'closed', text: `closed the incident${summary ? `: ${summary}` : ''}` });
      await this.announce(client, incidentId, now, announce);
      return incidentOf(client, incidentId);
    });
  }

  async saveReport(incidentId: number, markdown: string) {
    await this.pool.query('UPDATE incidents SET report = $1 WHERE id = $2', [markdown, incidentId]);
  }

  async markInjectsSent(incidentId: number, seen: number, count: number, events: readonly NewTimelineEvent[]) {
    return inTransaction(this.pool, async (client) => {
      const moved = await client.query('UPDATE incidents SET injects_sent = $1 WHERE id = $2 AND injects_sent = $3', [count, incidentId, seen]);
      if ((moved.rowCount ?? 0) === 0) return false;
      for (const e of events) await addTimeline(client, e);
      return true;
    });
  }

  async overdueSteps(now: string, intervalMinutes: number): Promise<OverdueStep[]> {
    const remindedBefore = new Date(new Date(now).getTime() - intervalMinutes * 60_000).toISOString();
    const found = await rows(
      this.pool,
      `SELECT s.* FROM incident_steps s JOIN incidents i ON i.id = s.incident_id
       WHERE i.status = 'open' AND s.status = 'open' AND s.due_at IS NOT NULL AND s.due_at <= $1
         AND ${reminderIsDueSql('$1', '$2')}
       ORDER BY s.due_at, s.incident_id, s.id`,
      [now, remindedBefore],
    );
    const incidents = new Map<number, Incident>();
    const out: OverdueStep[] = [];
    for (const row of found) {
      const step = toStep(row);
      let incident = incidents.get(step.incidentId);
      if (!incident) {
        incident = (await incidentOf(this.pool, step.incidentId)) as Incident;
        incidents.set(step.incidentId, incident);
      }
      out.push({ incident, step });
    }
    return out;
  }

  async remind(step: Step, now: string, decide: RemindDecision) {
    return inTransaction(this.pool, async (client) => {
      // The open incident's row, held until commit: a close or a role handover waits for this
      // reminder, or this finds the incident closed (changes lock it FOR UPDATE, in the same order).
      if (!(await lockOpen(client, step.incidentId, 'SHARE'))) return false;
      // The claim, on the step as the tick read it (its version moves with every change: done,
      // reassigned, reopened): a second tick (here or on another replica) waits on this row, then finds it changed.
      const claimed = await one(
        client,
        `UPDATE incident_steps SET last_reminded_at = $1 WHERE incident_id = $2 AND id = $3 AND status = 'open' AND version = $4
           AND last_reminded_at IS NOT DISTINCT FROM $5 AND snoozed_until IS NOT DISTINCT FROM $6
         RETURNING *`,
        [now, step.incidentId, step.id, step.version, step.lastRemindedAt, step.snoozedUntil],
      );
      if (!claimed) return false;
      const { timeline, messages } = decide({ step: toStep(claimed), roles: await rolesOf(client, step.incidentId) });
      await addTimeline(client, timeline);
      await PostgresOutbox.write(client, messages, new Date(now));
      return true;
    });
  }

  async snoozeStep(incidentId: number, stepId: number, until: string, actor: string, now: string, label: string) {
    return inTransaction(this.pool, async (client) => {
      const row = await one(client, `UPDATE incident_steps SET snoozed_until = $1 WHERE incident_id = $2 AND id = $3 AND status = 'open' RETURNING *`, [until, incidentId, stepId]);
      if (!row) return null;
      const step = toStep(row);
      await addTimeline(client, { incidentId, at: now, actor, type: 'snooze', text: `snoozed reminders for “${step.title}” for ${label}` });
      return step;
    });
  }
}
