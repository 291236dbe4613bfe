/**
 * Composition root: config → store → clients → Bolt app → scheduler. `npm start` runs this.
 */
import { healthSnapshot } from './packages/health-snapshot.js';
import { ConfigError, loadConfig, loadDotEnv, missingSlackSettings } from './config.js';
import { createAccessGate } from './authz/gate.js';
import { errorLine } from './error-line.js';
import { createLogger, redactSecrets } from './log.js';
import { buildBotServices, createBot } from './slack/bot.js';
import { refreshFixPullStates } from './slack/fix-pr-flow.js';
import { createBulkSlackClient } from './slack/pacing.js';
import { DatabasePathError, openDb, StoreError } from './store/db.js';
import { openPostgres, sslModeNote, type PgPool } from './store/postgres.js';
import { watchPostgresHealth } from './store/postgres-health.js';
import { PostgresWatchState } from './store/watch-state/postgres.js';
import { SqliteWatchState } from './store/watch-state/sqlite.js';
import { WatchStore } from './store/watches.js';
import { PostgresIncidentStore } from './store/incident-state/postgres.js';
import { PostgresAuditState } from './store/audit-state/postgres.js';
import { SqliteAuditState } from './store/audit-state/sqlite.js';
import { PostgresPullReviewState } from './store/pull-review-state/postgres.js';
import { SqlitePullReviewState } from './store/pull-review-state/sqlite.js';
import { SqliteIncidentStore } from './store/incident-state/sqlite.js';
import { createWatchService } from './watch/service.js';
import { systemFontFamilies } from './watch/chart.js';
import { SlackDelivery } from './slack/outbox/slack-delivery.js';
import { startIncidentReminders } from './incidents/reminders.js';
import { dmReachability } from './slack/dm-reach.js';
import { loadTemplateLibrary, templatesDirFor } from './incidents/templates.js';
import { StartupError } from './slack/startup.js';
import { createAuditWorkerPool, runInWorkers } from './workers/audit-runner.js';
import { allHealthy, sqliteSchemaVerdict, storeHealth, type HealthCheck } from './ops/health.js';
import { guardBackgroundWork, type GuardedWork } from './ops/background-work.js';
import { createMetrics } from './ops/metrics.js';
import { opsRoutes } from './ops/routes.js';
import { startOpsServer, type OpsServer } from './ops/server.js';

const README_HINT = 'see README.md, "Configuration" (copy .env.example to .env and fill it in)';

