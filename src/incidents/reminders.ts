/**
 * Overdue-step reminders: a thread reply and a DM to the step's owner, at most once per interval
 * per step, with snooze buttons (30 min, 1 h, 4 h); none once the incident is closed, and no DMs
 * for drills. Driven by a tick function (`runReminderTick`) that reads the injected clock, so tests
 * move the clock and tick; `startIncidentReminders` calls it on a timer in production.
 *
 * Each reminder is claimed in the database before it is sent, so a restart or a second instance
 * never sends it twice.
 */
import type { WebClient } from '@slack/web-api';
import type { Db } from '../store/db.js';
import { addTimeline, claimReminder, listRoles, overdueSteps } from '../store/incidents.js';
import { reminderMessage } from '../slack/blocks/incident.js';
import { postInThread, type FlowContext } from '../slack/listeners/incidents/flows.js';
import type { IncidentLogger } from '../slack/listeners/incidents/deps.js';
import type { TemplateLibrary } from './templates.js';
import { effectiveOwner } from './state.js';

export const DEFAULT_REMINDER_INTERVAL_MINUTES = 60;

export interface ReminderDeps {
  db: Db;
  client: WebClient;
  now?: () => Date;
  /** A step is reminded at most once per this many minutes. */
  intervalMinutes?: number;
  logger?: IncidentLogger;
  templates?: TemplateLibrary;
}

export interface TickResult {
  /** Thread reminders posted. */
  reminded: number;
  /** DMs sent to owners. */
  direct: number;
}

export async function runReminderTick(deps: ReminderDeps): Promise<TickResult> {
  const now = deps.now ?? (() => new Date());
  const nowIso = now().toISOString();
  const ctx: FlowContext = { db: deps.db, client: deps.client, now, templates: deps.templates ?? { templates: [], errors: [] }, logger: deps.logger };
  const result: TickResult = { reminded: 0, direct: 0 };
  for (const { incident, step } of overdueSteps(deps.db, nowIso, deps.intervalMinutes ?? DEFAULT_REMINDER_INTERVAL_MINUTES)) {
    if (!claimReminder(deps.db, step, nowIso)) continue;
    const owner = effectiveOwner(step, listRoles(deps.db, incident.id));
    addTimeline(deps.db, { incidentId: incident.id, at: nowIso, actor: null, type: 'reminder', text: `reminded ${owner ? `<@${owner}>` : 'the channel'} that “${step.title}” is overdue` });
    const posted = await postInThread(ctx, incident, reminderMessage({ incident, step, owner, now: nowIso }), 'reminder');
    if (posted) result.reminded++;
    if (incident.kind === 'drill' || !owner) continue;
    try {
      const dm = await deps.client.conversations.open({ users: owner });
      const channel = dm.channel?.id;
      if (!channel) continue;
      const message = reminderMessage({ incident, step, owner, now: nowIso, direct: true, threadLink: incident.rootPermalink });
      await deps.client.chat.postMessage({ channel, text: message.text, blocks: message.blocks });
      result.direct++;
    } catch (error) {
      deps.logger?.warn({ incident: incident.id, step: step.id, error: (error as Error).message }, 'incident: could not DM a reminder');
    }
  }
  return result;
}

export interface ReminderScheduler {
  /** Runs one tick now (skipped when one is already running). */
  tick(): Promise<TickResult | null>;
  stop(): void;
}

/** Ticks every `everyMs` (default one minute); ticks never overlap and the timer never keeps the process alive. */
export function startIncidentReminders(deps: ReminderDeps & { everyMs?: number }): ReminderScheduler {
  let running = false;
  const tick = async (): Promise<TickResult | null> => {
    if (running) return null;
    running = true;
    try {
      return await runReminderTick(deps);
    } catch (error) {
      deps.logger?.error({ error: (error as Error).message }, 'incident: reminder tick failed');
      return null;
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), deps.everyMs ?? 60_000);
  timer.unref();
  return { tick, stop: () => clearInterval(timer) };
}
