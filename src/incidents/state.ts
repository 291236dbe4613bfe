/**
 * The incident state machine, as pure functions: what a click may do to a step, what progress a
 * checklist has made, which milestones (acknowledged, contained, resolved) have been reached. The
 * store applies the result with a conditional UPDATE; nothing here touches I/O.
 */
import { plural } from '../plural.js';
import type { Incident, RoleHolder, Step, StepStatus } from './types.js';

export type StepAction =
  | { type: 'done' }
  | { type: 'skip'; reason: string }
  | { type: 'na' }
  | { type: 'reopen' }
  | { type: 'assign'; owner: string };

export type TransitionError = 'incident_closed' | 'not_open' | 'already_open' | 'reason_required';

export type Transition =
  | { ok: true; step: Step; summary: string }
  | { ok: false; error: TransitionError; message: string };

export const MAX_REASON = 500;

const STATUS_WORD: Record<StepStatus, string> = { open: 'open', done: 'done', skipped: 'skipped', na: 'not applicable' };

export function statusWord(status: StepStatus): string {
  return STATUS_WORD[status];
}

/** The step after `action` by `actor` at `now`, or why the action can't apply to the step as it is. */
export function transitionStep(incident: Pick<Incident, 'status'>, step: Step, action: StepAction, actor: string, now: string): Transition {
  if (incident.status === 'closed') return { ok: false, error: 'incident_closed', message: 'The incident is closed; its checklist can no longer change.' };
  const changed = { changedBy: actor, changedAt: now, version: step.version + 1 };
  switch (action.type) {
    case 'done':
    case 'na':
    case 'skip': {
      if (step.status !== 'open') {
        return { ok: false, error: 'not_open', message: `“${step.title}” is already ${statusWord(step.status)}.` };
      }
      if (action.type === 'skip') {
        const reason = action.reason.trim();
        if (reason.length === 0) return { ok: false, error: 'reason_required', message: 'Say why the step is skipped.' };
        const kept = reason.slice(0, MAX_REASON);
        return { ok: true, step: { ...step, ...changed, status: 'skipped', reason: kept, finishedAt: now }, summary: `skipped “${step.title}”: ${kept}` };
      }
      const status: StepStatus = action.type === 'done' ? 'done' : 'na';
      return { ok: true, step: { ...step, ...changed, status, reason: null, finishedAt: now }, summary: `marked “${step.title}” ${statusWord(status)}` };
    }
    case 'reopen':
      if (step.status === 'open') return { ok: false, error: 'already_open', message: `“${step.title}” is already open.` };
      return { ok: true, step: { ...step, ...changed, status: 'open', reason: null, finishedAt: null, lastRemindedAt: null, snoozedUntil: null }, summary: `reopened “${step.title}”` };
    case 'assign':
      if (step.status !== 'open') return { ok: false, error: 'not_open', message: `“${step.title}” is already ${statusWord(step.status)}; reopen it first.` };
      // A new owner deserves a fresh reminder rather than inheriting the old owner's snooze.
      return {
        ok: true,
        step: { ...step, ...changed, owner: action.owner, lastRemindedAt: null, snoozedUntil: null },
        summary: `assigned “${step.title}” to <@${action.owner}>`,
      };
  }
}

/**
 * Who a step belongs to: its explicit owner, else whoever holds its role, else the commander (who
 * owns everything nobody else holds, so an overdue step always has someone to remind).
 */
export function effectiveOwner(step: Pick<Step, 'owner' | 'role'>, roles: readonly RoleHolder[]): string | null {
  if (step.owner) return step.owner;
  const holder = (role: string): string | null => roles.find((r) => r.role === role)?.userId ?? null;
  return (step.role ? holder(step.role) : null) ?? holder('commander');
}

export interface Progress {
  total: number;
  finished: number;
  done: number;
  skipped: number;
  na: number;
  percent: number;
}

