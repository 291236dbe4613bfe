/**
 * Incident messages: the root message in the channel (title, severity, commander, status,
 * progress), the checklist in its thread (split into parts of at most STEPS_PER_PART steps, so a
 * 100-step template still fits and one click re-renders one part), status updates, reminders,
 * drill injects and listings. Pure; every message goes through fitMessage before it is sent.
 *
 * Buttons carry ids only (`incidentId:stepId:version`); the version is the one this rendering
 * showed, which is how a click on a stale message is told who changed the step first.
 */
import { plural } from '../../plural.js';
import type { ActionsBlockElement, KnownBlock, StaticSelect, UsersSelect } from '@slack/types';
import type { DrillInject, DrillScenario } from '../../incidents/drills.js';
import type { StatusUpdate } from '../../incidents/state.js';
import { effectiveOwner, progressLine, progressOf } from '../../incidents/state.js';
import type { TemplateLibrary } from '../../incidents/templates.js';
import { templateStepCount } from '../../incidents/templates.js';
import { INCIDENT_SEVERITIES, type Incident, type IncidentSeverity, type RoleHolder, type Step } from '../../incidents/types.js';
import { SEVERITY_STYLE } from '../../report/severity-style.js';
import { fitMessage, fitOneMessage } from './fit.js';
import { actions, button, context, escapeMrkdwn, escapeMrkdwnLines, fields, header, link, listSections, md, plainText, section, truncate } from './kit.js';

export interface SlackMessageOut {
  text: string;
  blocks: KnownBlock[];
}

/** Steps per checklist message: 2 blocks each plus section headings stays far below 50 blocks and the text budget. */
export const STEPS_PER_PART = 10;
/**
 * What a step may show, measured after escaping (a template's `&` and `<` take 4 or 5 characters
 * each): ten steps, each under a section heading of its own, then stay within one message.
 */
const DETAIL_MAX = 500;
const STEP_TITLE_MAX = 220;
const SECTION_TITLE_MAX = 110;
const REASON_MAX = 300;
/** The incident's name where a checklist part repeats it (a title may be as long as a slash command). */
const NAME_IN_PART_MAX = 150;

export const INCIDENT_ACTIONS = {
  stepDone: 'incident_step_done',
  stepSkip: 'incident_step_skip',
  stepNa: 'incident_step_na',
  stepReopen: 'incident_step_reopen',
  stepAssign: 'incident_step_assign',
  update: 'incident_update_open',
  actionItem: 'incident_action_item_open',
  close: 'incident_close_open',
  severity: 'incident_severity',
  commander: 'incident_commander',
  snoozePrefix: 'incident_snooze_',
  drillStart: 'incident_drill_start',
} as const;

export const SNOOZE_MINUTES = [30, 60, 240] as const;

/** Incidents wear the same colours as findings (src/report/severity-style.ts). */
const SEVERITY_ICON: Record<IncidentSeverity, string> = { critical: SEVERITY_STYLE.critical.emoji, high: SEVERITY_STYLE.high.emoji, medium: SEVERITY_STYLE.medium.emoji, low: SEVERITY_STYLE.low.emoji };

export function severityLabel(severity: IncidentSeverity): string {
  return `${SEVERITY_ICON[severity]} ${severity[0]?.toUpperCase() ?? ''}${severity.slice(1)}`;
}

/** A date Slack shows in each reader's time zone, with UTC as the fallback. */
export function slackDate(iso: string): string {
  const ms = new Date(iso).getTime();
  if (Number.isNaN(ms)) return escapeMrkdwn(iso);
  const fallback = `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${fallback}>`;
}

/**
 * Timeline entries mix our own mentions (`reminded <@U…>`, `handed the role to <@U…>`) with what
 * people typed. Everything is escaped; only mentions of the incident's own people (`people`: its
 * creator, role holders, step owners, actors) become mentions again, so a title or a summary that
 * says `<@U…>` or `<!channel>` notifies nobody.
 */
