/**
 * "Open fix PR" under an /audit reply: resolves the stored audit from the button's value (never the
 * payload's repository, files or versions), asks src/authz whether the person may open pull
 * requests there, re-reads the audited commit's manifests (blob cache: usually no download), plans
 * the same edits as `depwatch fix` on the real bytes of the files it rewrites (src/github/fix-files),
 * and opens one pull request per set of edits and base (src/github/fix-pull-request): a second audit
 * that needs the same edits links the one open (src/fix/pull-request/text.ts fixBranchName).
 * Answers are one ephemeral line; the reply itself then shows the pull request and its state.
 */
import type { RespondFn, webApi } from '@slack/bolt';
import type { AccessGate } from '../authz/gate.js';
import type { RepoTarget } from '../authz/policy.js';
import { fixBody, fixBranchName, fixTitle } from '../fix/pull-request/text.js';
import type { Octokit } from '../github/client.js';
import { planFixPullRequest, type FixPlanReads } from '../github/fix-files.js';
import { FixPullRequestError, getPullState, openFixPullRequest, type FixPullRequest } from '../github/fix-pull-request.js';
import { isGitHubRequestFailure, toGitHubError } from '../github/errors.js';
import { takeSnapshot, type SnapshotOptions } from '../github/snapshot.js';
import type { Logger } from '../log.js';
import { isManifestPath, isProjectContextPath } from '../python/discover.js';
import type { AuditResult } from '../audit/audit.js';
import { reasonsOf } from '../audit/partial.js';
import type { AuditRecord } from '../store/audits.js';
import type { AuditStateStore } from '../store/audit-state/types.js';
import type { RepoSummary } from '../store/watches.js';
import type { WatchStateStore } from '../store/watch-state/types.js';
import type { Db } from '../store/db.js';
import { editIdempotently } from './idempotent-edit.js';
import { fixPrAnswer, fixPrToken, parseFixPrButtonValue } from './blocks/fix-pr.js';
import type { fitMessage } from './blocks/fit.js';

type WebClient = webApi.WebClient;

export interface FixPrContext {
  enabled: boolean;
  github: Octokit;
  db: Db;
  /** Audits and their fix pull requests (PostgreSQL with DATABASE_URL: a click on any replica). */
  state: AuditStateStore;
  gate: AccessGate;
  logger: Logger;
  now: () => Date;
  render: (record: AuditRecord) => Promise<ReturnType<typeof fitMessage>>;
  /** Where the snapshot's manifests are parsed and the fix planned (the bot: worker threads); default: this thread. */
  reads?: NonNullable<SnapshotOptions['reads']> & FixPlanReads;
}

export interface FixPrClick {
  client: WebClient;
  value: string | undefined;
  user: string;
  channel: string | null;
  ts: string | null;
  respond?: RespondFn;
}

const sayTo = (click: FixPrClick) => async (text: string) => {
  await click.respond?.({ response_type: 'ephemeral', replace_original: false, text });
};

export async function openFixPrFromReply(ctx: FixPrContext, click: FixPrClick): Promise<void> {
  const say = sayTo(click);
  if (!ctx.enabled) return say('Fix pull requests are turned off on this Depwatch (DEPWATCH_FIX_PRS).');
  const parsed = parseFixPrButtonValue(click.value);
  const record = parsed ? await ctx.state.getAudit(parsed.auditId) : undefined;
  if (!parsed || !record || fixPrToken(record.sha) !== parsed.token) {
    return say('I no longer have that audit. Run `/audit` again and use the new buttons.');
  }
  // A reply the bot posted itself is edited by its kept ts; one posted through response_url (a
  // private channel without the bot, a DM: no ts kept) only through the click's own response_url.
  const reply: ReplyToShow = record.channel && record.ts ? { via: 'chat', channel: record.channel, ts: record.ts } : { via: 'click' };
  const channel = record.channel ?? click.channel;
  if (!(await mayOpen(ctx, click, channel, { name: record.repo, private: record.private ?? null }))) return;
  return openFixPr(ctx, click, record, { channel, reply });
}

/** The /audit reply that shows the pull request once it is open; none under an alert. */
type ReplyToShow = { via: 'chat'; channel: string; ts: string } | { via: 'click' } | null;

