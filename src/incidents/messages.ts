/**
 * What the incident domain has said to Slack through the outbox, besides reminders
 * (reminders.ts): the redraw of one of the incident's own messages (its root message or a part of
 * its checklist) as a change left the incident. Written by the change's transaction; laid out by
 * src/slack/outbox/renderers.ts.
 */
import type { Incident, RoleHolder, Step } from './types.js';

export const INCIDENT_MESSAGE_UPDATE = 'incident-message';

export interface IncidentMessageUpdate {
  incident: Incident;
  steps: Step[];
  roles: RoleHolder[];
  /** When the change was made (the message shows times relative to it). */
  now: string;
  /** The message to edit: posted when the incident started, before the outbox knew it. */
  ts: string;
  /** Which checklist part; null for the root message. */
  part: number | null;
}

/** One Slack message of one incident: its redraws go out one at a time, in order, the newest superseding those still waiting. */
export function incidentMessageKey(incidentId: number, ts: string): string {
  return `incident:${incidentId}:message:${ts}`;
}