export function mrkdwnWithMentions(text: string, people: ReadonlySet<string>): string {
  return escapeMrkdwn(text).replace(/&lt;@([UW][A-Z0-9]+)&gt;/g, (whole, id: string) => (people.has(id) ? `<@${id}>` : whole));
}

/**
 * An action item's text: the person who typed `/incident action` mentioned everyone in it (Slack
 * sent real mentions), so its user mentions stay mentions, in the thread's note and in the report
 * alike; anything else (`<!channel>`, links) is escaped like all typed text.
 */
export function actionItemMrkdwn(text: string): string {
  const mentioned = new Set([...text.matchAll(/<@([UW][A-Z0-9]+)>/g)].map((m) => m[1] as string));
  return mrkdwnWithMentions(text, mentioned);
}

export function stepValue(step: Pick<Step, 'incidentId' | 'id' | 'version'>): string {
  return `${step.incidentId}:${step.id}:${step.version}`;
}

export function parseStepValue(value: string | undefined): { incidentId: number; stepId: number; version: number } | null {
  const m = /^(\d+):(\d+):(\d+)$/.exec(value ?? '');
  if (!m) return null;
  return { incidentId: Number(m[1]), stepId: Number(m[2]), version: Number(m[3]) };
}

/** Block ids of a step's actions block carry the same ids (a users_select has no value of its own). */
export function stepBlockId(step: Pick<Step, 'incidentId' | 'id' | 'version'>): string {
  return `incident_step:${stepValue(step)}`;
}

export function parseStepBlockId(blockId: string | undefined): { incidentId: number; stepId: number; version: number } | null {
  return parseStepValue((blockId ?? '').replace(/^incident_step:/, ''));
}

export function rootBlockId(incidentId: number): string {
  return `incident_root:${incidentId}`;
}

export function parseIncidentId(value: string | undefined): number | null {
  const m = /^(?:incident_root:)?(\d+)(?::|$)/.exec(value ?? '');
  return m ? Number(m[1]) : null;
}

export function incidentName(incident: Pick<Incident, 'id' | 'title' | 'kind'>): string {
  return `${incident.kind === 'drill' ? 'EXERCISE ' : ''}Incident #${incident.id}: ${incident.title}`;
}

const EXERCISE_NOTE = '🧪 *EXERCISE* — this is a tabletop drill, not a real incident.';

/** Every drill message says EXERCISE, in its notification text and at its top. */
export function forIncident(incident: Pick<Incident, 'kind'>, message: SlackMessageOut): SlackMessageOut {
  if (incident.kind !== 'drill') return message;
  return { text: message.text.startsWith('[EXERCISE]') ? message.text : `[EXERCISE] ${message.text}`, blocks: [context(EXERCISE_NOTE), ...message.blocks] };
}

/** Fitted to one message. Incident layouts are sized never to need more; anything past it is cut. */
export function fitted(message: SlackMessageOut): SlackMessageOut {
  const { first } = fitMessage({ text: message.text, blocks: message.blocks });
  return first;
}

/**
 * Fitted to one message, or thrown: the root, checklist parts and reminders are updated in place
 * (and posted by the outbox), so a tail that needed a thread reply would be lost without a word.
 */
function fittedWhole(message: SlackMessageOut, what: string): SlackMessageOut {
  return fitOneMessage({ text: message.text, blocks: message.blocks }, what);
}

export interface IncidentView {
  incident: Incident;
  steps: Step[];
  roles: RoleHolder[];
  now: string;
}

function commanderOf(roles: RoleHolder[]): string | null {
  return roles.find((r) => r.role === 'commander')?.userId ?? null;
}

