/**
 * The sweep notice says what is wrong now: when a run's problems change after it was posted (OSV
 * recovers but re-matching fails, a second problem joins the first), the notice is edited to the
 * current ones, once per change; sweeps with the same problems edit nothing. Many problems are
 * listed a few at a time, with how many more there are.
 */
import { describe, expect, it } from 'vitest';
import { SqliteWatchState } from '../../src/store/watch-state/sqlite.js';
import { WatchStore } from '../../src/store/watches.js';
import { sweepProblemsMessage } from '../../src/slack/blocks/sweep-problems.js';
import type { SweepProblemsNotice } from '../../src/watch/messages.js';
import { announceSweepProblems } from '../../src/watch/sweep-notice.js';
import { openTestDb } from './helpers.js';

const CHANNEL = 'C0SECURITY1';
const HOUR = 3_600_000;
const REFRESH = 'advisory refresh failed (OSV answered 503); matched against the data already held';
const REMATCH = 're-matching failed (worker ran out of memory): unchanged repositories were not re-checked';
const KEY = `sweep-problems:${CHANNEL}:2025-01-06T10:00:00.000Z`;

/** Hourly sweeps from 10:00 with these problems each (empty: complete), each followed by the alerts job; the notice's rows after. */
async function hourlySweeps(sweeps: string[][]) {
  const store = new WatchStore(openTestDb());
  const state = new SqliteWatchState(store);
  let now = new Date('2025-01-06T09:00:00Z');
  for (const problems of sweeps) {
    now = new Date(now.getTime() + HOUR);
    await state.recordSweepProblems(problems, now);
    await announceSweepProblems(CHANNEL, state, now);
  }
  const rows = store.db.prepare<[], { op: string; idempotency_key: string; data_json: string }>("SELECT op, idempotency_key, data_json FROM slack_outbox WHERE kind = 'sweep-problems' ORDER BY id").all();
  return rows.map((r) => ({ op: r.op, key: r.idempotency_key, problems: (JSON.parse(r.data_json) as SweepProblemsNotice).problems }));
}

describe('the sweep notice of a run whose problems change', () => {
  it('is edited to the current problems when a problem joins the one it was posted with', async () => {
    expect(await hourlySweeps([[REFRESH], [REFRESH], [REFRESH, REMATCH], [REFRESH, REMATCH]])).toEqual([
      { op: 'post', key: KEY, problems: [REFRESH] },
      { op: 'update', key: `${KEY}:problems@2025-01-06T12:00:00.000Z`, problems: [REFRESH, REMATCH] },
    ]);
  });

  it('is edited each time they change, back to earlier ones too, and when the run ends', async () => {
    expect(await hourlySweeps([[REFRESH], [REFRESH], [REMATCH], [REFRESH], []])).toEqual([
      { op: 'post', key: KEY, problems: [REFRESH] },
      { op: 'update', key: `${KEY}:problems@2025-01-06T12:00:00.000Z`, problems: [REMATCH] },
      { op: 'update', key: `${KEY}:problems@2025-01-06T13:00:00.000Z`, problems: [REFRESH] },
      { op: 'update', key: `${KEY}:recovered`, problems: [] },
    ]);
  });

  it('is posted with the problems of the sweep that made it worth posting, not those the run began with', async () => {
    expect(await hourlySweeps([[REFRESH], [REMATCH], [REMATCH]])).toEqual([{ op: 'post', key: KEY, problems: [REMATCH] }]);
  });

  it('posted before notices said when their problems began, is edited only once they change', async () => {
    const store = new WatchStore(openTestDb());
    const state = new SqliteWatchState(store);
    const at = (hours: number) => new Date(Date.parse('2025-01-06T10:00:00Z') + hours * HOUR);
    await state.recordSweepProblems([REFRESH], at(0));
    await state.recordSweepProblems([REFRESH], at(1));
    // As an older version posted it, and left the row.
    store.db.prepare("UPDATE sweep_status SET problems_since = NULL WHERE id = 'sweep'").run();
    await state.announce([{ kind: 'sweep-problems', data: { since: at(0).toISOString(), problems: [REFRESH], recoveredAt: null }, channel: CHANNEL, op: 'post', messageKey: KEY, idempotencyKey: KEY }], at(1));
    await announceSweepProblems(CHANNEL, state, at(1));
    await state.recordSweepProblems([REFRESH], at(2));
    await announceSweepProblems(CHANNEL, state, at(2));
    expect(await state.outbox.rows({ channel: CHANNEL })).toHaveLength(1);
    await state.recordSweepProblems([REMATCH], at(3));
    await announceSweepProblems(CHANNEL, state, at(3));
    expect((await state.outbox.rows({ channel: CHANNEL })).map((r) => r.idempotencyKey)).toEqual([KEY, `${KEY}:problems@2025-01-06T13:00:00.000Z`]);
  });
});

