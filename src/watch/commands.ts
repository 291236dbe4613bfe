/**
 * `/audit watch|unwatch|list|schedule|ignore|unignore …`: parsing (pure) and handling (store +
 * scheduler). Only admins may change anything when DEPWATCH_ADMINS is set; every change is written
 * to the change log with who and when; a private repository can be linked to a channel by an admin
 * only, because its findings will be posted there.
 */
import { DEFAULT_UNKNOWN_AS, isFindingKind, parseUnknownAs, UNKNOWN_AS_LEVELS, UNRATED_LABEL, type RatedSeverity } from '../audit/findings.js';
import type { KnownBlock } from '@slack/types';
import { isValidName, normalizeName } from '../python/names.js';
import { formatRepoRef, parseRepoRef, RepoRefError, type RepoRef } from '../github/repo-ref.js';
import { describeCron, isValidTimeZone, nextOccurrence, ScheduleParseError, scheduleToCron } from '../schedule/cron.js';
import { fitMessage } from '../slack/blocks/fit.js';
import { context, escapeMrkdwn, header, md, section } from '../slack/blocks/kit.js';
import type { AccessGate } from '../authz/gate.js';
import type { Decision, Entry } from '../authz/policy.js';
import { repoKeyOf, SCHEDULE_KINDS, type ScheduleKind, type WatchStore } from '../store/watches.js';

export type WatchCommand =
  | { kind: 'watch'; repo: RepoRef; channel: string | null }
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

/** The usage, as mrkdwn (its `<placeholders>` escaped so Slack shows them instead of reading them as links). */
export const WATCH_USAGE = escapeMrkdwn([
  '`/audit watch owner/repo [#channel]` — alerts and digests for a repository in this (or that) channel',
  '`/audit unwatch owner/repo [#channel]`',
  '`/audit list` — what this channel watches, its schedules and ignores',
  '`/audit schedule <weekly|monthly|quarterly|alerts> <"mon 09:00" | "daily 8am" | "1st 10:00" | "hourly" | cron> [Time/Zone]` or `… off`',
  '`/audit schedule timezone Europe/Berlin`',
  '`/audit ignore <advisory id> <reason> [package:<name>] [until YYYY-MM-DD]` · `/audit unignore <advisory id>`',
  `\`/audit settings unknown-as <${UNKNOWN_AS_LEVELS.join('|')}>\` — how advisories ${UNRATED_LABEL} count here (default ${DEFAULT_UNKNOWN_AS})`,
].join('\n'));

const ADVISORY_ID = /^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9._:-]{1,100}$/;

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
  if (!ADVISORY_ID.test(id) && !isFindingKind(id)) return { kind: 'invalid', message: `"${id}" is not an advisory id (like GHSA-xxxx-xxxx-xxxx, PYSEC-2024-1, CVE-2024-1234) or a finding kind` };
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
  if (isFindingKind(id) && !ADVISORY_ID.test(id) && pkg === null) {
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
}

/** What the command handler needs from the scheduler: to rebuild its jobs after a change. */
export interface ScheduleReloader {
  reload(): void;
}

export interface WatchCommandContext {
  userId: string;
  channelId: string;
  /** Where the request came in: the slash command, or the "Watch this repo" button. */
  via: Entry;
  /** Who may change watches, schedules and ignores (src/authz). */
  gate: AccessGate;
  store: WatchStore;
  scheduler: ScheduleReloader;
  now: Date;
  /** The installation's time zone (config TZ). */
  defaultTimeZone: string;
  /** Visibility and existence of a repository (one GraphQL query); without it, repositories count as public. */
  lookupRepo?: (ref: RepoRef) => Promise<RepoLookup>;
}

export interface WatchReply {
  text: string;
  blocks?: KnownBlock[];
  /** Only the person who typed it sees the reply (errors, lists); changes are told to the channel. */
  ephemeral: boolean;
}

const refused = (decision: Extract<Decision, { allowed: false }>): WatchReply => ({ text: escapeMrkdwn(decision.reason), ephemeral: true });

/** A request that cannot be carried out, told only to whoever made it. */
export const cannotReply = (message: string): WatchReply => ({ text: escapeMrkdwn(message), ephemeral: true });

