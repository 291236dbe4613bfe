/**
 * `/audit watch|unwatch|list|schedule|ignore|unignore …`: parsing (pure) and handling (store +
 * scheduler). Only admins may change anything when DEPWATCH_ADMINS is set; every change is written
 * to the change log with who and when; a private repository can be linked to a channel by an admin
 * only, because its findings will be posted there.
 *
 * Replies are data (WatchReply: what happened, and whether only the requester sees it); the words
 * and layout are src/slack/blocks/watch-reply.ts's.
 */
import { isAdvisoryIdForm } from '../audit/advisory-id.js';
import { advisoryKindIgnoreRefusal, DEFAULT_UNKNOWN_AS, isAdvisoryKind, isFindingKind, parseUnknownAs, UNKNOWN_AS_LEVELS, type RatedSeverity } from '../audit/findings.js';
import { applyIgnores, isExpired, type IgnoreRule } from '../audit/ignores.js';
import { isValidName, normalizeName } from '../python/names.js';
import { branchOfRef, formatRepoRef, parseRepoRef, RepoRefError, type RepoRef } from '../github/repo-ref.js';
import { isValidTimeZone, nextOccurrence, ScheduleParseError, scheduleToCron, SHOWN_LOOKAHEAD_DAYS } from '../schedule/cron.js';
import type { AccessGate } from '../authz/gate.js';
import type { Decision, Entry } from '../authz/policy.js';
import { channelIgnoreRule, repoKeyOf, SCHEDULE_KINDS, type ScheduleKind } from '../store/watches.js';
import { firstReason } from './partial-state.js';
import type { WatchStateStore } from '../store/watch-state/types.js';
import type { Logger } from '../log.js';

export type WatchCommand =
  | {
      kind: 'watch';
      repo: RepoRef;
      channel: string | null;
      /**
       * From "Watch this repo": `repo.branch` is the ref an audit record names, watched only when it is
       * a branch of the repository other than its default one; else the default branch is (and a
       * `notABranch` reply says why when the ref is not a branch). Audits stored before the snapshot
       * said which branch it read kept any ref /audit named: a tag, a commit, the default branch.
       */
      auditBranch?: boolean;
    }
  | { kind: 'unwatch'; repo: RepoRef; channel: string | null }
  | { kind: 'list' }
  | { kind: 'schedule-show' }
  | { kind: 'schedule'; schedule: ScheduleKind; cron: string | null; timeZone: string | null }
  | { kind: 'time-zone'; timeZone: string }
  | { kind: 'ignore'; id: string; package: string | null; reason: string; until: string | null }
  | { kind: 'unignore'; id: string }
  | { kind: 'settings-show' }
  | { kind: 'unknown-as'; level: RatedSeverity }
  | { kind: 'invalid'; message: string };

export const WATCH_VERBS = ['watch', 'unwatch', 'list', 'schedule', 'ignore', 'unignore', 'settings'] as const;
export type WatchVerb = (typeof WATCH_VERBS)[number];


/** A channel named in the text: Slack's `<#C123|name>` escape, or a bare id. */
function parseChannel(token: string): string | { error: string } {
  const escaped = /^<#([CGD][A-Z0-9]{2,})(?:\|[^>]*)?>$/.exec(token);
  if (escaped) return escaped[1]!;
  if (/^[CG][A-Z0-9]{6,}$/.test(token)) return token;
  if (token.startsWith('#')) return { error: `pick ${token} from Slack's autocomplete (type # and choose it) so that I get the channel's id` };
  return { error: `"${token}" is not a channel; mention it like #channel` };
}

