/**
 * Incident listeners: the `/incident` command, the checklist's buttons (`incident_*` action ids),
 * its modals (`incident_*` callback ids), 📌 reactions, and "Start incident" buttons from alerts
 * and audit replies. Every handler acks first (Slack wants an answer within 3 s) except modal
 * submissions, which answer with validation errors after the database write (one transaction, no
 * Slack call before the answer). State lives in the IncidentStore (PostgreSQL with DATABASE_URL), so
 * any replica answers any of these.
 */
import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, StaticSelectAction, UsersSelectAction, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { DRILL_SCENARIOS, findScenario } from '../../../incidents/drills.js';
import { parseIncidentCommand, INCIDENT_HELP } from '../../../incidents/command.js';
import { parseStatusUpdate, type StepAction } from '../../../incidents/state.js';
import { effectiveOwner } from '../../../incidents/state.js';
import { isSeverity, toIncidentSeverity, COMMANDER_ROLE, type Incident } from '../../../incidents/types.js';
import type { IncidentVerb, Requester } from '../../../authz/policy.js';
import { SqliteIncidentStore } from '../../../store/incident-state/sqlite.js';
import type { IncidentStore } from '../../../store/incident-state/types.js';
import type { OutboxDelivery } from '../../../store/outbox/types.js';
import { SlackDelivery } from '../../outbox/slack-delivery.js';
import { escapeMrkdwn, escapeMrkdwnLines, md } from '../../blocks/mrkdwn.js';
import { metadataNumber, type OpenedMetadata } from '../../view-metadata.js';
import {
  INCIDENT_ACTIONS,
  drillListMessage,
  incidentListMessage,
  incidentName,
  parseIncidentId,
  parseSnoozeValue,
  parseStepBlockId,
  parseStepValue,
  slackDate,
  templatesMessage,
} from '../../blocks/incident.js';
import { INCIDENT_VIEWS, INPUTS, actionItemModal, closeModal, skipModal, updateModal } from '../../blocks/incident-modals.js';
import { START_INCIDENT_ACTION, type IncidentDeps } from './deps.js';
import { whyNotAPerson } from './people.js';
import { commandText } from '../../command-text.js';
import { errorLine } from '../../../error-line.js';
import { failedRequestLine, newErrorId } from '../../errors.js';
import {
  afterStepChange,
  applyStepChange,
  assignRole,
  changeSeverity,
  closeAndReport,
  conflictText,
  incidentsForCommand,
  postActionItemNote,
  postStatusUpdate,
  postStatusUpdateMessage,
  recordActionItem,
  recordStatusUpdate,
  recordPin,
  recordStepChange,
  startIncident,
  tell,
  type FlowContext,
} from './flows.js';

export type { IncidentDeps } from './deps.js';
export { START_INCIDENT_ACTION } from './deps.js';

/** The deps with the incident store and the delivery loop chosen (registerIncidentListeners). */
type Ready = IncidentDeps & { incidents: IncidentStore; delivery: Pick<OutboxDelivery, 'deliver'> };

function flowContext(deps: Ready, client: WebClient, botUserId?: string): FlowContext {
  return { incidents: deps.incidents, delivery: deps.delivery, client, now: deps.now ?? (() => new Date()), templates: deps.templates, logger: deps.logger, botUserId };
}

type ActionArgs<A extends BlockAction = BlockAction> = SlackActionMiddlewareArgs<A> & AllMiddlewareArgs;

function clickChannel(body: BlockAction): string | null {
  return body.channel?.id ?? (body.container as { channel_id?: string } | undefined)?.channel_id ?? null;
}

/**
 * Runs a handler's work; a failure (the store unreachable, mostly) is logged under an error id and
 * told to the person who asked, ephemerally, as other commands' failures are: someone declaring an
 * incident must learn it was not declared. The line says the id, never the error itself.
 */
async function withErrors(deps: Ready, what: string, tellPerson: ((text: string) => Promise<void>) | null, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const errorId = newErrorId();
    deps.logger?.error({ errorId, error: errorLine(error) }, `incident: ${what} failed`);
    if (!tellPerson) return;
    try {
      await tellPerson(failureText(errorId));
    } catch (told) {
      deps.logger?.warn({ errorId, error: errorLine(told) }, 'incident: could not tell the person about the failure');
    }
  }
}

