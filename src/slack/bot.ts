/**
 * The Bolt app: Socket Mode when SLACK_APP_TOKEN is set (no public URL needed), else the HTTP
 * receiver on PORT with signature verification at /slack/events. The Web API base comes from
 * SLACK_API_URL, so tests point it at the loopback fake.
 */
import { redactedSlackFetch } from './redacted-fetch.js';
import { App, LogLevel, type CustomRoute, type Logger as BoltLogger, type webApi } from '@slack/bolt';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { AdvisoryMirror } from '../advisories/mirror.js';
import { OsvApi } from '../advisories/osv-api.js';
import { chooseAdvisorySource } from '../advisories/select.js';
import { syncMirror } from '../advisories/sync.js';
import type { Config } from '../config.js';
import { observedFetch } from '../http.js';
import { createGitHubClient } from '../github/client.js';
import type { Logger } from '../log.js';
import { CHANNEL_PACE, ChannelPacer, SLACK_CALL_TIMEOUT_MS, type PacerOptions } from './pacing.js';
import { SlackDelivery } from './outbox/slack-delivery.js';
import { PyPIClient } from '../python/pypi.js';
import type { Db } from '../store/db.js';
import { SlackAuditService, type BotServices } from './audit-service.js';
import { SlackPackageService } from './package-service.js';
import { INDEX_REFRESH_MS, serviceCardSources } from '../packages/service-sources.js';
import { watchedNamesEvery } from '../packages/sources/known-names.js';
import { loadTemplateLibrary, type TemplateLibrary } from '../incidents/templates.js';
import type { WatchService } from '../watch/service.js';
import { ALERT_ACTIONS } from './blocks/alert.js';
import { AUDIT_ACTIONS } from './blocks/audit-reply.js';
import { incidentContextResolver } from './incident-context.js';
import { registerIncidentListeners } from './listeners/incidents/index.js';
import { openIncidentsForHome } from '../incidents/home.js';
import { SqliteIncidentStore } from '../store/incident-state/sqlite.js';
import type { WatchStateStore } from '../store/watch-state/types.js';
import type { AuditStateStore } from '../store/audit-state/types.js';
import type { IncidentStore } from '../store/incident-state/types.js';
import { incidentHomeBlocks } from './blocks/incident-modals.js';
import { registerListeners } from './listeners/index.js';
import { checkSlackAccess, listenStartupError, slackStartupError } from './startup.js';
import { createGuardedReceiver } from './receiver.js';
import { sendAddingCallsOnce } from './post-once.js';
import { openViewsOnce } from './views-once.js';
import { createViewMetadataSeal, type ViewMetadataSeal } from './view-metadata.js';
import { createAccessGate, type AccessGate } from '../authz/gate.js';

export type { BotServices };

export interface BotOptions {
  config: Config;
  db: Db;
  logger: Logger;
  now?: () => Date;
  services: BotServices;
  /** Watching: schedules, sweeps, alerts and digests (created with createWatchService in main). */
  watch?: WatchService | null;
  /** Incident checklist templates (loadTemplateLibrary); the built-in one when absent. */
  incidentTemplates?: { library: TemplateLibrary; dir: string | null };
  /** Where incidents live (PostgresIncidentStore with DATABASE_URL); the SQLite store of `db` when absent. */
  incidents?: IncidentStore;
  /** Where `/audit` replies, their ignores and fix pull requests live (PostgresAuditState with DATABASE_URL); `db` when absent. */
  auditState?: AuditStateStore;
  /** Extra Web API client options (tests turn retries down). */
  clientOptions?: webApi.WebClientOptions;
  /** The channels' pace when there is no watch service's delivery to share one with (tests); default CHANNEL_PACE. */
  pace?: PacerOptions;
  /** The access check (DEPWATCH_ADMINS); the watch service's, else one built from the config. */
  gate?: AccessGate;
  /** HTTP mode: routes served beside /slack/events (GET /healthz, GET /metrics: src/ops/routes.ts). */
  routes?: CustomRoute[];
}