/** Parses a watch-family command; null when `text` is not one (so `/audit owner/repo` goes elsewhere). */
export function parseWatchCommand(text: string): WatchCommand | null {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  const verb = tokens[0]?.toLowerCase();
  if (!verb || !(WATCH_VERBS as readonly string[]).includes(verb)) return null;
  const args = tokens.slice(1);
  const invalid = (message: string): WatchCommand => ({ kind: 'invalid', message });

  switch (verb) {
    case 'watch':
    case 'unwatch': {
      if (args.length === 0 || args.length > 2) return invalid(`usage: /audit ${verb} owner/repo [#channel]`);
      let repo: RepoRef;
      try {
        repo = parseRepoRef(args[0]!);
      } catch (err) {
        return invalid(err instanceof RepoRefError ? err.message : String(err));
      }
      let channel: string | null = null;
      if (args[1]) {
        const parsed = parseChannel(args[1]);
        if (typeof parsed !== 'string') return invalid(parsed.error);
        channel = parsed;
      }
      return { kind: verb, repo, channel };
    }
    case 'list':
      return args.length === 0 ? { kind: 'list' } : invalid('usage: /audit list');
    case 'schedule':
      return parseSchedule(args);
    case 'ignore':
      return parseIgnore(args);
    case 'unignore':
      return args.length === 1 ? { kind: 'unignore', id: args[0]! } : invalid('usage: /audit unignore <advisory id>');
    case 'settings':
      return parseSettings(args);
  }
  return null;
}

function parseSchedule(args: string[]): WatchCommand {
  if (args.length === 0) return { kind: 'schedule-show' };
  const what = args[0]!.toLowerCase();
  if (what === 'timezone' || what === 'tz' || what === 'zone') {
    const tz = args[1];
    if (!tz || args.length !== 2) return { kind: 'invalid', message: 'usage: /audit schedule timezone Europe/Berlin' };
    return isValidTimeZone(tz) ? { kind: 'time-zone', timeZone: tz } : { kind: 'invalid', message: `"${tz}" is not an IANA time zone (for example Europe/Berlin, America/New_York, UTC)` };
  }
  const kind = what === 'alert' ? 'alerts' : what;
  if (!(SCHEDULE_KINDS as readonly string[]).includes(kind)) {
    return { kind: 'invalid', message: `"${args[0]}": schedule one of weekly, monthly, quarterly or alerts` };
  }
  const rest = args.slice(1);
  if (rest.length === 1 && rest[0]!.toLowerCase() === 'off') return { kind: 'schedule', schedule: kind as ScheduleKind, cron: null, timeZone: null };
  let timeZone: string | null = null;
  const last = rest[rest.length - 1];
  if (last && (last.includes('/') || last === 'UTC') && !/^[\d*,/-]+$/.test(last)) {
    if (!isValidTimeZone(last)) return { kind: 'invalid', message: `"${last}" is not an IANA time zone (for example Europe/Berlin, America/New_York, UTC)` };
    timeZone = last;
    rest.pop();
  }
  const phrase = rest.join(' ').replace(/^["“”']|["“”']$/g, '');
  try {
    return { kind: 'schedule', schedule: kind as ScheduleKind, cron: scheduleToCron(phrase, kind as ScheduleKind), timeZone };
  } catch (err) {
    return { kind: 'invalid', message: err instanceof ScheduleParseError ? err.message : String(err) };
  }
}

function parseSettings(args: string[]): WatchCommand {
  if (args.length === 0) return { kind: 'settings-show' };
  const usage = `usage: /audit settings unknown-as <${UNKNOWN_AS_LEVELS.join('|')}>`;
  if (args[0]!.toLowerCase() !== 'unknown-as' || args.length !== 2) return { kind: 'invalid', message: usage };
  const level = parseUnknownAs(args[1]!);
  return level ? { kind: 'unknown-as', level } : { kind: 'invalid', message: `"${args[1]}" is not a level; ${usage}` };
}

function parseIgnore(args: string[]): WatchCommand {
  const usage = 'usage: /audit ignore <advisory id> <reason> [package:<name>] [until YYYY-MM-DD]';
  const id = args[0];
  if (!id) return { kind: 'invalid', message: usage };
  if (!isAdvisoryIdForm(id) && !isFindingKind(id)) return { kind: 'invalid', message: `"${id}" is not an advisory id (like GHSA-xxxx-xxxx-xxxx, PYSEC-2024-1, CVE-2024-1234) or a finding kind` };
  if (isAdvisoryKind(id)) return { kind: 'invalid', message: advisoryKindIgnoreRefusal(id) };
  const rest = args.slice(1);
  let until: string | null = null;
  const untilAt = rest.findIndex((t) => t.toLowerCase() === 'until');
  if (untilAt >= 0) {
    const date = rest[untilAt + 1];
    if (!date || untilAt + 2 !== rest.length) return { kind: 'invalid', message: `${usage} ("until" comes last, followed by a date)` };
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)) || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) {
      return { kind: 'invalid', message: `"${date}" is not a date; write YYYY-MM-DD` };
    }
    until = date;
    rest.splice(untilAt, 2);
  }
  let pkg: string | null = null;
  const pkgAt = rest.findIndex((t) => /^(package|pkg):/i.test(t));
  if (pkgAt >= 0) {
    const name = rest[pkgAt]!.replace(/^(package|pkg):/i, '');
    if (!isValidName(name)) return { kind: 'invalid', message: `"${name}" is not a valid package name` };
    pkg = normalizeName(name);
    rest.splice(pkgAt, 1);
  }
  // One-word kinds (`outdated`, `yanked`) are of packages; the dashed ones (`no-hashes`,
  // `no-lockfile`) include file-level findings, which an ignore without a package covers.
  if (isFindingKind(id) && !id.includes('-') && pkg === null) {
    return { kind: 'invalid', message: `ignoring every "${id}" finding needs a package: add package:<name>` };
  }
  const reason = rest.join(' ').trim();
  if (!reason) return { kind: 'invalid', message: `a reason is required (why is it safe to ignore ${id}?); ${usage}` };
  if (reason.length > 2000) return { kind: 'invalid', message: 'the reason is too long (2,000 characters at most)' };
  return { kind: 'ignore', id, package: pkg, reason, until };
}