/** One line for the person whose command or click failed (ephemerally, in the channel). */
export function failureText(errorId: string): string {
  return `:warning: ${failedRequestLine(errorId)}`;
}

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/**
 * A modal submission whose work failed before it was answered (the store unreachable, mostly): the
 * modal stays open with the error id on `field`, in the words a failed command gets, and the
 * failure is logged under that id. Unanswered, Slack shows its own "We had some trouble
 * connecting", which tells the person nothing and leaves no id to report. A failure after the
 * answer is only logged (the handlers tell the person themselves where they can).
 */
function answeredInModal(deps: Ready, what: string, field: string, handler: (args: ViewArgs) => Promise<void>): (args: ViewArgs) => Promise<void> {
  return async (args) => {
    let acked = false;
    const ack = (response?: Parameters<ViewArgs['ack']>[0]): Promise<void> => {
      acked = true;
      return args.ack(response);
    };
    try {
      await handler({ ...args, ack });
    } catch (error) {
      const errorId = newErrorId();
      deps.logger?.error({ errorId, error: errorLine(error) }, `incident: ${what} failed`);
      if (acked) return;
      await args.ack({ response_action: 'errors', errors: { [field]: failedRequestLine(errorId) } }).catch((told: unknown) => {
        deps.logger?.warn({ errorId, error: errorLine(told) }, 'incident: could not tell the person about the failure');
      });
    }
  };
}

/** Tells the person an ephemeral line where they clicked (a button, a select, a reaction). */
function tellWhere(ctx: FlowContext, channel: string, user: string): (text: string) => Promise<void> {
  return (text) => tell(ctx, channel, user, text);
}

/**
 * Asks the access gate whether `requester` may `verb` the incident (or, without one, start one in
 * `channel`). A refusal is told to the person: ephemerally where they clicked or typed.
 */
function mayChange(deps: Ready, requester: Requester, verb: IncidentVerb, target: { channel: string; incident: Incident | null; stepOwner?: string | null }): { allowed: true } | { allowed: false; reason: string } {
  const decision = deps.gate.check(requester, { kind: 'incidents', verb, channel: target.channel, incidentId: target.incident?.id ?? null, stepOwner: target.stepOwner ?? null });
  return decision.allowed ? decision : { allowed: false, reason: decision.reason };
}

async function refuseClick(ctx: FlowContext, channel: string, user: string, reason: string): Promise<void> {
  await tell(ctx, channel, user, escapeMrkdwn(reason));
}

/** The step's owner as reminders see it (the assignee, else the role holder, else the commander). */
async function stepOwner(deps: Ready, incidentId: number, stepId: number): Promise<string | null> {
  const step = await deps.incidents.getStep(incidentId, stepId);
  return step ? effectiveOwner(step, await deps.incidents.listRoles(incidentId)) : null;
}

/** A modal's metadata as sealed for this person, or null (then the submission is refused). */
function openMetadata(deps: Ready, metadata: string, user: string): OpenedMetadata | null {
  const opened = deps.seal.open(metadata, user);
  if (!opened) deps.logger?.warn({ user }, 'incident: a modal submission with metadata this app did not seal for that person');
  return opened;
}

const STALE_FORM = 'This form is not valid any more: open it again from the incident message.';

