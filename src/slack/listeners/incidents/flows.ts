/**
 * What each incident interaction does, between the store and Slack: start (root message, then the
 * checklist in its thread), step changes (conditional update, then the touched messages re-rendered
 * in place), status updates, severity and role changes, pins, drill injects, and close with the
 * post-incident report. The listeners only parse payloads and call these.
 *
 * The store is written before Slack is told, so a failed Slack call never loses state: the next
 * click re-renders from the database. Slack failures are logged, never thrown at the user's click.
 *
 * Redraws of the incident's own messages (root and checklist parts) after a change go through the
 * Slack outbox: the change's transaction writes them (`redraw`), the delivery loop edits each
 * message once, in order, with the newest state (whichever replica made the change or delivers).
 */
import type { WebClient } from '@slack/web-api';
import { whyNotAPerson } from './people.js';
import { stepsFromTemplate } from '../../../incidents/checklist.js';
import { drillScoreMarkdown, findScenario, injectsDue, scoreDrill, type DrillScenario } from '../../../incidents/drills.js';
import { buildReport, reportMarkdown } from '../../../incidents/report.js';
import { progressOf, statusWord, type StatusUpdate, type StepAction } from '../../../incidents/state.js';
import type { TemplateLibrary } from '../../../incidents/templates.js';
import { COMMANDER_ROLE, type ActionItem, type Incident, type IncidentContext, type IncidentKind, type IncidentSeverity } from '../../../incidents/types.js';
import { INCIDENT_MESSAGE_UPDATE, incidentMessageKey, type IncidentMessageUpdate } from '../../../incidents/messages.js';
import type { Announce, IncidentStore, NewTimelineEvent, StepChangeResult } from '../../../store/incident-state/types.js';
import type { OutboundMessage, OutboxDelivery } from '../../../store/outbox/types.js';
import { fitMessage } from '../../blocks/fit.js';
import { escapeMrkdwn, md } from '../../blocks/mrkdwn.js';
import {
  actionItemMrkdwn,
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
  incidents: IncidentStore;
  /** Delivers the redraws a change wrote to the outbox (SlackDelivery). */
  delivery: Pick<OutboxDelivery, 'deliver'>;
  client: WebClient;
  now: () => Date;
  templates: TemplateLibrary;
  logger?: IncidentLogger | undefined;
  /** Depwatch's own user id (Bolt's context, from auth.test): it never holds a role or owns a step. */
  botUserId?: string | undefined;
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

export async function incidentView(incidents: IncidentStore, incident: Incident, now: string): Promise<IncidentView> {
  return { incident, steps: await incidents.listSteps(incident.id), roles: await incidents.listRoles(incident.id), now };
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
    if (posted.ts) await ctx.incidents.recordMessage(incident.id, { ts: posted.ts, kind, part, text: message.text });
    return posted.ts ?? null;
  } catch (error) {
    warn(ctx, 'incident: could not post in the thread', error, { incident: incident.id, kind });
    return null;
  }
}

/**
 * What a change redraws, decided in its transaction from the incident as the change left it: the
 * root message and the checklist parts that show `stepIds` (part 0 always: it carries the progress
 * bar); every part when `stepIds` is 'all'. One outbox update per message, keyed by the incident's
 * version, so a redraw is written once and a newer one supersedes it if both wait.
 */
export function redraw(stepIds: number[] | 'all', now: string): Announce {
  return ({ incident, steps, roles, messages }) => {
    if (!incident.rootTs) return [];
    const parts = stepIds === 'all' ? null : new Set([0, ...stepIds.map(partOfStep)]);
    const targets = [
      { ts: incident.rootTs, part: null as number | null },
      ...messages.filter((m) => m.kind === 'checklist' && m.part !== null && (parts === null || parts.has(m.part))).sort((a, b) => (a.part ?? 0) - (b.part ?? 0)).map((m) => ({ ts: m.ts, part: m.part })),
    ];
    return targets.map(({ ts, part }): OutboundMessage => {
      const data: IncidentMessageUpdate = { incident, steps, roles, now, ts, part };
      const key = incidentMessageKey(incident.id, ts);
      return { kind: INCIDENT_MESSAGE_UPDATE, data, channel: incident.channel, op: 'update', messageKey: key, idempotencyKey: `${key}:v${incident.version}` };
    });
  };
}