export async function handleWatchCommand(command: WatchCommand, ctx: WatchCommandContext): Promise<WatchReply> {
  const { store } = ctx;
  const requester = { userId: ctx.userId, channel: ctx.channelId, via: ctx.via };
  const who = md.user(ctx.userId);
  switch (command.kind) {
    case 'invalid':
      return { text: `${escapeMrkdwn(command.message)}\n${WATCH_USAGE}`, ephemeral: true };
    case 'list':
    case 'schedule-show':
      return listReply(ctx);
    case 'watch': {
      const channel = command.channel ?? ctx.channelId;
      const key = repoKeyOf(command.repo);
      // Decided before GitHub is asked, so a refused person learns nothing about the repository.
      const first = ctx.gate.check(requester, { kind: 'watches', verb: 'watch', channel, repo: { name: key, private: null } });
      if (!first.allowed) return refused(first);
      let isPrivate = false;
      if (ctx.lookupRepo) {
        const found = await ctx.lookupRepo(command.repo);
        if (!found.found) return { text: escapeMrkdwn(found.message ?? `I can't see ${formatRepoRef(command.repo)} with the configured GitHub credentials.`), ephemeral: true };
        isPrivate = found.private;
      }
      if (isPrivate) {
        const decision = ctx.gate.check(requester, { kind: 'watches', verb: 'watch', channel, repo: { name: key, private: true } });
        if (!decision.allowed) return refused(decision);
      }
      const added = store.addWatch({ repo: key, channel, userId: ctx.userId, private: isPrivate, adminLinked: ctx.gate.isAdmin(ctx.userId), now: ctx.now });
      ctx.scheduler.reload();
      const where = channel === ctx.channelId ? md`this channel` : md.channel(channel);
      return {
        text: added
          ? md`${who} set ${where} to watch *${key}*${isPrivate ? ' (private)' : ''}: new advisories are alerted hourly, with weekly, monthly and quarterly digests. \`/audit list\` shows the schedules.`.text
          : md`${where} already watches *${key}*.`.text,
        ephemeral: !added,
      };
    }
    case 'unwatch': {
      const channel = command.channel ?? ctx.channelId;
      const key = repoKeyOf(command.repo);
      const decision = ctx.gate.check(requester, { kind: 'watches', verb: 'unwatch', channel, repo: { name: key, private: null } });
      if (!decision.allowed) return refused(decision);
      const removed = store.removeWatch({ repo: key, channel, userId: ctx.userId, now: ctx.now });
      ctx.scheduler.reload();
      const where = channel === ctx.channelId ? md`this channel` : md.channel(channel);
      return removed ? { text: md`${who} stopped watching *${key}* in ${where}.`.text, ephemeral: false } : { text: md`*${key}* is not watched there.`.text, ephemeral: true };
    }
    case 'schedule': {
      const decision = ctx.gate.check(requester, { kind: 'schedules', verb: 'schedule', channel: ctx.channelId });
      if (!decision.allowed) return refused(decision);
      if (command.timeZone) store.setChannelTimeZone(ctx.channelId, command.timeZone, ctx.userId, ctx.now);
      store.setSchedule({ channel: ctx.channelId, kind: command.schedule, cron: command.cron, userId: ctx.userId, now: ctx.now });
      ctx.scheduler.reload();
      if (command.cron === null) return { text: md`${who} turned off the ${command.schedule} ${command.schedule === 'alerts' ? '' : 'digest '}in this channel.`.text.replace('  ', ' '), ephemeral: false };
      const tz = store.channelTimeZone(ctx.channelId) ?? ctx.defaultTimeZone;
      const next = nextOccurrence(command.cron, tz, ctx.now);
      return {
        text: md`${who} set the ${command.schedule} schedule to ${describeCron(command.cron)} (${tz})${next ? `; next: ${formatIn(next, tz)}` : ''}.`.text,
        ephemeral: false,
      };
    }
    case 'time-zone': {
      const decision = ctx.gate.check(requester, { kind: 'schedules', verb: 'time-zone', channel: ctx.channelId });
      if (!decision.allowed) return refused(decision);
      store.setChannelTimeZone(ctx.channelId, command.timeZone, ctx.userId, ctx.now);
      ctx.scheduler.reload();
      return { text: md`${who} set this channel's time zone to ${command.timeZone}.`.text, ephemeral: false };
    }
    case 'ignore': {
      const decision = ctx.gate.check(requester, { kind: 'ignores', verb: 'add', channel: ctx.channelId, repo: null });
      if (!decision.allowed) return refused(decision);
      store.addIgnore({ channel: ctx.channelId, advisory: command.id, package: command.package, reason: command.reason, until: command.until, userId: ctx.userId, now: ctx.now });
      return {
        text: md`${who} ignored ${command.id}${command.package ? md` for ${command.package}` : ''} in this channel ${command.until ? `until ${command.until}` : 'with no expiry'}: “${command.reason}”`.text,
        ephemeral: false,
      };
    }
    case 'settings-show': {
      const level = store.channelUnknownAs(ctx.channelId);
      return { text: `Advisories ${UNRATED_LABEL} count as *${level ?? DEFAULT_UNKNOWN_AS}* in this channel${level ? '' : ' (the default)'}: in /audit replies, alerts and digests. Change it with \`/audit settings unknown-as <${UNKNOWN_AS_LEVELS.join('|')}>\`.`, ephemeral: true };
    }
    case 'unknown-as': {
      const decision = ctx.gate.check(requester, { kind: 'settings', verb: 'unknown-as', channel: ctx.channelId });
      if (!decision.allowed) return refused(decision);
      store.setChannelUnknownAs(ctx.channelId, command.level, ctx.userId, ctx.now);
      return { text: md`${who} set advisories ${UNRATED_LABEL} to count as *${command.level}* in this channel (replies, alerts and digests).`.text, ephemeral: false };
    }
    case 'unignore': {
      const decision = ctx.gate.check(requester, { kind: 'ignores', verb: 'remove', channel: ctx.channelId, repo: null });
      if (!decision.allowed) return refused(decision);
      const n = store.removeIgnore({ channel: ctx.channelId, advisory: command.id, userId: ctx.userId, now: ctx.now });
      return n > 0 ? { text: md`${who} removed the ignore of ${command.id} in this channel.`.text, ephemeral: false } : { text: md`${command.id} is not ignored in this channel.`.text, ephemeral: true };
    }
  }
}