/** Handles a "Start incident" button (action_id `start_incident`) from an alert or an /audit reply. */
export async function startIncidentFromButton(args: ActionArgs, deps: Ready): Promise<void> {
  await args.ack();
  const { body, client } = args;
  const action = args.action as ButtonAction;
  const ctx = flowContext(deps, client);
  const channel = clickChannel(body);
  const user = body.user.id;
  if (!channel) return;
  const value = action.value ?? '';
  await withErrors(deps, 'start from button', tellWhere(ctx, channel, user), async () => {
    const source = deps.resolveIncidentContext ? await deps.resolveIncidentContext(value) : null;
    if (!source) {
      await tell(ctx, channel, user, 'I can no longer find that alert or finding, so I can’t pre-fill an incident. Start one with `/incident start &lt;title&gt;`.');
      return;
    }
    // The button must sit on its source's own message: another channel's finding or alert is not started here.
    const allowed = mayChange(deps, { userId: user, channel, via: 'button' }, 'start', { channel: source.channel ?? channel, incident: null });
    if (!allowed.allowed) return refuseClick(ctx, channel, user, allowed.reason);
    const resolved = source.context;
    const started = await startIncident(ctx, {
      kind: 'real',
      title: resolved.title,
      severity: toIncidentSeverity(resolved.severity),
      channel,
      user,
      source: value,
      context: resolved,
    });
    if (!started.ok) {
      await tell(ctx, channel, user, started.message);
      return;
    }
    const alertTs = body.message?.thread_ts ?? body.message?.ts;
    const ephemeral = (body.container as { is_ephemeral?: boolean } | undefined)?.is_ephemeral === true;
    if (alertTs && !ephemeral) {
      const link = started.incident.rootPermalink ? md.link(started.incident.rootPermalink, incidentName(started.incident)) : md.text(incidentName(started.incident));
      try {
        await client.chat.postMessage({ channel, thread_ts: alertTs, text: md`🚨 ${md.user(user)} started ${link}; the checklist is in its thread.`.text });
      } catch (error) {
        deps.logger?.warn({ error: (error as Error).message }, 'incident: could not note the incident under the alert');
      }
    }
  });
}

async function onStepButton(args: ActionArgs<BlockAction<ButtonAction>>, deps: Ready, action: StepAction['type']): Promise<void> {
  await args.ack();
  const ids = parseStepValue(args.action.value);
  const channel = clickChannel(args.body);
  if (!ids || !channel) return;
  const ctx = flowContext(deps, args.client);
  const user = args.body.user.id;
  await withErrors(deps, `step ${action}`, tellWhere(ctx, channel, user), async () => {
    const target = await deps.incidents.getIncident(ids.incidentId);
    if (target) {
      const allowed = mayChange(deps, { userId: user, channel, via: 'button' }, 'step', { channel: target.channel, incident: target, stepOwner: await stepOwner(deps, ids.incidentId, ids.stepId) });
      if (!allowed.allowed) return refuseClick(ctx, channel, user, allowed.reason);
    }
    if (action === 'skip') {
      const step = await deps.incidents.getStep(ids.incidentId, ids.stepId);
      const incident = target;
      if (!step || !incident) return;
      if (step.version !== ids.version || step.status !== 'open' || incident.status !== 'open') {
        const stale = await recordStepChange(ctx, { ...ids, action: { type: 'skip', reason: 'x' }, actor: user });
        if (!stale.ok) await tell(ctx, channel, user, conflictText(stale, 'skip'), { threadTs: incident.rootTs, incident });
        return;
      }
      const metadata = deps.seal.seal({ user, channel, data: { i: ids.incidentId, s: ids.stepId, v: ids.version } });
      await args.client.views.open({ trigger_id: args.body.trigger_id, view: skipModal({ ...step, version: ids.version }, metadata) });
      return;
    }
    const stepAction: StepAction = action === 'done' ? { type: 'done' } : action === 'na' ? { type: 'na' } : { type: 'reopen' };
    const result = await applyStepChange(ctx, { ...ids, action: stepAction, actor: user });
    if (!result.ok) {
      const incident = await deps.incidents.getIncident(ids.incidentId);
      await tell(ctx, channel, user, conflictText(result, action), { threadTs: incident?.rootTs ?? null, incident });
    }
  });
}

