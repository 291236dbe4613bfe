/**
 * A whole Depwatch-in-Slack world on loopback for the app tests: fake Slack, GitHub (a repository
 * built from real public manifests), OSV (the PyPA advisory fixture) and PyPI, and the Bolt app on
 * 127.0.0.1 with its HTTP receiver, its Web API pointed at the fake. Requests are signed like Slack's.
 */
import type { webApi } from '@slack/bolt';
import type { WatchStateStore } from '../../src/store/watch-state/types.js';
import type { AuditRecord } from '../../src/store/audits.js';
import type { AuditStateStore } from '../../src/store/audit-state/types.js';
import { Writable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OsvApi } from '../../src/advisories/osv-api.js';
import type { OsvRecord } from '../../src/advisories/types.js';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { chooseAdvisorySource } from '../../src/advisories/select.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createGitHubClient } from '../../src/github/client.js';
import { createLogger } from '../../src/log.js';
import { PyPIClient } from '../../src/python/pypi.js';
import { BOT_PYPI_CONCURRENCY, createBot, type Bot, type BotServices } from '../../src/slack/bot.js';
import { createBulkSlackClient, type PacerOptions } from '../../src/slack/pacing.js';
import { serviceCardSources } from '../../src/packages/service-sources.js';
import { watchedNamesEvery } from '../../src/packages/sources/known-names.js';
import { createWatchService, type WatchService } from '../../src/watch/service.js';
import { SlackDelivery } from '../../src/slack/outbox/slack-delivery.js';
import { openDb, type Db } from '../../src/store/db.js';
import { WatchStore } from '../../src/store/watches.js';
import { SqliteWatchState } from '../../src/store/watch-state/sqlite.js';
import { startFakeGitHub, type FakeGitHub, type FakeRepoInit } from '../fakes/github.js';
import { startFakeOsv, type FakeOsv } from '../fakes/osv.js';
import { startFakePypi, type FakePypi, type FakeProjectSpec } from '../fakes/pypi.js';
import { FAKE_BOT_TOKEN, startFakeSlack, type FakeSlack, type StoredMessage } from '../fakes/slack-api.js';
import { fixtureRecords } from '../fixtures/osv/load.js';
import { postToBolt, signedRequest, slashCommand, type BoltResponse, type SignOptions, type SlackRequestBody } from '../helpers/slack-requests.js';

export const SIGNING_SECRET = 'depwatch-test-signing-secret-0123456789';
export const GITHUB_TOKEN = `ghp_${'Qw7'.repeat(12)}`;
export const CHANNEL = 'C0AUDITS001';
export const USER = 'U0ALICE0001';

export function manifest(path: string): string {
  return readFileSync(join(import.meta.dirname, '..', 'fixtures', 'manifests', path), 'utf8');
}

/**
 * octo/shop: pypi/warehouse's old requirements/main.txt (babel 2.5.1, jinja2 2.10, celery 4.1.0…) and
 * pipenv's Pipfile + Pipfile.lock (werkzeug 0.14.1, flask 0.12.2, requests 2.18.4): real files with
 * real known-vulnerable pins.
 */
export const SHOP: FakeRepoInit = {
  owner: 'octo',
  name: 'shop',
  files: {
    'README.md': '# shop\n',
    'requirements/main.txt': manifest('pypi-warehouse/requirements/main.txt'),
    Pipfile: manifest('pipenv/Pipfile'),
    'Pipfile.lock': manifest('pipenv/Pipfile.lock'),
  },
};

export const EMPTY_REPO: FakeRepoInit = { owner: 'octo', name: 'docs', files: { 'README.md': '# docs\n', 'src/index.js': 'console.log(1)\n' } };

const PYPI_PROJECTS: FakeProjectSpec[] = [
  { name: 'werkzeug', releases: [{ version: '0.14.1', uploadTime: '2018-01-01T00:00:00Z' }, { version: '2.3.8', uploadTime: '2023-10-25T00:00:00Z' }, { version: '3.0.1', uploadTime: '2023-10-24T00:00:00Z' }] },
  { name: 'requests', releases: [{ version: '2.18.4', uploadTime: '2017-08-15T00:00:00Z' }, { version: '2.32.3', uploadTime: '2024-05-29T00:00:00Z' }] },
];

export interface WorldOptions {
  repos?: FakeRepoInit[];
  latencyMs?: number;
  /** OSV retries (kept small so a failing OSV fails fast). */
  osvRetries?: number;
  /** Run the watching service too (wired as main.ts wires it), with these admins; `state`: its watch state elsewhere (PostgreSQL). */
  watch?: { admins?: string[]; state?: WatchStateStore };
  /** Offer `/audit package` cards, from these extra PyPI projects (besides the audit's). */
  cards?: { projects: FakeProjectSpec[] };
  /** OSV records served besides the PyPA fixture. */
  extraAdvisories?: OsvRecord[];
  /** More settings (DEPWATCH_FIX_PRS, DEPWATCH_ADMINS…). */
  env?: Record<string, string>;
  /** Whether the fake GitHub grants Depwatch's token Contents and Pull requests write. */
  githubWrite?: boolean;
  /** The fake GitHub cuts recursive tree listings longer than this short (`truncated: true`), as GitHub does huge ones. */
  truncateTreesOver?: number;
  /** Where /audit replies live (PostgreSQL, shared with replicas); default: the app's SQLite file. */
  auditState?: AuditStateStore;
  /** The pace of each channel, shared by /audit replies and the watch service's alerts as main.ts shares it; default TEST_CHANNEL_PACE. */
  pace?: PacerOptions;
  /** The bot's Web API client options; default: no retries of its own (each test scripts what Slack answers). */
  clientOptions?: webApi.WebClientOptions;
}

