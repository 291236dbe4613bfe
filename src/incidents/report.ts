/**
 * The post-incident report, built from the store's record alone (steps, roles, timeline, action
 * items): summary, time to acknowledge / contain / resolve, the timeline, every step with its owner
 * and how long it took, and the action items. Pure; Markdown here, Slack blocks in
 * slack/blocks/incident-report.ts.
 */
import { plural } from '../plural.js';
import { formatDuration, formatUtc, msBetween } from './duration.js';
import { effectiveOwner, progressOf, statusWord, type Progress } from './state.js';
import type { ActionItem, Incident, RoleHolder, Step, StepStatus, TimelineEvent } from './types.js';

export interface ReportInput {
  incident: Incident;
  steps: Step[];
  roles: RoleHolder[];
  timeline: TimelineEvent[];
  actionItems: ActionItem[];
  /** Display names for user ids in the Markdown file (Slack renders `<@U…>` itself). */
  names?: Record<string, string>;
}

export interface ReportStep {
  id: number;
  section: string;
  title: string;
  owner: string | null;
  status: StepStatus;
  reason: string | null;
  finishedBy: string | null;
  /** From the start of the incident to when the step was finished; null while open. */
  durationMs: number | null;
  /** Target from the template's due offset. */
  targetMs: number | null;
}

export interface IncidentReport {
  incident: Incident;
  commander: string | null;
  progress: Progress;
  timeToAcknowledgeMs: number | null;
  timeToContainMs: number | null;
  timeToResolveMs: number | null;
  openForMs: number | null;
  steps: ReportStep[];
  timeline: TimelineEvent[];
  actionItems: ActionItem[];
}

export function buildReport(input: ReportInput): IncidentReport {
  const { incident } = input;
  const start = incident.createdAt;
  return {
    incident,
    commander: input.roles.find((r) => r.role === 'commander')?.userId ?? null,
    progress: progressOf(input.steps),
    timeToAcknowledgeMs: msBetween(start, incident.acknowledgedAt),
    timeToContainMs: msBetween(start, incident.containedAt),
    timeToResolveMs: msBetween(start, incident.resolvedAt),
    openForMs: msBetween(start, incident.closedAt),
    steps: input.steps.map((step) => ({
      id: step.id,
      section: step.sectionTitle,
      title: step.title,
      owner: effectiveOwner(step, input.roles),
      status: step.status,
      reason: step.reason,
      finishedBy: step.status === 'open' ? null : step.changedBy,
      durationMs: step.status === 'open' ? null : msBetween(start, step.finishedAt),
      targetMs: msBetween(start, step.dueAt),
    })),
    timeline: [...input.timeline].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id - b.id)),
    actionItems: input.actionItems,
  };
}

export function durationText(ms: number | null): string {
  return ms === null ? 'not reached' : formatDuration(ms);
}

const STATUS_ICON: Record<StepStatus, string> = { open: '☐', done: '✅', skipped: '⏭️', na: '➖' };

export function statusIcon(status: StepStatus): string {
  return STATUS_ICON[status];
}

/** `<@U123>` → `@alice` when the name is known, for a file read outside Slack. */
function people(text: string, names: Record<string, string>): string {
  return text.replace(/<@([UW][A-Z0-9]+)>/g, (_, id: string) => `@${names[id] ?? id}`);
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function reportMarkdown(report: IncidentReport, names: Record<string, string> = {}): string {
  const { incident } = report;
  const who = (id: string | null): string => (id ? `@${names[id] ?? id}` : '—');
  const exercise = incident.kind === 'drill';
  const lines: string[] = [];
  lines.push(`# ${exercise ? 'EXERCISE — ' : ''}Post-incident report: #${incident.id} ${incident.title}`, '');
  if (exercise) lines.push('> This was a tabletop exercise (drill), not a real incident.', '');
  lines.push('## Summary', '');
  lines.push(incident.summary ? people(incident.summary, names) : '_No summary was given at close._', '');
  lines.push(`- Severity: ${incident.severity}`);
  lines.push(`- Commander: ${who(report.commander)}`);
  lines.push(`- Template: ${incident.templateName}`);
  lines.push(`- Started: ${formatUtc(incident.createdAt)} by ${who(incident.createdBy)}`);
  if (incident.closedAt) lines.push(`- Closed: ${formatUtc(incident.closedAt)} by ${who(incident.closedBy)}`);
  if (incident.context?.advisory) lines.push(`- Advisory: ${incident.context.advisory.id}${incident.context.advisory.summary ? ` — ${incident.context.advisory.summary}` : ''}`);
  if (incident.context?.fix) lines.push(`- Fix: ${incident.context.fix}`);
  lines.push(`- Checklist: ${report.progress.finished} of ${plural(report.progress.total, 'step')} finished (${report.progress.done} done, ${report.progress.skipped} skipped, ${report.progress.na} not applicable)`);
  lines.push('');
  lines.push('## Key times', '');
  lines.push('| Measure | Time |', '|---|---|');
  lines.push(`| Time to acknowledge | ${durationText(report.timeToAcknowledgeMs)} |`);
  lines.push(`| Time to contain | ${durationText(report.timeToContainMs)} |`);
  lines.push(`| Time to resolve | ${durationText(report.timeToResolveMs)} |`);
  lines.push(`| Open for | ${durationText(report.openForMs)} |`, '');
  lines.push('## Steps', '');
  lines.push('| # | Section | Step | Owner | Status | Took | Target |', '|---|---|---|---|---|---|---|');
  for (const step of report.steps) {
    const status = step.status === 'skipped' && step.reason ? `skipped: ${step.reason}` : statusWord(step.status);
    const by = step.finishedBy ? ` (${who(step.finishedBy)})` : '';
    lines.push(
      `| ${step.id} | ${cell(step.section)} | ${cell(step.title)} | ${who(step.owner)} | ${cell(status + by)} | ${step.durationMs === null ? '—' : formatDuration(step.durationMs)} | ${step.targetMs === null ? '—' : formatDuration(step.targetMs)} |`,
    );
  }
  lines.push('', '## Action items', '');
  if (report.actionItems.length === 0) lines.push('_None recorded._');
  for (const item of report.actionItems) lines.push(`- [ ] ${people(item.text, names)} — owner: ${who(item.owner)}`);
  lines.push('', '## Timeline', '');
  for (const event of report.timeline) lines.push(`- ${formatUtc(event.at)} — ${event.actor ? `${who(event.actor)} ` : ''}${people(event.text, names)}`);
  lines.push('');
  return lines.join('\n');
}