export function progressOf(steps: readonly Pick<Step, 'status'>[]): Progress {
  const count = (s: StepStatus): number => steps.filter((step) => step.status === s).length;
  const done = count('done');
  const skipped = count('skipped');
  const na = count('na');
  const finished = done + skipped + na;
  const total = steps.length;
  return { total, finished, done, skipped, na, percent: total === 0 ? 100 : Math.floor((finished * 100) / total) };
}

/** `▰▰▰▱▱▱▱▱▱▱` — text, so it survives notifications, screen readers and the Markdown report. */
export function progressBar(progress: Progress, width = 10): string {
  const filled = progress.total === 0 ? width : Math.round((progress.finished / progress.total) * width);
  return '▰'.repeat(filled) + '▱'.repeat(width - filled);
}

export function progressLine(progress: Progress): string {
  const parts: string[] = [];
  if (progress.skipped > 0) parts.push(`${progress.skipped} skipped`);
  if (progress.na > 0) parts.push(`${progress.na} n/a`);
  return `${progressBar(progress)} ${progress.finished} of ${plural(progress.total, 'step')} (${progress.percent}%)${parts.length > 0 ? ` · ${parts.join(', ')}` : ''}`;
}

export interface Milestones {
  acknowledgedAt: string | null;
  containedAt: string | null;
  resolvedAt: string | null;
}

/**
 * Milestones after a change: each is kept once reached (a reopened step doesn't rewrite history);
 * a milestone step that is done or not applicable reaches it; any human action acknowledges.
 */
export function milestonesAfter(incident: Milestones, steps: readonly Step[], humanActionAt: string | null): Milestones {
  const reached = (milestone: string): string | null => {
    const times = steps
      .filter((s) => s.milestone === milestone && (s.status === 'done' || s.status === 'na') && s.finishedAt)
      .map((s) => s.finishedAt as string)
      .sort();
    return times[0] ?? null;
  };
  const earliest = (...values: (string | null)[]): string | null => values.filter((v): v is string => v !== null).sort()[0] ?? null;
  return {
    acknowledgedAt: incident.acknowledgedAt ?? earliest(humanActionAt, reached('acknowledged')),
    containedAt: incident.containedAt ?? reached('contained'),
    resolvedAt: incident.resolvedAt ?? reached('resolved'),
  };
}

export interface StatusUpdate {
  conditions: string;
  actions: string;
  needs: string;
}

/**
 * A label starts the text or follows a `;` or a line break, so "GitHub Actions: runner compromised"
 * inside a part is text, not a new part. The separator is part of the match (the part before ends there).
 */
const LABELS = /(?:^|[;\n])[ \t]*(conditions|actions|needs)[ \t]*:/gi;
/**
 * Text with no `;` and no line break is the form the help showed until session 21
 * (`conditions: db down actions: failover needs: dba`): there a label may also follow a space, written
 * as the help writes it, in lower case, so a capitalised "GitHub Actions:" inside it stays text.
 */
const INLINE_LABELS = /[ \t](conditions|actions|needs):/g;

/**
 * `/incident status` text: `conditions: …; actions: …; needs: …` in any order (labels optional;
 * text before the first label counts as conditions).
 */
export function parseStatusUpdate(text: string): StatusUpdate {
  const out: StatusUpdate = { conditions: '', actions: '', needs: '' };
  const marks = [...text.matchAll(LABELS)];
  if (!/[;\n]/.test(text)) marks.push(...[...text.matchAll(INLINE_LABELS)].filter((m) => !marks.some((l) => (l.index ?? 0) + l[0].length > (m.index ?? 0))));
  marks.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  const lead = text.slice(0, marks[0]?.index ?? text.length).trim().replace(/[;,]$/, '').trim();
  if (lead) out.conditions = lead;
  marks.forEach((mark, i) => {
    const key = (mark[1] ?? '').toLowerCase() as keyof StatusUpdate;
    const start = (mark.index ?? 0) + mark[0].length;
    const end = marks[i + 1]?.index ?? text.length;
    const value = text.slice(start, end).trim().replace(/[;,]\s*$/, '');
    out[key] = out[key] ? `${out[key]} ${value}` : value;
  });
  return out;
}
