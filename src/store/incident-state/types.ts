/**
 * Incident state (issue 13 items 1 and 4): incidents, their checklist steps, roles, timeline,
 * action items and the Slack messages that show them. An async interface with two
 * implementations, like the watch state's (src/store/watch-state/): SQLite (sqlite.ts, wrapping the
 * synchronous functions of src/store/incidents.ts and their better-sqlite3 transactions, unchanged)
 * and PostgreSQL (postgres.ts, shared by replicas, so any replica answers any click).
 *
 * Every method that changes more than one row is one transaction. Changes that redraw the incident's
 * messages (a step, the severity, a role, the close) take `announce`, called inside that transaction
 * with the incident as the change left it; the messages it returns are written to the outbox of the
 * same database in the same transaction. On PostgreSQL those transactions first lock the incident's
 * row, so two replicas changing one incident take turns and the later redraw is always the newer one.
 */
import type { ActionItem, Incident, IncidentSeverity, RoleHolder, Step, TimelineEvent } from '../../incidents/types.js';
import type { CreateResult, IncidentMessage, IncidentStats, NewIncident, NewTimelineEvent, OverdueStep, StepChange, StepChangeResult } from '../incidents.js';
import type { OutboundMessage, OutboxStore } from '../outbox/types.js';

export type { CreateResult, IncidentMessage, IncidentStats, NewIncident, NewTimelineEvent, OverdueStep, StepChange, StepChangeResult };

/** The incident as a change left it, read inside the change's transaction. */
export interface IncidentSnapshot {
  incident: Incident;
  steps: Step[];
  roles: RoleHolder[];
  /** The Slack messages recorded for it (root, checklist parts…), to redraw. */
  messages: IncidentMessage[];
}

/** What a change wants said once it is made: outbox rows, written in its transaction. */
export type Announce = (after: IncidentSnapshot) => readonly OutboundMessage[];

/**
 * What a reminder says, decided in its transaction once the claim is won: from the step as claimed
 * (its owner now, not as the tick read it) and the incident's roles.
 */
export type RemindDecision = (claimed: { step: Step; roles: RoleHolder[] }) => { timeline: NewTimelineEvent; messages: readonly OutboundMessage[] };

export interface IncidentStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** The outbox in the same database: rows written by announce/remind land here. */
  readonly outbox: OutboxStore;

  /** An incident with its steps, the starter as commander and a `started` entry; an open one for the same source is returned instead. */
  createIncident(input: NewIncident): Promise<CreateResult>;
  /** Removes an incident whose root message could not be posted, so a retry starts clean. */
  deleteIncident(incidentId: number): Promise<void>;
  getIncident(incidentId: number): Promise<Incident | null>;
  getStep(incidentId: number, stepId: number): Promise<Step | null>;
  listSteps(incidentId: number): Promise<Step[]>;
  listRoles(incidentId: number): Promise<RoleHolder[]>;
  listTimeline(incidentId: number): Promise<TimelineEvent[]>;
  listActionItems(incidentId: number): Promise<ActionItem[]>;
  /** Open incidents, newest first; in one channel when `channel` is given. */
  listOpenIncidents(options?: { channel?: string; includeDrills?: boolean }): Promise<Incident[]>;
  listMessages(incidentId: number, kind?: string): Promise<IncidentMessage[]>;
  /** The incident a message of ours belongs to, in `channel`. */
  incidentForMessage(channel: string, ts: string): Promise<{ incident: Incident; message: IncidentMessage } | null>;
  /** Metrics over closed real incidents since `since`. */
  incidentStats(since: string): Promise<IncidentStats>;

  /** The root message is posted: its ts and permalink on the incident, and the message recorded (one transaction). */
  recordRootMessage(incidentId: number, ts: string, permalink: string | null, text: string): Promise<Incident | null>;
  recordMessage(incidentId: number, message: IncidentMessage): Promise<void>;
  /**
   * A timeline entry by a person, who thereby acknowledges the incident (status update): one
   * transaction, written only while the incident is open; false, and nothing written, when it is
   * not (closed since the caller read it).
   */
  addTimeline(event: NewTimelineEvent, options?: { acknowledge?: boolean }): Promise<boolean>;
  /** A 📌 message; false when that message is already on the timeline. */
  addPin(event: Omit<NewTimelineEvent, 'type'> & { messageTs: string }): Promise<boolean>;

  changeStep(change: StepChange, announce?: Announce): Promise<StepChangeResult>;
  setSeverity(incidentId: number, severity: IncidentSeverity, actor: string, now: string, announce?: Announce): Promise<{ changed: boolean; from: IncidentSeverity | null }>;
  setRole(incidentId: number, role: string, userId: string, actor: string, now: string, announce?: Announce): Promise<{ changed: boolean; previous: string | null }>;
  /**
   * An action item, its timeline entry, and the actor's acknowledgement: one transaction, written
   * only while the incident is open; null, and nothing written, when it is not (closed since the caller read it).
   */
  addActionItem(item: { incidentId: number; text: string; owner: string | null; createdBy: string; now: string }): Promise<ActionItem | null>;
  /** Closes an open incident; null when it was already closed (two people pressing Close). */
  closeIncident(incidentId: number, actor: string, summary: string | null, now: string, announce?: Announce): Promise<Incident | null>;
  saveReport(incidentId: number, markdown: string): Promise<void>;
  /** Advances the drill injects sent from what the caller saw, with their timeline entries; false when another caller already did. */
  markInjectsSent(incidentId: number, seen: number, count: number, events: readonly NewTimelineEvent[]): Promise<boolean>;

  /** Open, past-due steps due a reminder: a snoozed one when its snooze ends, any other one `intervalMinutes` after its last reminder. */
  overdueSteps(now: string, intervalMinutes: number): Promise<OverdueStep[]>;
  /**
   * Claims the reminder of a step as `overdueSteps` read it (compare-and-set on its version, last
   * reminder and snooze, with its incident still open), then writes what `decide` says from the
   * claimed row (timeline entry, outbox rows): one transaction. False when another tick, on this
   * replica or another, claimed it first, or the step or incident changed since the read.
   */
  remind(step: Step, now: string, decide: RemindDecision): Promise<boolean>;
  snoozeStep(incidentId: number, stepId: number, until: string, actor: string, now: string, label: string): Promise<Step | null>;
}
