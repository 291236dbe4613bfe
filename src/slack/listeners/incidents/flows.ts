/**
 * What each incident interaction does, between the store and Slack: start (root message, then the
 * checklist in its thread), step changes (conditional update, then the touched messages re-rendered
 * in place), status updates, severity and role changes, pins, drill injects, and close with the
 * post-incident report. The listeners only parse payloads and call these.
 *
 * The store is written before Slack is told, so a failed Slack call never loses state: the next
 * click re-renders from the database. Slack failures are logged, never thrown at the user's click.
 */
import type { WebClient } from '@slack/web-api';
import { stepsFromTemplate } from '../../../incidents/checklist.js';
import { drillScoreMarkdown, findScenario, injectsDue, scoreDrill, type DrillScenario } from '../../../incidents/drills.js';
import { buildReport, reportMarkdown } from '../../../incidents/report.js';
import { progressOf, statusWord, type StatusUpdate, type StepAction } from '../../../incidents/state.js';
import type { TemplateLibrary } from '../../../incidents/templates.js';
import { COMMANDER_ROLE, type Incident, type IncidentContext, type IncidentKind, type IncidentSeverity } from '../../../incidents/types.js';
import type { Db } from '../../../store/db.js';
import {
  acknowledge,
  addActionItem,
  addPin,
  addTimeline,
  changeStep,
  closeIncident,
  createIncident,
  deleteIncident,
  getIncident,
  incidentForMessage,
  listActionItems,
  listMessages,
  listOpenIncidents,
  listRoles,
  listSteps,
  listTimeline,
  markInjectsSent,
  recordMessage,
  saveReport,
  setRole,
  setRootMessage,
  setSeverity,
  type StepChangeResult,
} from '../../../store/incidents.js';
import { fitMessage } from '../../blocks/fit.js';
import { escapeMrkdwn, md } from '../../blocks/mrkdwn.js';
import {
  checklistPart,
  checklistPartCount,
  drillBriefingMessage,
  incidentName,
  injectMessage,
  noteMessage,
  partOfStep,
  rootMessage,
  slackDate,
  statusUpdateMessage,
  type IncidentView,
  type SlackMessageOut,
} from '../../blocks/incident.js';
import { reportBlocks } from '../../blocks/incident-report.js';
import type { IncidentLogger } from './deps.js';

export interface FlowContext {
  db: Db;
  client: WebClient;
  now: () => Date;
  templates: TemplateLibrary;
  logger?: IncidentLogger | undefined;
}

const isoNow = (ctx: FlowContext): string => ctx.now().toISOString();

function slackError(error: unknown): string {
  const data = (error as { data?: { error?: unknown } }).data;
  if (data && typeof data.error === 'string') return data.error;
  return error instanceof Error ? error.message : String(error);
}

function warn(ctx: FlowContext, what: string, error: unknown, extra: Record<string, unknown> = {}): void {
  ctx.logger?.warn({ ...extra, error: slackError(error) }, what);
}

export function incidentView(db: Db, incident: Incident, now: string): IncidentView {
  return { incident, steps: listSteps(db, incident.id), roles: listRoles(db, incident.id), now };
}

/** An ephemeral note to one person; drills say EXERCISE here too. */
export async function tell(ctx: FlowContext, channel: string, user: string, text: string, options: { threadTs?: string | null; incident?: Incident | null } = {}): Promise<void> {
  const body = options.incident && options.incident.kind === 'drill' ? `[EXERCISE] ${text}` : text;
  try {
    await ctx.client.chat.postEphemeral({ channel, user, text: body, ...(options.threadTs ? { thread_ts: options.threadTs } : {}) });
  } catch (error) {
    warn(ctx, 'incident: could not send an ephemeral message', error, { channel, user });
  }
}

/** Posts in the incident's thread and remembers the message (for 📌 pins and re-renders). */
export async function postInThread(ctx: FlowContext, incident: Incident, message: SlackMessageOut, kind: string, part: number | null = null): Promise<string | null> {
  if (!incident.rootTs) return null;
  try {
    const posted = await ctx.client.chat.postMessage({ channel: incident.channel, thread_ts: incident.rootTs, text: message.text, blocks: message.blocks });
    if (posted.ts) recordMessage(ctx.db, incident.id, { ts: posted.ts, kind, part, text: message.text });
    return posted.ts ?? null;
  } catch (error) {
    warn(ctx, 'incident: could not post in the thread', error, { incident: incident.id, kind });
    return null;
  }
}

async function update(ctx: FlowContext, incident: Incident, ts: string, message: SlackMessageOut): Promise<void> {
  try {
    await ctx.client.chat.update({ channel: incident.channel, ts, text: message.text, blocks: message.blocks });
  } catch (error) {
    warn(ctx, 'incident: could not update a message', error, { incident: incident.id, ts });
  }
}