/**
 * "Open fix PR: owner/repo" under a new-advisory alert. An alert has no audit record of its own:
 * the repository's last sweep does (its commit and open findings, in the watch store), so the flow
 * takes the /audit record of that commit when there is one, and otherwise records one from what
 * the sweep found, then goes on exactly as from an /audit reply. The repository named by the button
 * must be one the alert lists; its privacy is the one the sweep saw.
 */
export async function openFixPrFromAlert(ctx: FixPrContext, watch: AlertFixSource, click: FixPrClick): Promise<void> {
  const say = sayTo(click);
  if (!ctx.enabled) return say('Fix pull requests are turned off on this Depwatch (DEPWATCH_FIX_PRS).');
  const parsed = parseAlertFixValue(click.value);
  const alert = parsed ? await watch.state.alert(parsed.alertId) : null;
  const listed = alert?.affected.find((a) => a.repo === parsed?.repo && a.fixedAt === null);
  const key = listed ? await watch.repoKeyOf(listed.repo) : null;
  const state = key ? (await watch.state.repoSummaries([key])).get(key) : undefined;
  if (!parsed || !alert || !listed || !key || !state?.auditedSha || !state.htmlUrl) {
    return say('That repository is no longer listed as affected by this alert (fixed, or no longer watched).');
  }
  // Asked before the sweep's audit is recorded (a GitHub request and a row): a refusal costs nothing.
  if (!(await mayOpen(ctx, click, alert.channel, { name: key.split('@')[0]!, private: state.private }))) return;
  const record = await auditRecordOfSweep(ctx, watch, key, state);
  return openFixPr(ctx, click, record, { channel: alert.channel, reply: null });
}

/** What the alert path reads from watching (the watch state, either store): the alert, the repository's last sweep, and its open findings. */
export interface AlertFixSource {
  state: Pick<WatchStateStore, 'alert' | 'repoSummaries' | 'openFindings'>;
  /** The store key (`owner/name[@branch]`) of a repository as alerts display it. */
  repoKeyOf(display: string): Promise<string | null>;
}

function parseAlertFixValue(value: string | undefined): { alertId: number; repo: string } | null {
  const m = /^(\d{1,15}):([\w.-]+\/[\w.-]+(?:@[^\s]{1,255})?)$/.exec(value ?? '');
  return m ? { alertId: Number(m[1]), repo: m[2]! } : null;
}

/** Why an audit recorded from a sweep is partial (its fix pull request says so under "Not checked"). */
export const SWEEP_RECORD_REASON = 'recorded from the last sweep; files not read then are not known';

/** The /audit record of the swept commit, or one recorded from the sweep's open findings (same commit, same findings). */
async function auditRecordOfSweep(ctx: FixPrContext, watch: AlertFixSource, key: string, state: RepoSummary): Promise<AuditRecord> {
  const sha = state.auditedSha!;
  const repo = key.split('@')[0]!;
  const latest = await ctx.state.latestAuditForRepo(repo);
  if (latest && latest.sha === sha) {
    const record = await ctx.state.getAudit(latest.id);
    if (record) return record;
  }
  const branch = key.includes('@') ? key.slice(key.indexOf('@') + 1) : null;
  const [owner = '', name = ''] = repo.split('/');
  // The pull request's base: the watched branch, or the repository's default branch (one request).
  // GitHub failing it is said as GitHub's failure, as the rest of the flow's requests are.
  const ref = branch ?? (await defaultBranchOf(ctx, owner, name));
  const findings = (await watch.state.openFindings(key)).map((row) => row.finding);
  // The sweep's findings are all the watch state keeps: not which files it could not read then, nor
  // whether its data sources answered. A record of them cannot claim to be complete.
  const result: AuditResult = {
    target: `${repo}@${sha}`,
    dependencies: state.dependencies,
    findings,
    ignored: [],
    notes: [],
    errors: [],
    warnings: [SWEEP_RECORD_REASON],
    notices: ['recorded from the last sweep of a watched repository, for a fix pull request'],
    partial: true,
    partialReasons: [{ kind: 'data-source', message: SWEEP_RECORD_REASON }],
    advisorySource: 'mirror',
  };
  return ctx.state.insertAudit({ repo, ref, requestedBranch: branch, sha, htmlUrl: state.htmlUrl!, createdAt: ctx.now(), requestedBy: null, private: state.private, result });
}

