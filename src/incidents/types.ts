/**
 * The incident domain: an incident is a checklist of steps made from a template, a timeline of what
 * happened, roles (who is commander…) and action items. Shared by the pure core (state, report,
 * drills), the store and the Slack layer.
 */

export const INCIDENT_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];

export type IncidentKind = 'real' | 'drill';
export type IncidentStatus = 'open' | 'closed';
export type StepStatus = 'open' | 'done' | 'skipped' | 'na';
export const MILESTONES = ['acknowledged', 'contained', 'resolved'] as const;
export type Milestone = (typeof MILESTONES)[number];
/** What a template step can have filled in from the alert or audit it started from. */
export const PREFILLS = ['affected', 'advisory', 'fix'] as const;
export type Prefill = (typeof PREFILLS)[number];

export const COMMANDER_ROLE = 'commander';

export interface AffectedRepo {
  repo: string;
  version?: string | null;
  file?: string | null;
  line?: number | null;
  url?: string | null;
}

/** What an alert or audit finding tells a new incident (supplied by the module that owns the button). */
export interface IncidentContext {
  title: string;
  severity: IncidentSeverity | string;
  advisory?: { id: string; aliases?: string[]; summary?: string; url?: string; package?: string } | null;
  repos: AffectedRepo[];
  fix?: string | null;
  /**
   * Whether a repository it names is private (as GitHub said when the incident was started): App
   * Home then shows the incident only to admins and to whoever started it (src/incidents/home.ts).
   * Absent on contexts stored before it was kept.
   */
  private?: boolean;
}

export interface Incident {
  id: number;
  kind: IncidentKind;
  title: string;
  severity: IncidentSeverity;
  status: IncidentStatus;
  template: string;
  templateName: string;
  channel: string;
  rootTs: string | null;
  rootPermalink: string | null;
  source: string | null;
  context: IncidentContext | null;
  scenario: string | null;
  injectsSent: number;
  createdBy: string;
  createdAt: string;
  acknowledgedAt: string | null;
  containedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  closedBy: string | null;
  summary: string | null;
  report: string | null;
  version: number;
}

export interface Step {
  incidentId: number;
  id: number;
  key: string;
  sectionKey: string;
  sectionTitle: string;
  title: string;
  detail: string | null;
  role: string | null;
  milestone: Milestone | null;
  owner: string | null;
  dueAt: string | null;
  status: StepStatus;
  reason: string | null;
  changedBy: string | null;
  changedAt: string | null;
  finishedAt: string | null;
  lastRemindedAt: string | null;
  snoozedUntil: string | null;
  version: number;
}

export interface RoleHolder {
  role: string;
  userId: string;
  assignedBy: string;
  assignedAt: string;
}

export type TimelineType =
  | 'started'
  | 'step'
  | 'assigned'
  | 'status_update'
  | 'severity'
  | 'role'
  | 'pin'
  | 'reminder'
  | 'snooze'
  | 'inject'
  | 'action_item'
  | 'closed';

export interface TimelineEvent {
  id: number;
  incidentId: number;
  at: string;
  actor: string | null;
  type: TimelineType;
  text: string;
  messageTs: string | null;
}

export interface ActionItem {
  id: number;
  incidentId: number;
  text: string;
  owner: string | null;
  createdBy: string;
  createdAt: string;
}

// ---------------------------------------------------------------- templates

export interface TemplateRole {
  id: string;
  name: string;
  description?: string;
}

export interface TemplateStep {
  id: string;
  title: string;
  detail?: string;
  /** Minutes after the start by which the step is due; undefined for no due time. */
  dueMinutes?: number;
  role?: string;
  milestone?: Milestone;
  prefill?: Prefill;
}

export interface TemplateSection {
  id: string;
  title: string;
  steps: TemplateStep[];
}

export interface IncidentTemplate {
  id: string;
  name: string;
  description?: string;
  roles: TemplateRole[];
  sections: TemplateSection[];
  /** Where it came from: `built-in` or the file path. */
  origin: string;
}

export function isSeverity(value: string): value is IncidentSeverity {
  return (INCIDENT_SEVERITIES as readonly string[]).includes(value);
}

/** Maps audit/OSV severities (which include `unknown` and `moderate`) onto incident severities. */
export function toIncidentSeverity(value: string | null | undefined): IncidentSeverity {
  const v = (value ?? '').toLowerCase();
  if (isSeverity(v)) return v;
  if (v === 'moderate') return 'medium';
  return 'high';
}