function contextLines(incident: Incident): string[] {
  const c = incident.context;
  if (!c) return [];
  const lines: string[] = [];
  if (c.advisory) {
    const a = c.advisory;
    const id = a.url ? link(a.url, a.id) : escapeMrkdwn(a.id);
    lines.push(`*Advisory:* ${id}${a.package ? ` in \`${escapeMrkdwn(a.package)}\`` : ''}${a.summary ? ` — ${escapeMrkdwn(truncate(a.summary, 300))}` : ''}`);
  }
  if (c.repos.length > 0) {
    const shown = c.repos.slice(0, 5).map((r) => {
      const label = `${r.repo}${r.version ? ` ${r.version}` : ''}`;
      return r.url ? link(r.url, label) : escapeMrkdwn(label);
    });
    lines.push(`*Affected:* ${shown.join(', ')}${c.repos.length > 5 ? ` and ${c.repos.length - 5} more` : ''}`);
  }
  if (c.fix) lines.push(`*Fix:* ${escapeMrkdwn(truncate(c.fix, 400))}`);
  return lines;
}

function severitySelect(incident: Incident): StaticSelect {
  const options = INCIDENT_SEVERITIES.map((s) => ({ text: plainText(severityLabel(s)), value: `${incident.id}:${s}` }));
  return {
    type: 'static_select',
    action_id: INCIDENT_ACTIONS.severity,
    placeholder: plainText('Severity'),
    options,
    initial_option: options.find((o) => o.value === `${incident.id}:${incident.severity}`),
  };
}

function commanderSelect(roles: RoleHolder[]): UsersSelect {
  const commander = commanderOf(roles);
  return { type: 'users_select', action_id: INCIDENT_ACTIONS.commander, placeholder: plainText('Hand over commander'), ...(commander ? { initial_user: commander } : {}) };
}

export function rootMessage(view: IncidentView): SlackMessageOut {
  const { incident, roles } = view;
  const progress = progressOf(view.steps);
  const commander = commanderOf(roles);
  const open = incident.status === 'open';
  const blocks: KnownBlock[] = [
    header(`${open ? '🚨' : '✅'} ${incidentName(incident)}`),
    fields(
      `*Severity*\n${severityLabel(incident.severity)}`,
      `*Commander*\n${commander ? `<@${commander}>` : 'nobody'}`,
      `*Status*\n${open ? 'Open' : `Closed ${incident.closedAt ? slackDate(incident.closedAt) : ''}`}`,
      `*Progress*\n${progressLine(progress)}`,
    ),
  ];
  const about = contextLines(incident);
  if (about.length > 0) blocks.push(section(about.join('\n')));
  blocks.push(context(`Checklist and updates in the thread · ${escapeMrkdwn(incident.templateName)} · started by <@${incident.createdBy}> ${slackDate(incident.createdAt)}`));
  if (open) {
    blocks.push(
      actions(
        rootBlockId(incident.id),
        button({ text: 'Post update', actionId: INCIDENT_ACTIONS.update, value: String(incident.id) }),
        button({ text: 'Add action item', actionId: INCIDENT_ACTIONS.actionItem, value: String(incident.id) }),
        severitySelect(incident),
        commanderSelect(roles),
        button({ text: 'Close…', actionId: INCIDENT_ACTIONS.close, value: String(incident.id), style: 'danger' }),
      ),
    );
  }
  // Notification texts are mrkdwn: a title of `<!channel>` must not notify the channel.
  const text = md`${open ? '🚨' : '✅'} ${incidentName(incident)} — ${incident.severity}, ${open ? 'open' : 'closed'}, ${progress.finished} of ${plural(progress.total, 'step')}`.text;
  return fittedWhole(forIncident(incident, { text, blocks }), `the root message of incident #${incident.id}`);
}

/** The checklist's parts: consecutive runs of at most STEPS_PER_PART steps. */
export function checklistPartCount(stepCount: number): number {
  return Math.max(1, Math.ceil(stepCount / STEPS_PER_PART));
}

export function partOfStep(stepId: number): number {
  return Math.floor((stepId - 1) / STEPS_PER_PART);
}

function dueText(step: Step, now: string): string {
  if (!step.dueAt) return '';
  const overdue = step.status === 'open' && step.dueAt <= now;
  return ` · due ${slackDate(step.dueAt)}${overdue ? ' ⏰ *overdue*' : ''}`;
}

function stepText(step: Step, roles: RoleHolder[], now: string): string {
  const owner = effectiveOwner(step, roles);
  const title = truncate(escapeMrkdwn(step.title), STEP_TITLE_MAX);
  const who = owner ? `<@${owner}>` : 'unassigned';
  const lines: string[] = [];
  switch (step.status) {
    case 'open':
      lines.push(`☐ *${step.id}. ${title}*`, `Owner: ${who}${dueText(step, now)}`);
      if (step.detail) lines.push(truncate(escapeMrkdwnLines(step.detail), DETAIL_MAX));
      break;
    case 'done':
      lines.push(`✅ ~${step.id}. ${title}~`, `Done by <@${step.changedBy ?? owner ?? ''}> ${step.finishedAt ? slackDate(step.finishedAt) : ''}`);
      break;
    case 'skipped':
      lines.push(`⏭️ ~${step.id}. ${title}~`, `Skipped by <@${step.changedBy ?? ''}> ${step.finishedAt ? slackDate(step.finishedAt) : ''}: _${truncate(escapeMrkdwn(step.reason ?? ''), REASON_MAX)}_`);
      break;
    case 'na':
      lines.push(`➖ ~${step.id}. ${title}~`, `Not applicable (<@${step.changedBy ?? ''}>)`);
      break;
  }
  return lines.join('\n');
}

function stepBlocks(step: Step, view: IncidentView): KnownBlock[] {
  const open = view.incident.status === 'open';
  const text = stepText(step, view.roles, view.now);
  if (!open) return [section(text)];
  if (step.status !== 'open') {
    return [section(text, button({ text: 'Reopen', actionId: INCIDENT_ACTIONS.stepReopen, value: stepValue(step), accessibilityLabel: `Reopen step ${step.id}` }))];
  }
  const owner = effectiveOwner(step, view.roles);
  const assign: UsersSelect = { type: 'users_select', action_id: INCIDENT_ACTIONS.stepAssign, placeholder: plainText('Assign…'), ...(owner ? { initial_user: owner } : {}) };
  const elements: ActionsBlockElement[] = [
    button({ text: 'Skip…', actionId: INCIDENT_ACTIONS.stepSkip, value: stepValue(step), accessibilityLabel: `Skip step ${step.id}` }),
    button({ text: 'Not applicable', actionId: INCIDENT_ACTIONS.stepNa, value: stepValue(step), accessibilityLabel: `Step ${step.id} is not applicable` }),
    assign,
  ];
  return [
    section(text, button({ text: 'Done', actionId: INCIDENT_ACTIONS.stepDone, value: stepValue(step), style: 'primary', accessibilityLabel: `Mark step ${step.id} done` })),
    actions(stepBlockId(step), ...elements),
  ];
}

/** One part of the checklist; part 0 leads with the progress line that every click updates. */
export function checklistPart(view: IncidentView, part: number): SlackMessageOut {
  const { incident } = view;
  const parts = checklistPartCount(view.steps.length);
  const steps = view.steps.filter((s) => partOfStep(s.id) === part);
  const progress = progressOf(view.steps);
  const blocks: KnownBlock[] = [];
  if (part === 0) {
    blocks.push(header(`Checklist — ${incidentName(incident)}`));
    blocks.push(context(`*Progress:* ${progressLine(progress)}${incident.status === 'closed' ? ' · closed' : ''}${parts > 1 ? ` · part 1 of ${parts}` : ''}`));
  } else {
    blocks.push(context(`Checklist — ${truncate(escapeMrkdwn(incidentName(incident)), NAME_IN_PART_MAX)} · part ${part + 1} of ${parts}`));
  }
  // Each part names its section again: a part read on its own (scrolled to) should say where it is.
  let section_: string | null = null;
  for (const step of steps) {
    if (step.sectionKey !== section_) {
      blocks.push(section(`*${truncate(escapeMrkdwn(step.sectionTitle), SECTION_TITLE_MAX)}*`));
      section_ = step.sectionKey;
    }
    blocks.push(...stepBlocks(step, view));
  }
  const text = part === 0 ? md`Checklist for ${incidentName(incident)}: ${progress.finished} of ${plural(progress.total, 'step')}`.text : md`Checklist for ${incidentName(incident)} (part ${part + 1} of ${parts})`.text;
  return fittedWhole(forIncident(incident, { text, blocks }), `part ${part + 1} of the checklist of incident #${incident.id}`);
}

export function statusUpdateMessage(incident: Incident, update: StatusUpdate, actor: string, at: string): SlackMessageOut {
  const line = (label: string, value: string): string => `*${label}:* ${value.trim() ? escapeMrkdwnLines(truncate(value.trim(), 900)) : '_nothing new_'}`;
  const blocks: KnownBlock[] = [
    section(`📣 *Status update* from <@${actor}> · ${severityLabel(incident.severity)}`),
    section([line('Conditions', update.conditions), line('Actions', update.actions), line('Needs', update.needs)].join('\n')),
    context(`${escapeMrkdwn(incidentName(incident))} · ${slackDate(at)}`),
  ];
  return fitted(forIncident(incident, { text: md`Status update on ${incidentName(incident)}: ${truncate(update.conditions || update.actions || update.needs, 200)}`.text, blocks }));
}

/** `text` is mrkdwn (escape what people typed in it). */
export function noteMessage(incident: Incident, text: string): SlackMessageOut {
  return fitted(forIncident(incident, { text: `${escapeMrkdwn(incidentName(incident))}: ${text}`.replace(/[*_~]/g, ''), blocks: [section(text)] }));
}

export interface ReminderInput {
  incident: Incident;
  step: Step;
  owner: string | null;
  now: string;
  /** Link to the incident thread, for the DM. */
  threadLink?: string | null;
  /** The DM version says where the step lives. */
  direct?: boolean;
  /** The step's owner, whom a DM could not reach, and why; `owner` is then who is told instead. */
  unreachable?: { user: string; why: string };
}

export function reminderMessage(input: ReminderInput): SlackMessageOut {
  const { incident, step } = input;
  const lost = input.unreachable;
  // Nobody to address when the owner no DM reaches is also the commander: the channel reads it.
  const who = input.owner ? `<@${input.owner}>: step` : lost ? 'Step' : 'Nobody owns this step yet — assign it: step';
  const where = input.direct ? ` in ${input.threadLink ? link(input.threadLink, incidentName(incident)) : escapeMrkdwn(incidentName(incident))}` : '';
  const unreached = lost ? ` Its owner <@${lost.user}> could not be reached by DM (${escapeMrkdwn(lost.why)}): reassign it.` : '';
  const blocks: KnownBlock[] = [
    section(`⏰ ${who} ${step.id} *${escapeMrkdwn(step.title)}*${where} was due ${step.dueAt ? slackDate(step.dueAt) : ''} and is still open.${unreached}`),
    actions(
      `incident_reminder:${stepValue(step)}`,
      button({ text: 'Done', actionId: INCIDENT_ACTIONS.stepDone, value: stepValue(step), style: 'primary' }),
      ...SNOOZE_MINUTES.map((m) => button({ text: `Snooze ${m < 60 ? `${m} min` : `${m / 60} h`}`, actionId: `${INCIDENT_ACTIONS.snoozePrefix}${m}`, value: `${step.incidentId}:${step.id}:${m}` })),
    ),
  ];
  return fittedWhole(forIncident(incident, { text: md`Reminder: “${step.title}” is overdue (${incidentName(incident)})`.text, blocks }), `the reminder of step ${step.id} of incident #${incident.id}`);
}

export function parseSnoozeValue(value: string | undefined): { incidentId: number; stepId: number; minutes: number } | null {
  const m = /^(\d+):(\d+):(\d+)$/.exec(value ?? '');
  if (!m) return null;
  const minutes = Number(m[3]);
  if (!(SNOOZE_MINUTES as readonly number[]).includes(minutes)) return null;
  return { incidentId: Number(m[1]), stepId: Number(m[2]), minutes };
}

export function injectMessage(incident: Incident, scenario: DrillScenario, index: number, inject: DrillInject): SlackMessageOut {
  return fitted(
    forIncident(incident, {
      text: md`Inject ${index + 1} of ${scenario.injects.length}: ${truncate(inject.text, 200)}`.text,
      blocks: [section(`📨 *Inject ${index + 1} of ${scenario.injects.length}*\n${escapeMrkdwnLines(inject.text)}`)],
    }),
  );
}

export function drillBriefingMessage(incident: Incident, scenario: DrillScenario): SlackMessageOut {
  return fitted(
    forIncident(incident, {
      text: md`Drill briefing: ${scenario.title}`.text,
      blocks: [section(`🎯 *Scenario: ${escapeMrkdwn(scenario.title)}*\n${escapeMrkdwnLines(scenario.briefing)}`), context('New facts (injects) arrive here as the checklist progresses. Work it as if it were real.')],
    }),
  );
}

export function drillListMessage(scenarios: readonly DrillScenario[]): SlackMessageOut {
  const blocks: KnownBlock[] = [header('Tabletop drills'), context('A drill runs the whole checklist marked EXERCISE: no DMs, and it stays out of metrics.')];
  for (const s of scenarios) {
    blocks.push(section(`*${escapeMrkdwn(s.title)}* (\`${escapeMrkdwn(s.id)}\`, ${s.severity})\n${escapeMrkdwnLines(truncate(s.briefing, 400))}`, button({ text: 'Start drill', actionId: INCIDENT_ACTIONS.drillStart, value: s.id })));
  }
  return fitted({ text: md`Tabletop drills: ${scenarios.map((s) => s.id).join(', ')}`.text, blocks });
}

/**
 * Templates and open incidents listed in one message, one section each: 40 stay well inside Slack's
 * 50 blocks with the header and notes around them; the rest are counted, never dropped without a word.
 */
const MAX_LISTED = 40;

export function templatesMessage(library: TemplateLibrary, customDir: string | null): SlackMessageOut {
  const blocks: KnownBlock[] = [header('Incident checklist templates')];
  for (const t of library.templates.slice(0, MAX_LISTED)) {
    const roles = t.roles.map((r) => r.id).join(', ');
    const sections = t.sections.map((s) => `${escapeMrkdwn(s.title)} (${s.steps.length})`).join(' · ');
    blocks.push(section(`*${escapeMrkdwn(t.name)}* — \`${escapeMrkdwn(t.id)}\`, ${plural(templateStepCount(t), 'step')}, roles: ${escapeMrkdwn(roles)}\n${sections}\n_${escapeMrkdwn(t.origin === 'built-in' ? 'built in' : t.origin)}_`));
  }
  if (library.templates.length > MAX_LISTED) blocks.push(context(`…and ${library.templates.length - MAX_LISTED} more templates, not listed here (one message holds ${MAX_LISTED}).`));
  if (library.errors.length > 0) {
    const lines = library.errors.map((e) => `• ${escapeMrkdwn(e)}`);
    blocks.push(...listSections('⚠️ *Templates that could not be loaded*', lines, { room: 2_500, more: (left) => `…and ${left} more (every one is in the log at start-up)` }));
  }
  blocks.push(context(customDir ? `Custom templates: YAML files in \`${escapeMrkdwn(customDir)}\`, read at start-up. Use one with \`/incident start template:&lt;id&gt; &lt;title&gt;\`.` : 'Custom templates are read from a templates/ folder next to the database file.'));
  return fitted({ text: `${library.templates.length} incident templates`, blocks });
}

export function incidentListMessage(incidents: Incident[]): SlackMessageOut {
  if (incidents.length === 0) return fitted({ text: 'No open incidents here.', blocks: [section('No open incidents in this channel.')] });
  const blocks: KnownBlock[] = [header('Open incidents')];
  for (const i of incidents.slice(0, MAX_LISTED)) {
    const name = i.rootPermalink ? link(i.rootPermalink, incidentName(i)) : escapeMrkdwn(incidentName(i));
    blocks.push(section(`${severityLabel(i.severity)} ${name} · started ${slackDate(i.createdAt)}`));
  }
  if (incidents.length > MAX_LISTED) blocks.push(context(`…and ${incidents.length - MAX_LISTED} more open incidents, not listed here (one message holds ${MAX_LISTED}).`));
  return fitted({ text: `${incidents.length} open incidents`, blocks });
}
