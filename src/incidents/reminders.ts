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
 *
 * An owner a DM cannot reach (account deactivated, no such user, a bot: `reachable` asks Slack
 * before the claim) is not DMed and not recorded as reminded: the commander is reminded instead,
 * told the owner could not be reached, and the thread says so (the channel, when the commander is
 * the one unreachable).
 */
import type { Logger } from '../log.js';
import { outageLog } from '../outage-log.js';
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
  /** The step's owner, whom a DM could not reach, and why; `owner` is then who is told instead. */
  unreachable?: { user: string; why: string };
}

/** Why a DM cannot reach `user` (deactivated, unknown, a bot), or null when it can or Slack did not say. */
export type DmReachability = (user: string) => Promise<string | null>;

export interface ReminderDeps {
  /** Where incidents live; the reminder's outbox rows go to the outbox of the same database. */
  incidents: IncidentStore;
  /** Delivers what a tick wrote right after it (SlackDelivery); absent: the background loop does. */
  delivery?: Pick<OutboxDelivery, 'deliver'>;
  now?: () => Date;
  /** A step is reminded at most once per this many minutes. */
  intervalMinutes?: number;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Asked before a DM is written; absent: every owner is taken as reachable. */
  reachable?: DmReachability;
  /** Kept for callers that pass it; reminders need no template. */
  templates?: TemplateLibrary;
}

export interface TickResult {
  /** Thread reminders written. */
  reminded: number;
  /** DMs written (to the owner, or to the commander in place of an owner a DM cannot reach). */
  direct: number;
}

export async function runReminderTick(deps: ReminderDeps): Promise<TickResult> {
  const now = deps.now ?? (() => new Date());
  const at = now();
  const nowIso = at.toISOString();
  const result: TickResult = { reminded: 0, direct: 0 };
  for (const { incident, step } of await deps.incidents.overdueSteps(nowIso, deps.intervalMinutes ?? DEFAULT_REMINDER_INTERVAL_MINUTES)) {
    const unreachable = await unreachablePeople(deps, incident, step);
    let thread = 0;
    let direct = 0;
    const won = await deps.incidents.remind(step, nowIso, ({ step: claimed, roles }) => {
      // The owner as the claim found the step: it may have been reassigned since the read.
      const owner = effectiveOwner(claimed, roles);
      const commander = roles.find((r) => r.role === 'commander')?.userId ?? null;
      const why = owner ? unreachable.get(owner) : undefined;
      // Told in place of an owner no DM reaches: the commander, unless that is who cannot be reached.
      const recipient = why === undefined ? owner : commander && commander !== owner && !unreachable.has(commander) ? commander : null;
      const lost = owner && why !== undefined ? { unreachable: { user: owner, why } } : {};
      const key = `reminder:${incident.id}:${claimed.id}:${nowIso}`;
      const messages: OutboundMessage[] = [];
      thread = 0;
      direct = 0;
      if (incident.rootTs) {
        const data: IncidentReminder = { incident, step: claimed, owner: recipient, now: nowIso, threadTs: incident.rootTs, ...lost };
        messages.push({ kind: INCIDENT_REMINDER, data, channel: incident.channel, op: 'post', messageKey: key, idempotencyKey: key });
        thread = 1;
      }
      if (incident.kind !== 'drill' && recipient) {
        const data: IncidentReminder = { incident, step: claimed, owner: recipient, now: nowIso, direct: true, threadLink: incident.rootPermalink, ...lost };
        // Posted to the recipient's id: the delivery loop opens the DM.
        messages.push({ kind: INCIDENT_REMINDER, data, channel: recipient, op: 'post', messageKey: `${key}:dm`, idempotencyKey: `${key}:dm` });
        direct = 1;
      }
      const told = recipient ? `<@${recipient}>` : 'the channel';
      const text =
        owner && why !== undefined
          ? `could not reach <@${owner}> by DM (${why}) about “${claimed.title}”, overdue; ${recipient || thread ? `told ${told}` : 'nobody else to tell'}`
          : `reminded ${told} that “${claimed.title}” is overdue`;
      return { timeline: { incidentId: incident.id, at: nowIso, actor: null, type: 'reminder' as const, text }, messages };
    });
    if (!won) continue;
    result.reminded += thread;
    result.direct += direct;
  }
  if (result.reminded + result.direct > 0) await deps.delivery?.deliver();
  return result;
}

/** The step's owner and the commander, as read before the claim, whom a DM cannot reach (and why). */
async function unreachablePeople(deps: ReminderDeps, incident: Incident, step: Step): Promise<Map<string, string>> {
  const unreachable = new Map<string, string>();
  if (!deps.reachable || incident.kind === 'drill') return unreachable;
  const roles = await deps.incidents.listRoles(incident.id);
  const people = new Set([effectiveOwner(step, roles), roles.find((r) => r.role === 'commander')?.userId ?? null]);
  for (const user of people) {
    if (!user) continue;
    const why = await deps.reachable(user);
    if (why !== null) unreachable.set(user, why);
  }
  return unreachable;
}

export interface ReminderScheduler {
  /** Runs one tick now (skipped when one is already running). */
  tick(): Promise<TickResult | null>;
  stop(): void;
}

/** Ticks every `everyMs` (default one minute); ticks never overlap and the timer never keeps the process alive. */
export function startIncidentReminders(deps: ReminderDeps & { everyMs?: number }): ReminderScheduler {
  let running = false;
  // The store down fails every tick of every replica: said at the first, then every few minutes,
  // and once when ticks work again (src/outage-log.ts), not once a minute per replica.
  const outage = outageLog(deps.now ? { now: deps.now } : {});
  const tick = async (): Promise<TickResult | null> => {
    if (running) return null;
    running = true;
    try {
      const result = await runReminderTick(deps);
      const ended = outage.worked();
      if (ended) deps.logger?.info({ failedForMs: ended.downMs, since: ended.since.toISOString() }, 'incident: reminder ticks work again');
      return result;
    } catch (error) {
      const say = outage.failed();
      if (say) deps.logger?.error({ error: (error as Error).message, since: say.since.toISOString() }, 'incident: reminder tick failed');
      return null;
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), deps.everyMs ?? 60_000);
  timer.unref();
  return { tick, stop: () => clearInterval(timer) };
}
