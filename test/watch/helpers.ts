/**
 * Shared set-up for the watching tests: a database with every migration (with a stand-in for 006
 * while the Slack app's migration has not landed), a controllable clock, a hand-fired cron timer,
 * and a world of loopback fakes (GitHub, OSV, Slack) wired into a WatchService.
 */
import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Octokit } from 'octokit';
import { OsvApi } from '../../src/advisories/osv-api.js';
import type { OsvRecord } from '../../src/advisories/types.js';
import type { PackageRegistry } from '../../src/audit/audit.js';
import type { Finding } from '../../src/audit/findings.js';
import { createGitHubClient } from '../../src/github/client.js';
import { INDEX_REFRESH_MS, serviceCardSources } from '../../src/packages/service-sources.js';
import { watchedNamesEvery } from '../../src/packages/sources/known-names.js';
import type { CronTimer, JobSpec } from '../../src/schedule/scheduler.js';
import type { DeliveryReport } from '../../src/slack/outbox/deliver.js';
import type { Renderer } from '../../src/slack/outbox/renderers.js';
import { SlackDelivery } from '../../src/slack/outbox/slack-delivery.js';
import { createBulkSlackClient } from '../../src/slack/pacing.js';
import { MIGRATIONS_DIR, openDb, type Db } from '../../src/store/db.js';
import { WatchStore } from '../../src/store/watches.js';
import { SqliteWatchState } from '../../src/store/watch-state/sqlite.js';
import type { WatchStateStore } from '../../src/store/watch-state/types.js';
import { createWatchService, type WatchService, type WatchServiceOptions } from '../../src/watch/service.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.js';
import { startFakeOsv, type FakeOsv } from '../fakes/osv.js';
import { FAKE_BOT_TOKEN, startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';

let migrationsCopy: string | undefined;

/** Every migration; 006 (the Slack app's) replaced by an empty stand-in until it exists. */
/** A vulnerability finding of `pkg` in requirements.txt, as an audit makes one: what the stores and planners under test are given. */
export const vulnerabilityFinding = (id: string, pkg: string, severity: Finding['severity'], version = '1.0.0'): Finding => ({
  kind: 'vulnerability',
  severity,
  package: pkg,
  version,
  file: 'requirements.txt',
  line: 1,
  id,
  aliases: [],
  summary: `${pkg} flaw`,
  fix: { version: null, text: `Upgrade ${pkg}` },
});

export function migrationsDir(): string {
  if (migrationsCopy) return migrationsCopy;
  const files = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f));
  if (files.some((f) => f.startsWith('006_'))) return (migrationsCopy = MIGRATIONS_DIR);
  const dir = mkdtempSync(join(tmpdir(), 'depwatch-migrations-'));
  for (const f of files) copyFileSync(join(MIGRATIONS_DIR, f), join(dir, f));
  writeFileSync(join(dir, '006_placeholder.sql'), '-- stand-in for the Slack app migration in tests\nSELECT 1;\n');
  return (migrationsCopy = dir);
}

export function openTestDb(path = ':memory:'): Db {
  return openDb(path, { migrationsDir: migrationsDir() });
}

export function tempDbPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'depwatch-watch-')), 'depwatch.db');
}