/**
 * Channels paced as in production (CHANNEL_PACE's burst) but faster: a burst of four, then one call
 * every 150 ms, at most eleven in a second, within the fake's POST_BURST (a reply that paces itself
 * never meets the fake's 429; one that floods does).
 */
export const TEST_CHANNEL_PACE: PacerOptions = { minIntervalMs: 150, burst: 4 };

/** One bot process: what a replica has of its own. */
export interface App {
  db: Db;
  bot: Bot;
  config: Config;
  services: BotServices;
  watch: WatchService | null;
  /** Every log line, parsed. */
  logs: Record<string, unknown>[];
  eventsUrl: string;
  send(body: SlackRequestBody, options?: SignOptions): Promise<BoltResponse>;
  /** Sends `/audit <text>` with a loopback response_url; resolves with the HTTP answer and that url's id. */
  audit(text: string, options?: { channel?: string; user?: string }): Promise<{ response: BoltResponse; responseId: string }>;
  close(): Promise<void>;
}

export interface World extends App {
  slack: FakeSlack;
  github: FakeGitHub;
  osv: FakeOsv;
  pypi: FakePypi;
  /** Another bot process on the same fakes (a replica), with its own SQLite file and these shared stores. */
  replica(options: { auditState?: AuditStateStore; watchState?: WatchStateStore }): Promise<App>;
  /** The top-level messages of the channel. */
  channel(channel?: string): StoredMessage[];
}

let responseIds = 0;

export async function waitFor<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const slack = await startFakeSlack();
  const github = await startFakeGitHub({ repos: options.repos ?? [SHOP, EMPTY_REPO], tokens: [GITHUB_TOKEN], writeTokens: options.githubWrite ? [GITHUB_TOKEN] : [], latencyMs: options.latencyMs ?? 0, ...(options.truncateTreesOver !== undefined ? { truncateTreesOver: options.truncateTreesOver } : {}) });
  const osv = await startFakeOsv({ records: [...fixtureRecords().values(), ...(options.extraAdvisories ?? [])], latencyMs: options.latencyMs ?? 0 });
  const pypi = await startFakePypi({ projects: [...PYPI_PROJECTS, ...(options.cards?.projects ?? [])], latencyMs: options.latencyMs ?? 0 });
  const fakes = { slack, github, osv, pypi };
  const first = await startApp(fakes, options);
  const replicas: App[] = [];
  return {
    ...fakes,
    ...first,
    async replica(replicaOptions) {
      const app = await startApp(fakes, { ...options, ...replicaOptions, watch: options.watch ? { ...options.watch, ...(replicaOptions.watchState ? { state: replicaOptions.watchState } : {}) } : undefined });
      replicas.push(app);
      return app;
    },
    channel: (channel = CHANNEL) => slack.messages(channel),
    async close() {
      for (const app of [...replicas, first]) await app.close();
      await Promise.all([slack.close(), github.close(), osv.close(), pypi.close()]);
    },
  };
}

type Fakes = Pick<World, 'slack' | 'github' | 'osv' | 'pypi'>;