/**
 * Re-renders the root message and the checklist parts that show `stepIds` (part 0 always: it
 * carries the progress bar); every part when `stepIds` is 'all'.
 */
export async function refreshIncident(ctx: FlowContext, incidentId: number, stepIds: number[] | 'all'): Promise<void> {
  const incident = getIncident(ctx.db, incidentId);
  if (!incident?.rootTs) return;
  const view = incidentView(ctx.db, incident, isoNow(ctx));
  await update(ctx, incident, incident.rootTs, rootMessage(view));
  const parts = new Set(stepIds === 'all' ? Array.from({ length: checklistPartCount(view.steps.length) }, (_, i) => i) : [0, ...stepIds.map(partOfStep)]);
  for (const message of listMessages(ctx.db, incident.id, 'checklist')) {
    if (message.part !== null && parts.has(message.part)) await update(ctx, incident, message.ts, checklistPart(view, message.part));
  }
}

export interface StartInput {
  kind: IncidentKind;
  title: string;
  severity: IncidentSeverity;
  templateId?: string | null;
  channel: string;
  user: string;
  source?: string | null;
  context?: IncidentContext | null;
  scenario?: DrillScenario | null;
}

export type StartResult = { ok: true; incident: Incident } | { ok: false; existing?: Incident; message: string };

export async function startIncident(ctx: FlowContext, input: StartInput): Promise<StartResult> {
  const templateId = input.templateId ?? 'default';
  const template = ctx.templates.templates.find((t) => t.id === templateId);
  if (!template) {
    return { ok: false, message: md`There is no template \`${templateId}\`. Available: ${ctx.templates.templates.map((t) => `\`${t.id}\``).join(', ')}.`.text };
  }
  const now = isoNow(ctx);
  const created = createIncident(ctx.db, {
    kind: input.kind,
    title: input.title,
    severity: input.severity,
    template: { id: template.id, name: template.name },
    channel: input.channel,
    source: input.source ?? null,
    context: input.context ?? null,
    scenario: input.scenario?.id ?? null,
    createdBy: input.user,
    now,
    steps: stepsFromTemplate(template, input.context ?? null, now),
  });
  if (!created.created) {
    const link = created.existing.rootPermalink ? md` ${md.link(created.existing.rootPermalink, 'Open it')}.` : '';
    return { ok: false, existing: created.existing, message: md`${incidentName(created.existing)} is already open for this (started by ${md.user(created.existing.createdBy)} ${md.raw(slackDate(created.existing.createdAt))}).${link}`.text };
  }
  let incident = created.incident;
  const view = incidentView(ctx.db, incident, now);
  let rootTs: string;
  try {
    const root = rootMessage(view);
    const posted = await ctx.client.chat.postMessage({ channel: incident.channel, text: root.text, blocks: root.blocks });
    if (!posted.ts) throw new Error('chat.postMessage returned no ts');
    rootTs = posted.ts;
  } catch (error) {
    deleteIncident(ctx.db, incident.id);
    const code = slackError(error);
    const hint = code === 'not_in_channel' || code === 'channel_not_found' ? ' Invite me to the channel (`/invite @depwatch`) and try again.' : '';
    warn(ctx, 'incident: could not post the root message', error, { channel: incident.channel });
    return { ok: false, message: `I couldn't post the incident in this channel (${code}).${hint}` };
  }
  let permalink: string | null = null;
  try {
    permalink = (await ctx.client.chat.getPermalink({ channel: incident.channel, message_ts: rootTs })).permalink ?? null;
  } catch (error) {
    warn(ctx, 'incident: no permalink for the root message', error);
  }
  setRootMessage(ctx.db, incident.id, rootTs, permalink);
  recordMessage(ctx.db, incident.id, { ts: rootTs, kind: 'root', part: null, text: `${incidentName(incident)}` });
  incident = getIncident(ctx.db, incident.id) as Incident;
  if (input.scenario) await postInThread(ctx, incident, drillBriefingMessage(incident, input.scenario), 'note');
  for (let part = 0; part < checklistPartCount(view.steps.length); part++) {
    await postInThread(ctx, incident, checklistPart(view, part), 'checklist', part);
  }
  await sendDueInjects(ctx, incident.id);
  return { ok: true, incident };
}

/** Posts the drill injects whose moment has come; each goes out once even if two clicks race. */
export async function sendDueInjects(ctx: FlowContext, incidentId: number): Promise<void> {
  const incident = getIncident(ctx.db, incidentId);
  if (!incident || incident.kind !== 'drill' || !incident.scenario || incident.status !== 'open') return;
  const scenario = findScenario(incident.scenario);
  if (!scenario) return;
  const finished = progressOf(listSteps(ctx.db, incidentId)).finished;
  const due = injectsDue(scenario, finished, incident.injectsSent);
  if (due.length === 0 || !markInjectsSent(ctx.db, incidentId, incident.injectsSent, incident.injectsSent + due.length)) return;
  for (const { index, inject } of due) {
    addTimeline(ctx.db, { incidentId, at: isoNow(ctx), actor: null, type: 'inject', text: `inject ${index + 1}: ${inject.text}` });
    await postInThread(ctx, incident, injectMessage(incident, scenario, index, inject), 'inject');
  }
}

