/**
 * Shared schedules that cannot be read (PostgreSQL down): every replica refreshes them every minute,
 * and each failure used to be a log line. The log says it at the first failed refresh, again at most
 * every five minutes, and once when they can be read again; the timers already built keep running.
 */
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/schedule/scheduler.js';
import { WatchStore } from '../../src/store/watches.js';
import { ManualTimer, openTestDb, TestClock } from '../watch/helpers.js';

const CHANNEL = 'C0DEPS00001';

describe('shared schedules unreadable for a while', () => {
  it('says the first failed refresh, again every five minutes, and once when the schedules are read again', async () => {
    const db = openTestDb();
    const store = new WatchStore(db);
    const clock = new TestClock(Date.parse('2025-01-05T12:00:00Z'));
    store.addWatch({ repo: 'octo/app', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: clock.now() });
    const database = { down: false, reads: 0 };
    const schedules = {
      activeSchedules: async () => {
        database.reads++;
        if (database.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        return store.activeSchedules();
      },
      channelTimeZone: async (channel: string) => store.channelTimeZone(channel),
    };
    const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
    const at = (level: string) => (fields: Record<string, unknown>, msg?: string) => void lines.push({ level, msg: msg ?? '', fields });
    const logger = { error: at('error'), warn: at('warn'), info: at('info'), debug: () => undefined, child: () => logger } as never;
    const timer = new ManualTimer();
    // Refreshed by hand below (reload), as the minute's refresh does.
    const scheduler = new Scheduler({ store, run: async () => undefined, defaultTimeZone: 'UTC', now: clock.now, timer, logger, shared: { schedules, refreshMs: 3_600_000 } });
    scheduler.start();
    await scheduler.idle();
    const built = [...timer.active.keys()].sort();
    lines.length = 0; // what the start said (catch-up) is not the point here
    database.down = true;
    // Eleven minutes of outage, a refresh a minute: said at the first and five and ten minutes on.
    for (let minute = 0; minute <= 11; minute++) {
      await scheduler.reload();
      clock.advance(60_000);
    }
    expect([...timer.active.keys()].sort()).toEqual(built);
    database.down = false;
    await scheduler.reload();
    await scheduler.reload();
    await scheduler.stop();
    db.close();
    expect(database.reads).toBeGreaterThanOrEqual(14);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['error', 'scheduler: cannot read the schedules; keeping the ones loaded'],
      ['error', 'scheduler: cannot read the schedules; keeping the ones loaded'],
      ['error', 'scheduler: cannot read the schedules; keeping the ones loaded'],
      ['info', 'scheduler: the schedules can be read again'],
    ]);
    expect(lines[0]!.fields).toEqual({ err: 'connect ECONNREFUSED 127.0.0.1:5432', since: '2025-01-05T12:00:00.000Z' });
    expect(lines[3]!.fields).toMatchObject({ failedForMs: 12 * 60_000 });
  });
});
