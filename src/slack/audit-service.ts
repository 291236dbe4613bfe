/**
 * On-demand audits in Slack, between the thin listeners and the core: read the repository from
 * GitHub, audit it with the repository's Slack ignores, store the result, and post it (placeholder
 * first, then the result in place, overflow in the thread). Also the Ignore flow and App Home.
 *
 * Everything Slack-facing goes through fitMessage / fitView. Failures become one ephemeral message
 * with an error id that is logged next to the full error.
 */
import type { RespondFn, webApi } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { AdvisorySource } from '../advisories/types.js';
import type { AuditResult, PackageRegistry } from '../audit/audit.js';
import type { CardSources } from '../packages/card.js';
import type { PopularName } from '../packages/typosquat/popularity.js';
import { compareFindings, isFindingKind, type RatedSeverity } from '../audit/findings.js';
import { applyIgnores, isExpired, type IgnoreRule } from '../audit/ignores.js';
import { reasonsOf } from '../audit/partial.js';
import { partialLogFields } from '../audit/partial-log.js';
import type { Config } from '../config.js';
import type { StatusRegistry } from '../watch/digests.js';
import type { Octokit } from '../github/client.js';
import { formatRepoRef, htmlHostFromApiUrl, parseRepoRef, type RepoRef } from '../github/repo-ref.js';
import { lookUpRepository, resolveCommit, snapshotErrors, takeSnapshot, treeOfSnapshot, type ResolvedCommit, type SnapshotOptions, type SnapshotStats } from '../github/snapshot.js';
import type { Logger } from '../log.js';
import { isManifestPath, isProjectContextPath } from '../python/discover.js';
import type { AuditRecord } from '../store/audits.js';
import { SqliteAuditState } from '../store/audit-state/sqlite.js';
import type { AuditStateStore } from '../store/audit-state/types.js';
import type { Db } from '../store/db.js';
import { CodeScanStore } from '../store/code-scans.js';
import { scanCommit, type CommitRef } from '../github/commit-scan.js';
import { withCodeScan } from '../audit/code-scan.js';
import type { ScanResult } from '../scan/types.js';
import { WatchStore } from '../store/watches.js';
import { SqliteWatchState } from '../store/watch-state/sqlite.js';
import type { WatchStateStore } from '../store/watch-state/types.js';
import { auditingMessage, auditReply, findByToken, parseFindingButtonValue } from './blocks/audit-reply.js';
import { errorMessage, failedPlaceholder, undeliveredFailurePlaceholder, unexpectedFailurePlaceholder, withdrawnPlaceholder, type SlackMessage } from './blocks/errors.js';
import { errorLine } from '../error-line.js';
import { fitMessage, fitView, withClosingNotice, type FittedMessage } from './blocks/fit.js';
import { escapeMrkdwn } from './blocks/mrkdwn.js';
import { context } from './blocks/kit.js';
import { postPlaceholder, replaceThroughResponseUrl, slackErrorCode, type ReplyTarget } from './reply-target.js';
import { CHANNEL_PACE, ChannelPacer, rateLimitedRetryAfter, type PacedCallOptions } from './pacing.js';
import { editIdempotently, outcomeUnknown } from './idempotent-edit.js';
import { homeView } from './blocks/home.js';
import { IGNORE_BLOCKS, ignoreModal, ignoreReplacedNote, ignoreSavedView, readIgnoreSubmission, type StateValues } from './blocks/ignore-modal.js';
import { ignoredIdWarning } from './blocks/watch-reply.js';
import { checkIgnoredAdvisory, type AdvisoryCheck } from '../watch/commands.js';
import type { AccessGate } from '../authz/gate.js';
import type { Requester } from '../authz/policy.js';
import { metadataNumber, type ViewMetadataSeal } from './view-metadata.js';
import { AccessRefusedError, logLevelOf, NoManifestsError, toUserError, type UserError } from './errors.js';
import { runHere, type AuditRunner } from '../workers/audit-runner.js';
import type { FixPrContext } from './fix-pr-flow.js';
import { AnsweredPrivately, auditKey, AuditsInFlight, type RunningAudit } from './audits-in-flight.js';

type WebClient = webApi.WebClient;

/** The outside world an audit needs, built once by main.ts (or by a test, pointed at fakes). */
export interface BotServices {
  github: Octokit;
  /** A fresh advisory source per audit (the OSV-with-mirror-fallback source keeps per-audit state). */
  advisories: (now: Date) => AdvisorySource;
  /** PyPI; null skips outdated and yanked checks. */
  registry: PackageRegistry | null;
  /** PyPI with PEP 792 project status (quarterly digests); absent in tests that do not watch. */
  statusRegistry?: StatusRegistry | null;
  /** Brings the local advisory mirror up to date before a sweep (OSV's bulk delta); optional. */
  refreshAdvisories?: () => Promise<void>;
  /**
   * Where parsing, matching and rules run: main.ts gives worker threads (runInWorkers) so acks never
   * wait for a big manifest; default: this thread.
   */
  runner?: AuditRunner;
  /**
   * The watched repositories' packages as popular names (watchedNamesEvery over the watch state,
   * PostgreSQL's with DATABASE_URL): typosquat targets for audits and package cards alike.
   */
  watchedNames: () => Promise<PopularName[]>;
  /** Sources for package health cards (`/audit package`, pull-request reviews); absent: not offered. */
  packageCards?: () => Promise<CardSources>;
}

export interface AuditServiceOptions {
  config: Pick<Config, 'timeZone'> & Partial<Pick<Config, 'fixPullRequests' | 'codeScan' | 'fingerprintKey'>> & { github: Pick<Config['github'], 'apiUrl'> };
  db: Db;
  logger: Logger;
  services: BotServices;
  now?: () => Date;
  /** What the other features add to App Home: watched repositories and open incidents. */
  home?: HomeSections;
  /** Who may add ignores (src/authz). */
  gate: AccessGate;
  /** Seals the Ignore modal's metadata to the person and channel it was opened for. */
  seal: ViewMetadataSeal;
  /** Audits, ignores and fix pull requests (PostgreSQL with DATABASE_URL: any replica answers a button); default: `db`. */
  state?: AuditStateStore;
  /** The watch state's channel settings and ignores (`/audit ignore`); default: `db`. */
  watchState?: Pick<WatchStateStore, 'channelUnknownAs' | 'ignoreRulesForChannel'>;
  /** Every reply post and edit per channel, shared with everything else posting (bot.ts); default: one at CHANNEL_PACE. */
  pacer?: ChannelPacer;
}

/**
 * Thread continuations one reply posts at most. A monorepo's reply can need a hundred: posted they
 * flood the channel and keep it busy for minutes (and again at every Ignore… click, which re-renders
 * them). Past these, the last one says what was left out and where the whole list is.
 */