const ACTION_WORD: Record<StepAction['type'], string> = { done: 'done', skip: 'skipped', na: 'not applicable', reopen: 'reopened', assign: 'assigned' };

/** What the loser of a race (or a click on a stale message) is told: who changed the step, and when. */
export function conflictText(result: Extract<StepChangeResult, { ok: false }>, attempted: StepAction['type']): string {
  if (result.reason === 'not_found') return 'That incident or step no longer exists.';
  const step = result.current;
  if (result.reason === 'conflict' || result.reason === 'not_open' || result.reason === 'already_open') {
    const who = step.changedBy ? md.user(step.changedBy) : md`Someone`;
    const when = step.changedAt ? md` ${md.raw(slackDate(step.changedAt))}` : '';
    const state = step.status === 'open' ? (step.owner ? md`assigned it to ${md.user(step.owner)}` : md`reopened it`) : md`marked it ${statusWord(step.status)}`;
    return md`${who} already ${state}${when}: step ${step.id} “${step.title}”. Your ${ACTION_WORD[attempted]} was not applied; the checklist shows the current state.`.text;
  }
  return 'message' in result ? escapeMrkdwn(result.message) : 'That change could not be applied.';
}

export interface StepChangeRequest {
  incidentId: number;
  stepId: number;
  version: number;
  action: StepAction;
  actor: string;
}

/** The database half of a step change: synchronous, so a modal can be answered within Slack's 3 s. */
export function recordStepChange(ctx: FlowContext, change: StepChangeRequest): StepChangeResult {
  return changeStep(ctx.db, { incidentId: change.incidentId, stepId: change.stepId, expectedVersion: change.version, action: change.action, actor: change.actor, now: isoNow(ctx) });
}

/** The Slack half: re-render what the change touched, and send any drill injects it unlocked. */
export async function afterStepChange(ctx: FlowContext, incidentId: number, stepId: number): Promise<void> {
  await refreshIncident(ctx, incidentId, [stepId]);
  await sendDueInjects(ctx, incidentId);
}

export async function applyStepChange(ctx: FlowContext, change: StepChangeRequest): Promise<StepChangeResult> {
  const result = recordStepChange(ctx, change);
  if (result.ok) await afterStepChange(ctx, change.incidentId, change.stepId);
  return result;
}

export async function postStatusUpdate(ctx: FlowContext, incident: Incident, update: StatusUpdate, actor: string): Promise<void> {
  const now = isoNow(ctx);
  const parts = [update.conditions && `conditions: ${update.conditions}`, update.actions && `actions: ${update.actions}`, update.needs && `needs: ${update.needs}`].filter(Boolean);
  addTimeline(ctx.db, { incidentId: incident.id, at: now, actor, type: 'status_update', text: `posted a status update — ${parts.join('; ')}` });
  acknowledge(ctx.db, incident.id, now);
  await postInThread(ctx, incident, statusUpdateMessage(incident, update, actor, now), 'update');
}

export async function changeSeverity(ctx: FlowContext, incident: Incident, severity: IncidentSeverity, actor: string): Promise<boolean> {
  const { changed, from } = setSeverity(ctx.db, incident.id, severity, actor, isoNow(ctx));
  if (!changed) return false;
  const after = getIncident(ctx.db, incident.id) as Incident;
  await postInThread(ctx, after, noteMessage(after, `<@${actor}> changed the severity from *${from}* to *${severity}*.`), 'note');
  await refreshIncident(ctx, incident.id, []);
  return true;
}