async function defaultBranchOf(ctx: FixPrContext, owner: string, repo: string): Promise<string> {
  try {
    return (await ctx.github.request('GET /repos/{owner}/{repo}', { owner, repo })).data.default_branch;
  } catch (err) {
    throw isGitHubRequestFailure(err) ? toGitHubError(err, { owner, repo }, 'default branch lookup') : err;
  }
}

/** Whether the person may open pull requests on `repo` from this click (src/authz); tells them why not. */
async function mayOpen(ctx: FixPrContext, click: FixPrClick, channel: string | null, repo: RepoTarget): Promise<boolean> {
  const decision = ctx.gate.check({ userId: click.user, channel: click.channel, via: 'button' }, { kind: 'pull-requests', verb: 'open', channel, repo });
  if (!decision.allowed) await sayTo(click)(fixPrAnswer(decision.reason));
  return decision.allowed;
}

/** Opens (or links) the audit's fix pull request; the caller has asked `mayOpen`. */
async function openFixPr(ctx: FixPrContext, click: FixPrClick, record: AuditRecord, where: { channel: string | null; reply: ReplyToShow }): Promise<void> {
  const say = sayTo(click);
  const channel = where.channel;

  const known = await ctx.state.fixPull(record.id);
  if (known) return say(`This audit already has a fix pull request: <${known.url}|#${known.number}> (${known.state}).`);

  const [owner = '', repo = ''] = record.repo.split('/');
  const log = ctx.logger.child({ repo: record.repo, auditId: record.id, user: click.user });
  try {
    const snapshot = await takeSnapshot(ctx.github, ctx.db, { owner, repo, branch: record.sha }, { select: isManifestPath, selectInterpreter: isProjectContextPath, logger: ctx.logger, ...(ctx.reads ? { reads: ctx.reads } : {}) });
    const { plan, files } = await planFixPullRequest(ctx.github, snapshot, record.result, ctx.reads);
    if (plan.newTexts.size === 0) {
      const why = plan.leftAlone[0]?.reason;
      return say(`Nothing to rewrite in ${fixPrAnswer(record.repo)}: no file pins a fixable release in a way Depwatch rewrites${why ? ` (${fixPrAnswer(why)})` : ''}.`);
    }
    const linkTo = where.reply?.via === 'chat' ? where.reply : channel && click.ts ? { channel, ts: click.ts } : null;
    const slackLink = linkTo ? await permalink(click.client, linkTo.channel, linkTo.ts) : null;
    const branch = fixBranchName(plan, record.ref);
    const pull = await oneFixAtATime(`${record.repo.toLowerCase()}\0${branch}`, () => openFixPullRequest(ctx.github, {
      owner,
      repo,
      base: record.ref,
      auditedSha: record.sha,
      branch,
      title: fixTitle(plan),
      body: fixBody({ plan, findings: record.result.findings, repo: record.repo, auditedSha: record.sha, slackLink, notChecked: record.result.partial ? reasonsOf(record.result) : [] }),
      files,
    }));
    await ctx.state.saveFixPull({ auditId: record.id, repo: record.repo, branch, number: pull.number, url: pull.url, state: pull.state }, click.user, ctx.now());
    log.info({ pull: pull.number, created: pull.created, files: plan.newTexts.size }, 'fix pull request');
    // Under an /audit reply the reply shows the pull request; an alert is left as it is. The pull
    // request is open and saved by now: a reply that cannot be edited must not hide that.
    if (where.reply) {
      await showOnReply(ctx, record.id, where.reply, click).catch((err: unknown) => log.warn({ err }, 'could not show the fix pull request on the reply'));
    }
    const opened = `<${pull.url}|fix pull request #${pull.number}> on ${fixPrAnswer(record.repo)}, branch \`${fixPrAnswer(branch)}\``;
    await say(pull.created ? `Opened ${opened} from the audited commit ${record.sha.slice(0, 7)}.` : `There already is ${opened}, with the same edits${linkedFrom(pull, record.sha)}.`);
  } catch (err) {
    if (err instanceof FixPullRequestError) {
      log.warn({ problem: err.problem }, 'fix pull request refused');
      return say(fixPrAnswer(err.message));
    }
    throw err;
  }
}