// ---------------------------------------------------------------------------------------------

export interface RepoLookup {
  found: boolean;
  private: boolean;
  /** Why it was not found, for the person who typed it. */
  message?: string;
  /** Not found because the repository has no branch of the name asked for (a tag, a commit, a branch deleted). */
  noBranch?: boolean;
  /** The repository's default branch, when a branch was asked for and GitHub said. */
  defaultBranch?: string | null;
  /** With `noBranch`: the repository itself (its default branch), when the same lookup read it; absent, it is looked up again. */
  repository?: RepoLookup;
}

/** What the command handler needs from the scheduler: to rebuild its jobs after a change. */
export interface ScheduleReloader {
  reload(): void | Promise<void>;
}

export interface WatchCommandContext {
  userId: string;
  channelId: string;
  /** Where the request came in: the slash command, or the "Watch this repo" button. */
  via: Entry;
  /** Who may change watches, schedules and ignores (src/authz). */
  gate: AccessGate;
  /** The watch state (SQLite or PostgreSQL): a change made through one replica is what every replica reads. */
  state: WatchStateStore;
  scheduler: ScheduleReloader;
  now: Date;
  /** The installation's time zone (config TZ). */
  defaultTimeZone: string;
  /**
   * The advisory data's records by id (the mirror or OSV, as sweeps read it), to tell an ignore of an
   * id the data does not hold, or of an alias of an advisory already ignored; throws when the data
   * cannot be read. Absent: ignores are stored unchecked, and the reply says so.
   */
  lookupAdvisories?: AdvisoryLookup;
  /** Visibility and existence of a repository (one GraphQL query); without it, repositories count as public. */
  lookupRepo?: (ref: RepoRef) => Promise<RepoLookup>;
  logger?: Pick<Logger, 'warn'>;
}