/** One bot process on the fakes: its own SQLite file (in memory), config, services, watch service and Slack app. */
async function startApp({ slack, github, osv, pypi }: Fakes, options: WorldOptions & { auditState?: AuditStateStore }): Promise<App> {
  const db = openDb(':memory:');
  const config = loadConfig({
    SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    GITHUB_API_URL: github.url,
    GITHUB_TOKEN,
    OSV_API_URL: osv.url,
    PYPI_URL: pypi.url,
    DEPWATCH_DB: ':memory:',
    TZ: 'UTC',
    LOG_LEVEL: 'debug',
    ...options.env,
  });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const logger = createLogger('debug', sink);
  const mirror = new AdvisoryMirror(db);
  const watchState = options.watch?.state ?? new SqliteWatchState(new WatchStore(db));
  const osvApi = new OsvApi({ baseUrl: osv.url, db, retries: options.osvRetries ?? 1, backoffMs: 5, timeoutMs: 10_000 });
  const services: BotServices = {
    github: await createGitHubClient(config.github, { retries: 0, retryUnitMs: 1 }),
    advisories: (now) => chooseAdvisorySource({ offline: false, mirror, api: osvApi, now }),
    registry: new PyPIClient({ baseUrl: pypi.url, db, retries: 1, backoffMs: 5, timeoutMs: 10_000, concurrency: BOT_PYPI_CONCURRENCY }),
    // As buildBotServices reads them: from the watch state, PostgreSQL's when the world gives one.
    watchedNames: watchedNamesEvery(() => watchState.packageUsage()),
  };
  if (options.cards) {
    services.packageCards = serviceCardSources({
      db,
      watchedNames: services.watchedNames,
      pypiUrl: pypi.url,
      osvApiUrl: osv.url,
      githubApiUrl: github.url,
      octokit: services.github,
      authenticated: true,
      advisories: services.advisories,
      pypi: { retries: 1, backoffMs: 5, timeoutMs: 10_000 },
    });
  }
  const pace = options.pace ?? TEST_CHANNEL_PACE;
  const watch = options.watch
    ? createWatchService({
        db,
        octokit: services.github,
        advisories: () => services.advisories(new Date()),
        registry: services.registry,
        // As main.ts wires it: with a PostgreSQL watch state, its outbox is delivered beside the local one.
        delivery: new SlackDelivery({ db, api: createBulkSlackClient(FAKE_BOT_TOKEN, { slackApiUrl: slack.url }), pacer: pace, logger, ...(options.watch.state ? { shared: options.watch.state.outbox } : {}) }),
        ...(options.watch.state ? { state: options.watch.state } : {}),
        ...(options.auditState ? { auditState: options.auditState } : {}),
        admins: options.watch.admins ?? [],
        defaultTimeZone: 'UTC',
        logger,
        ...(config.codeScan ? { codeScan: { fingerprintKey: config.fingerprintKey } } : {}),
        ...(config.fixPullRequests ? { fixPullRequests: true } : {}),
      })
    : null;
  const bot = createBot({ config, db, logger, services, watch, ...(options.auditState ? { auditState: options.auditState } : {}), clientOptions: options.clientOptions ?? { retryConfig: { retries: 0 } }, pace });
  const { port } = await bot.start({ port: 0, host: '127.0.0.1' });
  const eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  const send = (body: SlackRequestBody, signOptions?: SignOptions) => postToBolt(eventsUrl, signedRequest(SIGNING_SECRET, body, signOptions));
  return {
    db,
    bot,
    config,
    services,
    watch,
    logs,
    eventsUrl,
    send,
    async audit(text, where = {}) {
      const responseId = `cmd-${++responseIds}`;
      const channel = where.channel ?? CHANNEL;
      const user = where.user ?? USER;
      const responseUrl = slack.responseUrl(responseId, { channel, user });
      const response = await send(slashCommand({ text, channel_id: channel, user_id: user, response_url: responseUrl }));
      return { response, responseId };
    },
    async close() {
      await bot.stop(5_000);
      await watch?.stop();
      db.close();
    },
  };
}

/**
 * A world for fix pull requests: PyPI lists the releases each fix moves to: a fix pull request writes only a version PyPI vouched
 * for when the audit ran (a fix not rounded to a listed release is left alone, as by depwatch fix).
 */
const FIX_RELEASES: Record<string, string[]> = {
  babel: ['2.5.1', '2.9.1'],
  bleach: ['2.1.2', '3.3.0'],
  celery: ['4.1.0', '5.2.2'],
  certifi: ['2017.11.5', '2023.7.22'],
  django: ['2.1.5', '2.2.28'],
  flask: ['0.12.2', '2.2.5'],
  jinja2: ['2.10', '2.11.3'],
  mako: ['1.0.7', '1.2.2'],
  urllib3: ['1.24.1', '1.24.2', '1.24.3', '1.26.5', '1.26.17', '1.26.18', '1.26.19', '2.2.2'],
};

export async function startFixWorld(options: WorldOptions = {}): Promise<World> {
  const w = await startWorld(options);
  for (const [name, versions] of Object.entries(FIX_RELEASES)) {
    w.pypi.addProject({ name, releases: versions.map((version, i) => ({ version, uploadTime: new Date(Date.UTC(2018, 0, 1) + i * 86_400_000).toISOString() })) });
  }
  return w;
}

/** Every string anywhere in a message's blocks, joined: what a reader could see or click. */
export function blockText(blocks: unknown): string {
  const out: string[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(blocks);
  return out.join('\n');
}

/** Buttons in a message, with their action ids and values. */
export function buttons(blocks: unknown): { action_id: string; value?: string; text: string }[] {
  const found: { action_id: string; value?: string; text: string }[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'button' && typeof o.action_id === 'string') {
        found.push({ action_id: o.action_id, ...(typeof o.value === 'string' ? { value: o.value } : {}), text: String((o.text as { text?: unknown } | undefined)?.text ?? '') });
      }
      Object.values(o).forEach(visit);
    }
  };
  visit(blocks);
  return found;
}

/** The newest stored audit of a repository (what the reply shows), read as a button click would. */
export async function latestAudit(world: Pick<App, 'bot'>, repo: string): Promise<AuditRecord> {
  const { state } = world.bot.service;
  const latest = await state.latestAuditForRepo(repo);
  const record = latest ? await state.getAudit(latest.id) : undefined;
  if (!record) throw new Error(`no audit of ${repo} stored`);
  return record;
}