/** Delivers the redraws a change just wrote (the background loop retries what fails). */
async function deliverRedraws(ctx: FlowContext, incident: Pick<Incident, 'id' | 'channel'>): Promise<void> {
  try {
    await ctx.delivery.deliver({ channel: incident.channel });
  } catch (error) {
    warn(ctx, 'incident: could not deliver the redraw now; the outbox loop retries', error, { incident: incident.id });
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
  const created = await ctx.incidents.createIncident({
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
  const view = await incidentView(ctx.incidents, incident, now);
  let rootTs: string;
  try {
    const root = rootMessage(view);
    const posted = await ctx.client.chat.postMessage({ channel: incident.channel, text: root.text, blocks: root.blocks });
    if (!posted.ts) throw new Error('chat.postMessage returned no ts');
    rootTs = posted.ts;
  } catch (error) {
    await ctx.incidents.deleteIncident(incident.id);
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
  incident = (await ctx.incidents.recordRootMessage(incident.id, rootTs, permalink, `${incidentName(incident)}`)) ?? incident;
  if (input.scenario) await postInThread(ctx, incident, drillBriefingMessage(incident, input.scenario), 'note');
  for (let part = 0; part < checklistPartCount(view.steps.length); part++) {
    await postInThread(ctx, incident, checklistPart(view, part), 'checklist', part);
  }
  await sendDueInjects(ctx, incident.id);
  return { ok: true, incident };
}

/** Posts the drill injects whose moment has come; each goes out once even if two clicks race. */
export async function sendDueInjects(ctx: FlowContext, incidentId: number): Promise<void> {
  const incident = await ctx.incidents.getIncident(incidentId);
  if (!incident || incident.kind !== 'drill' || !incident.scenario || incident.status !== 'open') return;
  const scenario = findScenario(incident.scenario);
  if (!scenario) return;
  const finished = progressOf(await ctx.incidents.listSteps(incidentId)).finished;
  const due = injectsDue(scenario, finished, incident.injectsSent);
  if (due.length === 0) return;
  const events: NewTimelineEvent[] = due.map(({ index, inject }) => ({ incidentId, at: isoNow(ctx), actor: null, type: 'inject', text: `inject ${index + 1}: ${inject.text}` }));
  if (!(await ctx.incidents.markInjectsSent(incidentId, incident.injectsSent, incident.injectsSent + due.length, events))) return;
  for (const { index, inject } of due) {
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

/**
 * The database half of a step change, with the redraw of what it touched written in its
 * transaction: no Slack call, so a modal can be answered within Slack's 3 s.
 */
export function recordStepChange(ctx: FlowContext, change: StepChangeRequest): Promise<StepChangeResult> {
  const now = isoNow(ctx);
  return ctx.incidents.changeStep({ incidentId: change.incidentId, stepId: change.stepId, expectedVersion: change.version, action: change.action, actor: change.actor, now }, redraw([change.stepId], now));
}

/** The Slack half: deliver the redraw, and send any drill injects the change unlocked. */
export async function afterStepChange(ctx: FlowContext, incident: Pick<Incident, 'id' | 'channel'>): Promise<void> {
  await deliverRedraws(ctx, incident);
  await sendDueInjects(ctx, incident.id);
}

export async function applyStepChange(ctx: FlowContext, change: StepChangeRequest): Promise<StepChangeResult> {
  const result = await recordStepChange(ctx, change);
  if (result.ok) await afterStepChange(ctx, result.incident);
  return result;
}

/**
 * The database half of a status update: its timeline entry (and the person's acknowledgement),
 * written only while the incident is open, so a close between the caller's check and this write
 * leaves nothing. The time it was recorded at, or null when the incident was closed meanwhile.
 */
export async function recordStatusUpdate(ctx: FlowContext, incident: Pick<Incident, 'id'>, update: StatusUpdate, actor: string): Promise<string | null> {
  const now = isoNow(ctx);
  const parts = [update.conditions && `conditions: ${update.conditions}`, update.actions && `actions: ${update.actions}`, update.needs && `needs: ${update.needs}`].filter(Boolean);
  const recorded = await ctx.incidents.addTimeline({ incidentId: incident.id, at: now, actor, type: 'status_update', text: `posted a status update — ${parts.join('; ')}` }, { acknowledge: true });
  return recorded ? now : null;
}

/** The Slack half: the recorded update in the incident's thread. */
export async function postStatusUpdateMessage(ctx: FlowContext, incident: Incident, update: StatusUpdate, actor: string, at: string): Promise<void> {
  await postInThread(ctx, incident, statusUpdateMessage(incident, update, actor, at), 'update');
}

/** Records then posts a status update; false, and nothing recorded or posted, when the incident was closed meanwhile. */
export async function postStatusUpdate(ctx: FlowContext, incident: Incident, update: StatusUpdate, actor: string): Promise<boolean> {
  const at = await recordStatusUpdate(ctx, incident, update, actor);
  if (at === null) return false;
  await postStatusUpdateMessage(ctx, incident, update, actor, at);
  return true;
}

export async function changeSeverity(ctx: FlowContext, incident: Incident, severity: IncidentSeverity, actor: string): Promise<boolean> {
  const now = isoNow(ctx);
  const { changed, from } = await ctx.incidents.setSeverity(incident.id, severity, actor, now, redraw([], now));
  if (!changed) return false;
  const after = (await ctx.incidents.getIncident(incident.id)) ?? incident;
  await postInThread(ctx, after, noteMessage(after, `<@${actor}> changed the severity from *${from}* to *${severity}*.`), 'note');
  await deliverRedraws(ctx, incident);
  return true;
}

export async function assignRole(ctx: FlowContext, incident: Incident, role: string, user: string, actor: string): Promise<{ changed: boolean; message: string }> {
  const template = ctx.templates.templates.find((t) => t.id === incident.template);
  const known = template ? template.roles.map((r) => r.id) : [COMMANDER_ROLE];
  if (!known.includes(role)) return { changed: false, message: `The template has no role \`${role}\`; its roles are ${known.map((r) => `\`${r}\``).join(', ')}.` };
  const notAPerson = await whyNotAPerson(ctx.client, ctx.botUserId, user);
  if (notAPerson) return { changed: false, message: notAPerson };
  const now = isoNow(ctx);
  const { changed, previous } = await ctx.incidents.setRole(incident.id, role, user, actor, now, redraw('all', now));
  if (!changed) return { changed: false, message: incident.status !== 'open' ? 'The incident is closed.' : `<@${user}> already holds the ${role} role.` };
  const text = previous ? `<@${actor}> handed the *${role}* role from <@${previous}> to <@${user}>.` : `<@${actor}> gave the *${role}* role to <@${user}>.`;
  await postInThread(ctx, incident, noteMessage(incident, text), 'note');
  await deliverRedraws(ctx, incident);
  return { changed: true, message: text };
}

/**
 * The database half of an action item, written only while the incident is open (a close between the
 * caller's check and this write leaves nothing): the item, or null when the incident was closed meanwhile.
 */
export function recordActionItem(ctx: FlowContext, incident: Pick<Incident, 'id'>, text: string, owner: string | null, actor: string): Promise<ActionItem | null> {
  return ctx.incidents.addActionItem({ incidentId: incident.id, text, owner, createdBy: actor, now: isoNow(ctx) });
}

/** The Slack half: a note in the incident's thread. */
export async function postActionItemNote(ctx: FlowContext, incident: Incident, item: Pick<ActionItem, 'text' | 'owner' | 'createdBy'>): Promise<void> {
  await postInThread(ctx, incident, noteMessage(incident, md`📝 ${md.user(item.createdBy)} added an action item${item.owner ? md` for ${md.user(item.owner)}` : ''}: ${md.raw(actionItemMrkdwn(item.text))}`.text), 'note');
}

export type CloseResult = { ok: true; incident: Incident; markdown: string } | { ok: false; message: string };

/** Closes, then posts the report in the thread, uploads it as Markdown and stores it. */
export async function closeAndReport(ctx: FlowContext, incidentId: number, actor: string, summary: string): Promise<CloseResult> {
  const before = await ctx.incidents.getIncident(incidentId);
  if (!before) return { ok: false, message: 'That incident no longer exists.' };
  const now = isoNow(ctx);
  const closed = await ctx.incidents.closeIncident(incidentId, actor, summary.trim() || null, now, redraw('all', now));
  if (!closed) return { ok: false, message: md`${incidentName(before)} was already closed by ${md.user(before.closedBy ?? '')} ${md.raw(before.closedAt ? slackDate(before.closedAt) : '')}.`.text };
  const { incidents } = ctx;
  const report = buildReport({ incident: closed, steps: await incidents.listSteps(incidentId), roles: await incidents.listRoles(incidentId), timeline: await incidents.listTimeline(incidentId), actionItems: await incidents.listActionItems(incidentId) });
  const score = closed.kind === 'drill' ? scoreDrill(report) : null;
  const markdown = reportMarkdown(report) + (score ? `\n${drillScoreMarkdown(score)}` : '');
  await incidents.saveReport(incidentId, markdown);
  await deliverRedraws(ctx, closed);
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

/**
 * The incident a message the bot did not record belongs to (someone's reply; a reminder, which the
 * outbox posts without recording it): the incident whose root starts the message's thread, as
 * Slack tells it (conversations.replies, under channels:history / groups:history). A message
 * outside every incident's thread, or one Slack will not place, goes to the channel's only open
 * incident; with several open, a guess could put it on the wrong one, so it goes nowhere (logged).
 */
async function incidentOfUnrecordedMessage(ctx: FlowContext, channel: string, ts: string): Promise<Incident | null> {
  const open = await ctx.incidents.listOpenIncidents({ channel });
  // Nothing to put it on: no need to read the channel.
  if (open.length === 0) return null;
  let threadTs: string | null = null;
  try {
    // Asked for a reply, Slack answers with its thread's parent first; for a top-level message, with the message.
    const first = (await ctx.client.conversations.replies({ channel, ts, limit: 1 })).messages?.[0];
    threadTs = first?.thread_ts ?? first?.ts ?? null;
  } catch (error) {
    warn(ctx, 'incident: could not read the thread of a 📌 message', error, { channel, ts });
  }
  // The root is recorded as the incident's message: this finds closed incidents too, whose pins recordPin refuses.
  const thread = threadTs ? await ctx.incidents.incidentForMessage(channel, threadTs) : null;
  if (thread) return thread.incident;
  if (open.length === 1) return open[0] ?? null;
  ctx.logger?.warn({ channel, ts, open: open.map((i) => i.id) }, `incident: a 📌 outside every open incident's thread was not put on a timeline: ${open.length} incidents are open in the channel`);
  return null;
}

/** A 📌 on a message: onto the timeline of the incident it belongs to, at the message's own time. */
export async function recordPin(ctx: FlowContext, channel: string, ts: string, user: string, mayPin: (incident: Incident) => boolean = () => true): Promise<Incident | null> {
  const ours = await ctx.incidents.incidentForMessage(channel, ts);
  const incident = ours?.incident ?? (await incidentOfUnrecordedMessage(ctx, channel, ts));
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
  return (await ctx.incidents.addPin({ incidentId: incident.id, at, actor: user, text, messageTs: ts })) ? incident : null;
}

export async function incidentsForCommand(incidents: IncidentStore, channel: string, id: number | null): Promise<{ incident: Incident } | { error: string }> {
  if (id !== null) {
    const incident = await incidents.getIncident(id);
    return incident ? { incident } : { error: `There is no incident #${id}.` };
  }
  const open = await incidents.listOpenIncidents({ channel });
  if (open.length === 1 && open[0]) return { incident: open[0] };
  if (open.length === 0) return { error: 'There is no open incident in this channel. Name one with `#<id>`, or start one with `/incident start <title>`.' };
  return { error: `${open.length} incidents are open here (${open.map((i) => `#${i.id}`).join(', ')}); say which one, e.g. \`#${open[0]?.id ?? 1}\`.` };
}