/** Advisory records by id (ids the data does not hold are absent): only their ids and aliases are read here. */
type AdvisoryLookup = (ids: string[]) => Promise<ReadonlyMap<string, { id: string; aliases?: readonly string[] }>>;

/** A schedule of the channel and its next run, in the channel's time zone. */
interface ScheduleLine {
  kind: ScheduleKind;
  enabled: boolean;
  cron: string;
  next: string | null;
}

/** One watched repository as `list` shows it. */
export interface ListedWatch {
  display: string;
  private: boolean;
  addedBy: string;
  /** `partial`: why the last audit was partial (its first reason, and how many more); absent when complete. */
  status: { state: 'not-swept' } | { state: 'error'; error: string } | { state: 'ok'; open: number; checkedAt: string | null; partial?: string; ignored?: number };
}

/**
 * What a watch command did, for src/slack/blocks/watch-reply.ts to say. `ephemeral`: only the
 * person who typed it sees the reply (errors, lists); changes are told to the channel. `channel`
 * null means the channel the command came from.
 */
export type WatchReply = { ephemeral: boolean } & (
  | { kind: 'usage'; problem: string }
  | { kind: 'cannot'; message: string }
  /** `notABranch`: the ref an audit named, which is not a branch of the repository: its default branch is watched instead. */
  | { kind: 'watched'; by: string; channel: string | null; repo: string; private: boolean; notABranch?: string }
  | { kind: 'already-watched'; channel: string | null; repo: string; notABranch?: string }
  | { kind: 'unwatched'; by: string; channel: string | null; repo: string }
  | { kind: 'not-watched'; repo: string }
  | { kind: 'schedule-off'; by: string; schedule: ScheduleKind }
  /**
   * `zoneChanged`: the command named a time zone other than the channel's. The zone is the
   * channel's (one for all its schedules), so every other schedule moved with it: `from` the zone
   * before, `others` the channel's other schedules at their new local times.
   */
  | { kind: 'schedule-set'; by: string; schedule: ScheduleKind; cron: string; timeZone: string; next: string | null; zoneChanged?: { from: string; others: ScheduleLine[] } }
  | { kind: 'time-zone'; by: string; timeZone: string; from: string; schedules: ScheduleLine[] }
  /**
   * `data`: whether the advisory data holds the id (`known`), does not (`unknown`: a typo, or an
   * advisory too new for it), could not be asked (`unchecked`), or the id is a finding kind (`kind`).
   */
  | { kind: 'ignored'; by: string; id: string; package: string | null; until: string | null; reason: string; data: 'known' | 'unknown' | 'unchecked' | 'kind' }
  /** The id is an alias of (or the same advisory as) `as`, which the channel already ignores for `package` (null: every package). */
  | { kind: 'already-ignored'; id: string; as: string; package: string | null }
  | { kind: 'past-date'; until: string }
  | { kind: 'not-ignored'; id: string }
  | { kind: 'unignored'; by: string; id: string }
  | { kind: 'settings'; level: RatedSeverity; isDefault: boolean }
  | { kind: 'unknown-as'; by: string; level: RatedSeverity }
  | {
      kind: 'list';
      repos: string[];
      watches: ListedWatch[];
      /** Watches not listed (the list shows MAX_LISTED). */
      more: number;
      timeZone: string;
      schedules: { kind: ScheduleKind; enabled: boolean; cron: string; next: string | null }[];
      unknownAs: RatedSeverity;
      /** `expired`: its last day has passed; it applies no more (and is kept until someone removes it). */
      ignores: { advisory: string; package: string | null; reason: string; until: string | null; createdBy: string; expired: boolean }[];
    }
);

const refused = (decision: Extract<Decision, { allowed: false }>): WatchReply => ({ kind: 'cannot', message: decision.reason, ephemeral: true });

