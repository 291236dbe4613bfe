/**
 * A flaky advisory source (partial and complete sweeps in turn) must not post a sweep notice on every
 * partial sweep: a run is posted once it has lasted two consecutive partial sweeps, and a new run
 * within 24 hours of the last one's recovery is posted only if it still goes on when they are over.
 */
import { describe, expect, it } from 'vitest';
import { SqliteWatchState } from '../../src/store/watch-state/sqlite.js';
import { WatchStore } from '../../src/store/watches.js';
import { announceSweepProblems } from '../../src/watch/sweep-notice.js';
import { openTestDb } from './helpers.js';

const CHANNEL = 'C0SECURITY1';
const HOUR = 3_600_000;
const DOWN = ['advisory refresh failed (OSV answered 503); matched against the data already held'];

/** Hourly sweeps with these problems each (empty: complete), each followed by the alerts job's notice; what the outbox holds after. */
async function hourlySweeps(sweeps: string[][], start = new Date('2025-01-06T09:00:00Z')) {
  const store = new WatchStore(openTestDb());
  const state = new SqliteWatchState(store);
  let now = start;
  for (const problems of sweeps) {
    now = new Date(now.getTime() + HOUR);
    await state.recordSweepProblems(problems, now);
    await announceSweepProblems(CHANNEL, state, now);
  }
  const rows = store.db.prepare<[], { op: string; idempotency_key: string }>("SELECT op, idempotency_key FROM slack_outbox WHERE kind = 'sweep-problems' ORDER BY id").all();
  return { posts: rows.filter((r) => r.op === 'post').map((r) => r.idempotency_key), edits: rows.filter((r) => r.op === 'update').map((r) => r.idempotency_key) };
}

describe('the sweep notice of a flaky source', () => {
  it('posts nothing when partial and complete sweeps take turns', async () => {
    expect(await hourlySweeps([DOWN, [], DOWN, [], DOWN, []])).toEqual({ posts: [], edits: [] });
  });

  it('posts a run once it has lasted two sweeps, since its first, and edits it when it ends', async () => {
    expect(await hourlySweeps([[], DOWN, DOWN, DOWN, []])).toEqual({
      posts: [`sweep-problems:${CHANNEL}:2025-01-06T11:00:00.000Z`],
      edits: [`sweep-problems:${CHANNEL}:2025-01-06T11:00:00.000Z:recovered`],
    });
  });

  it('does not post a new run within 24 hours of the last recovery, and posts it if it still goes on after them', async () => {
    const posted = [DOWN, DOWN, []]; // from 10:00, posted at 11:00, recovered at 12:00
    const shortRun = [DOWN, DOWN, DOWN, []]; // 13:00 until 16:00, within the cool-down: not posted
    const quiet = Array.from({ length: 10 }, (): string[] => []);
    const longRun = Array.from({ length: 13 }, () => DOWN); // from 03:00 the next day until 15:00
    const first = await hourlySweeps([...posted, ...shortRun, ...quiet, ...longRun]);
    expect(first.posts).toEqual([`sweep-problems:${CHANNEL}:2025-01-06T10:00:00.000Z`]);
    // 16:00: 24 hours after the short run recovered, and the long run still goes on.
    const after = await hourlySweeps([...posted, ...shortRun, ...quiet, ...longRun, DOWN]);
    expect(after.posts).toEqual([`sweep-problems:${CHANNEL}:2025-01-06T10:00:00.000Z`, `sweep-problems:${CHANNEL}:2025-01-07T03:00:00.000Z`]);
  });
});