export interface Bot {
  app: App;
  service: SlackAuditService;
  mode: 'socket' | 'http';
  /**
   * Checks the tokens with Slack, then starts listening; in HTTP mode resolves with the bound port.
   * Every start-up failure is a StartupError (src/slack/startup.ts) with one line for people.
   */
  start(listen?: { port?: number; host?: string }): Promise<{ port: number | null }>;
  /** Stops taking requests and waits (up to `graceMs`) for audits in progress. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * PyPI requests in flight during a Slack audit. Someone is waiting for the reply, and the JSON API is
 * CDN-served without edge rate limits (uv downloads with 50 at once), so twice the CLI's default.
 */
export const BOT_PYPI_CONCURRENCY = 32;

export interface BotServicesOptions {
  /**
   * Where the watched repositories' packages are read from: the watch state main.ts chose
   * (PostgreSQL with DATABASE_URL). Required, so that no caller falls back to this replica's SQLite
   * file by forgetting it (whose repo_state stays empty then).
   */
  watchState: Pick<WatchStateStore, 'packageUsage'>;
  /** The clock the watched names are re-read by; default: the system's. */
  now?: () => Date;
}

/** Builds GitHub, advisory and registry clients from the configuration. */
export async function buildBotServices(config: Config, db: Db, logger: Logger, options: BotServicesOptions): Promise<BotServices> {
  const github = await createGitHubClient(config.github, { logger });
  const mirror = new AdvisoryMirror(db);
  // A mirror stored by an earlier version gets its matchers now, once (they make audits cheap).
  const derived = mirror.deriveMissingMatchers();
  if (derived > 0) logger.info({ derived }, `advisory mirror: derived the matchers and descriptions of ${derived} advisory package entries stored by an earlier version`);
  const osv = new OsvApi({ baseUrl: config.osv.apiUrl, db });
  const pypi = new PyPIClient({ baseUrl: config.pypi.url, db, concurrency: BOT_PYPI_CONCURRENCY });
  const advisories = (now: Date) => chooseAdvisorySource({ offline: false, mirror, api: osv, now });
  // One read of the watched repositories' packages for this replica's audits and cards alike.
  const now = options.now ?? (() => new Date());
  const watchedNames = watchedNamesEvery(
    () => options.watchState.packageUsage(),
    INDEX_REFRESH_MS,
    () => now().getTime(),
    (err) => logger.warn({ err }, 'could not read the watched repositories\' packages (typosquat names); trying again shortly'),
  );
  return {
    github,
    advisories,
    watchedNames,
    packageCards: serviceCardSources({
      db,
      watchedNames,
      pypiUrl: config.pypi.url,
      osvApiUrl: config.osv.apiUrl,
      githubApiUrl: config.github.apiUrl,
      octokit: github,
      authenticated: Boolean(config.github.token || config.github.app),
      advisories,
    }),
    registry: pypi,
    statusRegistry: pypi,
    // Sweeps keep the mirror current from OSV's bulk delta only once someone has synced it (db sync):
    // an empty mirror means the OSV API is the source, and a first full download is the user's call.
    refreshAdvisories: async () => {
      if (!mirror.isEmpty()) await syncMirror({ bulkUrl: config.osv.bulkUrl, mirror, now: new Date() });
    },
  };
}

/** Bolt logs through pino, so its lines get the same redaction as ours. */
function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  const line = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  let level = LogLevel.INFO;
  return {
    debug: (...msg: unknown[]) => child.debug(line(msg)),
    info: (...msg: unknown[]) => child.info(line(msg)),
    warn: (...msg: unknown[]) => child.warn(line(msg)),
    error: (...msg: unknown[]) => child.error(line(msg)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/**
 * Slack retries an event it thinks was not delivered (even while the first delivery is still being
 * handled), so events are handled once per event_id. Retries come within minutes; an hour is plenty.
 */
export class EventDeduplicator {
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly ttlMs = 60 * 60 * 1000,
    private readonly max = 10_000,
  ) {}

  /** True the first time an id is offered (within the window). */
  firstTime(id: string, now = Date.now()): boolean {
    for (const [key, at] of this.seen) {
      if (now - at < this.ttlMs && this.seen.size <= this.max) break;
      this.seen.delete(key);
    }
    if (this.seen.has(id)) return false;
    this.seen.set(id, now);
    return true;
  }
}

/**
 * The key that seals modal metadata, from the app's own secret: the signing secret in HTTP mode,
 * the app-level token in Socket Mode (the bot token as a last resort).
 */
export function viewMetadataSealFor(config: Config): ViewMetadataSeal {
  const secret = config.slack.signingSecret || config.slack.appToken || config.slack.botToken;
  if (!secret) throw new Error('no Slack secret to seal modal metadata with');
  return createViewMetadataSeal(secret);
}

export function createBot(options: BotOptions): Bot {
  const { config, db, logger } = options;
  const now = options.now ?? (() => new Date());
  const socketMode = Boolean(config.slack.appToken);
  const clientOptions: webApi.WebClientOptions = {
    slackApiUrl: `${config.slack.apiUrl.replace(/\/+$/, '')}/`,
    // An interactive reply is worth a few retries, not Slack's default half hour of them.
    // Calls that add something (a post, an ephemeral, an upload) retry only 429s: post-once.ts.
    retryConfig: { retries: 4, factor: 2, minTimeout: 500, maxTimeout: 30_000, randomize: true },
    // Slack answers a Web API call within a second or two; a request that hangs would hold its reply
    // for ever. The bulk client's figure (pacing.ts): a timed-out read or edit is sent again, a post
    // not. Tests make it shorter through BotOptions.clientOptions.timeout.
    timeout: SLACK_CALL_TIMEOUT_MS,
    // Each Web API attempt is counted by the metrics (src/http.ts observers), its text redacted first.
    fetch: redactedSlackFetch(observedFetch('Slack')),
    ...options.clientOptions,
  };
  const bolt = boltLogger(logger);
  // Bolt's receivers behind a guard: timestamps both ways, malformed payloads and unknown ids refused (receiver.ts).
  const receiver = createGuardedReceiver({ appToken: config.slack.appToken, signingSecret: config.slack.signingSecret, logger: logger.child({ component: 'slack-guard' }), boltLogger: bolt, clientOptions, ...(options.routes ? { customRoutes: options.routes } : {}) });
  const app = new App({
    token: config.slack.botToken,
    receiver,
    ...(socketMode ? { socketMode: true } : {}),
    logger: bolt,
    clientOptions,
    // Bolt would otherwise call auth.test from its constructor and never await it: a rejected token
    // crashed the process after it said "listening". start() awaits it through app.init().
    deferInitialization: true,
  });

  const watchService = options.watch ?? null;
  const incidents = options.incidents ?? new SqliteIncidentStore(db);
  const gate = options.gate ?? watchService?.gate ?? createAccessGate({ admins: config.admins, db, logger });
  const seal = viewMetadataSealFor(config);
  // One pace per channel for everything posted and edited there: /audit replies, package cards,
  // checklist redraws, and the watch service's alerts and digests. Slack counts a channel's posts
  // whoever sends them, so the bot paces with its delivery's pacer: two pacers would each keep to
  // the pace and together pass it.
  const pacer = watchService?.delivery instanceof SlackDelivery ? watchService.delivery.slack.pacer : new ChannelPacer({ ...CHANNEL_PACE, logger, ...options.pace });
  const service = new SlackAuditService({
    config,
    db,
    logger,
    services: options.services,
    now,
    gate,
    seal,
    ...(options.auditState ? { state: options.auditState } : {}),
    ...(watchService ? { watchState: watchService.state } : {}),
    pacer,
    home: {
      // From the watch state (PostgreSQL with DATABASE_URL): every replica's App Home shows every watch.
      watched: async () => {
        if (!watchService) return [];
        const { state } = watchService;
        const watches = await state.allWatches();
        const summaries = await state.repoSummaries(watches.map((w) => w.repo));
        // Private when linked as private or found private since (a repository can change).
        return watches.map((w) => ({ repo: w.repo, channel: w.channel, private: w.private || (summaries.get(w.repo)?.private ?? false), addedBy: w.addedBy }));
      },
      incidents: async (viewer) => incidentHomeBlocks(await openIncidentsForHome(incidents, viewer)),
    },
  });
  // Every client Bolt hands a listener (one per token, kept) posts once and takes a lost answer to
  // views.open for the view it opened; app.client too (the incident outbox's).
  sendAddingCallsOnce(app.client, clientOptions);
  openViewsOnce(app.client, logger);
  app.use(async ({ client, context, next }) => {
    sendAddingCallsOnce(client, { ...clientOptions, ...(context.teamId ? { teamId: context.teamId } : {}) });
    openViewsOnce(client, logger);
    await next();
  });
  const events = new EventDeduplicator();
  app.use(async ({ body, next }) => {
    const eventId = (body as { event_id?: unknown }).event_id;
    if (typeof eventId === 'string' && !events.firstTime(eventId)) {
      logger.debug({ eventId }, 'duplicate event ignored');
      return;
    }
    await next();
  });
  const watch = watchService;
  const packages = options.services.packageCards ? new SlackPackageService(options.services.packageCards, logger, pacer) : null;
  registerListeners(app, { service, watch, logger, timeZone: config.timeZone, now, gate, seal, packages });
  registerIncidentListeners(app, {
    db,
    incidents,
    // Checklist redraws go out through the watch service's delivery loop (its outbox poller retries them).
    ...(watch ? { delivery: watch.delivery } : {}),
    pacer,
    gate,
    seal,
    templates: options.incidentTemplates?.library ?? loadTemplateLibrary(null),
    templatesDir: options.incidentTemplates?.dir ?? null,
    logger,
    now,
    resolveIncidentContext: incidentContextResolver({ audits: service.state, watch }),
    // The /audit reply's and the alert's "Start incident" buttons; their values are ids (see incident-context.ts).
    startActionIds: [AUDIT_ACTIONS.incident, ALERT_ACTIONS.startIncident],
  });
  app.error(async (error) => {
    logger.error({ err: error }, 'unhandled error in a Slack listener');
  });

  return {
    app,
    service,
    mode: socketMode ? 'socket' : 'http',
    async start(listen = {}) {
      const apiUrl = config.slack.apiUrl;
      await checkSlackAccess({ apiUrl, botToken: config.slack.botToken ?? '', ...(socketMode ? { appToken: config.slack.appToken } : {}) });
      try {
        await app.init();
      } catch (err) {
        throw slackStartupError(err, 'SLACK_BOT_TOKEN', apiUrl);
      }
      if (socketMode) {
        try {
          await app.start();
        } catch (err) {
          throw slackStartupError(err, 'SLACK_APP_TOKEN', apiUrl);
        }
        return { port: null };
      }
      const port = listen.port ?? config.slack.port;
      let server: Server;
      try {
        server = (await app.start(listen.host ? { port, host: listen.host } : port)) as Server;
      } catch (err) {
        throw listenStartupError(err, port);
      }
      const address = server.address() as AddressInfo | null;
      return { port: address?.port ?? port };
    },
    async stop(graceMs = 10_000) {
      await app.stop();
      await Promise.race([service.idle(), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    },
  };
}