export const MAX_REPLY_CONTINUATIONS = 9;


export interface HomeSections {
  /** Every watch, with what App Home needs to decide who may see it. */
  watched(): Promise<{ repo: string; channel: string; private: boolean; addedBy: string }[]>;
  /** The open incidents this person may see (src/incidents/home.ts). */
  incidents(viewer: { userId: string; admin: boolean }): KnownBlock[] | Promise<KnownBlock[]>;
}

export interface AuditRequest {
  ref: RepoRef;
  user: string;
  /** Channel to post in (a DM channel for App Home audits). */
  channel: string;
  client: WebClient;
  /** The slash command's response_url: errors go there ephemerally, and it is the fallback reply path. */
  respond?: RespondFn;
  /** Where it was asked: a slash command (in `channel`), or App Home (the reply goes to the requester's DM). */
  via: 'command' | 'home';
  /** The pull request the URL given pointed into: the repository is audited, and the requester told the number was ignored. */
  ignoredPullRequest?: number;
}

export interface AuditOutcome {
  record: AuditRecord;
  stats: SnapshotStats;
  /** The audit whose result this one reuses (an identical audit was running when it was asked); absent when it ran itself. */
  mergedInto?: number;
}

/** What the requester's side hands an audit: its gate (`admit`), its stages, the channel asked in and that channel's ignores. */
type AuditStages = { admit?: SnapshotOptions['admit']; resolved?: SnapshotOptions['resolved']; onFirstStage?: (record: AuditRecord) => void; channelIgnores?: IgnoreRule[]; channel?: string };

/** Re-applies ignores to a stored result (no new GitHub or OSV calls): findings move between open and ignored. */
export function applySlackIgnores(result: AuditResult, rules: IgnoreRule[], now: Date): AuditResult {
  const all = [...result.findings, ...result.ignored];
  const { findings, notes } = applyIgnores(all, rules, now);
  const sorted = findings.sort((a, b) => compareFindings(a, b, result.unknownAs));
  const slackRuleSources = new Set(rules.map((r) => r.source));
  return {
    ...result,
    findings: sorted.filter((f) => !f.ignoredBy),
    ignored: sorted.filter((f) => f.ignoredBy),
    notes: [...result.notes.filter((n) => !n.rule || !slackRuleSources.has(n.rule.source)), ...notes],
  };
}

/**
 * The channel's `/audit ignore` rules an audit in that channel applies: those still in force. An
 * expired one is no news about this repository (the channel's ignores cover every repository it
 * watches), so it is said by `/audit list`, not by every reply.
 */
function activeChannelIgnores(rules: readonly IgnoreRule[], now: Date): IgnoreRule[] {
  return rules.filter((r) => !isExpired(r, now));
}

/**
 * The audit's notes without "matches nothing; remove it" for the channel's ignores: a channel
 * ignore is for whichever of its repositories has the advisory, and one this repository lacks is
 * no stale rule (the repository's own ignores still say so).
 */
function withoutChannelStaleNotes(result: AuditResult, channelRules: readonly IgnoreRule[]): AuditResult {
  if (channelRules.length === 0) return result;
  // By source: the rules come back from the audit's worker thread as copies.
  const sources = new Set(channelRules.map((r) => r.source));
  return { ...result, notes: result.notes.filter((n) => !(n.kind === 'stale' && n.rule && sources.has(n.rule.source))) };
}

/**
 * A first stage whose audit then failed: nothing is coming any more, so what was pending becomes a
 * reason the stored result is partial (App Home, a re-render after an ignore). A result with nothing
 * pending (the complete one, stored before a later step failed) is kept as it is.
 */
export function stageFailed(result: AuditResult, errorId: string): AuditResult {
  const pending = result.pending ?? [];
  if (!pending.length) return result;
  const warning = `the audit failed before these were checked (error id ${errorId}): ${pending.join('; ')}`;
  const { pending: _done, ...rest } = result;
  return { ...rest, partial: true, warnings: [...result.warnings, warning], partialReasons: [...reasonsOf(result), { kind: 'data-source', message: warning }] };
}

export class SlackAuditService {
  /** Audits run from Slack, their ignores and the fix pull requests opened from them. */
  readonly state: AuditStateStore;
  /** Code and configuration scans by commit. */
  readonly codeScans: CodeScanStore;
  /** Channel settings (how unrated advisories count there) live with the watch state. */
  private readonly watchState: Pick<WatchStateStore, 'channelUnknownAs' | 'ignoreRulesForChannel'>;
  private readonly now: () => Date;
  private readonly hosts: string[];
  private readonly pending = new Set<Promise<void>>();
  /** Per audit, the reply edit under way: edits of one reply (a stage, an ignore) run one after another. */
  private readonly replyEdits = new Map<number, Promise<unknown>>();
  /** Resolutions and audits running now, shared by identical requests; each person's audits counted. */
  private readonly inFlight = new AuditsInFlight<AuditOutcome>();
  /** Every post, edit and delete of a reply, per channel at Slack's pace (the bot's shared ChannelPacer). */
  private readonly pacer: ChannelPacer;

  constructor(private readonly options: AuditServiceOptions) {
    this.pacer = options.pacer ?? new ChannelPacer({ ...CHANNEL_PACE, logger: options.logger });
    this.state = options.state ?? new SqliteAuditState(options.db);
    this.codeScans = new CodeScanStore(options.db);
    this.watchState = options.watchState ?? new SqliteWatchState(new WatchStore(options.db));
    this.now = options.now ?? (() => new Date());
    this.hosts = [...new Set(['github.com', 'www.github.com', htmlHostFromApiUrl(options.config.github.apiUrl)])];
  }

  /** Parses what the user typed; throws RepoRefError with a message meant for them. */
  parseRef(text: string): RepoRef {
    return parseRepoRef(text, { hosts: this.hosts });
  }

  /** Runs an audit in the background (the caller has already acked); `idle()` waits for it. */
  start(request: AuditRequest): void {
    this.track(this.run(request));
  }