/**
 * Rebuilds this replica's timers after a stored change. The change is what the user asked for and it
 * is saved: a failure here only delays the timers (until the next change or restart; with shared
 * state, the scheduler's next refresh, which handles its own failures), so it is logged, never
 * answered as a failed command.
 */
async function rebuildTimers(ctx: WatchCommandContext): Promise<void> {
  try {
    await ctx.scheduler.reload();
  } catch (err) {
    ctx.logger?.warn({ err: (err as Error).message }, 'watch command: stored, but the timers could not be rebuilt now; they will be on the next change or restart');
  }
}

/** A request that cannot be carried out, told only to whoever made it. */
export const cannotReply = (message: string): WatchReply => ({ kind: 'cannot', message, ephemeral: true });

export async function handleWatchCommand(command: WatchCommand, ctx: WatchCommandContext): Promise<WatchReply> {
  const { state: store } = ctx;
  const requester = { userId: ctx.userId, channel: ctx.channelId, via: ctx.via };
  const by = ctx.userId;
  switch (command.kind) {
    case 'invalid':
      return { kind: 'usage', problem: command.message, ephemeral: true };
    case 'list':
    case 'schedule-show':
      return listReply(ctx);
    case 'watch': {
      const channel = command.channel ?? ctx.channelId;
      let repo = command.repo;
      let notABranch: string | undefined;
      const wholeRepo = (): RepoRef => ({ owner: repo.owner, repo: repo.repo });
      if (command.auditBranch && repo.branch) {
        // As the snapshot reads refs: no branch (a tag, a commit) is known without asking GitHub.
        const branch = branchOfRef(repo.branch);
        if (branch === null) {
          notABranch = repo.branch;
          repo = wholeRepo();
        } else {
          repo = { ...repo, branch };
        }
      }
      // Decided before GitHub is asked, so a refused person learns nothing about the repository.
      const first = ctx.gate.check(requester, { kind: 'watches', verb: 'watch', channel, repo: { name: repoKeyOf(repo), private: null } });
      if (!first.allowed) return refused(first);
      let isPrivate = false;
      if (ctx.lookupRepo) {
        let found = await ctx.lookupRepo(repo);
        if (command.auditBranch && repo.branch) {
          if (!found.found && found.noBranch) {
            // A tag, or a branch deleted since the audit: the default branch, and the reply says why.
            notABranch = repo.branch;
            repo = wholeRepo();
            found = found.repository ?? (await ctx.lookupRepo(repo));
          } else if (found.found && found.defaultBranch === repo.branch) {
            // The default branch by name: followed as the default (a branch watch of it gets no pull request reviews).
            repo = wholeRepo();
          }
        }
        if (!found.found) return cannotReply(found.message ?? `I can't see ${formatRepoRef(repo)} with the configured GitHub credentials.`);
        isPrivate = found.private;
      }
      const key = repoKeyOf(repo);
      if (isPrivate) {
        const decision = ctx.gate.check(requester, { kind: 'watches', verb: 'watch', channel, repo: { name: key, private: true } });
        if (!decision.allowed) return refused(decision);
      }
      const added = await store.addWatch({ repo: key, channel, userId: ctx.userId, private: isPrivate, adminLinked: ctx.gate.isAdmin(ctx.userId), now: ctx.now });
      await rebuildTimers(ctx);
      const where = channel === ctx.channelId ? null : channel;
      const because = notABranch === undefined ? {} : { notABranch };
      return added ? { kind: 'watched', by, channel: where, repo: key, private: isPrivate, ...because, ephemeral: false } : { kind: 'already-watched', channel: where, repo: key, ...because, ephemeral: true };
    }
    case 'unwatch': {
      const channel = command.channel ?? ctx.channelId;
      const key = repoKeyOf(command.repo);
      const decision = ctx.gate.check(requester, { kind: 'watches', verb: 'unwatch', channel, repo: { name: key, private: null } });
      if (!decision.allowed) return refused(decision);
      const removed = await store.removeWatch({ repo: key, channel, userId: ctx.userId, now: ctx.now });
      await rebuildTimers(ctx);
      return removed ? { kind: 'unwatched', by, channel: channel === ctx.channelId ? null : channel, repo: key, ephemeral: false } : { kind: 'not-watched', repo: key, ephemeral: true };
    }
    case 'schedule': {
      const decision = ctx.gate.check(requester, { kind: 'schedules', verb: 'schedule', channel: ctx.channelId });
      if (!decision.allowed) return refused(decision);
      // The zone is the channel's, for all its schedules (the store keeps one a channel): naming
      // one here moves the others too, so the reply lists them at their new local times.
      const before = (await store.channelTimeZone(ctx.channelId)) ?? ctx.defaultTimeZone;
      if (command.timeZone) await store.setChannelTimeZone(ctx.channelId, command.timeZone, ctx.userId, ctx.now);
      await store.setSchedule({ channel: ctx.channelId, kind: command.schedule, cron: command.cron, userId: ctx.userId, now: ctx.now });
      await rebuildTimers(ctx);
      if (command.cron === null) return { kind: 'schedule-off', by, schedule: command.schedule, ephemeral: false };
      const tz = (await store.channelTimeZone(ctx.channelId)) ?? ctx.defaultTimeZone;
      const next = nextOccurrence(command.cron, tz, ctx.now, SHOWN_LOOKAHEAD_DAYS);
      const zoneChanged = tz !== before ? { zoneChanged: { from: before, others: (await scheduleLines(ctx, tz)).filter((s) => s.kind !== command.schedule) } } : {};
      return { kind: 'schedule-set', by, schedule: command.schedule, cron: command.cron, timeZone: tz, next: next?.toISOString() ?? null, ...zoneChanged, ephemeral: false };
    }
    case 'time-zone': {
      const decision = ctx.gate.check(requester, { kind: 'schedules', verb: 'time-zone', channel: ctx.channelId });
      if (!decision.allowed) return refused(decision);
      const from = (await store.channelTimeZone(ctx.channelId)) ?? ctx.defaultTimeZone;
      await store.setChannelTimeZone(ctx.channelId, command.timeZone, ctx.userId, ctx.now);
      await rebuildTimers(ctx);
      return { kind: 'time-zone', by, timeZone: command.timeZone, from, schedules: await scheduleLines(ctx, command.timeZone), ephemeral: false };
    }
    case 'ignore': {
      const decision = ctx.gate.check(requester, { kind: 'ignores', verb: 'add', channel: ctx.channelId, repo: null });
      if (!decision.allowed) return refused(decision);
      // As the Ignore… modal: an ignore that ends before it starts would store nothing that applies.
      if (command.until !== null && command.until <= isoDay(ctx.now)) return { kind: 'past-date', until: command.until, ephemeral: true };
      const checked = isFindingKind(command.id) ? ({ data: 'kind' } as const) : await checkAdvisory(command, ctx);
      if ('as' in checked) return { kind: 'already-ignored', id: command.id, as: checked.as, package: checked.package, ephemeral: true };
      await store.addIgnore({ channel: ctx.channelId, advisory: command.id, package: command.package, reason: command.reason, until: command.until, userId: ctx.userId, now: ctx.now });
      return { kind: 'ignored', by, id: command.id, package: command.package, until: command.until, reason: command.reason, data: checked.data, ephemeral: false };
    }
    case 'settings-show': {
      const level = await store.channelUnknownAs(ctx.channelId);
      return { kind: 'settings', level: level ?? DEFAULT_UNKNOWN_AS, isDefault: !level, ephemeral: true };
    }
    case 'unknown-as': {
      const decision = ctx.gate.check(requester, { kind: 'settings', verb: 'unknown-as', channel: ctx.channelId });
      if (!decision.allowed) return refused(decision);
      await store.setChannelUnknownAs(ctx.channelId, command.level, ctx.userId, ctx.now);
      return { kind: 'unknown-as', by, level: command.level, ephemeral: false };
    }
    case 'unignore': {
      const decision = ctx.gate.check(requester, { kind: 'ignores', verb: 'remove', channel: ctx.channelId, repo: null });
      if (!decision.allowed) return refused(decision);
      const n = await store.removeIgnore({ channel: ctx.channelId, advisory: command.id, userId: ctx.userId, now: ctx.now });
      return n > 0 ? { kind: 'unignored', by, id: command.id, ephemeral: false } : { kind: 'not-ignored', id: command.id, ephemeral: true };
    }
  }
}

