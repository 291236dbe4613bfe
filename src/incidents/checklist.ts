/**
 * A template plus what the alert or finding said → the steps of a new incident. Pure.
 */
import { addMinutes } from './duration.js';
import type { IncidentContext, IncidentTemplate, Prefill, Step } from './types.js';

export type NewStep = Omit<Step, 'incidentId'>;

const MAX_PREFILL_REPOS = 15;

function repoLine(r: IncidentContext['repos'][number]): string {
  const where = r.file ? ` (${r.file}${r.line ? `:${r.line}` : ''})` : '';
  const version = r.version ? ` ${r.version}` : '';
  return `• ${r.repo}${version}${where}`;
}

/** What a `prefill` step shows from the context; null when the context has nothing to say. */
export function prefillText(kind: Prefill, context: IncidentContext | null): string | null {
  if (!context) return null;
  switch (kind) {
    case 'affected': {
      if (context.repos.length === 0) return null;
      const shown = context.repos.slice(0, MAX_PREFILL_REPOS).map(repoLine);
      const more = context.repos.length - shown.length;
      return ['Affected:', ...shown, ...(more > 0 ? [`…and ${more} more`] : [])].join('\n');
    }
    case 'advisory': {
      const a = context.advisory;
      if (!a) return null;
      const aliases = a.aliases?.length ? ` (${a.aliases.slice(0, 4).join(', ')})` : '';
      return `Advisory ${a.id}${aliases}${a.summary ? `: ${a.summary}` : ''}`;
    }
    case 'fix':
      return context.fix ? `Fix: ${context.fix}` : null;
  }
}

export function stepsFromTemplate(template: IncidentTemplate, context: IncidentContext | null, startedAt: string): NewStep[] {
  const steps: NewStep[] = [];
  for (const section of template.sections) {
    for (const t of section.steps) {
      const filled = t.prefill ? prefillText(t.prefill, context) : null;
      const detail = [t.detail, filled].filter((d): d is string => typeof d === 'string' && d.length > 0).join('\n');
      steps.push({
        id: steps.length + 1,
        key: t.id,
        sectionKey: section.id,
        sectionTitle: section.title,
        title: t.title,
        detail: detail.length > 0 ? detail : null,
        role: t.role ?? null,
        milestone: t.milestone ?? null,
        owner: null,
        dueAt: t.dueMinutes !== undefined ? addMinutes(startedAt, t.dueMinutes) : null,
        status: 'open',
        reason: null,
        changedBy: null,
        changedAt: null,
        finishedAt: null,
        lastRemindedAt: null,
        snoozedUntil: null,
        version: 0,
      });
    }
  }
  return steps;
}
