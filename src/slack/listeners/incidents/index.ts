/**
 * Incident listeners: the `/incident` command, the checklist's buttons (`incident_*` action ids),
 * its modals (`incident_*` callback ids), 📌 reactions, and "Start incident" buttons from alerts
 * and audit replies. Every handler acks first (Slack wants an answer within 3 s) except modal
 * submissions, which answer with validation errors after a synchronous database write.
 */
import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, SlackActionMiddlewareArgs, StaticSelectAction, UsersSelectAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { DRILL_SCENARIOS, findScenario } from '../../../incidents/drills.js';
import { parseIncidentCommand, INCIDENT_HELP } from '../../../incidents/command.js';
import { parseStatusUpdate, type StepAction } from '../../../incidents/state.js';
import { isSeverity, toIncidentSeverity, COMMANDER_ROLE, type Incident } from '../../../incidents/types.js';
import { getIncident, getStep, listOpenIncidents, listSteps, snoozeStep } from '../../../store/incidents.js';
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
import {
  afterStepChange,
  applyStepChange,
  assignRole,
  changeSeverity,
  closeAndReport,
  conflictText,
  incidentsForCommand,
  postStatusUpdate,
  recordActionItem,
  recordPin,
  recordStepChange,
  startIncident,
  tell,
  type FlowContext,
} from './flows.js';

export type { IncidentDeps } from './deps.js';
export { START_INCIDENT_ACTION } from './deps.js';

function flowContext(deps: IncidentDeps, client: WebClient): FlowContext {
  return { db: deps.db, client, now: deps.now ?? (() => new Date()), templates: deps.templates, logger: deps.logger };
}

type ActionArgs<A extends BlockAction = BlockAction> = SlackActionMiddlewareArgs<A> & AllMiddlewareArgs;

function clickChannel(body: BlockAction): string | null {
  return body.channel?.id ?? (body.container as { channel_id?: string } | undefined)?.channel_id ?? null;
}

async function withErrors(deps: IncidentDeps, what: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    deps.logger?.error({ error: (error as Error).message }, `incident: ${what} failed`);
  }
}

/** Handles a "Start incident" button (action_id `start_incident`) from an alert or an /audit reply. */
export async function startIncidentFromButton(args: ActionArgs, deps: IncidentDeps): Promise<void> {
  await args.ack();
  const { body, client } = args;
  const action = args.action as ButtonAction;
  const ctx = flowContext(deps, client);
  const channel = clickChannel(body);
  const user = body.user.id;
  if (!channel) return;
  const value = action.value ?? '';
  await withErrors(deps, 'start from button', async () => {
    const resolved = deps.resolveIncidentContext ? await deps.resolveIncidentContext(value) : null;
    if (!resolved) {
      await tell(ctx, channel, user, 'I can no longer find that alert or finding, so I can’t pre-fill an incident. Start one with `/incident start <title>`.');
      return;
    }
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
      const link = started.incident.rootPermalink ? `<${started.incident.rootPermalink}|${incidentName(started.incident)}>` : incidentName(started.incident);
      try {
        await client.chat.postMessage({ channel, thread_ts: alertTs, text: `🚨 <@${user}> started ${link}; the checklist is in its thread.` });
      } catch (error) {
        deps.logger?.warn({ error: (error as Error).message }, 'incident: could not note the incident under the alert');
      }
    }
  });
}

async function onStepButton(args: ActionArgs<BlockAction<ButtonAction>>, deps: IncidentDeps, action: StepAction['type']): Promise<void> {
  await args.ack();
  const ids = parseStepValue(args.action.value);
  const channel = clickChannel(args.body);
  if (!ids || !channel) return;
  const ctx = flowContext(deps, args.client);
  const user = args.body.user.id;
  await withErrors(deps, `step ${action}`, async () => {
    if (action === 'skip') {
      const step = getStep(deps.db, ids.incidentId, ids.stepId);
      const incident = getIncident(deps.db, ids.incidentId);
      if (!step || !incident) return;
      if (step.version !== ids.version || step.status !== 'open' || incident.status !== 'open') {
        const stale = recordStepChange(ctx, { ...ids, action: { type: 'skip', reason: 'x' }, actor: user });
        if (!stale.ok) await tell(ctx, channel, user, conflictText(stale, 'skip'), { threadTs: incident.rootTs, incident });
        return;
      }
      await args.client.views.open({ trigger_id: args.body.trigger_id, view: skipModal({ ...step, version: ids.version }) });
      return;
    }
    const stepAction: StepAction = action === 'done' ? { type: 'done' } : action === 'na' ? { type: 'na' } : { type: 'reopen' };
    const result = await applyStepChange(ctx, { ...ids, action: stepAction, actor: user });
    if (!result.ok) {
      const incident = getIncident(deps.db, ids.incidentId);
      await tell(ctx, channel, user, conflictText(result, action), { threadTs: incident?.rootTs ?? null, incident });
    }
  });
}

