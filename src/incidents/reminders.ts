/**
 * Overdue-step reminders: a thread reply and a DM to the step's owner, once per interval per step,
 * with snooze buttons (30 min, 1 h, 4 h) after which the step is reminded when the snooze ends,
 * sooner or later than the interval; none once the incident is closed, and no DMs
 * for drills. Driven by a tick function (`runReminderTick`) that reads the injected clock, so tests
 * move the clock and tick; `startIncidentReminders` calls it on a timer in production.
 *
 * Each reminder is claimed in the database and written to the Slack outbox in one transaction
 * (with its timeline entry), so a restart or a second instance never sends it twice: the claim is
 * a compare-and-set on the step as read (version, last reminder, snooze) while its incident is
 * open, shared by every replica's tick on PostgreSQL, and the owner is taken from the claimed row.
 * The delivery loop (src/slack/outbox/) lays it out and posts it.
 */
import type { Logger } from '../log.js';
import type { IncidentStore } from '../store/incident-state/types.js';
import type { OutboundMessage, OutboxDelivery } from '../store/outbox/types.js';
import type { TemplateLibrary } from './templates.js';
import { effectiveOwner } from './state.js';
import type { Incident, Step } from './types.js';

export const DEFAULT_REMINDER_INTERVAL_MINUTES = 60;

/** An overdue step, said in the incident's thread (threadTs) or to its owner directly (direct). */
export const INCIDENT_REMINDER = 'incident-reminder';

export interface IncidentReminder {
  incident: Incident;
  step: Step;
  owner: string | null;
  now: string;
  /** In the incident's thread (the root message, posted when the incident started). */
  threadTs?: string;
  /** The DM version says where the step lives, with a link to the thread. */
  direct?: boolean;
  threadLink?: string | null;
}

export interface ReminderDeps {
  /** Where incidents live; the reminder's outbox rows go to the outbox of the same database. */
  incidents: IncidentStore;
  /** Delivers what a tick wrote right after it (SlackDelivery); absent: the background loop does. */
  delivery?: Pick<OutboxDelivery, 'deliver'>;
  now?: () => Date;
  /** A step is reminded at most once per this many minutes. */
  intervalMinutes?: number;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Kept for callers that pass it; reminders need no template. */
  templates?: TemplateLibrary;
}

export interface TickResult {
  /** Thread reminders written. */
  reminded: number;
  /** DMs to owners written. */
  direct: number;
}

export async function runReminderTick(deps: ReminderDeps): Promise<TickResult> {
  const now = deps.now ?? (() => new Date());
  const at = now();
  const nowIso = at.toISOString();
  const result: TickResult = { reminded: 0, direct: 0 };
  for (const { incident, step } of await deps.incidents.overdueSteps(nowIso, deps.intervalMinutes ?? DEFAULT_REMINDER_INTERVAL_MINUTES)) {
    let thread = 0;
    let direct = 0;
    const won = await deps.incidents.remind(step, nowIso, ({ step: claimed, roles }) => {
      // The owner as the claim found the step: it may have been reassigned since the read.
      const owner = effectiveOwner(claimed, roles);
      const key = `reminder:${incident.id}:${claimed.id}:${nowIso}`;
      const messages: OutboundMessage[] = [];
      thread = 0;
      direct = 0;
      if (incident.rootTs) {
        const data: IncidentReminder = { incident, step: claimed, owner, now: nowIso, threadTs: incident.rootTs };
        messages.push({ kind: INCIDENT_REMINDER, data, channel: incident.channel, op: 'post', messageKey: key, idempotencyKey: key });
        thread = 1;
      }
      if (incident.kind !== 'drill' && owner) {
        const data: IncidentReminder = { incident, step: claimed, owner, now: nowIso, direct: true, threadLink: incident.rootPermalink };
        // Posted to the owner's id: the delivery loop opens the DM.
        messages.push({ kind: INCIDENT_REMINDER, data, channel: owner, op: 'post', messageKey: `${key}:dm`, idempotencyKey: `${key}:dm` });
        direct = 1;
      }
      const timeline = { incidentId: incident.id, at: nowIso, actor: null, type: 'reminder' as const, text: `reminded ${owner ? `<@${owner}>` : 'the channel'} that “${claimed.title}” is overdue` };
      return { timeline, messages };
    });
    if (!won) continue;
    result.reminded += thread;
    result.direct += direct;
  }
  if (result.reminded + result.direct > 0) await deps.delivery?.deliver();
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
