/**
 * Watching, assembled: the one object the Slack app and main.ts talk to.
 *
 *   const watch = createWatchService({ db, octokit, advisories, registry, statusRegistry, delivery, admins, defaultTimeZone, logger });
 *   watch.start();                                    // at start-up: schedules built from the store, missed runs caught up
 *   await watch.handleCommand(text, { userId, channelId })   // from /audit: a WatchReply, or null when not a watch command
 *   await watch.watchButton({ repo, userId, channelId })     // from the "Watch this repo" button
 *   await watch.stop();                               // on shutdown: timers stopped, running jobs finished
 *
 * Jobs run in the background on the scheduler's timers: nothing here is awaited inside a Slack ack.
 * What they want said goes to the Slack outbox with their state; `delivery` (src/slack/outbox/
 * slack-delivery.ts, wired in src/main.ts) posts it.
 */
import type { Octokit } from 'octokit';
import type { PackageRegistry } from '../audit/audit.js';
import type { AdvisorySource } from '../advisories/types.js';
import { fetchHeads, headKey } from '../github/heads.js';
import { parseRepoRef, RepoRefError, type RepoRef } from '../github/repo-ref.js';
import { createAccessGate, type AccessGate } from '../authz/gate.js';
import type { Entry } from '../authz/policy.js';
import type { Logger } from '../log.js';
import { CATCH_UP_LOOKBACK_DAYS, Scheduler, type CronTimer, type EnqueueRetry, type JobSpec } from '../schedule/scheduler.js';
import type { SlotRetry } from '../schedule/queued.js';
import type { Db } from '../store/db.js';
import { repoKeyOfDisplay, WatchStore, type AffectedRepo, type AlertRow } from '../store/watches.js';
import { SqliteOutbox } from '../store/outbox/sqlite.js';
import type { OutboxDelivery } from '../store/outbox/types.js';
import { SqliteWatchState } from '../store/watch-state/sqlite.js';
import { announceSweepProblems } from './sweep-notice.js';
import { announceWatchesStarted } from './watch-started.js';
import type { WatchStateStore } from '../store/watch-state/types.js';
import { decideAlerts, recordAlertDeliveries, type AlertDeliveryResult } from './alerts.js';
import { ADVISORY_ALERT, type AdvisoryAlert } from './messages.js';
import { cannotReply, handleWatchCommand, parseWatchCommand, type RepoLookup, type WatchCommand, type WatchReply } from './commands.js';
import { recordDigestDeliveries, runDigest, type DigestRecorded, type StatusRegistry } from './digests.js';
import type { AuditRunner } from '../workers/audit-runner.js';
import type { JobQueue } from '../jobs/interface.js';
import { sweepThroughQueue, workSweepBatches, type BatchWorkerOptions } from '../jobs/sweep-batches.js';
import { SweepRunner, type SweepOptions } from './sweep.js';
import { reviewPullRequests } from './pr-review/sweep-part.js';
import type { CardSources } from '../packages/card.js';
import type { HealthSnapshot } from '../packages/health-snapshot.js';
import { watchedNamesEvery } from '../packages/sources/known-names.js';
import { CodeScanStore } from '../store/code-scans.js';
import { SqliteAuditState } from '../store/audit-state/sqlite.js';
import { SqlitePullReviewState } from '../store/pull-review-state/sqlite.js';
import type { PullReviewState } from '../store/pull-review-state/types.js';
import type { AuditStateStore, RepoIgnoreLookup } from '../store/audit-state/types.js';
import { scanCommit } from '../github/commit-scan.js';
import { runHere } from '../workers/audit-runner.js';
import { recordSecretAlerts } from './secret-alerts.js';