const isoDay = (at: Date): string => at.toISOString().slice(0, 10);

/**
 * What the advisory data says of an id to ignore: an active ignore of the channel that already
 * covers it under another name (an alias either way, for the same package or for every package),
 * or whether the data holds it at all. Like .depwatch.yml (whose unknown ids are reported as
 * matching nothing, never refused), an id the data lacks is stored with a warning: a new advisory
 * may be in OSV before the mirror has it.
 */
async function checkAdvisory(
  command: Extract<WatchCommand, { kind: 'ignore' }>,
  ctx: WatchCommandContext,
): Promise<AdvisoryCheck> {
  const ignores = (await ctx.state.ignoresForChannel(ctx.channelId)).map((i) => ({ advisory: i.advisory, package: i.package, until: i.until }));
  return checkIgnoredAdvisory({ id: command.id, package: command.package }, ignores, { now: ctx.now, ...(ctx.lookupAdvisories ? { lookup: ctx.lookupAdvisories } : {}), ...(ctx.logger ? { logger: ctx.logger } : {}) });
}

/** An ignore's id against the advisory data: already ignored under another name (`as`), or whether the data holds it. */
export type AdvisoryCheck = { data: 'known' | 'unknown' | 'unchecked' } | { as: string; package: string | null };

/**
 * The check of an id to ignore against the ignores already in place where it would be stored (a
 * channel's, for `/audit ignore` and the alert's modal; a repository's, for the /audit reply's
 * modal): one of them, still active, that names the same advisory under another name (an alias
 * either way, for the same package or for every package), or whether the advisory data holds the id.
 * Without `lookup`, or when the data cannot be read, the id is `unchecked`.
 */