/**
 * Which commit a linked pull request was built from: it was opened by another audit, maybe of an
 * earlier commit, with the same edits. Said when its head is the fix's own commit (builtFrom), and
 * whether that is the commit this audit read; else its head, saying that is all that is known.
 */
function linkedFrom(pull: FixPullRequest, auditedSha: string): string {
  const short = (sha: string) => sha.slice(0, 7);
  if (pull.builtFrom === auditedSha) return `, built from this audited commit ${short(auditedSha)}`;
  if (pull.builtFrom !== undefined) return `, built from commit ${short(pull.builtFrom)} (this audit read ${short(auditedSha)})`;
  if (pull.headSha !== undefined) return ` (at head ${short(pull.headSha)}; which commit it was built from could not be told)`;
  return '';
}

/**
 * The fix being opened on each branch (repository and branch) in this process. A double click, or
 * two audits of one commit pressed together, would otherwise both find no pull request and push:
 * the second waits here for the first, then finds its pull request and links it. Across replicas
 * GitHub's ref creation decides (one branch, one winner) and the loser links the winner's pull
 * request (src/github/fix-pull-request.ts): no store row is needed for that.
 */
const fixesInFlight = new Map<string, Promise<unknown>>();

async function oneFixAtATime<T>(key: string, open: () => Promise<T>): Promise<T> {
  const before = fixesInFlight.get(key);
  const mine = (async () => {
    await before;
    return open();
  })();
  const done = mine.then(
    () => undefined,
    () => undefined,
  );
  fixesInFlight.set(key, done);
  try {
    return await mine;
  } finally {
    if (fixesInFlight.get(key) === done) fixesInFlight.delete(key);
  }
}

async function permalink(client: WebClient, channel: string, ts: string): Promise<string | null> {
  try {
    const answer = await client.chat.getPermalink({ channel, message_ts: ts });
    return typeof answer.permalink === 'string' ? answer.permalink : null;
  } catch {
    // A link back is a courtesy: the pull request is worth opening without it.
    return null;
  }
}

async function showOnReply(ctx: FixPrContext, auditId: number, reply: NonNullable<ReplyToShow>, click: FixPrClick): Promise<void> {
  if (reply.via === 'chat') return updateReply(ctx, auditId, reply.channel, reply.ts, click.client);
  const fresh = await ctx.state.getAudit(auditId);
  if (!fresh || !click.respond) return;
  // The button sits in the reply's first message, the one the click's response_url replaces.
  const { first } = await ctx.render(fresh);
  await click.respond({ response_type: 'in_channel', replace_original: true, text: first.text, blocks: first.blocks });
}

async function updateReply(ctx: FixPrContext, auditId: number, channel: string | null, ts: string | null, client: WebClient): Promise<void> {
  const fresh = await ctx.state.getAudit(auditId);
  if (!fresh || !channel || !ts) return;
  const { first } = await ctx.render(fresh);
  // The same content each try: sent again while its outcome is unknown; a refusal is thrown as before.
  await editIdempotently(() => client.chat.update({ channel, ts, text: first.text, blocks: first.blocks }), {
    onRetry: (err, attempt, waitMs) => ctx.logger.warn({ err, channel, ts, attempt, waitMs }, 'the edit of an audit reply (fix pull request) got no clear answer from Slack; sending it again'),
  });
}

/**
 * The sweep's hook: asks GitHub for the state of every open fix pull request and re-renders the
 * reply of each one that was merged or closed. One bad repository never stops the others.
 */
export async function refreshFixPullStates(ctx: FixPrContext, client: WebClient): Promise<number> {
  let changed = 0;
  for (const pull of await ctx.state.openFixPulls()) {
    const [owner = '', repo = ''] = pull.repo.split('/');
    try {
      const state = await getPullState(ctx.github, owner, repo, pull.number);
      if (state === pull.state) continue;
      await ctx.state.setFixPullState(pull.auditId, state, ctx.now());
      const record = await ctx.state.getAudit(pull.auditId);
      if (record) await updateReply(ctx, record.id, record.channel, record.ts, client);
      changed++;
    } catch (err) {
      ctx.logger.warn({ err, repo: pull.repo, pull: pull.number }, 'could not check a fix pull request');
    }
  }
  return changed;
}