export async function main(): Promise<number> {
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) process.stderr.write(`depwatch: ${p}\n`);
      process.stderr.write(`depwatch: ${README_HINT}\n`);
      return 2;
    }
    throw err;
  }
  const missing = missingSlackSettings(config);
  if (missing.length) {
    process.stderr.write('depwatch: cannot start the Slack bot, missing configuration:\n');
    for (const m of missing) process.stderr.write(`  - ${m}\n`);
    process.stderr.write(`depwatch: ${README_HINT}. The CLI works without Slack: npx depwatch --help\n`);
    return 2;
  }
  const logger = createLogger(config.logLevel);
  let db;
  // DATABASE_URL: the watch state lives in PostgreSQL, shared by replicas, migrated now under an
  // advisory lock (replicas starting together migrate once). The SQLite file stays for this
  // replica's caches and what has not moved yet (docs/store.md).
  let pgPool: PgPool | null = null;
  try {
    db = openDb(config.dbPath);
    if (config.databaseUrl) {
      const note = sslModeNote(config.databaseUrl);
      if (note) logger.info(note);
      pgPool = await openPostgres(config.databaseUrl);
    }
  } catch (err) {
    if (err instanceof StoreError) {
      // A path that cannot be used is said as the CLI says it, naming the variable that chose it.
      const line = err instanceof DatabasePathError ? `could not start: ${err.from(process.env.DEPWATCH_DB?.trim() ? 'DEPWATCH_DB' : 'the default location, as DEPWATCH_DB is not set')}` : err.message;
      process.stderr.write(`depwatch: ${redactSecrets(line)}\n`);
      db?.close();
      return 2;
    }
    throw err;
  }
  // The watch state, chosen once here and handed to everything that reads it (sweeps, /audit, cards).
  const sharedWatchState = pgPool ? new PostgresWatchState(pgPool) : null;
  const watchState = sharedWatchState ?? new SqliteWatchState(new WatchStore(db));
  // Incidents beside the watch state: with DATABASE_URL any replica answers any /incident, click or
  // modal, and their outbox rows (reminders, checklist redraws) go to PostgreSQL's outbox.
  const incidents = pgPool ? new PostgresIncidentStore(pgPool) : new SqliteIncidentStore(db);
  // /audit replies, their ignores and fix pull requests: a button under a reply works on any replica.
  const auditState = pgPool ? new PostgresAuditState(pgPool) : new SqliteAuditState(db);
  // Which pull-request reviews were posted: whichever replica sweeps next updates them instead of posting again.
  const pullReviews = pgPool ? new PostgresPullReviewState(pgPool) : new SqlitePullReviewState(db);
  // Replicas share the job queue: each scheduled slot runs once, sweeps are cut into batches any of them takes (docs/jobs.md).
  // Loaded only then: pg-boss is not needed by a bot on SQLite (a constant path, never input).
  const jobs = pgPool ? new (await import('./jobs/postgres.js')).PostgresQueue(pgPool, { logger }) : undefined;
  if (jobs) {
    try {
      await jobs.start();
    } catch (err) {
      process.stderr.write(`depwatch: cannot start the job queue in PostgreSQL: ${redactSecrets(errorLine(err))}\n`);
      await pgPool?.end().catch(() => undefined);
      db.close();
      return 2;
    }
    // Said once at start: what is shared, and what each replica keeps (docs/store.md).
    logger.info('DATABASE_URL: shared state in PostgreSQL; DEPWATCH_DB keeps this replica\'s caches');
  }
  // An outage of the database said as such, once, and its end (the other lines only quote ECONNREFUSED).
  const databaseHealth = pgPool ? watchPostgresHealth(pgPool, { logger }) : null;

  // Parsing, matching and rules run in worker threads: the event loop stays free to ack Slack.
  const pool = createAuditWorkerPool({ logger });
  // Counts from here on: audits, sweeps and every request to Slack, GitHub, OSV and PyPI (src/ops/metrics.ts).
  const metrics = createMetrics();
  if (jobs) metrics.watchJobQueue(jobs);
  const runner = metrics.instrumentRunner(runInWorkers(pool));
  // GET /healthz and GET /metrics: beside /slack/events in HTTP mode, on a server of their own in Socket Mode.
  const storeReady = sharedWatchState ? allHealthy(storeHealth(db), () => sharedWatchState.health()) : storeHealth(db);
  // Not ready may mean a newer build migrated the database: the background work looks at the schema
  // now, not only at its next round (the guard, below, is made once the bot is).
  let background: GuardedWork | null = null;
  const health: HealthCheck = async () => {
    const answer = await storeReady();
    if (!answer.ok) void background?.check();
    return answer;
  };
  const routes = opsRoutes({ health, metrics, metricsToken: config.metricsToken, onError: (message) => logger.error(message) });
  const services = { ...(await buildBotServices(config, db, logger, { watchState })), runner };
  // One access check for every entry (commands, buttons, modals, App Home); refusals are kept in the database.
  const gate = createAccessGate({ admins: config.admins, db, logger });
  const watch = createWatchService({
    db,
    state: watchState,
    auditState,
    pullReviews,
    ...(jobs ? { jobs } : {}),
    octokit: services.github,
    advisories: () => services.advisories(new Date()),
    registry: services.registry,
    statusRegistry: services.statusRegistry ?? null,
    // The weekly digest's "health worsened": the card's PyPI source (answers cached for an hour).
    ...(services.packageCards ? { pullRequestReviews: { cards: services.packageCards, comments: config.pullRequestComments } } : {}),
    ...(services.packageCards ? { packageHealth: async (name: string) => healthSnapshot(name, (await services.packageCards!()).pypi, new Date()) } : {}),
    // Alerts, digests and review cards go through the Slack outbox, delivered by their own client (a
    // 429 there never pauses the client that answers slash commands), paced per channel by the
    // delivery's ChannelPacer, which the bot paces its replies with too (createBot).
    // With DATABASE_URL the alerts' outbox is PostgreSQL's (shared: any replica delivers a row once);
    // the local outbox keeps what is still written with SQLite state.
    delivery: new SlackDelivery({ db, api: createBulkSlackClient(config.slack.botToken!, { slackApiUrl: config.slack.apiUrl }), logger, ...(sharedWatchState ? { shared: sharedWatchState.outbox } : {}) }),
    gate,
    defaultTimeZone: config.timeZone,
    logger,
    runner,
    onSweepEnd: (end) => metrics.sweepFinished(end.seconds, end.outcome),
    ...(config.codeScan ? { codeScan: { fingerprintKey: config.fingerprintKey } } : {}),
    ...(config.fixPullRequests ? { fixPullRequests: true } : {}),
    ...(services.refreshAdvisories ? { refreshAdvisories: services.refreshAdvisories } : {}),
  });
  // Custom incident checklists: YAML files in templates/ next to the database, validated now.
  const templatesDir = templatesDirFor(config.dbPath);
  const templates = loadTemplateLibrary(templatesDir);
  for (const problem of templates.errors) logger.error({ templatesDir }, `incident template skipped: ${problem}`);
  const bot = createBot({ config, db, logger, services, watch, gate, incidentTemplates: { library: templates, dir: templatesDir }, incidents, auditState, routes });
  let port: number | null;
  let opsServer: OpsServer | null = null;
  try {
    if (bot.mode === 'socket') opsServer = await startOpsServer(routes, config.slack.port);
    ({ port } = await bot.start());
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    // Nothing was logged yet: the one line below is all the person starting the bot reads.
    process.stderr.write(`depwatch: ${err.message}\n`);
    await opsServer?.close();
    await pool.close();
    await pgPool?.end().catch(() => undefined);
    db.close();
    return 2;
  }
  pool.warm();
  // Fix pull requests opened from Slack: each sweep checks whether they were merged or closed.
  if (config.fixPullRequests) watch.sweeps.onSwept = () => refreshFixPullStates(bot.service.fixPrContext(), bot.app.client);
  // Sweeps, schedules, reminders, the outbox and the job queue's workers run only while no newer
  // build has migrated the database: never started on a newer schema, stopped when one appears
  // (a rolling upgrade), while /healthz goes on saying why (src/ops/background-work.ts).
  let reminders: ReturnType<typeof startIncidentReminders> | null = null;
  const localSchema = sqliteSchemaVerdict(db);
  background = guardBackgroundWork({
    work: {
      start: () => {
        watch.start();
        reminders = startIncidentReminders({ incidents, delivery: watch.delivery, logger, templates, reachable: dmReachability(bot.app.client) });
      },
      stop: async () => {
        reminders?.stop();
        await watch.stop();
        await jobs?.stop(10_000);
      },
    },
    schema: async () => {
      const local = localSchema();
      return local.state === 'newer' || !sharedWatchState ? local : sharedWatchState.schemaVerdict();
    },
    logger,
  });
  await background.start();

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing audits in progress');
    databaseHealth?.stop();
    Promise.all([bot.stop(), background.stop(), opsServer?.close()])
      .then(() => pool.close())
      // Stopped with the background work already when it ran (a second stop does nothing); else now.
      .then(() => jobs?.stop(10_000))
      .catch((err: unknown) => logger.error({ err }, 'error while stopping'))
      .then(() => pgPool?.end())
      .catch((err: unknown) => logger.error({ err }, 'error while closing PostgreSQL'))
      .finally(() => {
        db.close();
        logger.flush();
        process.exit(0);
      });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  // The operator hears it at start, not on the 1st of the month: each monthly digest says it too.
  if (systemFontFamilies().length === 0) logger.warn('no system font found: the monthly digest goes out without its chart (install a font, e.g. Debian\'s fonts-dejavu-core)');
  // Said only once SIGTERM and SIGINT are handled: a supervisor may stop the bot as soon as it reads
  // this line, and a signal before the handlers would kill it without finishing anything.
  logger.info({ db: config.dbPath, watchState: sharedWatchState ? 'postgresql' : 'sqlite', incidents: incidents.dialect }, bot.mode === 'socket' ? `listening on Socket Mode (GET /healthz, /metrics on port ${opsServer?.port})` : `listening on port ${port} (POST /slack/events, GET /healthz, /metrics)`);
  return 0;
}

main().then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`depwatch: could not start: ${redactSecrets(err instanceof Error ? err.message : String(err))}\n`);
    process.exit(2);
  },
);