function formatIn(date: Date, tz: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: tz, weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(date);
}

const MAX_LISTED = 40;

function listReply(ctx: WatchCommandContext): WatchReply {
  const { store, channelId } = ctx;
  const watches = store.watchesForChannel(channelId);
  const states = store.repoStates(watches.map((w) => w.repo));
  const tz = store.channelTimeZone(channelId) ?? ctx.defaultTimeZone;
  const lines = watches.slice(0, MAX_LISTED).map((w) => {
    const s = states.get(w.repo);
    const open = store.openFindings(w.repo).filter((f) => f.kind === 'vulnerability' || f.kind === 'malicious').length;
    const status = !s ? 'not swept yet' : s.error ? `⚠️ ${escapeMrkdwn(s.error)}` : `${open} open ${open === 1 ? 'vulnerability' : 'vulnerabilities'}, checked ${s.checkedAt?.slice(0, 16).replace('T', ' ') ?? 'never'} UTC`;
    return `• *${escapeMrkdwn(s?.display ?? w.repo)}*${w.private || s?.private ? ' 🔒' : ''}: ${status} (added by ${md.user(w.addedBy)})`;
  });
  if (watches.length > MAX_LISTED) lines.push(`…and ${watches.length - MAX_LISTED} more`);
  const schedules = store.schedulesForChannel(channelId).map((s) => {
    const next = s.enabled ? nextOccurrence(s.cron, tz, ctx.now) : null;
    return `• *${s.kind}*: ${s.enabled ? `${describeCron(s.cron)}${next ? ` (next ${formatIn(next, tz)})` : ''}` : 'off'}`;
  });
  const ignores = store.ignoresForChannel(channelId).map((i) => `• ${escapeMrkdwn(i.advisory)}${i.package ? ` (${escapeMrkdwn(i.package)})` : ''}: ${escapeMrkdwn(i.reason)} — until ${i.until ?? 'no expiry'}, by ${md.user(i.createdBy)}`);
  const blocks: KnownBlock[] = [
    header(`Watched in this channel (${watches.length})`),
    section(lines.length ? lines.join('\n') : 'Nothing yet: `/audit watch owner/repo` starts watching a repository.'),
    section(`*Schedules* (${tz})\n${schedules.length ? schedules.join('\n') : 'none until a repository is watched'}`),
    section(`*Advisories ${UNRATED_LABEL}* count as *${store.channelUnknownAs(channelId) ?? DEFAULT_UNKNOWN_AS}* here`),
  ];
  if (ignores.length) blocks.push(section(`*Ignored here*\n${ignores.join('\n')}`));
  blocks.push(context(WATCH_USAGE));
  const text = md`This channel watches ${watches.length} ${watches.length === 1 ? 'repository' : 'repositories'}${watches.length ? `: ${watches.map((w) => w.repo).join(', ')}` : ''}`.text;
  const { first } = fitMessage({ text, blocks });
  return { text: first.text, blocks: first.blocks, ephemeral: true };
}