async function openModalFor(
  args: ActionArgs<BlockAction<ButtonAction>>,
  deps: Ready,
  verb: IncidentVerb,
  build: (incident: Incident, metadata: string) => Parameters<WebClient['views']['open']>[0]['view'] | Promise<Parameters<WebClient['views']['open']>[0]['view']>,
): Promise<void> {
  await args.ack();
  const id = parseIncidentId(args.action.value);
  const channel = clickChannel(args.body);
  if (id === null || !channel) return;
  const ctx = flowContext(deps, args.client);
  const user = args.body.user.id;
  await withErrors(deps, 'open modal', tellWhere(ctx, channel, user), async () => {
    const incident = await deps.incidents.getIncident(id);
    if (!incident) return;
    const allowed = mayChange(deps, { userId: user, channel, via: 'button' }, verb, { channel: incident.channel, incident });
    if (!allowed.allowed) return refuseClick(ctx, channel, user, allowed.reason);
    if (incident.status !== 'open') {
      await tell(ctx, channel, user, md`${incidentName(incident)} is closed.`.text, { incident });
      return;
    }
    await args.client.views.open({ trigger_id: args.body.trigger_id, view: await build(incident, deps.seal.seal({ user, channel, data: { i: incident.id } })) });
  });
}

function inputValue(values: Record<string, Record<string, { value?: string | null; selected_user?: string | null }>>, id: string): string {
  return values[id]?.[id]?.value?.trim() ?? '';
}

/**
 * `incidents` absent: the SQLite store of `db`; `delivery` absent: a delivery loop over the app's
 * client and the outbox of that store (main.ts passes the watch service's, which also polls).
 */
