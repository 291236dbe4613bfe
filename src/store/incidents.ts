/**
 * Incident tables (migration 008). Step changes are conditional UPDATEs on the version the click
 * saw, inside an immediate transaction, so of two presses on the same button exactly one wins and
 * the other learns who beat it. Times are ISO 8601 strings passed in by the caller (injected clock).
 */
import type { NewStep } from '../incidents/checklist.js';
import { milestonesAfter, transitionStep, type StepAction, type TransitionError } from '../incidents/state.js';
import {
  COMMANDER_ROLE,
  type ActionItem,
  type Incident,
  type IncidentContext,
  type IncidentKind,
  type IncidentSeverity,
  type Milestone,
  type RoleHolder,
  type Step,
  type StepStatus,
  type TimelineEvent,
  type TimelineType,
} from '../incidents/types.js';
import type { Db } from './db.js';

type Row = Record<string, unknown>;

const s = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const n = (v: unknown): number => (typeof v === 'number' ? v : Number(v));

function parseContext(raw: unknown): IncidentContext | null {
  if (typeof raw !== 'string') return null;
  try {
    return JSON.parse(raw) as IncidentContext;
  } catch {
    return null;
  }
}

/** Row mappers, shared with the PostgreSQL store (src/store/incident-state/postgres.ts), whose columns are the same. */
export function toIncident(r: Row): Incident {
  return {
    id: n(r.id),
    kind: r.kind as IncidentKind,
    title: String(r.title),
    severity: r.severity as IncidentSeverity,
    status: r.status as Incident['status'],
    template: String(r.template),
    templateName: String(r.template_name),
    channel: String(r.channel),
    rootTs: s(r.root_ts),
    rootPermalink: s(r.root_permalink),
    source: s(r.source),
    context: parseContext(r.context),
    scenario: s(r.scenario),
    injectsSent: n(r.injects_sent),
    createdBy: String(r.created_by),
    createdAt: String(r.created_at),
    acknowledgedAt: s(r.acknowledged_at),
    containedAt: s(r.contained_at),
    resolvedAt: s(r.resolved_at),
    closedAt: s(r.closed_at),
    closedBy: s(r.closed_by),
    summary: s(r.summary),
    report: s(r.report),
    version: n(r.version),
  };
}

export function toStep(r: Row): Step {
  return {
    incidentId: n(r.incident_id),
    id: n(r.id),
    key: String(r.key),
    sectionKey: String(r.section_key),
    sectionTitle: String(r.section_title),
    title: String(r.title),
    detail: s(r.detail),
    role: s(r.role),
    milestone: s(r.milestone) as Milestone | null,
    owner: s(r.owner),
    dueAt: s(r.due_at),
    status: r.status as StepStatus,
    reason: s(r.reason),
    changedBy: s(r.changed_by),
    changedAt: s(r.changed_at),
    finishedAt: s(r.finished_at),
    lastRemindedAt: s(r.last_reminded_at),
    snoozedUntil: s(r.snoozed_until),
    version: n(r.version),
  };
}

export function toTimeline(r: Row): TimelineEvent {
  return {
    id: n(r.id),
    incidentId: n(r.incident_id),
    at: String(r.at),
    actor: s(r.actor),
    type: r.type as TimelineType,
    text: String(r.text),
    messageTs: s(r.message_ts),
  };
}

export interface NewIncident {
  kind: IncidentKind;
  title: string;
  severity: IncidentSeverity;
  template: { id: string; name: string };
  channel: string;
  source?: string | null;
  context?: IncidentContext | null;
  scenario?: string | null;
  createdBy: string;
  now: string;
  steps: NewStep[];
}

export type CreateResult = { created: true; incident: Incident } | { created: false; existing: Incident };

/**
 * Creates an incident with its steps, the starter as commander and a `started` timeline entry.
 * An incident already open for the same source (two people pressing "Start incident" on one alert)
 * is returned instead of a second one.
 */