describe('the sweep notice of a run failing the same way with other details', () => {
  const refresh = (detail: string) => `advisory refresh failed (${detail}); matched against the data already held`;
  const rematch = (detail: string) => `re-matching failed (${detail}): unchanged repositories were not re-checked`;
  const lostBatch = (n: number, of: number) => `sweep batch ${n} of ${of} failed (job 7f3${n} lost after ${n * 917} ms): its 250 repositories were not swept`;

  it('is posted once and not edited while only the errors’ details change (ids, timings, which batch)', async () => {
    expect(
      await hourlySweeps([
        [refresh('connect ETIMEDOUT 151.101.1.69:443 after 30012 ms')],
        [refresh('HTTP 503 (Service Unavailable) request 4f1c-22')],
        [refresh('connect ETIMEDOUT 151.101.65.69:443 after 30001 ms')],
        [lostBatch(2, 4), refresh('HTTP 502')],
        [refresh('HTTP 504'), lostBatch(3, 4)],
      ]),
    ).toEqual([
      { op: 'post', key: KEY, problems: [refresh('HTTP 503 (Service Unavailable) request 4f1c-22')] },
      { op: 'update', key: `${KEY}:problems@2025-01-06T13:00:00.000Z`, problems: [lostBatch(2, 4), refresh('HTTP 502')] },
    ]);
  });

  it('asks nothing of the outbox once the edit for the problems as they are was sent', async () => {
    const store = new WatchStore(openTestDb());
    const state = new SqliteWatchState(store);
    let announced = 0;
    const announce = state.announce.bind(state);
    state.announce = async (...args) => {
      announced++;
      return announce(...args);
    };
    const at = (hours: number) => new Date(Date.parse('2025-01-06T10:00:00Z') + hours * HOUR);
    const sweeps = [[refresh('HTTP 503')], [refresh('HTTP 502')], [rematch('worker 3 out of memory')], [rematch('worker 1 out of memory')], [rematch('worker 4 exited with code 134')]];
    for (const [hour, problems] of sweeps.entries()) {
      await state.recordSweepProblems(problems, at(hour));
      await announceSweepProblems(CHANNEL, state, at(hour));
    }
    // The post, and the edit when re-matching failed instead: nothing for the two sweeps after it.
    expect(announced).toBe(2);
    expect((await state.outbox.rows({ channel: CHANNEL })).map((r) => r.idempotencyKey)).toEqual([KEY, `${KEY}:problems@2025-01-06T12:00:00.000Z`]);
  });
});

describe('a sweep notice with many problems', () => {
  const batches = Array.from({ length: 15 }, (_, i) => `sweep batch ${i + 1} of 15 failed (worker lost): its 40 repositories were not swept`);

  it('lists the first few and says how many more, counting those the store did not keep', async () => {
    const state = new SqliteWatchState(new WatchStore(openTestDb()));
    await state.recordSweepProblems(batches, new Date('2025-01-06T10:00:00Z'));
    const status = await state.sweepProblems();
    expect(status).toMatchObject({ problems: batches.slice(0, 10), more: 5 });

    const message = sweepProblemsMessage({ since: status!.since, problems: status!.problems, more: status!.more, recoveredAt: null });
    expect(message.text).toMatch(/: sweep batch 1 of 15 failed \(worker lost\): its 40 repositories were not swept \(\+14 more\)$/);
    const list = JSON.stringify(message.blocks);
    expect(list).toContain('• sweep batch 5 of 15 failed');
    expect(list).not.toContain('sweep batch 6 of 15');
    expect(list).toContain('and 10 more');
  });

  it('lists them all when there are few', () => {
    const message = sweepProblemsMessage({ since: '2025-01-06T10:00:00.000Z', problems: [REFRESH, REMATCH], recoveredAt: null });
    const list = JSON.stringify(message.blocks);
    expect(list).toContain(`• ${REFRESH}`);
    expect(list).toContain('• re-matching failed');
    expect(list).not.toMatch(/and \d+ more/);
  });
});