export async function checkIgnoredAdvisory(
  wanted: { id: string; package: string | null },
  ignores: readonly { advisory: string; package: string | null; until: string | null }[],
  options: { now: Date; lookup?: AdvisoryLookup; logger?: Pick<Logger, 'warn'> },
): Promise<AdvisoryCheck> {
  const today = isoDay(options.now);
  const upper = wanted.id.toUpperCase();
  const active = ignores.filter(
    (i) => (i.until === null || i.until >= today) && i.advisory.toUpperCase() !== upper && !isFindingKind(i.advisory) && (i.package === null || i.package === wanted.package),
  );
  if (!options.lookup) return { data: 'unchecked' };
  let records: Awaited<ReturnType<AdvisoryLookup>>;
  try {
    records = await options.lookup([wanted.id, ...new Set(active.map((i) => i.advisory))]);
  } catch (err) {
    options.logger?.warn({ err: (err as Error).message }, 'ignore: the advisory data could not be read; stored unchecked');
    return { data: 'unchecked' };
  }
  const namesOf = (id: string): Set<string> => {
    const record = records.get(id);
    return new Set([id, ...(record ? [record.id, ...(record.aliases ?? [])] : [])].map((n) => n.toUpperCase()));
  };
  const mine = namesOf(wanted.id);
  const covering = active.find((i) => [...namesOf(i.advisory)].some((n) => mine.has(n)));
  if (covering) return { as: covering.advisory, package: covering.package };
  const known = records.has(wanted.id) || [...records.values()].some((r) => (r.aliases ?? []).some((a) => a.toUpperCase() === upper));
  return { data: known ? 'known' : 'unknown' };
}