export function createIncident(db: Db, input: NewIncident): CreateResult {
  return db
    .transaction((): CreateResult => {
      if (input.source) {
        const existing = db.prepare(`SELECT * FROM incidents WHERE source = ? AND status = 'open' ORDER BY id LIMIT 1`).get(input.source) as Row | undefined;
        if (existing) return { created: false, existing: toIncident(existing) };
      }
      const info = db
        .prepare(
          `INSERT INTO incidents (kind, title, severity, template, template_name, channel, source, context, scenario, created_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          input.kind,
          input.title,
          input.severity,
          input.template.id,
          input.template.name,
          input.channel,
          input.source ?? null,
          input.context ? JSON.stringify(input.context) : null,
          input.scenario ?? null,
          input.createdBy,
          input.now,
        );
      const id = Number(info.lastInsertRowid);
      const insertStep = db.prepare(
        `INSERT INTO incident_steps (incident_id, id, key, section_key, section_title, title, detail, role, milestone, owner, due_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const step of input.steps) {
        insertStep.run(id, step.id, step.key, step.sectionKey, step.sectionTitle, step.title, step.detail, step.role, step.milestone, step.owner, step.dueAt);
      }
      db.prepare('INSERT INTO incident_roles (incident_id, role, user_id, assigned_by, assigned_at) VALUES (?, ?, ?, ?, ?)').run(
        id,
        COMMANDER_ROLE,
        input.createdBy,
        input.createdBy,
        input.now,
      );
      addTimeline(db, { incidentId: id, at: input.now, actor: input.createdBy, type: 'started', text: `started the incident “${input.title}” (${input.severity})` });
      return { created: true, incident: getIncident(db, id) as Incident };
    })
    .immediate();
}

export function getIncident(db: Db, id: number): Incident | null {
  const row = db.prepare('SELECT * FROM incidents WHERE id = ?').get(id) as Row | undefined;
  return row ? toIncident(row) : null;
}

export function listSteps(db: Db, incidentId: number): Step[] {
  return (db.prepare('SELECT * FROM incident_steps WHERE incident_id = ? ORDER BY id').all(incidentId) as Row[]).map(toStep);
}

export function getStep(db: Db, incidentId: number, stepId: number): Step | null {
  const row = db.prepare('SELECT * FROM incident_steps WHERE incident_id = ? AND id = ?').get(incidentId, stepId) as Row | undefined;
  return row ? toStep(row) : null;
}

export function listRoles(db: Db, incidentId: number): RoleHolder[] {
  return (db.prepare('SELECT * FROM incident_roles WHERE incident_id = ? ORDER BY role').all(incidentId) as Row[]).map((r) => ({
    role: String(r.role),
    userId: String(r.user_id),
    assignedBy: String(r.assigned_by),
    assignedAt: String(r.assigned_at),
  }));
}

export function commanderOf(db: Db, incidentId: number): string | null {
  return listRoles(db, incidentId).find((r) => r.role === COMMANDER_ROLE)?.userId ?? null;
}

export function listTimeline(db: Db, incidentId: number): TimelineEvent[] {
  return (db.prepare('SELECT * FROM incident_timeline WHERE incident_id = ? ORDER BY at, id').all(incidentId) as Row[]).map(toTimeline);
}

export function listActionItems(db: Db, incidentId: number): ActionItem[] {
  return (db.prepare('SELECT * FROM incident_action_items WHERE incident_id = ? ORDER BY id').all(incidentId) as Row[]).map((r) => ({
    id: n(r.id),
    incidentId: n(r.incident_id),
    text: String(r.text),
    owner: s(r.owner),
    createdBy: String(r.created_by),
    createdAt: String(r.created_at),
  }));
}

/** Open incidents, newest first; in one channel when `channel` is given. */
export function listOpenIncidents(db: Db, options: { channel?: string; includeDrills?: boolean } = {}): Incident[] {
  const where = [`status = 'open'`];
  const args: string[] = [];
  if (options.channel) {
    where.push('channel = ?');
    args.push(options.channel);
  }
  if (options.includeDrills === false) where.push(`kind = 'real'`);
  return (db.prepare(`SELECT * FROM incidents WHERE ${where.join(' AND ')} ORDER BY id DESC`).all(...args) as Row[]).map(toIncident);
}

export interface NewTimelineEvent {
  incidentId: number;
  at: string;
  actor: string | null;
  type: TimelineType;
  text: string;
  messageTs?: string | null;
}

export function addTimeline(db: Db, e: NewTimelineEvent): void {
  db.prepare('INSERT INTO incident_timeline (incident_id, at, actor, type, text, message_ts) VALUES (?, ?, ?, ?, ?, ?)').run(
    e.incidentId,
    e.at,
    e.actor,
    e.type,
    e.text,
    e.messageTs ?? null,
  );
}

/** The condition, as SQL on a parameter for the incident's id, that makes a write (a person's, a reminder's claim) conditional on the incident being open. */
const WHILE_OPEN = `EXISTS (SELECT 1 FROM incidents WHERE id = ? AND status = 'open')`;

/**
 * A timeline entry by a person (a status update) on an open incident: the INSERT itself checks the
 * incident is open, so one closed between the caller's read and this write gets nothing. False
 * when nothing was written.
 */
export function addTimelineWhileOpen(db: Db, e: NewTimelineEvent): boolean {
  const info = db
    .prepare(`INSERT INTO incident_timeline (incident_id, at, actor, type, text, message_ts) SELECT ?, ?, ?, ?, ?, ? WHERE ${WHILE_OPEN}`)
    .run(e.incidentId, e.at, e.actor, e.type, e.text, e.messageTs ?? null, e.incidentId);
  return info.changes > 0;
}

/** A 📌 message; false when that message is already on the timeline. */
export function addPin(db: Db, e: Omit<NewTimelineEvent, 'type'> & { messageTs: string }): boolean {
  const info = db
    .prepare(`INSERT OR IGNORE INTO incident_timeline (incident_id, at, actor, type, text, message_ts) VALUES (?, ?, ?, 'pin', ?, ?)`)
    .run(e.incidentId, e.at, e.actor, e.text, e.messageTs);
  return info.changes > 0;
}

export function setRootMessage(db: Db, incidentId: number, ts: string, permalink: string | null): void {
  db.prepare('UPDATE incidents SET root_ts = ?, root_permalink = ? WHERE id = ?').run(ts, permalink, incidentId);
}

export interface IncidentMessage {
  ts: string;
  kind: string;
  part: number | null;
  text: string | null;
}

export function recordMessage(db: Db, incidentId: number, m: IncidentMessage): void {
  db.prepare('INSERT OR REPLACE INTO incident_messages (incident_id, ts, kind, part, text) VALUES (?, ?, ?, ?, ?)').run(incidentId, m.ts, m.kind, m.part, m.text);
}

export function listMessages(db: Db, incidentId: number, kind?: string): IncidentMessage[] {
  const rows = (kind
    ? db.prepare('SELECT * FROM incident_messages WHERE incident_id = ? AND kind = ? ORDER BY part, ts').all(incidentId, kind)
    : db.prepare('SELECT * FROM incident_messages WHERE incident_id = ? ORDER BY ts').all(incidentId)) as Row[];
  return rows.map((r) => ({ ts: String(r.ts), kind: String(r.kind), part: r.part === null ? null : n(r.part), text: s(r.text) }));
}

/** The incident a message of ours (root, checklist, update…) belongs to, in `channel`. */
export function incidentForMessage(db: Db, channel: string, ts: string): { incident: Incident; message: IncidentMessage } | null {
  const row = db
    .prepare(`SELECT m.ts, m.kind, m.part, m.text, m.incident_id FROM incident_messages m JOIN incidents i ON i.id = m.incident_id WHERE i.channel = ? AND m.ts = ?`)
    .get(channel, ts) as Row | undefined;
  if (!row) return null;
  const incident = getIncident(db, n(row.incident_id));
  if (!incident) return null;
  return { incident, message: { ts: String(row.ts), kind: String(row.kind), part: row.part === null ? null : n(row.part), text: s(row.text) } };
}

export function incidentByRootTs(db: Db, channel: string, rootTs: string): Incident | null {
  const row = db.prepare('SELECT * FROM incidents WHERE channel = ? AND root_ts = ?').get(channel, rootTs) as Row | undefined;
  return row ? toIncident(row) : null;
}

/** Sets the first human acknowledgement if there is none yet. */
export function acknowledge(db: Db, incidentId: number, at: string): void {
  db.prepare('UPDATE incidents SET acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL').run(at, incidentId);
}

export type StepChangeResult =
  | { ok: true; incident: Incident; step: Step; before: Step }
  /** Someone else changed the step since the click's message was drawn; `current` says who and when. */
  | { ok: false; reason: 'conflict'; current: Step; incident: Incident }
  | { ok: false; reason: TransitionError; message: string; current: Step; incident: Incident }
  | { ok: false; reason: 'not_found' };

export interface StepChange {
  incidentId: number;
  stepId: number;
  /** The step version the clicked message showed. */
  expectedVersion: number;
  action: StepAction;
  actor: string;
  now: string;
}

export function changeStep(db: Db, change: StepChange): StepChangeResult {
  return db
    .transaction((): StepChangeResult => {
      const incident = getIncident(db, change.incidentId);
      const before = incident ? getStep(db, change.incidentId, change.stepId) : null;
      if (!incident || !before) return { ok: false, reason: 'not_found' };
      if (before.version !== change.expectedVersion) return { ok: false, reason: 'conflict', current: before, incident };
      const t = transitionStep(incident, before, change.action, change.actor, change.now);
      if (!t.ok) return { ok: false, reason: t.error, message: t.message, current: before, incident };
      const next = t.step;
      const info = db
        .prepare(
          `UPDATE incident_steps SET status = ?, owner = ?, reason = ?, changed_by = ?, changed_at = ?, finished_at = ?,
             last_reminded_at = ?, snoozed_until = ?, version = version + 1
           WHERE incident_id = ? AND id = ? AND version = ?`,
        )
        .run(next.status, next.owner, next.reason, next.changedBy, next.changedAt, next.finishedAt, next.lastRemindedAt, next.snoozedUntil, change.incidentId, change.stepId, change.expectedVersion);
      if (info.changes === 0) return { ok: false, reason: 'conflict', current: getStep(db, change.incidentId, change.stepId) ?? before, incident };
      addTimeline(db, { incidentId: incident.id, at: change.now, actor: change.actor, type: change.action.type === 'assign' ? 'assigned' : 'step', text: t.summary });
      const m = milestonesAfter(incident, listSteps(db, incident.id), change.now);
      db.prepare('UPDATE incidents SET acknowledged_at = ?, contained_at = ?, resolved_at = ?, version = version + 1 WHERE id = ?').run(
        m.acknowledgedAt,
        m.containedAt,
        m.resolvedAt,
        incident.id,
      );
      return { ok: true, incident: getIncident(db, incident.id) as Incident, step: getStep(db, incident.id, change.stepId) as Step, before };
    })
    .immediate();
}

export function setSeverity(db: Db, incidentId: number, severity: IncidentSeverity, actor: string, now: string): { changed: boolean; from: IncidentSeverity | null } {
  return db
    .transaction(() => {
      const incident = getIncident(db, incidentId);
      if (!incident || incident.status !== 'open' || incident.severity === severity) return { changed: false, from: incident?.severity ?? null };
      db.prepare('UPDATE incidents SET severity = ?, version = version + 1 WHERE id = ?').run(severity, incidentId);
      addTimeline(db, { incidentId, at: now, actor, type: 'severity', text: `changed the severity from ${incident.severity} to ${severity}` });
      acknowledge(db, incidentId, now);
      return { changed: true, from: incident.severity };
    })
    .immediate();
}

/** Hands a role (the commander by default) to `userId`; false when they already hold it or the incident is closed. */
export function setRole(db: Db, incidentId: number, role: string, userId: string, actor: string, now: string): { changed: boolean; previous: string | null } {
  return db
    .transaction(() => {
      const incident = getIncident(db, incidentId);
      const previous = listRoles(db, incidentId).find((r) => r.role === role)?.userId ?? null;
      if (!incident || incident.status !== 'open' || previous === userId) return { changed: false, previous };
      db.prepare(
        `INSERT INTO incident_roles (incident_id, role, user_id, assigned_by, assigned_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (incident_id, role) DO UPDATE SET user_id = excluded.user_id, assigned_by = excluded.assigned_by, assigned_at = excluded.assigned_at`,
      ).run(incidentId, role, userId, actor, now);
      const text = previous ? `handed the ${role} role from <@${previous}> to <@${userId}>` : `gave the ${role} role to <@${userId}>`;
      addTimeline(db, { incidentId, at: now, actor, type: 'role', text });
      db.prepare('UPDATE incidents SET version = version + 1 WHERE id = ?').run(incidentId);
      acknowledge(db, incidentId, now);
      return { changed: true, previous };
    })
    .immediate();
}

/**
 * An action item and its timeline entry on an open incident; null, and nothing written, when the
 * incident is not open (closed between the caller's read and this write: the INSERT checks it).
 */
export function addActionItem(db: Db, item: { incidentId: number; text: string; owner: string | null; createdBy: string; now: string }): ActionItem | null {
  return db
    .transaction((): ActionItem | null => {
      const info = db
        .prepare(`INSERT INTO incident_action_items (incident_id, text, owner, created_by, created_at) SELECT ?, ?, ?, ?, ? WHERE ${WHILE_OPEN}`)
        .run(item.incidentId, item.text, item.owner, item.createdBy, item.now, item.incidentId);
      if (info.changes === 0) return null;
      addTimeline(db, { incidentId: item.incidentId, at: item.now, actor: item.createdBy, type: 'action_item', text: `added an action item${item.owner ? ` for <@${item.owner}>` : ''}: ${item.text}` });
      return listActionItems(db, item.incidentId).find((a) => a.id === Number(info.lastInsertRowid)) as ActionItem;
    })
    .immediate();
}

/** Closes an open incident; null when it was already closed (two people pressing Close). */
export function closeIncident(db: Db, incidentId: number, actor: string, summary: string | null, now: string): Incident | null {
  return db
    .transaction(() => {
      const info = db
        .prepare(
          `UPDATE incidents SET status = 'closed', closed_at = ?, closed_by = ?, summary = ?, resolved_at = COALESCE(resolved_at, ?),
             acknowledged_at = COALESCE(acknowledged_at, ?), version = version + 1
           WHERE id = ? AND status = 'open'`,
        )
        .run(now, actor, summary, now, now, incidentId);
      if (info.changes === 0) return null;
      addTimeline(db, { incidentId, at: now, actor, type: 'closed', text: `closed the incident${summary ? `: ${summary}` : ''}` });
      return getIncident(db, incidentId);
    })
    .immediate();
}

export function saveReport(db: Db, incidentId: number, markdown: string): void {
  db.prepare('UPDATE incidents SET report = ? WHERE id = ?').run(markdown, incidentId);
}

// ---------------------------------------------------------------- reminders

export interface OverdueStep {
  incident: Incident;
  step: Step;
}

/**
 * When an overdue step `s` is reminded again, as SQL for both stores (given their placeholders for
 * the time now and for now less the interval): a step snoozed since its last reminder when the
 * snooze ends, whether that is sooner than the interval ("snooze 30 min") or later ("4 h"); any
 * other step once its last reminder is an interval old.
 */
export function reminderIsDueSql(now: string, remindedBefore: string): string {
  return `CASE WHEN s.snoozed_until IS NOT NULL AND (s.last_reminded_at IS NULL OR s.snoozed_until > s.last_reminded_at)
           THEN s.snoozed_until <= ${now}
           ELSE (s.last_reminded_at IS NULL OR s.last_reminded_at <= ${remindedBefore}) END`;
}

/**
 * Open steps of open incidents that are past due and due a reminder: when a snooze ends, else
 * `intervalMinutes` after the last one (reminderIsDueSql).
 */
export function overdueSteps(db: Db, now: string, intervalMinutes: number): OverdueStep[] {
  const remindedBefore = new Date(new Date(now).getTime() - intervalMinutes * 60_000).toISOString();
  const rows = db
    .prepare(
      `SELECT s.* FROM incident_steps s JOIN incidents i ON i.id = s.incident_id
       WHERE i.status = 'open' AND s.status = 'open' AND s.due_at IS NOT NULL AND s.due_at <= @now
         AND ${reminderIsDueSql('@now', '@remindedBefore')}
       ORDER BY s.due_at, s.incident_id, s.id`,
    )
    .all({ now, remindedBefore }) as Row[];
  const incidents = new Map<number, Incident>();
  return rows.map((row) => {
    const step = toStep(row);
    let incident = incidents.get(step.incidentId);
    if (!incident) {
      incident = getIncident(db, step.incidentId) as Incident;
      incidents.set(step.incidentId, incident);
    }
    return { incident, step };
  });
}

/**
 * Claims a reminder before it is sent (recorded first, so a crash or a second scheduler never sends
 * it twice): the step as claimed when this caller won. Only the step as the caller read it is
 * claimed (its version moves with every change: done, reassigned, reopened), and only while its
 * incident is open, so a reminder never goes to a closed incident or to the previous owner.
 */
export function claimReminder(db: Db, step: Step, now: string): Step | null {
  const info = db
    .prepare(
      `UPDATE incident_steps SET last_reminded_at = ? WHERE incident_id = ? AND id = ? AND status = 'open' AND version = ?
         AND last_reminded_at IS ? AND snoozed_until IS ? AND ${WHILE_OPEN}`,
    )
    .run(now, step.incidentId, step.id, step.version, step.lastRemindedAt, step.snoozedUntil, step.incidentId);
  return info.changes > 0 ? getStep(db, step.incidentId, step.id) : null;
}

export function snoozeStep(db: Db, incidentId: number, stepId: number, until: string, actor: string, now: string, label: string): Step | null {
  return db.transaction(() => {
    const info = db.prepare(`UPDATE incident_steps SET snoozed_until = ? WHERE incident_id = ? AND id = ? AND status = 'open'`).run(until, incidentId, stepId);
    if (info.changes === 0) return null;
    const step = getStep(db, incidentId, stepId) as Step;
    addTimeline(db, { incidentId, at: now, actor, type: 'snooze', text: `snoozed reminders for “${step.title}” for ${label}` });
    return step;
  })();
}

/** Advances the count of drill injects sent, from what the caller saw; false when another caller already did. */
export function markInjectsSent(db: Db, incidentId: number, seen: number, count: number): boolean {
  return db.prepare('UPDATE incidents SET injects_sent = ? WHERE id = ? AND injects_sent = ?').run(count, incidentId, seen).changes > 0;
}

export interface IncidentStats {
  closed: number;
  meanMsToAcknowledge: number | null;
  meanMsToContain: number | null;
  meanMsToResolve: number | null;
}

/** Metrics over closed real incidents since `since`; drills are exercises and never count. */
export function incidentStats(db: Db, since: string): IncidentStats {
  return statsOf((db.prepare(`SELECT * FROM incidents WHERE kind = 'real' AND status = 'closed' AND closed_at >= ?`).all(since) as Row[]).map(toIncident));
}

/** The metrics of these closed incidents (pure: both stores read the rows, this counts them). */
export function statsOf(rows: readonly Incident[]): IncidentStats {
  const mean = (pick: (i: Incident) => string | null): number | null => {
    const values = rows.map((i) => {
      const at = pick(i);
      return at ? new Date(at).getTime() - new Date(i.createdAt).getTime() : null;
    }).filter((v): v is number => v !== null && v >= 0);
    return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
  };
  return { closed: rows.length, meanMsToAcknowledge: mean((i) => i.acknowledgedAt), meanMsToContain: mean((i) => i.containedAt), meanMsToResolve: mean((i) => i.resolvedAt) };
}

/** Removes an incident whose root message could not be posted, so that a retry starts clean. */
export function deleteIncident(db: Db, incidentId: number): void {
  db.prepare('DELETE FROM incidents WHERE id = ?').run(incidentId);
}
