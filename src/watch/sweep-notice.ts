/**
 * The alerts job's word on sweeps that could not check for new advisories: without it, a channel
 * gets no message when OSV is down or re-matching failed, exactly as when nothing was published.
 * One message per channel and run of partial sweeps (keyed by the run's start), posted once, and
 * edited once a complete sweep ends the run — if this channel was told at all.
 */
import type { WatchStateStore } from '../store/watch-state/types.js';
import { SWEEP_PROBLEMS, type SweepProblemsNotice } from './messages.js';

export const sweepNoticeKey = (channel: string, since: string) => `sweep-problems:${channel}:${since}`;

export async function announceSweepProblems(channel: string, state: WatchStateStore, now: Date): Promise<void> {
  const status = await state.sweepProblems();
  if (!status) return;
  const key = sweepNoticeKey(channel, status.since);
  const notice: SweepProblemsNotice = { since: status.since, problems: status.problems, recoveredAt: status.recoveredAt };
  if (status.recoveredAt === null) {
    await state.announce([{ kind: SWEEP_PROBLEMS, data: notice, channel, op: 'post', messageKey: key, idempotencyKey: key }], now);
    return;
  }
  if (!(await state.outbox.row(key))) return;
  await state.announce([{ kind: SWEEP_PROBLEMS, data: notice, channel, op: 'update', messageKey: key, idempotencyKey: `${key}:recovered` }], now);
}