export interface WatchServiceOptions<D extends OutboxDelivery = OutboxDelivery> {
  /** The local SQLite database: caches, and the watch state too unless `state` is given. */
  db: Db;
  /**
   * Where watched repositories, their findings, alerts and the Slack outbox live when not in `db`:
   * PostgreSQL (DATABASE_URL), shared by replicas. Absent: SQLite, in `db`.
   */
  state?: WatchStateStore;
  /** Where /audit replies' ignores and fix pull requests live (PostgreSQL with DATABASE_URL); absent: `db`. */
  auditState?: AuditStateStore;
  /** Which pull-request reviews were posted (PostgreSQL with DATABASE_URL); absent: `db`. */
  pullReviews?: PullReviewState;
  octokit: Octokit;
  /** A source, or a function choosing one per sweep (chooseAdvisorySource: mirror when fresh, else OSV). */
  advisories: AdvisorySource | (() => AdvisorySource);
  registry: PackageRegistry | null;
  /** PyPIClient: release history plus PEP 792 status, for the quarterly digest. */
  statusRegistry?: StatusRegistry | null;
  /** Delivers the Slack outbox (SlackDelivery over the same database). */
  delivery: D;
  /** DEPWATCH_ADMINS; empty means everyone may change watches. Ignored when `gate` is given. */
  admins?: readonly string[];
  /** The access check shared with the Slack app (createAccessGate); built from `admins` when absent. */
  gate?: AccessGate;
  /** Config TZ, for channels without their own zone. */
  defaultTimeZone: string;
  /** Mirror delta sync before each sweep (syncMirror), when the mirror is used. */
  refreshAdvisories?: () => Promise<void>;
  logger?: Logger;
  now?: () => Date;
  timer?: CronTimer;
  /** Changed repositories audited at once in a sweep. */
  concurrency?: number;
  /** Where sweeps parse, match and evaluate (the bot: worker threads, runInWorkers); default: this thread. */
  runner?: AuditRunner;
  /** Told when each sweep ends (the bot's metrics). */
  onSweepEnd?: SweepOptions['onSweepEnd'];
  /** A package's health as the weekly digest follows it (healthSnapshot over PyPI); absent: not followed. */
  packageHealth?: (name: string) => Promise<HealthSnapshot | null>;
  /**
   * Review pull requests that change dependencies after each sweep (pr-review/sweep-part.ts), with
   * these card sources; absent: no reviews.
   */
  pullRequestReviews?: { cards: () => Promise<CardSources>; comments?: boolean };
  /**
   * The job queue replicas share (PostgreSQL: src/jobs/postgres.ts): each scheduled slot runs once
   * across them. Absent (SQLite, one bot): slots are claimed in job_runs and run here, as before.
   */
  jobs?: JobQueue;
  /** With `jobs`: a digest job's retries when its run throws (default DIGEST_RETRY, src/schedule/queued.ts; a test hook). */
  digestRetry?: SlotRetry;
  /** With `jobs`: how soon a slot that could not be enqueued is tried again (default ENQUEUE_RETRY, src/schedule/scheduler.ts; a test hook). */
  enqueueRetry?: EnqueueRetry;
  /** How this replica takes sweep batches from `jobs` (concurrency; a test hook). */
  sweepBatches?: BatchWorkerOptions;
  /** Test hook: runs between recording an alert and posting it. */
  afterAlertRecorded?: (alert: AlertRow) => void | Promise<void>;
  /** DEPWATCH_FIX_PRS: alerts offer "Open fix PR" per affected repository. */
  fixPullRequests?: boolean;
  /** Scan each newly audited commit's code and alert new hardcoded secrets, fingerprinted with this key; absent: dependencies only. */
  codeScan?: { fingerprintKey: string };
}