/** The channel's schedules with their next runs in `tz`. */
async function scheduleLines(ctx: WatchCommandContext, tz: string): Promise<ScheduleLine[]> {
  return (await ctx.state.schedulesForChannel(ctx.channelId)).map((s) => ({ kind: s.kind, enabled: s.enabled, cron: s.cron, next: s.enabled ? (nextOccurrence(s.cron, tz, ctx.now, SHOWN_LOOKAHEAD_DAYS)?.toISOString() ?? null) : null }));
}

const MAX_LISTED = 40;

/**
 * Open vulnerability findings per repository, as this channel sees them: those its `/audit ignore`
 * rules cover are counted apart (ignored here), as its alerts, digests and `/audit` replies do.
 * Without channel ignores, one count query (no finding is read and decoded).
 */
async function openVulnerabilities(store: WatchStateStore, repos: string[], rules: IgnoreRule[], now: Date): Promise<{ open: Map<string, number>; ignored: Map<string, number> }> {
  if (rules.length === 0) return { open: await store.openCounts(repos, VULN_KINDS), ignored: new Map() };
  const rows = (await store.findingsFor(repos, VULN_KINDS)).filter((r) => r.fixedAt === null);
  const { findings } = applyIgnores(rows.map((r) => r.finding), rules, now);
  const open = new Map<string, number>();
  const ignored = new Map<string, number>();
  rows.forEach((row, i) => {
    const counts = findings[i]?.ignoredBy ? ignored : open;
    counts.set(row.repo, (counts.get(row.repo) ?? 0) + 1);
  });
  return { open, ignored };
}

const VULN_KINDS = ['vulnerability', 'malicious'];

async function listReply(ctx: WatchCommandContext): Promise<WatchReply> {
  const { state: store, channelId } = ctx;
  const watches = await store.watchesForChannel(channelId);
  const summaries = await store.repoSummaries(watches.map((w) => w.repo));
  const tz = (await store.channelTimeZone(channelId)) ?? ctx.defaultTimeZone;
  const shown = watches.slice(0, MAX_LISTED);
  const ignores = (await store.ignoresForChannel(channelId)).map((ignore) => ({ ignore, rule: channelIgnoreRule(ignore) }));
  const { open: openOf, ignored: ignoredOf } = await openVulnerabilities(store, shown.map((w) => w.repo), ignores.map((i) => i.rule), ctx.now);
  const listed = shown.map((w): ListedWatch => {
    const s = summaries.get(w.repo);
    const open = openOf.get(w.repo) ?? 0;
    const ignored = ignoredOf.get(w.repo) ?? 0;
    const status: ListedWatch['status'] = !s
      ? { state: 'not-swept' }
      : s.error
        ? { state: 'error', error: s.error }
        : { state: 'ok', open, checkedAt: s.checkedAt ?? null, ...(s.partialReasons.length ? { partial: firstReason(s.partialReasons) } : {}), ...(ignored ? { ignored } : {}) };
    return { display: s?.display ?? w.repo, private: Boolean(w.private || s?.private), addedBy: w.addedBy, status };
  });
  return {
    kind: 'list',
    ephemeral: true,
    repos: watches.map((w) => w.repo),
    watches: listed,
    more: Math.max(0, watches.length - MAX_LISTED),
    timeZone: tz,
    schedules: await scheduleLines(ctx, tz),
    unknownAs: (await store.channelUnknownAs(channelId)) ?? DEFAULT_UNKNOWN_AS,
    // Expired as the counts above (applyIgnores) and every audit judge it: the one isExpired.
    ignores: ignores.map(({ ignore: i, rule }) => ({ advisory: i.advisory, package: i.package, reason: i.reason, until: i.until, createdBy: i.createdBy, expired: isExpired(rule, ctx.now) })),
  };
}