  /** Tracks background work so tests and shutdown can wait for it. */
  track(work: Promise<void>): void {
    const p = work.catch((err: unknown) => this.options.logger.error({ err }, 'background Slack work failed'));
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Answers one audit request; until it is answered, it counts as the requester's (audits-in-flight.ts). */
  async run(request: AuditRequest): Promise<void> {
    const presence = this.inFlight.enter(request.user);
    try {
      await this.answer(request, presence.alone);
    } finally {
      presence.leave();
    }
  }

  /** `alone`: the requester has no other request in progress (an admin's placeholder may go out at once). */
  private async answer(request: AuditRequest, alone: boolean): Promise<void> {
    const label = formatRepoRef(request.ref);
    const log = this.options.logger.child({ repo: label, user: request.user, channel: request.channel });
    const requester: Requester = { userId: request.user, channel: request.via === 'home' ? null : request.channel, via: request.via };
    // "Auditing…", and where the reply will live. An admin may be shown any repository GitHub lets
    // Depwatch read: reading GitHub does not wait for it, both start now. Anyone else's is posted
    // once GitHub has said the repository may be shown here (`admit`, early in the audit), so a
    // refused audit leaves nothing in the channel. A failed post is handled where `placing` is
    // awaited (below, or by the first stage); the catch only keeps it from counting as unhandled
    // while nothing awaits it yet.
    const post = (): Promise<ReplyTarget> => {
      const posting = this.postPlaceholder(request, auditingMessage(label, request.user));
      posting.catch(() => undefined);
      return posting;
    };
    let placing: Promise<ReplyTarget> | null = null;
    let target: ReplyTarget | null = null;
    // The vulnerability result goes out as soon as it is known (PyPI is still being read); the
    // complete result replaces it. A first stage that could not be posted leaves the second to try.
    let firstStage: Promise<boolean> | null = null;
    let firstStageId: number | null = null;
    try {
      if (this.options.gate.isAdmin(request.user) && alone) placing = post();
      const unknownAs = (await this.watchState.channelUnknownAs(request.channel)) ?? undefined;
      // `/audit ignore` stops reporting an advisory in this channel: its replies too, not only its alerts and digests.
      const channelIgnores = await this.watchState.ignoreRulesForChannel(request.channel);
      const auditing = this.auditRepository(request.ref, request.user, unknownAs, {
        channelIgnores,
        channel: request.channel,
        admit: ({ owner, repo, private: isPrivate }) => {
          const decision = this.options.gate.check(requester, { kind: 'audits', verb: 'post', channel: request.channel, repo: { name: `${owner}/${repo}`, private: isPrivate } });
          if (!decision.allowed) throw new AccessRefusedError(decision.reason);
        },
        // Once the ref is a commit too: a typo in it is answered to the requester alone, posting nothing.
        resolved: () => {
          placing ??= post();
        },
        onFirstStage: (record) => {
          firstStageId = record.id;
          // After `resolved`: the placeholder is posted or on its way.
          firstStage = (placing ??= post())
            .then(async (placed) => {
              if (placed.mode === 'chat') await this.state.setReply(record.id, placed.channel, placed.ts);
              await this.deliverFirstStage(request, placed, record);
              return true;
            })
            .catch((err: unknown) => {
              log.warn({ err, auditId: record.id }, 'could not post the first stage of the audit');
              return false;
            });
        },
      });
      // Whatever happens to the placeholder, shutdown and tests wait for the audit to settle.
      this.track(auditing.then(() => undefined, () => undefined));
      // An admin's placeholder is awaited first (a failed post is the failure told). Anyone else's
      // exists only once the audit is past `admit` and its ref is a commit (`resolved`): a refusal, a
      // repository or ref GitHub does not have, or any failure before GitHub answered, ends at
      // `await auditing` with nothing posted.
      if (placing) target = await placing;
      const outcome = await auditing;
      // An audit that never asked `admit` (none does today) still posts its placeholder.
      const placed = target ?? (target = await (placing ??= post()));
      const firstSent = (await (firstStage as Promise<boolean> | null)) ?? false;
      // A delivered first stage stored where its reply lives (moved there, if Slack refused its edit).
      if (placed.mode === 'chat' && !firstSent) await this.state.setReply(outcome.record.id, placed.channel, placed.ts);
      // Partial says why, as the reply does: an operator reading the log learns OSV or PyPI was down.
      log.info({ auditId: outcome.record.id, sha: outcome.record.sha, ...(outcome.mergedInto !== undefined ? { mergedInto: outcome.mergedInto } : {}), findings: outcome.record.result.findings.length, staged: firstStage !== null, ...outcome.stats, ...partialLogFields(reasonsOf(outcome.record.result)) }, 'audit posted');
      await this.deliver(request, placed, outcome.record, firstSent && placed.mode === 'respond' ? 1 : 0);
      if (request.ignoredPullRequest !== undefined) {
        await this.tellPrivately(request, pullRequestIgnored(label, request.ignoredPullRequest)).catch((e: unknown) => log.warn({ err: e }, 'could not say that the pull request part of the URL was ignored'));
      }
    } catch (err) {
      if (err instanceof AnsweredPrivately) {
        // Over the limit, or already being answered here: one line to them, and nothing left in the channel.
        log.info({ reason: err.line }, 'audit request answered privately, not run');
        await this.tellPrivately(request, err.line).catch((e: unknown) => log.error({ err: e }, 'could not tell the user why the audit did not run'));
        const posted = target ?? (placing ? await (placing as Promise<ReplyTarget>).catch(() => null) : null);
        if (posted) await this.withdrawPlaceholder(request, posted).catch((e: unknown) => log.warn({ err: e }, 'could not withdraw the placeholder of an audit not run'));
        return;
      }
      if (err instanceof AccessRefusedError) {
        // The gate kept the refusal; the person alone is told why.
        await this.tellPrivately(request, escapeMrkdwn(err.reason)).catch((e: unknown) => log.error({ err: e }, 'could not tell the user that the audit was refused'));
        return;
      }
      // A placeholder posted before the audit failed is replaced by the failure; a placeholder that
      // could not be posted is the failure told (as when it is awaited first).
      let failure = err;
      if (target === null && placing !== null) {
        try {
          target = await placing;
        } catch (postError) {
          failure = postError;
        }
      }
      const userError = toUserError(failure);
      log[logLevelOf(userError.problem)]({ err: failure, errorId: userError.errorId, problem: userError.problem.kind }, 'audit failed');
      // A first stage still being delivered would overwrite the failure with "Still coming…": it is
      // waited for (it never rejects), and its stored row no longer says checks are coming.
      await (firstStage as Promise<boolean> | null);
      const staged = firstStageId as number | null;
      if (staged !== null) {
        await this.state
          .reviseResult(staged, (record) => stageFailed(record.result, userError.errorId))
          .catch((e: unknown) => log.error({ err: e, auditId: staged }, 'could not mark the first stage of a failed audit'));
      }
      await this.deliverError(request, target, userError, label, staged).catch((e: unknown) =>
        log.error({ err: e, errorId: userError.errorId }, 'could not tell the user that the audit failed'),
      );
    }
  }

  /**
   * Snapshot + audit + store. Throws the errors of src/github/errors.ts and NoManifestsError, and
   * what `admit` throws to refuse the repository GitHub describes (then nothing more is read or
   * stored). With `onFirstStage`, the vulnerability result is stored first (outdated and yanked
   * checks pending) and handed over, then completed in place: the returned record is always the
   * complete one.
   *
   * Identical requests are merged (audits-in-flight.ts): the repository is looked up once for all
   * asking at once, each asks its own `admit`, and the ref is resolved once for those admitted; while an audit of the same commit with the same options runs, a request waits for it and
   * stores its result as an audit of its own (no first stage), or, when `channel` already gets that
   * answer, is told so privately (AnsweredPrivately). An audit that would run itself counts against
   * its requester's limit (AnsweredPrivately past it).
   */
  async auditRepository(ref: RepoRef, requestedBy: string | null, unknownAs?: RatedSeverity, stages: AuditStages = {}): Promise<AuditOutcome> {
    const { services } = this.options;
    // What the repository is (shared), then this requester's own `admit`, and only then its ref
    // (shared among those admitted): someone refused is told so whatever ref they named, and costs
    // no branch lookup (SnapshotOptions.admit).
    const repository = await this.inFlight.lookUp(ref, () => lookUpRepository(services.github, ref));
    stages.admit?.({ owner: repository.owner, repo: repository.repo, private: repository.private });
    const commit = await this.inFlight.resolve(ref, () => resolveCommit(services.github, repository, ref, { nameBranch: true }));
    const channelIgnores = activeChannelIgnores(stages.channelIgnores ?? [], this.now());
    const key = auditKey(commit, { unknownAs: unknownAs ?? null, channelIgnores });
    const running = this.inFlight.find(key);
    if (running) return this.joinAudit(running, commit, requestedBy, stages);
    const label = `${commit.owner}/${commit.repo}`;
    const led = this.inFlight.lead(key, { user: requestedBy ?? '', channel: stages.channel ?? '', label, sha: commit.sha }, () => {
      stages.resolved?.();
      return this.runAudit(commit, requestedBy, unknownAs, stages, channelIgnores);
    });
    return led.outcome;
  }

  /** A request for an audit running now: its own stored row with that audit's complete result, or a pointer to it in this channel. */
  private async joinAudit(running: RunningAudit<AuditOutcome>, commit: ResolvedCommit, requestedBy: string | null, stages: AuditStages): Promise<AuditOutcome> {
    if (stages.channel !== undefined) {
      if (running.channels.has(stages.channel)) throw new AnsweredPrivately(alreadyAnsweredHere(running));
      running.channels.add(stages.channel);
    }
    stages.resolved?.();
    const leader = await running.outcome;
    const stored = { repo: `${commit.owner}/${commit.repo}`, ref: commit.ref, requestedBranch: commit.namedBranch, sha: commit.sha, htmlUrl: commit.htmlUrl, createdAt: this.now(), requestedBy, private: commit.private };
    const record = await this.state.insertAudit({ ...stored, result: leader.record.result });
    // Nothing was read for this one: its log line says so rather than repeat the other's figures.
    return { record, stats: { requests: 0, treeRequests: 0, blobsFetched: 0, blobsCached: 0, truncated: leader.stats.truncated }, mergedInto: leader.record.id };
  }

  /** The audit itself, of a resolved and admitted commit. */
  private async runAudit(commit: ResolvedCommit, requestedBy: string | null, unknownAs: RatedSeverity | undefined, stages: AuditStages, channelIgnores: IgnoreRule[]): Promise<AuditOutcome> {
    const { services, db, logger } = this.options;
    const ref: RepoRef = { owner: commit.owner, repo: commit.repo, branch: commit.ref };
    const snapshot = await takeSnapshot(services.github, db, ref, { select: isManifestPath, selectInterpreter: isProjectContextPath, logger, nameBranch: true, reads: (services.runner ?? runHere).reads, resolution: commit });
    const repo = `${snapshot.owner}/${snapshot.repo}`;
    // Manifests `exclude:` kept out were not downloaded, but are there: the audit says what it left out.
    const manifests = [...snapshot.files, ...snapshot.excluded].filter((f) => f.kind === 'manifest');
    // "No manifests" only when the whole tree was read: a tree listed in part (errors with no path),
    // a manifest that could not be read, or git submodules (other repositories, whose files a
    // snapshot never has: their requirements may be what the project installs) is audited as a
    // partial result that says what was missed, as the CLI audits it: the submodules' notice and
    // "nothing was checked", never a reply that reads as a repository with nothing to worry about.
    if (manifests.length === 0 && snapshot.errors.length === 0 && !snapshot.submodules?.length) throw new NoManifestsError(repo, snapshot.sha, snapshot.htmlUrl);
    const now = this.now();
    const ignoresAtStart = await this.state.ignoreRulesForRepo(repo);
    const stored = { repo, ref: snapshot.ref, requestedBranch: snapshot.namedBranch, sha: snapshot.sha, htmlUrl: snapshot.htmlUrl, createdAt: now, requestedBy, private: snapshot.private };
    // The code scan downloads and unpacks while the audit matches: both start now.
    const scanning = this.scanCode({ owner: snapshot.owner, repo: snapshot.repo, sha: snapshot.sha }, ignoresAtStart, now);
    // The first stage's row, stored while the rest of the audit runs (its insert is awaited below).
    let firstRecord: Promise<AuditRecord> | null = null;
    const onFirstStage = stages.onFirstStage;
    const auditing = (services.runner ?? runHere).auditTree(
      {
        ...treeOfSnapshot(snapshot),
        target: `${repo}@${snapshot.sha}`,
        now,
        extraIgnores: [...ignoresAtStart, ...channelIgnores],
        extraErrors: snapshotErrors(snapshot),
        ...(unknownAs ? { unknownAs } : {}),
        knownNames: await services.watchedNames(),
      },
      { advisories: services.advisories(now), registry: services.registry },
      onFirstStage
        ? {
            onFirstStage: (first) => {
              const pending = scanning ? [...(first.pending ?? []), 'the code and configuration scan'] : first.pending;
              const shown = withoutChannelStaleNotes(first, channelIgnores);
              firstRecord = this.state.insertAudit({ ...stored, result: pending ? { ...shown, pending } : shown });
              firstRecord.then(onFirstStage, () => undefined);
            },
          }
        : undefined,
    );
    const audited = await auditing.then(
      ({ result }) => result,
      async (err: unknown) => {
        // A failure after the first stage: its row is stored and handed over first, so the caller
        // knows there is a first stage to wait for and to mark failed.
        await (firstRecord as Promise<AuditRecord> | null)?.catch(() => undefined);
        throw err;
      },
    );
    const result = withoutChannelStaleNotes(scanning ? withCodeScan(audited, await scanning) : audited, channelIgnores);
    const first = await (firstRecord as Promise<AuditRecord> | null);
    if (!first) return { record: await this.state.insertAudit({ ...stored, result }), stats: snapshot.stats };
    // Someone may have pressed Ignore… on the first stage (on any replica): the complete result keeps
    // that ignore. The revision reads the ignores with the audit's row locked, so none slips between.
    const record = await this.state.reviseResult(first.id, (_, ignoresNow) =>
      JSON.stringify(ignoresNow) === JSON.stringify(ignoresAtStart) ? result : applySlackIgnores(result, ignoresNow, now),
    );
    if (!record) throw new Error('audit row vanished after its first stage');
    return { record, stats: snapshot.stats };
  }

  /** The commit's code scan (cached by commit), or null when code scanning is off. */
  private scanCode(commit: CommitRef, ignores: IgnoreRule[], now: Date): Promise<ScanResult> | null {
    const { config, services } = this.options;
    if (config.codeScan !== true || !config.fingerprintKey) return null;
    const deps = { github: services.github, store: this.codeScans, runner: services.runner ?? runHere, fingerprintKey: config.fingerprintKey };
    return scanCommit(deps, commit, ignores, now).then(({ result }) => result);
  }

  /** The reply for a stored audit, fitted: the message and its thread replies. */
  async render(record: AuditRecord): Promise<ReturnType<typeof fitMessage>> {
    const enabled = this.options.config.fixPullRequests === true;
    const fixPr = { enabled, pull: enabled ? ((await this.state.fixPull(record.id)) ?? null) : null };
    return fitMessage(auditReply({ ...record, auditId: record.id, fixPr }));
  }

  private postPlaceholder(request: AuditRequest, message: SlackMessage): Promise<ReplyTarget> {
    return postPlaceholder({ client: request.client, channel: request.channel, respond: request.respond, command: '/audit', logger: this.options.logger, pacer: this.pacer }, fitMessage(message).first);
  }

  /** The first stage: in a message, the whole reply (thread included); through response_url, its first message. */
  private async deliverFirstStage(request: AuditRequest, target: ReplyTarget, record: AuditRecord): Promise<void> {
    if (target.mode === 'chat') {
      await this.editReply(request.client, record.id, target.channel, target.ts);
      return;
    }
    // response_url cannot edit its follow-ups: the thread waits for the complete result.
    const { first } = await this.render(record);
    await target.respond({ response_type: 'in_channel', replace_original: true, text: first.text, blocks: first.blocks });
  }

  /** The complete result. `usedPosts`: response_url posts already spent on earlier stages. */
  private async deliver(request: AuditRequest, target: ReplyTarget, record: AuditRecord, usedPosts = 0): Promise<void> {
    if (target.mode === 'chat') {
      await this.editReply(request.client, record.id, target.channel, target.ts);
      return;
    }
    await replaceThroughResponseUrl(target.respond, await this.render(record), { advice: 'invite me to this channel to get the whole report in a thread.', usedPosts });
  }

  /**
   * Brings a posted reply in line with its stored audit: the message itself, then each thread
   * continuation (updated in place, posted when there are more now, deleted when fewer are needed),
   * their ts kept with the audit. Edits of one reply never interleave.
   */
  private editReply(client: WebClient, auditId: number, channel: string, ts: string): Promise<void> {
    return this.queueEdit(auditId, () => this.syncReply(client, auditId, channel, ts));
  }

  /** Runs `work` on the reply of `auditId` once every edit of it queued before has settled. */
  private queueEdit(auditId: number, work: () => Promise<void>): Promise<void> {
    const previous = this.replyEdits.get(auditId) ?? Promise.resolve();
    const edit = previous.catch(() => undefined).then(work);
    this.replyEdits.set(auditId, edit);
    void edit.finally(() => {
      if (this.replyEdits.get(auditId) === edit) this.replyEdits.delete(auditId);
    }).catch(() => undefined);
    return edit;
  }

  private async syncReply(client: WebClient, auditId: number, channel: string, placedTs: string): Promise<void> {
    const record = await this.state.getAudit(auditId);
    if (!record) return;
    const rendered = await this.render(record);
    // Where the reply lives: the stored message, which moves when Slack refuses an edit of it (below).
    let ts = record.channel === channel && record.ts ? record.ts : placedTs;
    /** The thread's continuations as last synced (moveReply retires them with the old message). */
    let previous = record.replyParts;
    let moved = false;
    // The message itself shown; true when Slack refused the edit (the message deleted, no longer
    // editable) or never answered through every try, and the reply moved to a new message holding
    // `message`: a finished audit is never lost to a failed edit, and never posted twice for an edit
    // Slack may have made (those are tried again first: updateMessage). Once per sync; a second
    // failure is the failure.
    const show = async (message: FittedMessage, options: PacedCallOptions = {}): Promise<boolean> => {
      try {
        await this.updateMessage(client, channel, ts, message, options);
        return false;
      } catch (err) {
        if (moved) throw err;
        moved = true;
        this.options.logger.warn({ err, auditId, channel, ts }, outcomeUnknown(err) ? 'Slack did not answer the edit of the audit reply after every try; posting it as a new message' : 'Slack refused the edit of the audit reply; posting it as a new message');
        ts = await this.moveReply(client, auditId, channel, { ts, parts: previous ?? [] }, message);
        if (previous !== null) previous = [];
        return true;
      }
    };
    if (previous === null) {
      // Its thread is not known (a reply posted before continuations were kept): the message only,
      // rather than a second copy of the thread.
      await show(rendered.first, { answer: true });
      return;
    }
    const { first } = rendered;
    const replies = cappedContinuations(rendered.replies, record);
    const total = rendered.replies.length + 1;
    // Twice at most: again, from a thread of nothing, once the reply has moved to a new message.
    for (;;) {
      const before: string[] = previous;
      const parts: string[] = [];
      // With no thread yet (a first stage), the message goes first: it is the answer people wait
      // for, ahead of every other reply's thread in the channel. With a thread already there, the
      // message changes last, once its thread agrees with it.
      const messageFirst = before.length === 0;
      let undelivered: { part: number; err: unknown } | null = null;
      try {
        if (messageFirst) await show(first, { answer: true });
        for (const [i, reply] of replies.entries()) {
          try {
            const existing = before[i];
            if (existing && (await this.updateIfThere(client, channel, existing, reply))) {
              parts.push(existing);
              continue;
            }
            const posted = await this.pacer.run(channel, () => client.chat.postMessage({ channel, thread_ts: ts, text: reply.text, blocks: reply.blocks }));
            if (posted.ts) parts.push(posted.ts);
          } catch (err) {
            // The results are in the message already: one part Slack refused (or kept rate limiting)
            // costs that part and those after it, said in the message, never the whole reply.
            undelivered = { part: i + 2, err };
            break;
          }
        }
        const kept = [...parts, ...before.slice(parts.length)];
        if (undelivered) {
          this.options.logger.warn({ err: undelivered.err, auditId, channel, part: undelivered.part, parts: total }, 'could not post a part of the audit reply; the reply says it is incomplete');
          // What was not reached stays known, so the next edit (an ignore) still finds and fixes it.
          await this.state.setReplyParts(auditId, kept);
          previous = kept;
          if (await show(withClosingNotice(first, (dropped) => context(undeliveredNotice(record.repo, undelivered!, total, dropped))))) continue;
          return;
        }
        for (const extra of before.slice(replies.length)) await this.retire(client, channel, extra);
        await this.state.setReplyParts(auditId, parts);
        previous = parts;
        if (!messageFirst && (await show(first))) continue;
        return;
      } catch (err) {
        // What was not reached stays known, so the next edit (an ignore) still finds and fixes it.
        await this.state.setReplyParts(auditId, [...parts, ...before.slice(parts.length)]);
        throw err;
      }
    }
  }

  /**
   * The reply posted again as a new message holding `message` (Slack refused to edit the old one),
   * kept with the audit so buttons and ignores edit it from now on; the old message and its thread
   * deleted where Slack lets them be (a message already gone is nothing to delete). Returns its ts.
   */
  private async moveReply(client: WebClient, auditId: number, channel: string, old: { ts: string; parts: readonly string[] }, message: FittedMessage): Promise<string> {
    const posted = await this.pacer.run(channel, () => client.chat.postMessage({ channel, text: message.text, blocks: message.blocks }), { answer: true });
    if (!posted.ts) throw new Error('chat.postMessage answered without a ts');
    await this.state.setReply(auditId, channel, posted.ts);
    await this.state.setReplyParts(auditId, []);
    const stale = { text: 'This audit reply moved to a newer message below.', blocks: [context('This audit reply moved to a newer message below.')] };
    for (const [ts, what] of [...old.parts.map((p) => [p, 'a reply continuation'] as const), [old.ts, 'the audit reply Slack would not edit'] as const]) {
      await this.retire(client, channel, ts, stale, what).catch((err: unknown) => this.options.logger.warn({ err, auditId, channel, ts }, `could not delete or replace ${what}; it stays`));
    }
    return posted.ts;
  }

  /**
   * chat.update of a message of the reply, at the channel's pace, sent again while its outcome is
   * unknown (a timeout, a lost connection, a 5xx, a rate limit: idempotent-edit.ts). Throws what
   * Slack refused, or the last failure once the tries ran out.
   */
  private updateMessage(client: WebClient, channel: string, ts: string, message: { text: string; blocks: KnownBlock[] }, options: PacedCallOptions = {}): Promise<unknown> {
    return editIdempotently(() => this.pacer.run(channel, () => client.chat.update({ channel, ts, text: message.text, blocks: message.blocks }), options), {
      onRetry: (err, attempt, waitMs) => this.options.logger.warn({ err, channel, ts, attempt, waitMs }, 'the edit of an audit reply got no clear answer from Slack; sending it again'),
    });
  }

  /** chat.update of a continuation; false when it is gone (someone deleted it), so a new one is posted. */
  private async updateIfThere(client: WebClient, channel: string, ts: string, message: { text: string; blocks: KnownBlock[] }): Promise<boolean> {
    try {
      await this.updateMessage(client, channel, ts, message);
      return true;
    } catch (err) {
      if (slackErrorCode(err) === 'message_not_found') return false;
      throw err;
    }
  }

  /**
   * A message of ours no longer needed (a reply continuation, a withdrawn placeholder): deleted
   * (chat:write lets the bot delete its own messages), else replaced by `instead`, saying `what` in the log.
   */
  private async retire(
    client: WebClient,
    channel: string,
    ts: string,
    instead: { text: string; blocks: KnownBlock[] } = { text: '(nothing more)', blocks: [context('(nothing more)')] },
    what = 'a reply continuation',
  ): Promise<void> {
    try {
      await this.pacer.run(channel, () => client.chat.delete({ channel, ts }));
    } catch (err) {
      if (slackErrorCode(err) === 'message_not_found') return;
      this.options.logger.warn({ err, channel, ts }, `could not delete ${what}; replacing it`);
      // An edit of the reply's as any other (updateMessage): sent again while its outcome is unknown.
      await this.updateMessage(client, channel, ts, instead);
    }
  }

  /** One message only the requester sees: ephemeral under the command, else in their DM with the bot (App Home). */
  private async tellPrivately(request: AuditRequest, text: string): Promise<void> {
    if (request.respond) await request.respond({ response_type: 'ephemeral', replace_original: false, text });
    else await request.client.chat.postMessage({ channel: request.channel, text });
  }

  /**
   * The failure in place of the reply. `stagedId`: the audit whose first stage was posted there; the
   * failure then goes through that reply's edit queue (after any edit under way) and retires the
   * first stage's thread continuations, so nothing is left saying "Still coming…".
   */
  private async deliverError(request: AuditRequest, target: ReplyTarget | null, error: UserError, label: string, stagedId: number | null = null): Promise<void> {
    const message = fitMessage(errorMessage(error, { now: this.now(), timeZone: this.options.config.timeZone })).first;
    // In a channel the message says only that it failed; a DM (App Home audit) has one reader, who gets the details there.
    let inPlace = request.respond ? fitMessage(failedPlaceholder(label, request.user, error.errorId)).first : message;
    // A mistake in the request (a repository or ref GitHub does not show, a malformed ref) is the
    // requester's alone: once they are told privately, the "Auditing…" the channel saw is removed,
    // as nothing is posted for a request GitHub refuses before the placeholder. One answer, to them.
    let theirMistake = (error.problem.kind === 'not-visible' || error.problem.kind === 'bad-input') && stagedId === null;
    // An unexpected failure has no details for the requester beyond its id: said once, in the reply's place.
    const saidInPlace = error.problem.kind === 'unexpected' && target !== null && request.respond !== undefined;
    if (saidInPlace) inPlace = fitMessage(unexpectedFailurePlaceholder(label, error.errorId)).first;
    if (request.respond && !saidInPlace) {
      try {
        await request.respond({ response_type: 'ephemeral', replace_original: false, text: message.text, blocks: message.blocks });
      } catch (err) {
        theirMistake = false;
        // response_url expires (30 minutes, five posts). A reply the bot posted is still edited below,
        // saying the details did not arrive, instead of "Auditing…" staying for good.
        if (target?.mode === 'respond') throw placeholderStays(err);
        if (target?.mode !== 'chat') throw err;
        this.options.logger.warn({ err, errorId: error.errorId, channel: request.channel }, 'could not tell the requester privately (response_url failed); the reply says so');
        inPlace = fitMessage(undeliveredFailurePlaceholder(label, error.errorId)).first;
      }
    }
    if (theirMistake && request.respond && target) return this.withdrawPlaceholder(request, target);
    if (target?.mode === 'chat') {
      const { channel } = target;
      // The failure is the answer now: ahead of what is queued in the channel.
      const replace = (ts: string) => this.updateMessage(request.client, channel, ts, inPlace, { answer: true }).then(() => undefined);
      if (stagedId === null) return replace(target.ts);
      return this.queueEdit(stagedId, async () => {
        // Where the first stage lives: moved to a new message if Slack refused its edit (moveReply).
        const staged = await this.state.getAudit(stagedId);
        await replace(staged?.channel === channel && staged.ts ? staged.ts : target.ts);
        for (const part of staged?.replyParts ?? []) await this.retire(request.client, channel, part);
        await this.state.setReplyParts(stagedId, []);
      });
    }
    if (target?.mode === 'respond') {
      await target.respond({ response_type: 'in_channel', replace_original: true, text: inPlace.text, blocks: inPlace.blocks }).catch((err: unknown) => {
        throw placeholderStays(err);
      });
    } else if (!request.respond) await request.client.chat.postMessage({ channel: request.channel, text: message.text, blocks: message.blocks });
  }

  /** The "Auditing…" placeholder deleted (its requester was told privately why there is no audit); a neutral line when it cannot be. */
  private async withdrawPlaceholder(request: AuditRequest, target: ReplyTarget): Promise<void> {
    if (target.mode === 'respond') {
      await target.respond({ delete_original: true }).catch((err: unknown) => {
        throw placeholderStays(err);
      });
      return;
    }
    await this.retire(request.client, target.channel, target.ts, withdrawnPlaceholder(request.user), 'the audit placeholder');
  }

  // ------------------------------------------------------------------ Ignore…

  /**
   * Opens the Ignore… modal for the finding a button names; answers ephemerally when it is gone or
   * the person may not add ignores (DEPWATCH_ADMINS), or the click names another channel's reply.
   */
  async openIgnoreModal(input: { client: WebClient; triggerId: string; value: string | undefined; user: string; channel: string | null; respond?: RespondFn }): Promise<void> {
    const parsed = parseFindingButtonValue(input.value);
    const record = parsed ? await this.state.getAudit(parsed.auditId) : undefined;
    const finding = parsed && record ? findByToken(record.result, parsed.token) : undefined;
    if (!record || !finding) {
      await input.respond?.({ response_type: 'ephemeral', replace_original: false, text: 'I no longer have that audit. Run `/audit` again and use the new buttons.' });
      return;
    }
    const decision = this.options.gate.check(
      { userId: input.user, channel: input.channel, via: 'button' },
      { kind: 'ignores', verb: 'add', channel: record.channel ?? input.channel, repo: { name: record.repo, private: null } },
    );
    if (!decision.allowed) {
      await input.respond?.({ response_type: 'ephemeral', replace_original: false, text: escapeMrkdwn(decision.reason) });
      return;
    }
    const privateMetadata = this.options.seal.seal({ user: input.user, channel: input.channel, data: { a: record.id } });
    const view = fitView(ignoreModal({ repo: record.repo, finding, privateMetadata }));
    await input.client.views.open({ trigger_id: input.triggerId, view });
  }

  /**
   * Validates and stores an ignore. Returns what to ack the submission with (errors shown in the
   * modal, or a confirmation view), and the follow-up work (the reply re-rendered) to run after the ack.
   * The metadata must be the one sealed for this person when they opened the modal, and they must
   * still be allowed to add ignores to the reply's channel.
   */
  async submitIgnore(input: { privateMetadata: string; values: StateValues; user: string; client: WebClient }): Promise<{
    ack: { response_action: 'errors'; errors: Record<string, string> } | { response_action: 'update'; view: ReturnType<typeof ignoreSavedView> } | undefined;
    followUp?: () => Promise<void>;
  }> {
    const now = this.now();
    const opened = this.options.seal.open(input.privateMetadata, input.user);
    if (!opened) {
      this.options.logger.warn({ user: input.user }, 'ignore submission with metadata this app did not seal for that person');
      return { ack: { response_action: 'errors', errors: { ignore_reason: 'This form is not valid any more: press Ignore… under the audit again.' } } };
    }
    const auditId = metadataNumber(opened.data, 'a');
    const record = auditId !== null ? await this.state.getAudit(auditId) : undefined;
    if (!record) return { ack: { response_action: 'errors', errors: { ignore_reason: 'This audit is no longer stored; run /audit again.' } } };
    const decision = this.options.gate.check(
      { userId: input.user, channel: opened.channel, via: 'modal' },
      { kind: 'ignores', verb: 'add', channel: record.channel ?? opened.channel, repo: { name: record.repo, private: null } },
    );
    // Modal errors are plain text: the reason as it is.
    if (!decision.allowed) return { ack: { response_action: 'errors', errors: { ignore_reason: decision.reason } } };
    const submission = readIgnoreSubmission(input.values, now.toISOString().slice(0, 10));
    if (!submission.ok) return { ack: { response_action: 'errors', errors: submission.errors } };
    const v = submission.value;
    // As `/audit ignore` checks an id against the channel's ignores, this one is checked against the
    // repository's: an alias of an advisory it already ignores is refused on the id field, and an id
    // the advisory data does not hold is stored with a warning (a typo would otherwise match nothing, unsaid).
    const checked = isFindingKind(v.advisoryId) ? ({ data: 'kind' } as const) : await this.checkRepoIgnore(record.repo, v, now);
    if ('as' in checked) {
      const as = `${checked.as}${checked.package ? ` for ${checked.package}` : ''}`;
      return { ack: { response_action: 'errors', errors: { [IGNORE_BLOCKS.advisory]: `${v.advisoryId} is already ignored for ${record.repo} as ${as} (the same advisory): nothing to add.` } } };
    }
    // The ignore and the reply's revised result in one transaction (the audit's row locked).
    // An earlier ignore of the same advisory and package is replaced (a shorter expiry holds), and said.
    const { replaced } = await this.state.addIgnore(
      { repo: record.repo, advisoryId: v.advisoryId, package: v.package, reason: v.reason, until: v.until, createdBy: input.user, createdAt: now, auditId: record.id },
      (current, rules) => applySlackIgnores(current.result, rules, now),
    );
    this.options.logger.info({ auditId: record.id, repo: record.repo, advisory: v.advisoryId, user: input.user, replaced: replaced?.id }, 'ignore stored');
    const notes = [ignoredIdWarning(v.advisoryId, checked.data), replaced ? ignoreReplacedNote(record.repo, replaced, v) : null].filter((n): n is string => n !== null);
    const warning = notes.length ? notes.join('\n') : null;
    // Only a reply the bot posted itself (its channel and ts kept) can be edited: one posted through
    // response_url (a private channel without the bot, a DM) cannot, so the modal says it is saved.
    const { channel, ts } = record;
    if (!channel || !ts) return { ack: { response_action: 'update', view: fitView(ignoreSavedView(v.advisoryId, record.repo, warning)) } };
    return {
      ack: undefined,
      followUp: async () => {
        await this.editReply(input.client, record.id, channel, ts);
        // The edited reply is the confirmation; a warning or what was replaced goes to the one who asked, beside it.
        if (warning) await input.client.chat.postEphemeral({ channel, user: input.user, text: warning });
      },
    };
  }

  /** An id to ignore for `repo`, against the repository's ignores and the advisory data the audits read. */
  private async checkRepoIgnore(repo: string, wanted: { advisoryId: string; package: string | null }, now: Date): Promise<AdvisoryCheck> {
    const ignores = (await this.state.ignoresForRepo(repo)).map((i) => ({ advisory: i.advisoryId, package: i.package, until: i.until }));
    const source = this.options.services.advisories(now);
    const lookup = source.byIds ? (ids: string[]) => source.byIds!(ids) : undefined;
    return checkIgnoredAdvisory({ id: wanted.advisoryId, package: wanted.package }, ignores, { now, logger: this.options.logger, ...(lookup ? { lookup } : {}) });
  }

  /** What the "Open fix PR" flow (fix-pr-flow.ts) and the sweep's state check need from this service. */
  fixPrContext(): FixPrContext {
    const { config, services, db, gate, logger } = this.options;
    return { enabled: config.fixPullRequests === true, github: services.github, db, state: this.state, gate, logger, now: this.now, render: (r) => this.render(r), reads: (services.runner ?? runHere).reads };
  }

  // ------------------------------------------------------------------ App Home

  /**
   * App Home, for one person: audits, watches and incidents of public repositories, their own audits,
   * watches and incidents, and private ones only when they are an admin (DEPWATCH_ADMINS; empty: everyone).
   */
  async publishHome(client: WebClient, userId: string): Promise<void> {
    const home = this.options.home;
    const admin = this.options.gate.isAdmin(userId);
    const audits = await this.state.recentAudits(10, admin ? { admin: true } : { admin: false, userId });
    const watched = ((await home?.watched()) ?? []).filter((w) => admin || !w.private || w.addedBy === userId).map(({ repo, channel }) => ({ repo, channel }));
    const view = fitView(
      homeView({ audits, now: this.now(), watched, incidentBlocks: (await home?.incidents({ userId, admin })) ?? null }),
      { moreLabel: (n) => `${n} more not shown` },
    );
    await client.views.publish({ user_id: userId, view });
  }

  /** The Home tab's "Audit a repository…": the result goes to a DM with the requester. */
  async auditToDm(client: WebClient, user: string, ref: RepoRef, ignoredPullRequest?: number): Promise<void> {
    const opened = await client.conversations.open({ users: user });
    const channel = opened.channel?.id;
    if (!channel) throw new Error('conversations.open answered without a channel');
    await this.run({ ref, user, channel, client, via: 'home', ...(ignoredPullRequest !== undefined ? { ignoredPullRequest } : {}) });
  }
}

/** Said privately to someone asking for an audit this channel is already getting the answer of. */
function alreadyAnsweredHere(running: RunningAudit<AuditOutcome>): string {
  return `An audit of ${escapeMrkdwn(running.label)} at \`${running.sha.slice(0, 7)}\` is already running here (asked by <@${running.requestedBy}>); its answer is posted in this channel.`;
}

/** Said under the reply to an audit asked with a pull request URL: what was audited, and where PR reviews come from. */
function pullRequestIgnored(label: string, pullRequest: number): string {
  return `The pull request part of the URL (#${pullRequest}) was ignored: this is an audit of the repository ${escapeMrkdwn(label)} (its default branch). Reviews of pull requests come from watching the repository: \`/audit watch ${escapeMrkdwn(label)}\`.`;
}

/**
 * A placeholder posted through response_url has no ts, so the Web API cannot edit or delete it:
 * when that URL fails (expired, used five times) it stays in the channel, and the log says so.
 */
function placeholderStays(err: unknown): Error {
  return new Error(`the in-channel placeholder stays: it was posted through response_url, which failed (${errorLine(err)})`, { cause: err });
}

/**
 * The continuations a reply posts: at most MAX_REPLY_CONTINUATIONS, the last one then saying how
 * many parts were left out and how to get the whole list (the CLI audits the same commit).
 */
function cappedContinuations(replies: FittedMessage[], record: Pick<AuditRecord, 'repo' | 'sha'>): FittedMessage[] {
  if (replies.length <= MAX_REPLY_CONTINUATIONS) return replies;
  const shown = replies.slice(0, MAX_REPLY_CONTINUATIONS);
  const hidden = replies.length - shown.length;
  const last = shown[shown.length - 1]!;
  shown[shown.length - 1] = withClosingNotice(last, (dropped) =>
    context(
      `${hidden} more part${hidden === 1 ? '' : 's'} of this reply${dropped ? ' and the end of this one' : ''} not posted, to keep the channel readable. ` +
        `The whole list: \`depwatch audit ${escapeMrkdwn(record.repo)}@${record.sha}\` in a terminal (\`--json\` for all of it).`,
    ),
  );
  return shown;
}

/** Said at the end of a reply whose thread Slack refused a part of: what is missing, and the way to get it. */
function undeliveredNotice(repo: string, undelivered: { part: number; err: unknown }, total: number, droppedBlocks: number): string {
  const code = slackErrorCode(undelivered.err) ?? (rateLimitedRetryAfter(undelivered.err) !== undefined || /rate limit/i.test(errorLine(undelivered.err)) ? 'rate limited' : 'no answer');
  const missing = undelivered.part === total ? `part ${total} of ${total} is` : `parts ${undelivered.part}–${total} of ${total} are`;
  return (
    `:warning: *This reply is incomplete:* part ${undelivered.part} of ${total} could not be posted in the thread (Slack: ${escapeMrkdwn(code)}), so ${missing} missing${droppedBlocks ? ', and so is the end of this message (no room for it beside this warning)' : ''}. ` +
    `Run \`/audit ${escapeMrkdwn(repo)}\` again for the whole reply.`
  );
}