async function openModalFor(args: ActionArgs<BlockAction<ButtonAction>>, deps: IncidentDeps, build: (incident: Incident) => Parameters<WebClient['views']['open']>[0]['view']): Promise<void> {
  await args.ack();
  const id = parseIncidentId(args.action.value);
  const incident = id === null ? null : getIncident(deps.db, id);
  const channel = clickChannel(args.body);
  if (!incident) return;
  const ctx = flowContext(deps, args.client);
  await withErrors(deps, 'open modal', async () => {
    if (incident.status !== 'open') {
      if (channel) await tell(ctx, channel, args.body.user.id, `${incidentName(incident)} is closed.`, { incident });
      return;
    }
    await args.client.views.open({ trigger_id: args.body.trigger_id, view: build(incident) });
  });
}

function inputValue(values: Record<string, Record<string, { value?: string | null; selected_user?: string | null }>>, id: string): string {
  return values[id]?.[id]?.value?.trim() ?? '';
}

export function registerIncidentListeners(app: App, deps: IncidentDeps): void {
  // ------------------------------------------------------------ /incident
  app.command('/incident', async ({ ack, command, respond, client }) => {
    await ack();
    const ctx = flowContext(deps, client);
    const reply = async (text: string, blocks?: unknown[]): Promise<void> => {
      try {
        await respond({ response_type: 'ephemeral', text, ...(blocks ? { blocks: blocks as never } : {}) });
      } catch (error) {
        deps.logger?.warn({ error: (error as Error).message }, 'incident: could not answer the command');
      }
    };
    await withErrors(deps, 'command', async () => {
      const parsed = parseIncidentCommand(command.text);
      const user = command.user_id;
      const channel = command.channel_id;
      switch (parsed.kind) {
        case 'help':
          return reply(INCIDENT_HELP);
        case 'error':
          return reply(parsed.message);
        case 'list': {
          const m = incidentListMessage(listOpenIncidents(deps.db, { channel }));
          return reply(m.text, m.blocks);
        }
        case 'templates': {
          const m = templatesMessage(deps.templates, deps.templatesDir ?? null);
          return reply(m.text, m.blocks);
        }
        case 'start': {
          const started = await startIncident(ctx, { kind: 'real', title: parsed.title, severity: parsed.severity ?? 'high', templateId: parsed.template, channel, user });
          return reply(started.ok ? `Started ${incidentName(started.incident)}. You are the commander; hand it over with the menu on the incident message.` : started.message);
        }
        case 'drill': {
          if (!parsed.scenario) {
            const m = drillListMessage(DRILL_SCENARIOS);
            return reply(m.text, m.blocks);
          }
          const scenario = findScenario(parsed.scenario);
          if (!scenario) return reply(`There is no drill scenario \`${parsed.scenario}\`. Scenarios: ${DRILL_SCENARIOS.map((s) => `\`${s.id}\``).join(', ')}.`);
          const started = await startIncident(ctx, { kind: 'drill', title: scenario.title, severity: scenario.severity, channel, user, context: scenario.context, scenario });
          return reply(started.ok ? `[EXERCISE] Started the drill ${incidentName(started.incident)}.` : started.message);
        }
        default:
          break;
      }
      const target = incidentsForCommand(deps.db, channel, parsed.id);
      if ('error' in target) return reply(target.error);
      const incident = target.incident;
      // Answers about a drill say so too: every drill message is marked EXERCISE.
      const answer = (text: string): Promise<void> => reply(incident.kind === 'drill' ? `[EXERCISE] ${text}` : text);
      if (incident.status !== 'open') return answer(`${incidentName(incident)} is closed.`);
      switch (parsed.kind) {
        case 'status':
          await postStatusUpdate(ctx, incident, parseStatusUpdate(parsed.text), user);
          return answer(`Posted your update in the thread of ${incidentName(incident)}.`);
        case 'severity':
          return answer((await changeSeverity(ctx, incident, parsed.severity, user)) ? `Severity is now ${parsed.severity}.` : `Severity is already ${parsed.severity}.`);
        case 'commander':
          return answer((await assignRole(ctx, incident, COMMANDER_ROLE, parsed.user, user)).message);
        case 'role':
          return answer((await assignRole(ctx, incident, parsed.role, parsed.user, user)).message);
        case 'action':
          await recordActionItem(ctx, incident, parsed.text, parsed.owner, user);
          return answer('Action item recorded; it will be in the report.');
        case 'close': {
          const closed = await closeAndReport(ctx, incident.id, user, parsed.summary);
          return answer(closed.ok ? `Closed ${incidentName(incident)}; the report is in its thread.` : closed.message);
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
    const ctx = flowContext(deps, args.client);
    await withErrors(deps, 'assign', async () => {
      const result = await applyStepChange(ctx, { ...ids, action: { type: 'assign', owner }, actor: args.body.user.id });
      const incident = getIncident(deps.db, ids.incidentId);
      if (!result.ok) await tell(ctx, channel, args.body.user.id, conflictText(result, 'assign'), { threadTs: incident?.rootTs ?? null, incident });
    });
  });

  app.action<BlockAction<ButtonAction>>(new RegExp(`^${INCIDENT_ACTIONS.snoozePrefix}\\d+$`), async (args) => {
    await args.ack();
    const snooze = parseSnoozeValue(args.action.value);
    const channel = clickChannel(args.body);
    if (!snooze || !channel) return;
    const ctx = flowContext(deps, args.client);
    await withErrors(deps, 'snooze', async () => {
      const now = ctx.now();
      const until = new Date(now.getTime() + snooze.minutes * 60_000).toISOString();
      const label = snooze.minutes < 60 ? `${snooze.minutes} min` : `${snooze.minutes / 60} h`;
      const incident = getIncident(deps.db, snooze.incidentId);
      const step = incident?.status === 'open' ? snoozeStep(deps.db, snooze.incidentId, snooze.stepId, until, args.body.user.id, now.toISOString(), label) : null;
      await tell(ctx, channel, args.body.user.id, step ? `Snoozed reminders for “${step.title}” until ${slackDate(until)}.` : 'That step is no longer open, so there is nothing to snooze.', { incident });
    });
  });

  // ------------------------------------------------------------ root message controls
  app.action<BlockAction<ButtonAction>>(INCIDENT_ACTIONS.update, (args) => openModalFor(args, deps, (incident) => updateModal(incident)));
  app.action<BlockAction<ButtonAction>>(INCIDENT_ACTIONS.actionItem, (args) => openModalFor(args, deps, (incident) => actionItemModal(incident)));
  app.action<BlockAction<ButtonAction>>(INCIDENT_ACTIONS.close, (args) =>
    openModalFor(args, deps, (incident) => closeModal(incident, listSteps(deps.db, incident.id).filter((s) => s.status === 'open').length)),
  );

  app.action<BlockAction<StaticSelectAction>>(INCIDENT_ACTIONS.severity, async (args) => {
    await args.ack();
    const [idText, severity] = (args.action.selected_option?.value ?? '').split(':');
    const incident = getIncident(deps.db, Number(idText));
    if (!incident || !severity || !isSeverity(severity)) return;
    await withErrors(deps, 'severity', async () => {
      await changeSeverity(flowContext(deps, args.client), incident, severity, args.body.user.id);
    });
  });

  app.action<BlockAction<UsersSelectAction>>(INCIDENT_ACTIONS.commander, async (args) => {
    await args.ack();
    const id = parseIncidentId(args.action.block_id);
    const incident = id === null ? null : getIncident(deps.db, id);
    const channel = clickChannel(args.body);
    if (!incident || !args.action.selected_user) return;
    const ctx = flowContext(deps, args.client);
    await withErrors(deps, 'commander', async () => {
      const result = await assignRole(ctx, incident, COMMANDER_ROLE, args.action.selected_user, args.body.user.id);
      if (!result.changed && channel) await tell(ctx, channel, args.body.user.id, result.message, { incident });
    });
  });

  app.action<BlockAction<ButtonAction>>(INCIDENT_ACTIONS.drillStart, async (args) => {
    await args.ack();
    const scenario = findScenario(args.action.value ?? '');
    const channel = clickChannel(args.body);
    if (!scenario || !channel) return;
    const ctx = flowContext(deps, args.client);
    await withErrors(deps, 'drill start', async () => {
      const started = await startIncident(ctx, { kind: 'drill', title: scenario.title, severity: scenario.severity, channel, user: args.body.user.id, context: scenario.context, scenario });
      if (!started.ok) await tell(ctx, channel, args.body.user.id, started.message);
    });
  });

  for (const actionId of deps.startActionIds ?? [START_INCIDENT_ACTION]) {
    app.action(actionId, (args) => startIncidentFromButton(args as ActionArgs, deps));
  }

  // ------------------------------------------------------------ modals
  app.view(INCIDENT_VIEWS.skip, async ({ ack, view, body, client }) => {
    const ids = parseStepValue(view.private_metadata);
    const reason = inputValue(view.state.values, INPUTS.reason);
    if (!ids) return ack();
    if (reason.length === 0) return ack({ response_action: 'errors', errors: { [INPUTS.reason]: 'Say why the step is skipped.' } });
    const ctx = flowContext(deps, client);
    const result = recordStepChange(ctx, { ...ids, action: { type: 'skip', reason }, actor: body.user.id });
    if (!result.ok) return ack({ response_action: 'errors', errors: { [INPUTS.reason]: conflictText(result, 'skip').replace(/<@([A-Z0-9]+)>/g, '@$1').replace(/<!date\^\d+\^[^|]*\|([^>]*)>/g, '$1').slice(0, 150) } });
    await ack();
    await withErrors(deps, 'skip refresh', () => afterStepChange(ctx, ids.incidentId, ids.stepId));
  });

  app.view(INCIDENT_VIEWS.update, async ({ ack, view, body, client }) => {
    await ack();
    const incident = getIncident(deps.db, Number(view.private_metadata));
    if (!incident || incident.status !== 'open') return;
    const values = view.state.values;
    await withErrors(deps, 'status update', () =>
      postStatusUpdate(flowContext(deps, client), incident, { conditions: inputValue(values, INPUTS.conditions), actions: inputValue(values, INPUTS.actions), needs: inputValue(values, INPUTS.needs) }, body.user.id),
    );
  });

  app.view(INCIDENT_VIEWS.actionItem, async ({ ack, view, body, client }) => {
    const incident = getIncident(deps.db, Number(view.private_metadata));
    const text = inputValue(view.state.values, INPUTS.item);
    if (text.length === 0) return ack({ response_action: 'errors', errors: { [INPUTS.item]: 'Describe the action item.' } });
    await ack();
    if (!incident || incident.status !== 'open') return;
    const owner = view.state.values[INPUTS.owner]?.[INPUTS.owner]?.selected_user ?? null;
    await withErrors(deps, 'action item', () => recordActionItem(flowContext(deps, client), incident, text.slice(0, 500), owner, body.user.id));
  });

  app.view(INCIDENT_VIEWS.close, async ({ ack, view, body, client }) => {
    await ack();
    const id = Number(view.private_metadata);
    const ctx = flowContext(deps, client);
    await withErrors(deps, 'close', async () => {
      const closed = await closeAndReport(ctx, id, body.user.id, inputValue(view.state.values, INPUTS.summary));
      const incident = getIncident(deps.db, id);
      if (!closed.ok && incident) await tell(ctx, incident.channel, body.user.id, closed.message, { incident });
    });
  });

  // ------------------------------------------------------------ 📌 reactions
  app.event('reaction_added', async ({ event, client }) => {
    if (event.reaction !== 'pushpin' || event.item.type !== 'message') return;
    const ctx = flowContext(deps, client);
    await withErrors(deps, 'pin', async () => {
      const incident = await recordPin(ctx, event.item.channel, event.item.ts, event.user);
      if (incident) deps.logger?.info({ incident: incident.id }, 'incident: pinned a message to the timeline');
    });
  });
}
