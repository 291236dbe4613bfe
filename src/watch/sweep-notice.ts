/**
 * The alerts job's word on sweeps that could not check for new advisories: without it, a channel
 * gets no message when OSV is down or re-matching failed, exactly as when nothing was published.
 * One message per channel and run of partial sweeps (keyed by the run's start), posted once, and
 * edited once a complete sweep ends the run — if this channel was told at all.
 *
 * A flaky source must not post on every sweep (each partial sweep after a complete one starts a new
 * run), so a run is posted only
 * - once it has lasted two consecutive partial sweeps (one partial sweep between complete ones is
 *   said in the digests' summaries only), and
 * - not within COOL_DOWN_MS of the previous run's recovery: a run that starts then is posted only if
 *   it still goes on when the cool-down is over.
 */
import type { SweepProblems, WatchStateStore } from '../store/watch-state/types.js';
import { SWEEP_PROBLEMS, type SweepProblemsNotice } from './messages.js';

export const sweepNoticeKey = (channel: string, since: string) => `sweep-problems:${channel}:${since}`;

/** How long after a run of partial sweeps recovered a new run is not posted. */
export const COOL_DOWN_MS = 24 * 3_600_000;

/** Whether a run going on is worth a post now (see the rule above). */
export function worthPosting(status: SweepProblems, now: Date): boolean {
  const lastedTwoSweeps = Date.parse(status.lastAt) > Date.parse(status.since);
  const coolingDown = status.previousRecoveredAt !== null && now.getTime() - Date.parse(status.previousRecoveredAt) < COOL_DOWN_MS;
  return lastedTwoSweeps && !coolingDown;
}

/**
 * While a run goes on, its notice says the last sweep's problems: posted with them, and edited once
 * each time they change (keyed by when they did), so several problems, or ones that changed since
 * the post, are said as they are now and not as the run began. "Change" is what they mean, not
 * their details (the store keeps problemsSince by sameSweepProblems), and the notice is compared
 * with what was last sent — the post, or the edit for these problems — so a run whose problems stay
 * the same asks nothing of the outbox on each sweep beyond these lookups.
 */
export async function announceSweepProblems(channel: string, state: WatchStateStore, now: Date): Promise<void> {
  const status = await state.sweepProblems();
  if (!status) return;
  const key = sweepNoticeKey(channel, status.since);
  const notice: SweepProblemsNotice = { since: status.since, problems: status.problems, recoveredAt: status.recoveredAt, more: status.more, problemsSince: status.problemsSince };
  if (status.recoveredAt === null) {
    const posted = await state.outbox.row(key);
    if (!posted) {
      if (worthPosting(status, now)) await state.announce([{ kind: SWEEP_PROBLEMS, data: notice, channel, op: 'post', messageKey: key, idempotencyKey: key }], now);
      return;
    }
    // A post written before notices said when their problems began said the run's first ones.
    const posting = (posted.data as Partial<SweepProblemsNotice>).problemsSince ?? status.since;
    if (posting === status.problemsSince) return;
    // The last edit sent is the one for the problems as they are: nothing more to say.
    const edit = `${key}:problems@${status.problemsSince}`;
    if (await state.outbox.row(edit)) return;
    await state.announce([{ kind: SWEEP_PROBLEMS, data: notice, channel, op: 'update', messageKey: key, idempotencyKey: edit }], now);
    return;
  }
  if (!(await state.outbox.row(key))) return;
  await state.announce([{ kind: SWEEP_PROBLEMS, data: notice, channel, op: 'update', messageKey: key, idempotencyKey: `${key}:recovered` }], now);
}