/** A clock tests move by hand. */
export class TestClock {
  constructor(private t: number) {}
  now = (): Date => new Date(this.t);
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** A CronTimer that never fires by itself: tests call `fire(key)` or the scheduler's `tick()`. */
export class ManualTimer implements CronTimer {
  readonly active = new Map<string, { spec: JobSpec; fire: (at: Date) => void }>();
  schedule(spec: JobSpec, fire: (at: Date) => void) {
    this.active.set(spec.key, { spec, fire });
    return { stop: () => void this.active.delete(spec.key) };
  }
}

export const GITHUB_TOKEN = `ghp_${'Wq7'.repeat(12)}`;

export interface World {
  github: FakeGitHub;
  osv: FakeOsv;
  slack: FakeSlack;
  octokit: Octokit;
  clock: TestClock;
  dbPath: string;
  /** A WatchService over a fresh connection to the same database file (a "process"). */
  service(overrides?: Partial<WatchServiceOptions<SlackDelivery>>): { watch: WatchService<SlackDelivery>; db: Db; timer: ManualTimer };
  close(): Promise<void>;
}

export async function startWorld(options: { records: OsvRecord[]; start: string; registry?: PackageRegistry | null; githubWrite?: boolean }): Promise<World> {
  const github = await startFakeGitHub({ tokens: [GITHUB_TOKEN], writeTokens: options.githubWrite ? [GITHUB_TOKEN] : [] });
  const osv = await startFakeOsv({ records: options.records });
  const slack = await startFakeSlack();
  const octokit = await createGitHubClient({ apiUrl: github.url, token: GITHUB_TOKEN }, { retries: 1, retryUnitMs: 1 });
  const clock = new TestClock(Date.parse(options.start));
  const dbPath = tempDbPath();
  const opened: Db[] = [];
  const services: WatchService<SlackDelivery>[] = [];
  let closed = false;
  return {
    github,
    osv,
    slack,
    octokit,
    clock,
    dbPath,
    service(overrides = {}) {
      // A replica's own SQLite file when given (the watch state then lives in `overrides.state`).
      const db = overrides.db ?? openTestDb(dbPath);
      if (!overrides.db) opened.push(db);
      const timer = new ManualTimer();
      const watch = createWatchService({
        db,
        octokit,
        advisories: new OsvApi({ baseUrl: osv.url, db, retries: 1, backoffMs: 1 }),
        registry: options.registry ?? null,
        // As main.ts wires it: the local outbox, and the shared one of a PostgreSQL watch state.
        delivery: new SlackDelivery({ db, api: createBulkSlackClient(FAKE_BOT_TOKEN, { slackApiUrl: slack.url }), now: clock.now, pacer: { minIntervalMs: 5 }, ...(overrides.state ? { shared: overrides.state.outbox } : {}) }),
        admins: [],
        defaultTimeZone: 'UTC',
        now: clock.now,
        timer,
        ...overrides,
      });
      services.push(watch);
      return { watch, db, timer };
    },
    /** Idempotent: a world left over from an earlier test may be closed again. */
    async close() {
      if (closed) return;
      closed = true;
      for (const s of services) await s.stop().catch(() => undefined);
      for (const db of opened) if (db.open) db.close();
      await Promise.all([github.close(), osv.close(), slack.close()]);
    },
  };
}

/**
 * Package cards as the service wires them, on `db`, against this world's fakes and a fake PyPI at
 * `pypiUrl`; the watched repositories' names come from `watchState` (default: `db`'s).
 */
export function reviewCardSources(world: World, pypiUrl: string, db: Db, watchState: Pick<WatchStateStore, 'packageUsage'> = new SqliteWatchState(new WatchStore(db))) {
  return serviceCardSources({
    db,
    watchedNames: watchedNamesEvery(() => watchState.packageUsage(), INDEX_REFRESH_MS, () => world.clock.now().getTime()),
    pypiUrl,
    osvApiUrl: world.osv.url,
    githubApiUrl: world.github.url,
    octokit: world.octokit,
    authenticated: true,
    advisories: () => new OsvApi({ baseUrl: world.osv.url, db, retries: 1, backoffMs: 1 }),
    now: world.clock.now,
    pypi: { retries: 0, backoffMs: 1 },
  });
}

/**
 * Runs the Slack outbox's delivery loop over the fake Slack until nothing is due: what the domain
 * wrote to the outbox (digests, reminders, cards) is posted, as a replica's loop would.
 */
export async function drainOutbox(db: Db, slackUrl: string, options: { now?: () => Date; minIntervalMs?: number; renderers?: Readonly<Record<string, Renderer>> } = {}): Promise<DeliveryReport & { delivery: SlackDelivery }> {
  const delivery = new SlackDelivery({ db, api: createBulkSlackClient(FAKE_BOT_TOKEN, { slackApiUrl: slackUrl }), pacer: { minIntervalMs: options.minIntervalMs ?? 1 }, ...(options.now ? { now: options.now } : {}), ...(options.renderers ? { deliverer: { renderers: options.renderers } } : {}) });
  const report = await delivery.deliver();
  await delivery.stop();
  return { ...report, delivery };
}

/**
 * A channel's messages without the "Now watching …" one that says, once, what a newly watched
 * repository already had (src/watch/watch-started.ts; test/slack/app-watch-baseline.test.ts): for
 * tests about what comes after it.
 */
export function afterWatchStarted<T extends { text?: unknown }>(messages: readonly T[]): T[] {
  return messages.filter((m) => !String(m.text).startsWith('Now watching'));
}