export async function assignRole(ctx: FlowContext, incident: Incident, role: string, user: string, actor: string): Promise<{ changed: boolean; message: string }> {
  const template = ctx.templates.templates.find((t) => t.id === incident.template);
  const known = template ? template.roles.map((r) => r.id) : [COMMANDER_ROLE];
  if (!known.includes(role)) return { changed: false, message: `The template has no role \`${role}\`; its roles are ${known.map((r) => `\`${r}\``).join(', ')}.` };
  const { changed, previous } = setRole(ctx.db, incident.id, role, user, actor, isoNow(ctx));
  if (!changed) return { changed: false, message: incident.status !== 'open' ? 'The incident is closed.' : `<@${user}> already holds the ${role} role.` };
  const text = previous ? `<@${actor}> handed the *${role}* role from <@${previous}> to <@${user}>.` : `<@${actor}> gave the *${role}* role to <@${user}>.`;
  await postInThread(ctx, incident, noteMessage(incident, text), 'note');
  await refreshIncident(ctx, incident.id, 'all');
  return { changed: true, message: text };
}

export async function recordActionItem(ctx: FlowContext, incident: Incident, text: string, owner: string | null, actor: string): Promise<void> {
  const now = isoNow(ctx);
  addActionItem(ctx.db, { incidentId: incident.id, text, owner, createdBy: actor, now });
  acknowledge(ctx.db, incident.id, now);
  await postInThread(ctx, incident, noteMessage(incident, md`📝 ${md.user(actor)} added an action item${owner ? md` for ${md.user(owner)}` : ''}: ${text}`.text), 'note');
}

export type CloseResult = { ok: true; incident: Incident; markdown: string } | { ok: false; message: string };

/** Closes, then posts the report in the thread, uploads it as Markdown and stores it. */
export async function closeAndReport(ctx: FlowContext, incidentId: number, actor: string, summary: string): Promise<CloseResult> {
  const before = getIncident(ctx.db, incidentId);
  if (!before) return { ok: false, message: 'That incident no longer exists.' };
  const closed = closeIncident(ctx.db, incidentId, actor, summary.trim() || null, isoNow(ctx));
  if (!closed) return { ok: false, message: md`${incidentName(before)} was already closed by ${md.user(before.closedBy ?? '')} ${md.raw(before.closedAt ? slackDate(before.closedAt) : '')}.`.text };
  const report = buildReport({ incident: closed, steps: listSteps(ctx.db, incidentId), roles: listRoles(ctx.db, incidentId), timeline: listTimeline(ctx.db, incidentId), actionItems: listActionItems(ctx.db, incidentId) });
  const score = closed.kind === 'drill' ? scoreDrill(report) : null;
  const markdown = reportMarkdown(report) + (score ? `\n${drillScoreMarkdown(score)}` : '');
  saveReport(ctx.db, incidentId, markdown);
  await refreshIncident(ctx, incidentId, 'all');
  const message = reportBlocks(report, score);
  const { first, replies } = fitMessage({ text: message.text, blocks: message.blocks });
  for (const part of [first, ...replies]) await postInThread(ctx, closed, part, 'report');
  if (closed.rootTs) {
    try {
      await ctx.client.filesUploadV2({
        channel_id: closed.channel,
        thread_ts: closed.rootTs,
        content: markdown,
        filename: `incident-${closed.id}-report.md`,
        title: `${closed.kind === 'drill' ? 'EXERCISE — ' : ''}Post-incident report #${closed.id}`,
        initial_comment: `${closed.kind === 'drill' ? '[EXERCISE] ' : ''}The post-incident report as Markdown.`,
      });
    } catch (error) {
      warn(ctx, 'incident: could not upload the report file', error, { incident: incidentId });
    }
  }
  return { ok: true, incident: closed, markdown };
}

/** A 📌 on a message: onto the timeline of the incident it belongs to, at the message's own time. */
export async function recordPin(ctx: FlowContext, channel: string, ts: string, user: string, mayPin: (incident: Incident) => boolean = () => true): Promise<Incident | null> {
  const ours = incidentForMessage(ctx.db, channel, ts);
  // Without channels:history the bot can't read other people's messages or their thread, so a pin
  // on someone's message goes to the channel's most recent open incident.
  const incident = ours?.incident ?? listOpenIncidents(ctx.db, { channel })[0] ?? null;
  if (!incident || incident.status !== 'open' || !mayPin(incident)) return null;
  const seconds = Number(ts);
  const at = Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : isoNow(ctx);
  let text: string;
  if (ours?.message.text) {
    text = `📌 pinned: ${ours.message.text}`;
  } else {
    let link: string | null = null;
    try {
      link = (await ctx.client.chat.getPermalink({ channel, message_ts: ts })).permalink ?? null;
    } catch {
      link = null;
    }
    text = link ? `📌 pinned a message: ${link}` : `📌 pinned a message (ts ${ts})`;
  }
  return addPin(ctx.db, { incidentId: incident.id, at, actor: user, text, messageTs: ts }) ? incident : null;
}

export function incidentsForCommand(db: Db, channel: string, id: number | null): { incident: Incident } | { error: string } {
  if (id !== null) {
    const incident = getIncident(db, id);
    return incident ? { incident } : { error: `There is no incident #${id}.` };
  }
  const open = listOpenIncidents(db, { channel });
  if (open.length === 1 && open[0]) return { incident: open[0] };
  if (open.length === 0) return { error: 'There is no open incident in this channel. Name one with `#<id>`, or start one with `/incident start <title>`.' };
  return { error: `${open.length} incidents are open here (${open.map((i) => `#${i.id}`).join(', ')}); say which one, e.g. \`#${open[0]?.id ?? 1}\`.` };
}