export function registerIncidentListeners(app: App, given: IncidentDeps): void {
  const incidents = given.incidents ?? new SqliteIncidentStore(given.db);
  const delivery = given.delivery ?? new SlackDelivery({ db: given.db, api: app.client, ...(given.pacer ? { pacer: given.pacer } : {}), ...(incidents.dialect === 'postgres' ? { shared: incidents.outbox } : {}) });
  const deps: Ready = { ...given, incidents, delivery };
  // ------------------------------------------------------------ /incident
  app.command('/incident', async ({ ack, command, respond, client, context }) => {
    await ack();
    const ctx = flowContext(deps, client, context.botUserId);
    const reply = async (text: string, blocks?: unknown[]): Promise<void> => {
      try {
        await respond({ response_type: 'ephemeral', text, ...(blocks ? { blocks: blocks as never } : {}) });
      } catch (error) {
        deps.logger?.warn({ error: (error as Error).message }, 'incident: could not answer the command');
      }
    };
    await withErrors(deps, 'command', reply, async () => {
      const parsed = parseIncidentCommand(commandText(command.text));
      const user = command.user_id;
      const channel = command.channel_id;
      const requester: Requester = { userId: user, channel, via: 'command' };
      switch (parsed.kind) {
        // Help and parse errors quote `<title>`-style placeholders and what was typed: text, not mrkdwn.
        case 'help':
          return reply(escapeMrkdwnLines(INCIDENT_HELP));
        case 'error':
          // Its own sentence, then the help: lines of ours (what was typed is one word of it).
          return reply(escapeMrkdwnLines(parsed.message));
        case 'list': {
          const m = incidentListMessage(await deps.incidents.listOpenIncidents({ channel }));
          return reply(m.text, m.blocks);
        }
        case 'templates': {
          const m = templatesMessage(deps.templates, deps.templatesDir ?? null);
          return reply(m.text, m.blocks);
        }
        case 'start': {
          const allowed = mayChange(deps, requester, 'start', { channel, incident: null });
          if (!allowed.allowed) return reply(escapeMrkdwn(allowed.reason));
          const started = await startIncident(ctx, { kind: 'real', title: parsed.title, severity: parsed.severity ?? 'high', templateId: parsed.template, channel, user });
          return reply(started.ok ? md`Started ${incidentName(started.incident)}. You are the commander; hand it over with the menu on the incident message.`.text : started.message);
        }
        case 'drill': {
          if (!parsed.scenario) {
            const m = drillListMessage(DRILL_SCENARIOS);
            return reply(m.text, m.blocks);
          }
          const scenario = findScenario(parsed.scenario);
          if (!scenario) return reply(md`There is no drill scenario \`${parsed.scenario}\`. Scenarios: ${DRILL_SCENARIOS.map((s) => `\`${s.id}\``).join(', ')}.`.text);
          const allowed = mayChange(deps, requester, 'start', { channel, incident: null });
          if (!allowed.allowed) return reply(escapeMrkdwn(allowed.reason));
          const started = await startIncident(ctx, { kind: 'drill', title: scenario.title, severity: scenario.severity, channel, user, context: scenario.context, scenario });
          return reply(started.ok ? md`[EXERCISE] Started the drill ${incidentName(started.incident)}.`.text : started.message);
        }
        default:
          break;
      }
      const target = await incidentsForCommand(deps.incidents, channel, parsed.id);
      if ('error' in target) return reply(escapeMrkdwn(target.error));
      const incident = target.incident;
      const verb: IncidentVerb =
        parsed.kind === 'status' ? 'update' : parsed.kind === 'severity' ? 'severity' : parsed.kind === 'action' ? 'action-item' : parsed.kind === 'close' ? 'close' : 'role';
      // `#id` can name any incident: it is changed only from its own channel.
      const allowed = mayChange(deps, requester, verb, { channel: incident.channel, incident });
      if (!allowed.allowed) return reply(escapeMrkdwn(allowed.reason));
      // Answers about a drill say so too: every drill message is marked EXERCISE.
      const answer = (text: string): Promise<void> => reply(incident.kind === 'drill' ? `[EXERCISE] ${text}` : text);
      if (incident.status !== 'open') return answer(md`${incidentName(incident)} is closed.`.text);
      switch (parsed.kind) {
        case 'status':
          // Written only while the incident is open: one closed since the check above is answered alike.
          if (!(await postStatusUpdate(ctx, incident, parseStatusUpdate(parsed.text), user))) return answer(md`${incidentName(incident)} is closed.`.text);
          return answer(md`Posted your update in the thread of ${incidentName(incident)}.`.text);
        case 'severity':
          return answer((await changeSeverity(ctx, incident, parsed.severity, user)) ? `Severity is now ${parsed.severity}.` : `Severity is already ${parsed.severity}.`);
        case 'commander':
          return answer((await assignRole(ctx, incident, COMMANDER_ROLE, parsed.user, user)).message);
        case 'role':
          return answer((await assignRole(ctx, incident, parsed.role, parsed.user, user)).message);
        case 'action': {
          const item = await recordActionItem(ctx, incident, parsed.text, parsed.owner, user);
          if (!item) return answer(md`${incidentName(incident)} is closed.`.text);
          await postActionItemNote(ctx, incident, item);
          return answer('Action item recorded; it will be in the report.');
        }
        case 'close': {
          const closed = await closeAndReport(ctx, incident.id, user, parsed.summary);
          return answer(closed.ok ? md`Closed ${incidentName(incident)}; the report is in its thread.`.text : closed.message);
        }
      }
    });
  });

  // ------------------------------------------------------------ checklist buttons
  app.action<BlockAction<ButtonAction>>(INCIDENT_ACTIONS.stepDone, (args) => onStepButton(args, deps, 'done'));
  app.action<BlockAction<ButtonAction>>(INCIDENT_ACTIONS.stepNa, (args) => onStepButton(args, deps, 'na'));
  app.action<BlockAction<ButtonAction>>(INCIDENT_ACTIONS.stepReopen, (args) => onStepButton(args, deps, 'reopen'));
  app.action<BlockAction<ButtonAction>>(INCIDENT_ACTIONS.stepSkip, (args) => onStepButton(args, deps, 'skip'));

  app.action<BlockAction<UsersSelectAction>>(INCIDENT_ACTIONS.stepAssign, async (args) => {
    await args.ack();
    const ids = parseStepBlockId(args.action.block_id);
    const channel = clickChannel(args.body);
    const owner = args.action.selected_user;
    if (!ids || !channel || !owner) return;
    const ctx = flowContext(deps, args.client, args.context.botUserId);
    const user = args.body.user.id;
    await withErrors(deps, 'assign', tellWhere(ctx, channel, user), async () => {
      const target = await deps.incidents.getIncident(ids.incidentId);
      if (target) {
        const allowed = mayChange(deps, { userId: user, channel, via: 'button' }, 'step', { channel: target.channel, incident: target });
        if (!allowed.allowed) return refuseClick(ctx, channel, user, allowed.reason);
        const notAPerson = await whyNotAPerson(ctx.client, ctx.botUserId, owner);
        if (notAPerson) return tell(ctx, channel, user, notAPerson, { threadTs: target.rootTs, incident: target });
      }
      const result = await applyStepChange(ctx, { ...ids, action: { type: 'assign', owner }, actor: user });
      const incident = await deps.incidents.getIncident(ids.incidentId);
      if (!result.ok) await tell(ctx, channel, user, conflictText(result, 'assign'), { threadTs: incident?.rootTs ?? null, incident });
    });
  });

  app.action<BlockAction<ButtonAction>>(new RegExp(`^${INCIDENT_ACTIONS.snoozePrefix}\\d+$`), async (args) => {
    await args.ack();
    const snooze = parseSnoozeValue(args.action.value);
    const channel = clickChannel(args.body);
    if (!snooze || !channel) return;
    const ctx = flowContext(deps, args.client);
    const user = args.body.user.id;
    await withErrors(deps, 'snooze', tellWhere(ctx, channel, user), async () => {
      const now = ctx.now();
      const until = new Date(now.getTime() + snooze.minutes * 60_000).toISOString();
      const label = snooze.minutes < 60 ? `${snooze.minutes} min` : `${snooze.minutes / 60} h`;
      const incident = await deps.incidents.getIncident(snooze.incidentId);
      if (incident) {
        const allowed = mayChange(deps, { userId: user, channel, via: 'button' }, 'snooze', { channel: incident.channel, incident, stepOwner: await stepOwner(deps, snooze.incidentId, snooze.stepId) });
        if (!allowed.allowed) return refuseClick(ctx, channel, user, allowed.reason);
      }
      const step = incident?.status === 'open' ? await deps.incidents.snoozeStep(snooze.incidentId, snooze.stepId, until, user, now.toISOString(), label) : null;
      await tell(ctx, channel, user, step ? md`Snoozed reminders for “${step.title}” until ${md.raw(slackDate(until))}.`.text : 'That step is no longer open, so there is nothing to snooze.', { incident });
    });
  });

  // ------------------------------------------------------------ root message controls
  app.action<BlockAction<ButtonAction>>(INCIDENT_ACTIONS.update, (args) => openModalFor(args, deps, 'update', (incident, metadata) => updateModal(incident, metadata)));
  app.action<BlockAction<ButtonAction>>(INCIDENT_ACTIONS.actionItem, (args) => openModalFor(args, deps, 'action-item', (incident, metadata) => actionItemModal(incident, metadata)));
  app.action<BlockAction<ButtonAction>>(INCIDENT_ACTIONS.close, (args) =>
    openModalFor(args, deps, 'close', async (incident, metadata) => closeModal(incident, (await deps.incidents.listSteps(incident.id)).filter((s) => s.status === 'open').length, metadata)),
  );

  app.action<BlockAction<StaticSelectAction>>(INCIDENT_ACTIONS.severity, async (args) => {
    await args.ack();
    const m = /^(\d{1,15}):([a-z]+)$/.exec(args.action.selected_option?.value ?? '');
    const severity = m?.[2];
    const channel = clickChannel(args.body);
    if (!m || !severity || !isSeverity(severity) || !channel) return;
    const ctx = flowContext(deps, args.client);
    await withErrors(deps, 'severity', tellWhere(ctx, channel, args.body.user.id), async () => {
      const incident = await deps.incidents.getIncident(Number(m[1]));
      if (!incident) return;
      const allowed = mayChange(deps, { userId: args.body.user.id, channel, via: 'button' }, 'severity', { channel: incident.channel, incident });
      if (!allowed.allowed) return refuseClick(ctx, channel, args.body.user.id, allowed.reason);
      await changeSeverity(ctx, incident, severity, args.body.user.id);
    });
  });

  app.action<BlockAction<UsersSelectAction>>(INCIDENT_ACTIONS.commander, async (args) => {
    await args.ack();
    const id = parseIncidentId(args.action.block_id);
    const channel = clickChannel(args.body);
    const commander = args.action.selected_user;
    if (id === null || !commander || !channel) return;
    const ctx = flowContext(deps, args.client, args.context.botUserId);
    await withErrors(deps, 'commander', tellWhere(ctx, channel, args.body.user.id), async () => {
      const incident = await deps.incidents.getIncident(id);
      if (!incident) return;
      const allowed = mayChange(deps, { userId: args.body.user.id, channel, via: 'button' }, 'role', { channel: incident.channel, incident });
      if (!allowed.allowed) return refuseClick(ctx, channel, args.body.user.id, allowed.reason);
      const result = await assignRole(ctx, incident, COMMANDER_ROLE, commander, args.body.user.id);
      if (!result.changed) await tell(ctx, channel, args.body.user.id, result.message, { incident });
    });
  });

  app.action<BlockAction<ButtonAction>>(INCIDENT_ACTIONS.drillStart, async (args) => {
    await args.ack();
    const scenario = findScenario(args.action.value ?? '');
    const channel = clickChannel(args.body);
    if (!scenario || !channel) return;
    const ctx = flowContext(deps, args.client);
    await withErrors(deps, 'drill start', tellWhere(ctx, channel, args.body.user.id), async () => {
      const allowed = mayChange(deps, { userId: args.body.user.id, channel, via: 'button' }, 'start', { channel, incident: null });
      if (!allowed.allowed) return refuseClick(ctx, channel, args.body.user.id, allowed.reason);
      const started = await startIncident(ctx, { kind: 'drill', title: scenario.title, severity: scenario.severity, channel, user: args.body.user.id, context: scenario.context, scenario });
      if (!started.ok) await tell(ctx, channel, args.body.user.id, started.message);
    });
  });

  for (const actionId of deps.startActionIds ?? [START_INCIDENT_ACTION]) {
    app.action(actionId, (args) => startIncidentFromButton(args as ActionArgs, deps));
  }

  // ------------------------------------------------------------ modals
  /**
   * The incident a submission is about, if the person may still change it: the sealed metadata names
   * the incident and the channel the modal was opened from. Errors go into the modal under `field`.
   */
  const submitted = async (metadata: string, user: string, verb: IncidentVerb, field: string): Promise<{ ok: true; incident: Incident; data: OpenedMetadata['data'] } | { ok: false; errors: Record<string, string> }> => {
    const opened = openMetadata(deps, metadata, user);
    const id = opened ? metadataNumber(opened.data, 'i') : null;
    const incident = id === null ? null : await deps.incidents.getIncident(id);
    if (!opened || !incident) return { ok: false, errors: { [field]: STALE_FORM } };
    const allowed = mayChange(deps, { userId: user, channel: opened.channel, via: 'modal' }, verb, { channel: incident.channel, incident });
    if (!allowed.allowed) return { ok: false, errors: { [field]: allowed.reason } };
    return { ok: true, incident, data: opened.data };
  };

  app.view(INCIDENT_VIEWS.skip, answeredInModal(deps, 'skip submission', INPUTS.reason, async ({ ack, view, body, client }) => {
    const target = await submitted(view.private_metadata, body.user.id, 'step', INPUTS.reason);
    if (!target.ok) return ack({ response_action: 'errors', errors: target.errors });
    const stepId = metadataNumber(target.data, 's');
    const version = metadataNumber(target.data, 'v');
    if (stepId === null || version === null) return ack({ response_action: 'errors', errors: { [INPUTS.reason]: STALE_FORM } });
    const ids = { incidentId: target.incident.id, stepId, version };
    const reason = inputValue(view.state.values, INPUTS.reason);
    if (reason.length === 0) return ack({ response_action: 'errors', errors: { [INPUTS.reason]: 'Say why the step is skipped.' } });
    const ctx = flowContext(deps, client);
    const result = await recordStepChange(ctx, { ...ids, action: { type: 'skip', reason }, actor: body.user.id });
    if (!result.ok) return ack({ response_action: 'errors', errors: { [INPUTS.reason]: conflictText(result, 'skip').replace(/<@([A-Z0-9]+)>/g, '@$1').replace(/<!date\^\d+\^[^|]*\|([^>]*)>/g, '$1').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').slice(0, 150) } });
    await ack();
    await withErrors(deps, 'skip refresh', null, () => afterStepChange(ctx, result.incident));
  }));

  // A status update or an action item is written before the ack, and only while the incident is
  // open (the store checks it in the write): a close that lands between the check below and the
  // write is answered like one before it. Said in the modal, which keeps what they typed: after the
  // ack there is no one left to tell.
  const UPDATE_CLOSED = { response_action: 'errors', errors: { [INPUTS.conditions]: 'This incident was closed meanwhile: your update was not posted.' } } as const;
  const ITEM_CLOSED = { response_action: 'errors', errors: { [INPUTS.item]: 'This incident was closed meanwhile: your action item was not added.' } } as const;

  app.view(INCIDENT_VIEWS.update, answeredInModal(deps, 'status update submission', INPUTS.conditions, async ({ ack, view, body, client }) => {
    const target = await submitted(view.private_metadata, body.user.id, 'update', INPUTS.conditions);
    if (!target.ok) return ack({ response_action: 'errors', errors: target.errors });
    const incident = target.incident;
    if (incident.status !== 'open') return ack(UPDATE_CLOSED);
    const values = view.state.values;
    const update = { conditions: inputValue(values, INPUTS.conditions), actions: inputValue(values, INPUTS.actions), needs: inputValue(values, INPUTS.needs) };
    const ctx = flowContext(deps, client);
    const at = await recordStatusUpdate(ctx, incident, update, body.user.id);
    if (at === null) return ack(UPDATE_CLOSED);
    await ack();
    await withErrors(deps, 'status update', tellWhere(ctx, incident.channel, body.user.id), () => postStatusUpdateMessage(ctx, incident, update, body.user.id, at));
  }));

  app.view(INCIDENT_VIEWS.actionItem, answeredInModal(deps, 'action item submission', INPUTS.item, async ({ ack, view, body, client }) => {
    const target = await submitted(view.private_metadata, body.user.id, 'action-item', INPUTS.item);
    if (!target.ok) return ack({ response_action: 'errors', errors: target.errors });
    const text = inputValue(view.state.values, INPUTS.item);
    if (text.length === 0) return ack({ response_action: 'errors', errors: { [INPUTS.item]: 'Describe the action item.' } });
    const incident = target.incident;
    if (incident.status !== 'open') return ack(ITEM_CLOSED);
    const owner = view.state.values[INPUTS.owner]?.[INPUTS.owner]?.selected_user ?? null;
    const ctx = flowContext(deps, client);
    const item = await recordActionItem(ctx, incident, text.slice(0, 500), owner, body.user.id);
    if (!item) return ack(ITEM_CLOSED);
    await ack();
    await withErrors(deps, 'action item', tellWhere(ctx, incident.channel, body.user.id), () => postActionItemNote(ctx, incident, item));
  }));

  app.view(INCIDENT_VIEWS.close, answeredInModal(deps, 'close submission', INPUTS.summary, async ({ ack, view, body, client }) => {
    const target = await submitted(view.private_metadata, body.user.id, 'close', INPUTS.summary);
    if (!target.ok) return ack({ response_action: 'errors', errors: target.errors });
    await ack();
    const id = target.incident.id;
    const ctx = flowContext(deps, client);
    await withErrors(deps, 'close', tellWhere(ctx, target.incident.channel, body.user.id), async () => {
      const closed = await closeAndReport(ctx, id, body.user.id, inputValue(view.state.values, INPUTS.summary));
      const incident = await deps.incidents.getIncident(id);
      if (!closed.ok && incident) await tell(ctx, incident.channel, body.user.id, closed.message, { incident });
    });
  }));

  // ------------------------------------------------------------ 📌 reactions
  app.event('reaction_added', async ({ event, client }) => {
    if (event.reaction !== 'pushpin' || event.item.type !== 'message') return;
    const ctx = flowContext(deps, client);
    const requester: Requester = { userId: event.user, channel: event.item.channel, via: 'event' };
    await withErrors(deps, 'pin', null, async () => {
      const incident = await recordPin(ctx, event.item.channel, event.item.ts, event.user, (target) => mayChange(deps, requester, 'pin', { channel: target.channel, incident: target }).allowed);
      if (incident) deps.logger?.info({ incident: incident.id }, 'incident: pinned a message to the timeline');
    });
  });
}
