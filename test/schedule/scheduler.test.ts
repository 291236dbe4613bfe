/**
 * The scheduler with a controllable clock and a hand-fired timer: catch-up after downtime runs a
 * missed slot once, restarts never repeat it, a running job is never started twice, schedules and
 * zones come from the store and are rebuilt on change.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Enqueued, JsonValue } from '../../src/jobs/interface.js';
import { InProcessQueue } from '../../src/jobs/in-process.js';
import type { Logger } from '../../src/log.js';
import { Scheduler, type JobSpec } from '../../src/schedule/scheduler.js';
import { WatchStore } from '../../src/store/watches.js';
import { registryOf, project, release } from '../audit/helpers.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { ManualTimer, openTestDb, startWorld, TestClock, tempDbPath, type World } from '../watch/helpers.js';

const CHANNEL = 'C0DEPS00001';

describe('scheduler', () => {
  it('builds one job per enabled schedule, in the channel zone, and rebuilds on change', async () => {
    const db = openTestDb();
    const store = new WatchStore(db);
    const clock = new TestClock(Date.parse('2025-01-05T12:00:00Z'));
    const timer = new ManualTimer();
    const scheduler = new Scheduler({ store, run: async () => undefined, defaultTimeZone: 'UTC', now: clock.now, timer });
    store.addWatch({ repo: 'octo/app', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: clock.now() });
    scheduler.start();
    expect([...timer.active.keys()].sort()).toEqual([`alerts:${CHANNEL}`, `monthly:${CHANNEL}`, `quarterly:${CHANNEL}`, `weekly:${CHANNEL}`]);
    expect(timer.active.get(`weekly:${CHANNEL}`)?.spec).toMatchObject({ cron: '0 9 * * 1', timeZone: 'UTC' });

    store.setChannelTimeZone(CHANNEL, 'Asia/Tokyo', 'U1', clock.now());
    store.setSchedule({ channel: CHANNEL, kind: 'monthly', cron: null, userId: 'U1', now: clock.now() });
    store.setSchedule({ channel: CHANNEL, kind: 'weekly', cron: '30 8 * * 5', userId: 'U1', now: clock.now() });
    scheduler.reload();
    expect(timer.active.has(`monthly:${CHANNEL}`)).toBe(false);
    expect(timer.active.get(`weekly:${CHANNEL}`)?.spec).toMatchObject({ cron: '30 8 * * 5', timeZone: 'Asia/Tokyo' });
    store.removeWatch({ repo: 'octo/app', channel: CHANNEL, userId: 'U1', now: clock.now() });
    scheduler.reload();
    expect(timer.active.size).toBe(0);
    await scheduler.stop();
    db.close();
  });

  it('catches up missed slots at the next refresh when the shared schedules could not be read at start', async () => {
    const db = openTestDb();
    const store = new WatchStore(db);
    const clock = new TestClock(Date.parse('2025-01-05T12:00:00Z'));
    store.addWatch({ repo: 'octo/app', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: clock.now() });
    clock.set('2025-01-05T12:30:00Z'); // the 12:00 alerts slot is due
    let reads = 0;
    const flaky = {
      activeSchedules: async () => {
        if (++reads === 1) throw new Error('connection terminated');
        return store.activeSchedules();
      },
      channelTimeZone: async (channel: string) => store.channelTimeZone(channel),
    };
    const runs: string[] = [];
    const scheduler = new Scheduler({ store, run: async (job, slot) => void runs.push(`${job.key}@${slot.toISOString()}`), defaultTimeZone: 'UTC', now: clock.now, timer: new ManualTimer(), shared: { schedules: flaky, refreshMs: 20 } });
    scheduler.start();
    await scheduler.idle();
    expect(runs).toEqual([]);
    for (let i = 0; i < 200 && !runs.some((r) => r.startsWith('alerts:')); i++) await new Promise((r) => setTimeout(r, 10));
    await scheduler.stop();
    expect(runs.filter((r) => r.startsWith('alerts:'))).toEqual([`alerts:${CHANNEL}@2025-01-05T12:00:00.000Z`]);
    db.close();
  });

  it('never runs the same job twice at once, and runs a slot that passed meanwhile once afterwards', async () => {
    const db = openTestDb();
    const store = new WatchStore(db);
    const clock = new TestClock(Date.parse('2025-01-05T12:00:00Z'));
    store.addWatch({ repo: 'octo/app', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: clock.now() });
    store.setSchedule({ channel: CHANNEL, kind: 'alerts', cron: '* * * * *', userId: 'U1', now: clock.now() });
    for (const kind of ['weekly', 'monthly', 'quarterly'] as const) store.setSchedule({ channel: CHANNEL, kind, cron: null, userId: 'U1', now: clock.now() });
    const runs: string[] = [];
    let concurrent = 0;
    let peak = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const scheduler = new Scheduler({
      store,
      defaultTimeZone: 'UTC',
      now: clock.now,
      timer: new ManualTimer(),
      run: async (job: JobSpec, slot: Date) => {
        concurrent++;
        peak = Math.max(peak, concurrent);
        runs.push(slot.toISOString());
        if (runs.length === 1) await gate;
        concurrent--;
      },
    });
    scheduler.start(); // catch-up starts the 12:00 slot, which blocks on the gate
    clock.advance(60_000);
    void scheduler.tick();
    clock.advance(60_000);
    void scheduler.tick(); // two more ticks while it runs: coalesced into one run afterwards
    release();
    await scheduler.idle();
    expect(peak).toBe(1);
    expect(runs).toEqual(['2025-01-05T12:00:00.000Z', '2025-01-05T12:02:00.000Z']);
    await scheduler.stop();
    db.close();
  });
  it('logs a store that cannot claim the slot (busy, closed at shutdown) and resolves: nothing is left to reject unhandled', async () => {
    const db = openTestDb();
    const store = new WatchStore(db);
    const clock = new TestClock(Date.parse('2025-01-05T12:00:00Z'));
    store.addWatch({ repo: 'octo/app', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: clock.now() });
    clock.set('2025-01-05T12:30:00Z');
    const errors: { fields: Record<string, unknown>; msg: string }[] = [];
    const logger = {
      child: () => logger,
      info: () => undefined,
      warn: () => undefined,
      error: (fields: Record<string, unknown>, msg: string) => void errors.push({ fields, msg }),
    } as unknown as Logger;
    store.claimJobRun = () => {
      throw new Error('database is locked');
    };
    const runs: string[] = [];
    const scheduler = new Scheduler({ store, run: async (job) => void runs.push(job.key), defaultTimeZone: 'UTC', now: clock.now, timer: new ManualTimer(), logger });
    scheduler.start();
    await expect(scheduler.trigger(`alerts:${CHANNEL}`)).resolves.toBeUndefined();
    await scheduler.stop();
    expect(runs).toEqual([]);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.msg === 'scheduler: cannot claim the scheduled run; it did not run' && e.fields.err === 'database is locked')).toBe(true);
    db.close();
  });
});

describe('digests after downtime', () => {
  let world: World;
  afterEach(async () => {
    await world?.close();
  });

  it('posts a weekly digest missed during three days of downtime exactly once', async () => {
    const registry = registryOf([
      project('requests', [release('2.2.0', '2014-01-24T00:00:00Z'), release('2.31.0', '2023-05-22T00:00:00Z'), release('3.0.0', '2025-01-01T00:00:00Z')]),
      project('urllib3', [release('1.24.1', '2018-11-02T00:00:00Z'), release('1.24.3', '2019-04-19T00:00:00Z')]),
    ]);
    world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-05T12:00:00Z', registry });
    world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'requests==2.2.0\nurllib3==1.24.1\n' } });

    // Sunday: the channel starts watching; the bot runs, then goes down before Monday 09:00.
    const first = world.service();
    await first.watch.handleCommand('watch octo/app', { userId: 'U0ADMIN0001', channelId: CHANNEL });
    first.watch.start();
    await first.watch.scheduler.idle();
    await first.watch.stop();
    first.db.close();
    // Only the watch's own "Now watching" message (the repository already has a vulnerability): no digest yet.
    expect(world.slack.messages(CHANNEL).map((m) => m.text)).toEqual(['Now watching octo/app: 1 known vulnerability']);

    // Thursday, three days after the Monday 09:00 digest was due: it is caught up once.
    world.clock.set('2025-01-09T12:30:00Z');
    const second = world.service();
    second.watch.start();
    await second.watch.scheduler.idle();
    const digests = () => world.slack.messages(CHANNEL).filter((m) => m.text.startsWith('Weekly dependency updates'));
    expect(digests()).toHaveLength(1);
    const [digest] = digests();
    expect(digest?.text).toContain('1 major, 0 minor, 1 patch');
    const thread = world.slack.thread(CHANNEL, digest!.ts);
    expect(thread.map((m) => JSON.stringify(m.blocks)).join('')).toContain('`requests` 2.2.0 → 3.0.0');
    expect(second.watch.store.jobRuns(`weekly:${CHANNEL}`).map((r) => [r.scheduledFor, r.status])).toEqual([['2025-01-06T09:00:00.000Z', 'done']]);

    // Ticks and another restart the same day do not post it again.
    await second.watch.scheduler.tick();
    await second.watch.stop();
    second.db.close();
    const third = world.service();
    third.watch.start();
    await third.watch.scheduler.idle();
    expect(digests()).toHaveLength(1);
    expect(world.slack.violations).toEqual([]);
  });
});

it('marks runs a dead process left behind as interrupted, and re-runs their slot only when asked to retake it', () => {
  const path = tempDbPath();
  const db = openTestDb(path);
  const store = new WatchStore(db);
  const slot = new Date('2025-01-06T09:00:00Z');
  expect(store.claimJobRun('weekly:C1', slot, slot)).toBe(true);
  expect(store.claimJobRun('weekly:C1', slot, slot)).toBe(false);
  expect(store.claimJobRun('weekly:C1', slot, slot, { retake: true })).toBe(false); // running: not retaken
  expect(store.markInterruptedRuns(new Date('2025-01-06T10:00:00Z'))).toBe(1);
  expect(store.jobRuns('weekly:C1')[0]?.status).toBe('interrupted');
  expect(store.hasJobRun('weekly:C1', slot)).toBe(true);
  expect(store.claimJobRun('weekly:C1', slot, slot)).toBe(false);
  expect(store.claimJobRun('weekly:C1', slot, new Date('2025-01-06T10:01:00Z'), { retake: true })).toBe(true);
  expect(store.jobRuns('weekly:C1').map((r) => [r.status, r.startedAt, r.finishedAt])).toEqual([['running', '2025-01-06T10:01:00.000Z', null]]);
  store.finishJobRun('weekly:C1', slot, new Date('2025-01-06T10:02:00Z'));
  expect(store.claimJobRun('weekly:C1', slot, slot, { retake: true })).toBe(false); // done: never again
  db.close();
});

describe('digests after a time zone change or a crash', () => {
  let world: World;
  afterEach(async () => {
    await world?.close();
  });
  const weeklyDigests = () => world.slack.messages(CHANNEL).filter((m) => m.text.startsWith('Weekly dependency updates'));

  async function watchingWorld(start: string) {
    world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start });
    world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'requests==2.2.0\n' } });
  }

  /** A bot process over the world's database: started, its catch-up waited for, then stopped. */
  async function runProcess(commands: string[] = []) {
    const bot = world.service();
    for (const text of commands) await bot.watch.handleCommand(text, { userId: 'U0ADMIN0001', channelId: CHANNEL });
    bot.watch.start();
    await bot.watch.scheduler.idle();
    await bot.watch.stop();
    bot.db.close();
  }

  it('does not post a week’s digest again after the channel’s zone changed and the bot restarted', async () => {
    await watchingWorld('2025-01-05T12:00:00Z');
    await runProcess(['watch octo/app', 'schedule timezone Europe/Berlin']);
    // Monday 09:30 in Berlin: the 09:00 digest is caught up and posted.
    world.clock.set('2025-01-06T08:30:00Z');
    await runProcess();
    expect(weeklyDigests()).toHaveLength(1);

    // The channel moves to New York; the next start, a day later, finds Monday 09:00 New York time
    // behind it: a different instant, but the same week's digest, which was posted already.
    world.clock.set('2025-01-06T09:00:00Z');
    await runProcess(['schedule timezone America/New_York']);
    world.clock.set('2025-01-07T12:00:00Z');
    await runProcess();
    expect(weeklyDigests()).toHaveLength(1);
    expect(world.slack.violations).toEqual([]);
  });

  it('posts a digest whose run a crash cut off once, at the next start', async () => {
    await watchingWorld('2025-01-05T12:00:00Z');
    await runProcess(['watch octo/app']);
    // Monday 09:00: the process claims the weekly slot and dies before the digest is written.
    world.clock.set('2025-01-06T09:00:05Z');
    const dying = world.service();
    expect(dying.watch.store.claimJobRun(`weekly:${CHANNEL}`, new Date('2025-01-06T09:00:00Z'), world.clock.now())).toBe(true);
    dying.db.close();
    expect(weeklyDigests()).toHaveLength(0);

    world.clock.set('2025-01-06T09:10:00Z');
    await runProcess();
    expect(weeklyDigests()).toHaveLength(1);
    const db = openTestDb(world.dbPath);
    expect(new WatchStore(db).jobRuns(`weekly:${CHANNEL}`).map((r) => [r.scheduledFor, r.status])).toEqual([['2025-01-06T09:00:00.000Z', 'done']]);
    db.close();
    // Another start posts nothing more.
    await runProcess();
    expect(weeklyDigests()).toHaveLength(1);
  });

  it('runs a digest slot that failed again at the next start, and an alerts slot not', async () => {
    const db = openTestDb(tempDbPath());
    const store = new WatchStore(db);
    const clock = new TestClock(Date.parse('2025-01-05T12:00:00Z'));
    store.addWatch({ repo: 'octo/app', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: clock.now() });
    clock.set('2025-01-06T09:30:00Z');
    const runs: string[] = [];
    const start = async (fail: boolean) => {
      const scheduler = new Scheduler({
        store,
        defaultTimeZone: 'UTC',
        now: clock.now,
        timer: new ManualTimer(),
        run: async (job, slot) => {
          runs.push(`${job.kind}@${slot.toISOString()}`);
          if (fail) throw new Error('GitHub did not answer');
        },
      });
      scheduler.start();
      await scheduler.idle();
      await scheduler.stop();
    };
    await start(true);
    await start(false);
    await start(false);
    const weekly = runs.filter((r) => r.startsWith('weekly@'));
    const alerts = runs.filter((r) => r.startsWith('alerts@'));
    expect(weekly).toEqual(['weekly@2025-01-06T09:00:00.000Z', 'weekly@2025-01-06T09:00:00.000Z']);
    expect(alerts).toEqual(['alerts@2025-01-06T09:00:00.000Z']);
    expect(store.jobRuns(`weekly:${CHANNEL}`).map((r) => r.status)).toEqual(['done']);
    db.close();
  });
});