export interface WatchService<D extends OutboxDelivery = OutboxDelivery> {
  readonly store: WatchStore;
  readonly scheduler: Scheduler;
  readonly sweeps: SweepRunner;
  /** Watched repositories, findings, alerts (SQLite or PostgreSQL): what sweeps and alerts use. */
  readonly state: WatchStateStore;
  /**
   * The Slack outbox of the local SQLite file. Alerts, digests and code alerts write to
   * `state.outbox` (this same table unless the state is on PostgreSQL), pull-request cards to the
   * outbox beside `pullReviews`; `delivery` delivers both databases' outboxes (docs/outbox.md).
   */
  readonly outbox: SqliteOutbox;
  readonly delivery: D;
  /** Who may change what (src/authz); every change below goes through it. */
  readonly gate: AccessGate;
  isAdmin(userId: string): boolean;
  /** Handles `/audit watch|unwatch|list|schedule|ignore|unignore …`; null when `text` is something else. */
  handleCommand(text: string, ctx: { userId: string; channelId: string; via?: Entry }): Promise<WatchReply | null>;
  /**
   * The "Watch this repo" button under an /audit reply: watches `repo` in the reply's channel
   * (`replyChannel`, when known), which must be the channel the click came from.
   */
  watchButton(input: { repo: string; userId: string; channelId: string; replyChannel?: string | null }): Promise<WatchReply>;
  /**
   * An ignore asked for other than by typing `/audit ignore` (the alert's Ignore… modal), checked
   * and stored as that command does: refused as `already-ignored` when it names an advisory the
   * channel already ignores under another name, stored with `data: 'unknown'` when the advisory
   * data does not hold it.
   */
  ignore(input: { id: string; package: string | null; reason: string; until: string | null }, ctx: { userId: string; channelId: string; via: Entry }): Promise<WatchReply>;
  /** An alert by the id its buttons carry ("Start incident", "Ignore…"), from whichever store holds alerts. */
  alert(id: number): Promise<AlertRow | null>;
  /** What "Open fix PR" under an alert reads: the watch state, and a repository's store key from how alerts display it. */
  fixSource(): { state: WatchStateStore; repoKeyOf(display: string): Promise<string | null> };
  /** What a scheduled job does (also callable by hand, e.g. a "run now" command). */
  runJob(job: JobSpec, scheduledFor: Date): Promise<AlertDeliveryResult | DigestRecorded | void>;
  /** Deletes finished work nobody reads again (run every few hours once started; see MAINTENANCE_MS). */
  maintain(): Promise<MaintenanceReport>;
  start(): void;
  stop(): Promise<void>;
}

/** How often the background delivery loop looks for outbox rows that are due. */
const OUTBOX_POLL_MS = 15_000;

const DAY_MS = 24 * 60 * 60_000;
/** How often finished work is pruned (the first time a minute after start). */
const MAINTENANCE_MS = 6 * 60 * 60_000;
/** Finished outbox rows are kept this long: what was sent, for people looking into a report. */
export const KEEP_FINISHED_OUTBOX_MS = 30 * DAY_MS;
/** A sweep batch's key is asked for again only by replicas starting the same sweep, within minutes. */
const KEEP_SWEEP_KEYS_MS = DAY_MS;

/** What one maintenance round deleted. */
export interface MaintenanceReport {
  /** Finished outbox rows (the local SQLite outbox and the shared one). */
  outboxRows: number;
  /** Records of scheduled runs older than the catch-up lookback (SQLite). */
  jobRuns: number;
  /** Singleton keys of the job queue nobody asks for again (PostgreSQL). */
  jobKeys: number;
}

export function createWatchService<D extends OutboxDelivery>(options: WatchServiceOptions<D>): WatchService<D> {
  const now = options.now ?? (() => new Date());
  const store = new WatchStore(options.db);
  const gate = options.gate ?? createAccessGate({ admins: options.admins ?? [], db: options.db, logger: options.logger ?? null, now });
  const isAdmin = (userId: string) => gate.isAdmin(userId);
  // What /audit replies keep (PostgreSQL with DATABASE_URL): the Ignore… modal's per-repository ignores and fix pull requests.
  const auditState = options.auditState ?? new SqliteAuditState(options.db);
  const pullReviews = options.pullReviews ?? new SqlitePullReviewState(options.db);
  // The Ignore… modal's ignores are per repository (any branch): a sweep or digest reads them all once.
  const repoIgnores = async (): Promise<RepoIgnoreLookup> => {
    const lookup = await auditState.repoIgnoreLookup();
    return (key) => lookup(key.split('@')[0]!);
  };
  // The alerts' outbox lives beside the alert state (SQLite or PostgreSQL): one transaction holds both.
  const state = options.state ?? new SqliteWatchState(store);
  // The local SQLite file's own outbox (delivered beside the shared one; what ran before DATABASE_URL was set).
  const outbox = new SqliteOutbox(options.db);
  const deliverer = options.delivery;
  const codeScans = new CodeScanStore(options.db);
  const codeScan = options.codeScan;
  // Large pull requests whose head changes no manifest, so later sweeps do not page through their files again (pr-review/sweep-part.ts).
  const pullsWithoutManifest = new Map<string, string>();
  const sweepOptions: SweepOptions = {
    state,
    octokit: options.octokit,
    db: options.db,
    advisories: options.advisories,
    registry: options.registry,
    now,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.refreshAdvisories ? { refreshAdvisories: options.refreshAdvisories } : {}),
    ...(options.onSweepEnd ? { onSweepEnd: options.onSweepEnd } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.runner ? { runner: options.runner } : {}),
    repoIgnores,
    knownNames: watchedNamesEvery(() => state.packageUsage(), undefined, () => now().getTime()),
    ...(codeScan
      ? {
          codeScan: {
            scan: async (commit, ignores, at) =>
              (await scanCommit({ github: options.octokit, store: codeScans, runner: options.runner ?? runHere, fingerprintKey: codeScan.fingerprintKey }, commit, ignores, at)).result,
            record: async (commit, scan, at) => {
              const fresh = await recordSecretAlerts({ state, commit, scan, now: at });
              // A committed secret is alerted at once, not at the channel's next alert slot.
              if (fresh > 0 && !commit.baseline) void deliverer.deliver().catch((err: unknown) => options.logger?.warn({ err }, 'could not deliver secret alerts now; the outbox loop retries'));
              return fresh;
            },
          },
        }
      : {}),
    ...(options.pullRequestReviews
      ? {
          afterSweep: async () => {
            const r = await reviewPullRequests({ reviews: pullReviews, state, octokit: options.octokit, cards: options.pullRequestReviews!.cards, comments: options.pullRequestReviews!.comments === true, now, unchanged: pullsWithoutManifest, reads: (options.runner ?? runHere).reads, ...(options.logger ? { logger: options.logger } : {}) });
            options.logger?.info({ githubRequests: r.githubRequests, reviewed: r.reviewed.length, closed: r.closed.length, errors: r.errors, notes: r.notes }, 'pull request reviews');
            await deliverer.deliver();
          },
        }
      : {}),
  };
  // With replicas, a sweep is cut into batch jobs that any of them takes (src/jobs/sweep-batches.ts).
  const { jobs } = options;
  const sweeps = jobs ? new SweepRunner(sweepOptions, (o) => sweepThroughQueue(jobs, o)) : new SweepRunner(sweepOptions);

  // The latest fix pull request of each repository an alerts job shows (a repository: any of its branches), read at once.
  const fixPullsOf = async (keys: readonly string[]): Promise<Map<string, AffectedRepo['fixPull']>> => {
    const repoOf = (key: string) => key.split('@')[0]!;
    const pulls = await auditState.latestFixPulls(keys.map(repoOf));
    return new Map(
      keys.map((key) => {
        const pull = pulls.get(repoOf(key));
        return [key, pull ? { number: pull.number, url: pull.url, state: pull.state } : null];
      }),
    );
  };

  const runJob = async (job: JobSpec, scheduledFor: Date): Promise<AlertDeliveryResult | DigestRecorded> => {
    // Every job reads the store; make sure a sweep at least as recent as the slot has filled it.
    await sweeps.ensureFresh(scheduledFor);
    if (job.kind === 'alerts') {
      // What repositories newly watched here already had, said once before anything new is alerted.
      await announceWatchesStarted(job.channel, state, now());
      const decided = await decideAlerts(job.channel, {
        state,
        now,
        ...(options.fixPullRequests ? { offerFixPrs: true, fixPullsOf } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
        ...(options.afterAlertRecorded ? { afterRecord: options.afterAlertRecorded } : {}),
      });
      // Sweeps that could not check for new advisories are said, not left to read as "nothing new".
      await announceSweepProblems(job.channel, state, now()).catch((err: unknown) => options.logger?.warn({ err, channel: job.channel }, 'could not announce the sweep problems'));
      const delivered = await deliverer.deliver({ channel: job.channel });
      // Alerts whose complete list in the thread was just posted (or given up) now say so: delivered at once.
      const pointed = (await recordAlertDeliveries(job.channel, state, now())) > 0 ? await deliverer.deliver({ channel: job.channel }) : null;
      return {
        posted: delivered.posted.length + delivered.reconciled.length,
        updated: delivered.updated.length + (pointed?.updated.length ?? 0),
        resolved: decided.resolved,
        // Advisory alerts only: a sweep notice that failed is retried by the outbox like any row.
        failed: delivered.failed.filter((f) => f.row.kind === ADVISORY_ALERT).map((f) => ({ advisoryId: (f.row.data as AdvisoryAlert).advisoryId, error: f.error })),
      };
    }
    const recorded = await runDigest(job.kind, job.channel, {
      state,
      slot: scheduledFor,
      slotTimeZone: job.timeZone,
      registry: options.registry,
      statusRegistry: options.statusRegistry ?? null,
      now,
      defaultTimeZone: options.defaultTimeZone,
      repoIgnores,
      ...(codeScan ? { codeScans } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.packageHealth ? { packageHealth: { snapshot: options.packageHealth } } : {}),
    });
    await deliverer.deliver({ channel: job.channel });
    // A thread Slack refused: its summary, edited now, says so rather than pointing at nothing.
    if ((await recordDigestDeliveries(state, recorded.key, now())) > 0) await deliverer.deliver({ channel: job.channel });
    return recorded;
  };

  const scheduler = new Scheduler({
    store,
    run: async (job, slot) => {
      await runJob(job, slot);
    },
    defaultTimeZone: options.defaultTimeZone,
    now,
    ...(options.timer ? { timer: options.timer } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.jobs ? { queue: options.jobs } : {}),
    ...(options.digestRetry ? { digestRetry: options.digestRetry } : {}),
    ...(options.enqueueRetry ? { enqueueRetry: options.enqueueRetry } : {}),
    // On PostgreSQL the schedules are the replicas' shared ones (set through any of them).
    ...(state.dialect === 'postgres' ? { shared: { schedules: state } } : {}),
  });

  // Outbox rows, run records and job keys are kept only as long as something may read them: every
  // replica prunes (the deletes are idempotent), none holds the others up.
  const maintain = async (): Promise<MaintenanceReport> => {
    const at = now().getTime();
    const finishedBefore = new Date(at - KEEP_FINISHED_OUTBOX_MS);
    // No catch-up asks for a slot older than its lookback: neither its run record nor its key is read again.
    const lookback = new Date(at - CATCH_UP_LOOKBACK_DAYS * DAY_MS);
    const outboxRows = (await outbox.prune(finishedBefore)) + (state.dialect === 'postgres' ? await state.outbox.prune(finishedBefore) : 0);
    const jobRuns = store.pruneJobRuns(lookback);
    const jobKeys = jobs ? (await jobs.forgetSingletons('scheduled-run', lookback)) + (await jobs.forgetSingletons('sweep-batch', new Date(at - KEEP_SWEEP_KEYS_MS))) : 0;
    const report = { outboxRows, jobRuns, jobKeys };
    if (outboxRows + jobRuns + jobKeys > 0) options.logger?.info(report, 'maintenance: finished work pruned');
    return report;
  };
  let maintenance: NodeJS.Timeout | null = null;
  const maintainLater = (ms: number) => {
    maintenance = setTimeout(() => {
      void maintain()
        .catch((err: unknown) => options.logger?.warn({ err: (err as Error).message }, 'maintenance failed; trying again later'))
        .finally(() => {
          if (maintenance) maintainLater(MAINTENANCE_MS);
        });
    }, ms);
    maintenance.unref();
  };

  // A branch is looked up with its repository's default branch (one query, two aliases), so a
  // caller can tell the default branch named from another one.
  const lookupRepo = async (ref: RepoRef): Promise<RepoLookup> => {
    const repository: RepoRef = { owner: ref.owner, repo: ref.repo };
    const heads = await fetchHeads(options.octokit, ref.branch ? [repository, ref] : [ref]);
    const head = heads.get(headKey(ref));
    const defaultHead = ref.branch ? heads.get(headKey(repository)) : undefined;
    const defaultBranch = defaultHead?.ok ? { defaultBranch: defaultHead.branch } : {};
    if (head?.ok) return { found: true, private: head.isPrivate, ...defaultBranch };
    // No such branch: the repository was read in the same query, so a caller falling back to it need not ask again.
    const noBranch = head?.reason === 'no-branch' ? { noBranch: true, ...(defaultHead?.ok ? { repository: { found: true, private: defaultHead.isPrivate } } : {}) } : {};
    return { found: false, private: false, message: head?.message ?? 'GitHub did not answer; try again in a minute', ...noBranch };
  };

  // The data sweeps read (the mirror when fresh, else OSV): an ignore is checked against what will match it.
  const lookupAdvisories = async (ids: string[]) => {
    const source = typeof options.advisories === 'function' ? options.advisories() : options.advisories;
    if (!source.byIds) throw new Error(`the ${source.kind} advisory source cannot look records up by id`);
    return source.byIds(ids);
  };

  const run = (command: WatchCommand, ctx: { userId: string; channelId: string; via?: Entry }): Promise<WatchReply> =>
    handleWatchCommand(command, { userId: ctx.userId, channelId: ctx.channelId, via: ctx.via ?? 'command', gate, state, scheduler, now: now(), defaultTimeZone: options.defaultTimeZone, lookupRepo, lookupAdvisories, ...(options.logger ? { logger: options.logger } : {}) });

  const handle = async (text: string, ctx: { userId: string; channelId: string; via?: Entry }): Promise<WatchReply | null> => {
    const command = parseWatchCommand(text);
    return command ? run(command, ctx) : null;
  };

  return {
    store,
    state,
    scheduler,
    sweeps,
    outbox,
    delivery: deliverer,
    gate,
    isAdmin,
    handleCommand: handle,
    watchButton: async ({ repo, userId, channelId, replyChannel }) => {
      try {
        parseRepoRef(repo);
      } catch (err) {
        return cannotReply(err instanceof RepoRefError ? err.message : String(err));
      }
      const target = replyChannel && replyChannel !== channelId ? ` <#${replyChannel}>` : '';
      const command = parseWatchCommand(`watch ${repo}${target}`)!;
      // The ref comes from an audit record: watched when it is a branch other than the default, else the default branch.
      return run(command.kind === 'watch' ? { ...command, auditBranch: true } : command, { userId, channelId, via: 'button' });
    },
    ignore: (input, ctx) => run({ kind: 'ignore', ...input }, ctx),
    alert: (id) => state.alert(id),
    fixSource: () => ({
      state,
      // The key almost always follows from the display, and one summary confirms it. A repository
      // GitHub renamed since it was watched is displayed by its new name under its old key: only
      // then are the watched repositories' summaries searched.
      repoKeyOf: async (display) => {
        const keys = await state.watchedRepos();
        const guess = repoKeyOfDisplay(display);
        if (keys.includes(guess) && ((await state.repoSummaries([guess])).get(guess)?.display ?? guess) === display) return guess;
        const summaries = await state.repoSummaries(keys);
        return keys.find((key) => (summaries.get(key)?.display ?? key) === display) ?? null;
      },
    }),
    runJob,
    maintain,
    start: () => {
      if (jobs) void workSweepBatches(jobs, sweepOptions, options.sweepBatches).catch((err: unknown) => options.logger?.error({ err: (err as Error).message }, 'cannot take sweep batches from the job queue'));
      scheduler.start();
      // Rows left by a crash, or put back after a failed send, go out without waiting for the
      // channel's next scheduled run.
      deliverer.start(OUTBOX_POLL_MS);
      if (!maintenance) maintainLater(60_000);
    },
    stop: async () => {
      if (maintenance) clearTimeout(maintenance);
      maintenance = null;
      await scheduler.stop();
      await deliverer.stop();
      await sweeps.idle();
      await deliverer.idle();
    },
  };
}