describe('a scheduled run whose enqueue failed (replicas, the database unreachable)', () => {
  /** A queue whose enqueue fails while `down` (PostgreSQL stopped), and the singleton keys it was asked for. */
  class OutageQueue extends InProcessQueue {
    down = false;
    readonly asked: string[] = [];
    override async enqueue<P extends JsonValue>(...args: Parameters<InProcessQueue['enqueue']>): Promise<Enqueued> {
      this.asked.push(args[2]?.singletonKey ?? '');
      if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      return super.enqueue<P>(args[0], args[1] as P, args[2]);
    }
  }

  const until = async (what: () => boolean) => {
    for (let i = 0; i < 300 && !what(); i++) await new Promise((r) => setTimeout(r, 10));
  };

  it('enqueues the Monday 09:00 weekly digest once the database is back from a one-minute blip, once across two replicas', async () => {
    const db = openTestDb();
    const store = new WatchStore(db);
    const clock = new TestClock(Date.parse('2025-01-05T12:00:00Z'));
    store.addWatch({ repo: 'octo/app', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: clock.now() });
    const queue = new OutageQueue({ now: clock.now });
    const runs: string[] = [];
    const replica = () => {
      const timer = new ManualTimer();
      const scheduler = new Scheduler({ store, run: async (job, slot) => void runs.push(`${job.key}@${slot.toISOString()}`), defaultTimeZone: 'UTC', now: clock.now, timer, queue, enqueueRetry: { firstMs: 20, maxMs: 40 } });
      return { scheduler, timer };
    };
    const [a, b] = [replica(), replica()];
    a.scheduler.start();
    b.scheduler.start();
    await Promise.all([a.scheduler.idle(), b.scheduler.idle()]);
    expect(runs.filter((r) => r.startsWith('weekly:'))).toEqual([]);

    // Monday 09:00: the database is down when the slot fires on both replicas.
    queue.down = true;
    clock.set('2025-01-06T09:00:00Z');
    a.timer.active.get(`weekly:${CHANNEL}`)!.fire(clock.now());
    b.timer.active.get(`weekly:${CHANNEL}`)!.fire(clock.now());
    await until(() => queue.asked.filter((k) => k === `weekly:${CHANNEL}@2025-01-06T09:00:00.000Z`).length >= 6);
    expect(runs.filter((r) => r.startsWith('weekly:'))).toEqual([]);

    // A minute later it is back: the slot is enqueued by the retries, and run once.
    clock.set('2025-01-06T09:01:00Z');
    queue.down = false;
    await until(() => runs.some((r) => r.startsWith('weekly:')));
    await new Promise((r) => setTimeout(r, 200)); // time for a second run, were there one
    await Promise.all([a.scheduler.stop(), b.scheduler.stop()]);
    expect(runs.filter((r) => r.startsWith('weekly:'))).toEqual([`weekly:${CHANNEL}@2025-01-06T09:00:00.000Z`]);
    await queue.stop();
    db.close();
  });

  it('gives up a slot whose enqueue failed once a later slot of the job is due, and enqueues that one (as catch-up at start does)', async () => {
    const db = openTestDb();
    const store = new WatchStore(db);
    const clock = new TestClock(Date.parse('2025-01-05T12:00:00Z'));
    store.addWatch({ repo: 'octo/app', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: clock.now() });
    const queue = new OutageQueue({ now: clock.now });
    const runs: string[] = [];
    const warnings: string[] = [];
    const logger = { info: () => undefined, warn: (_f: unknown, msg: string) => void warnings.push(msg), error: () => undefined, debug: () => undefined, child: () => logger } as unknown as Logger;
    const timer = new ManualTimer();
    const scheduler = new Scheduler({ store, run: async (job, slot) => void runs.push(`${job.key}@${slot.toISOString()}`), defaultTimeZone: 'UTC', now: clock.now, timer, queue, logger, enqueueRetry: { firstMs: 20, maxMs: 20 } });
    scheduler.start();
    await scheduler.idle();
    queue.down = true;
    clock.set('2025-01-06T09:00:00Z');
    timer.active.get(`weekly:${CHANNEL}`)!.fire(clock.now());
    await until(() => queue.asked.length >= 3);
    // The database stays down for a week: the next Monday's slot is the one to run.
    clock.set('2025-01-13T09:00:30Z');
    queue.down = false;
    await until(() => runs.some((r) => r.startsWith('weekly:')));
    await scheduler.stop();
    expect(runs.filter((r) => r.startsWith('weekly:'))).toEqual([`weekly:${CHANNEL}@2025-01-13T09:00:00.000Z`]);
    expect(warnings).toContain('scheduler: a scheduled run that could not be enqueued was passed over: a later one is due');
    await queue.stop();
    db.close();
  });
});
