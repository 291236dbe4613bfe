/**
 * How the answers to `/audit watch|unwatch|list|schedule|ignore|unignore|settings` read in Slack:
 * src/watch/commands.ts says what happened (WatchReply), this says it in mrkdwn (every value the
 * person or the repository chose is escaped) and lays out the list.
 */
import type { KnownBlock } from '@slack/types';
import { DEFAULT_UNKNOWN_AS, UNKNOWN_AS_LEVELS, UNRATED_LABEL } from '../../audit/findings.js';
import { formatUtc } from '../../incidents/duration.js';
import { describeCron } from '../../schedule/cron.js';
import { WATCH_VERBS, type WatchReply, type WatchVerb } from '../../watch/commands.js';
import { fitMessage } from './fit.js';
import { context, escapeMrkdwn, header, listSections, listWithin, md, section, truncate } from './kit.js';

/**
 * One line per watch-family subcommand (src/watch/commands.ts parses them): a Record over
 * WATCH_VERBS, so a verb added to the parser does not compile until the help says it. The one
 * wording of the usage: `/audit help`, the answer to a mistyped command and the foot of `/audit list`.
 */
const WATCH_HELP_LINES: Record<WatchVerb, string> = {
  watch: '`/audit watch owner/repo [#channel]`: alerts and digests for a repository in this (or that) channel',
  unwatch: '`/audit unwatch owner/repo [#channel]`: stop watching it',
  list: '`/audit list`: what this channel watches, its schedules and ignores',
  schedule:
    '`/audit schedule <weekly|monthly|quarterly|alerts> <"mon 09:00" | "daily 8am" | "1st 10:00" | "hourly" | cron> [Time/Zone]` or `… off`: when this channel hears; `/audit schedule timezone Europe/Berlin`: the channel\'s zone, for all its schedules (a zone after one schedule sets it too)',
  ignore: '`/audit ignore <advisory id> <reason> [package:<name>] [until YYYY-MM-DD]`: stop reporting an advisory in this channel (alerts, digests, `/audit` replies and list counts here show it as ignored)',
  unignore: '`/audit unignore <advisory id>`: report it again',
  settings: `\`/audit settings unknown-as <${UNKNOWN_AS_LEVELS.join('|')}>\`: how advisories ${UNRATED_LABEL} count here (default ${DEFAULT_UNKNOWN_AS})`,
};

/** The usage lines as mrkdwn, in the parser's order (their `<placeholders>` escaped so Slack shows them instead of reading them as links). */
export const WATCH_USAGE_LINES: readonly string[] = WATCH_VERBS.map((verb) => escapeMrkdwn(WATCH_HELP_LINES[verb]));

export const WATCH_USAGE = WATCH_USAGE_LINES.join('\n');

/**
 * The list is one ephemeral message (no thread for more): its watches and ignores each get this
 * much room, the rest counted. With the header, schedules and usage it stays within the text budget.
 */
const WATCHES_ROOM = 4_500;
const IGNORES_ROOM = 4_000;
/** Characters of the repositories named in the list's notification text. */
const TEXT_REPOS_ROOM = 2_500;
/** An ignore's reason, as typed, is cut to this in the list. */
const REASON_MAX = 300;
const more = (left: number): string => `…and ${left} more`;

export interface WatchReplyMessage {
  text: string;
  blocks?: KnownBlock[];
  ephemeral: boolean;
}

function formatIn(date: Date, tz: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: tz, weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(date);
}

/** The line under a watch of the default branch made instead of the ref an audit named, which is not a branch. */
function notABranchLine(reply: { repo: string; notABranch?: string }): string {
  if (reply.notABranch === undefined) return '';
  return `\n${md`\`${reply.notABranch.replace(/`/g, "'")}\` is not a branch of ${reply.repo} (a tag, a commit, or a branch deleted since the audit), so this watches its default branch.`.text}`;
}

/** Every schedule of the channel moved with its zone: said plainly, each at its new local time. */
function zoneMoved(from: string, to: string, schedules: readonly { kind: string; enabled: boolean; cron: string; next: string | null }[]): string {
  const on = schedules.filter((s) => s.enabled);
  const head = md`The time zone is the channel's, for all its schedules: it changed from ${from} to ${to}`.text;
  if (on.length === 0) return `${head}.`;
  const lines = on.map((s) => md`• *${s.kind}*: ${describeCron(s.cron)}${s.next ? ` (next ${formatIn(new Date(s.next), to)})` : ''}`.text);
  return `${head}, so ${on.length === 1 ? 'this one runs' : 'these run'} in ${escapeMrkdwn(to)} time now:\n${lines.join('\n')}`;
}

function text(reply: WatchReply): string {
  const who = 'by' in reply ? md.user(reply.by) : '';
  const where = (channel: string | null) => (channel === null ? md`this channel` : md.channel(channel));
  switch (reply.kind) {
    case 'usage':
      return `${escapeMrkdwn(reply.problem)}\n${WATCH_USAGE}`;
    case 'cannot':
      return escapeMrkdwn(reply.message);
    case 'watched':
      return md`${who} set ${where(reply.channel)} to watch *${reply.repo}*${reply.private ? ' (private)' : ''}: new advisories are alerted hourly, with weekly, monthly and quarterly digests. \`/audit list\` shows the schedules.`.text + notABranchLine(reply);
    case 'already-watched':
      return md`${where(reply.channel)} already watches *${reply.repo}*.`.text + notABranchLine(reply);
    case 'unwatched':
      return md`${who} stopped watching *${reply.repo}* in ${where(reply.channel)}.`.text;
    case 'not-watched':
      return md`*${reply.repo}* is not watched there.`.text;
    case 'schedule-off':
      return md`${who} turned off the ${reply.schedule} ${reply.schedule === 'alerts' ? '' : 'digest '}in this channel.`.text.replace('  ', ' ');
    case 'schedule-set': {
      const set = md`${who} set the ${reply.schedule} schedule to ${describeCron(reply.cron)} (${reply.timeZone})${reply.next ? `; next: ${formatIn(new Date(reply.next), reply.timeZone)}` : ''}.`.text;
      if (!reply.zoneChanged) return set;
      return `${set}\n${zoneMoved(reply.zoneChanged.from, reply.timeZone, reply.zoneChanged.others)}`;
    }
    case 'time-zone':
      return `${md`${who} set this channel's time zone to ${reply.timeZone}.`.text}${reply.from === reply.timeZone ? '' : `\n${zoneMoved(reply.from, reply.timeZone, reply.schedules)}`}`;
    case 'ignored': {
      const said = md`${who} ignored ${reply.id}${reply.package ? md` for ${reply.package}` : ''} in this channel ${reply.until ? `until ${reply.until}` : 'with no expiry'}: “${reply.reason}”`.text;
      const warning = ignoredIdWarning(reply.id, reply.data);
      return said + (warning ? `\n${warning}` : '');
    }
    case 'already-ignored':
      return md`${reply.id} is already ignored in this channel as ${reply.as}${reply.package ? md` for ${reply.package}` : ''} (the same advisory); nothing changed. \`/audit list\` shows it.`.text;
    case 'past-date':
      return md`"until ${reply.until}" has passed: give a date in the future, or leave "until" out for no expiry.`.text;
    case 'not-ignored':
      return md`${reply.id} is not ignored in this channel.`.text;
    case 'unignored':
      return md`${who} removed the ignore of ${reply.id} in this channel.`.text;
    case 'settings':
      return `Advisories ${UNRATED_LABEL} count as *${reply.level}* in this channel${reply.isDefault ? ' (the default)' : ''}: in /audit replies, alerts and digests. Change it with \`/audit settings unknown-as <${UNKNOWN_AS_LEVELS.join('|')}>\`.`;
    case 'unknown-as':
      return md`${who} set advisories ${UNRATED_LABEL} to count as *${reply.level}* in this channel (replies, alerts and digests).`.text;
    case 'list':
      return md`This channel watches ${reply.repos.length} ${reply.repos.length === 1 ? 'repository' : 'repositories'}${md.raw(reply.repos.length ? `: ${listWithin(reply.repos.map(escapeMrkdwn), ', ', { room: TEXT_REPOS_ROOM, more })}` : '')}`.text;
  }
}

function listBlocks(reply: Extract<WatchReply, { kind: 'list' }>): KnownBlock[] {
  const lines = reply.watches.map((w) => {
    const s = w.status;
    // A partial audit's count is of what could be read: said first, so it never reads as clean.
    const checked = (ok: Extract<typeof s, { state: 'ok' }>) =>
      `${ok.partial ? `⚠️ partial: ${escapeMrkdwn(truncate(ok.partial, REASON_MAX))}; ` : ''}${ok.open} open ${ok.open === 1 ? 'vulnerability' : 'vulnerabilities'}${ok.partial ? ' in what could be read' : ''}${ok.ignored ? ` (and ${ok.ignored} ignored here)` : ''}, checked ${ok.checkedAt ? formatUtc(ok.checkedAt) : 'never'}`;
    const status = s.state === 'not-swept' ? 'not swept yet' : s.state === 'error' ? `⚠️ ${escapeMrkdwn(s.error)}` : checked(s);
    return `• *${escapeMrkdwn(w.display)}*${w.private ? ' 🔒' : ''}: ${status} (added by ${md.user(w.addedBy)})`;
  });
  const schedules = reply.schedules.map((s) => `• *${s.kind}*: ${s.enabled ? `${describeCron(s.cron)}${s.next ? ` (next ${formatIn(new Date(s.next), reply.timeZone)})` : ''}` : 'off'}`);
  const ignores = reply.ignores.map((i) => `• ${escapeMrkdwn(i.advisory)}${i.package ? ` (${escapeMrkdwn(i.package)})` : ''}: ${escapeMrkdwn(truncate(i.reason, REASON_MAX))} — ${i.until === null ? 'no expiry' : i.expired ? `*expired* on ${i.until} (applies no more; \`/audit unignore ${escapeMrkdwn(i.advisory)}\` removes it)` : `until ${i.until}`}, by ${md.user(i.createdBy)}`);
  const blocks: KnownBlock[] = [
    header(`Watched in this channel (${reply.repos.length})`),
    ...(lines.length || reply.more > 0
      ? listSections('', lines, { room: WATCHES_ROOM, more, alsoLeft: reply.more })
      : [section('Nothing yet: `/audit watch owner/repo` starts watching a repository.')]),
    section(`*Schedules* (${reply.timeZone})\n${schedules.length ? schedules.join('\n') : 'none until a repository is watched'}`),
    section(`*Advisories ${UNRATED_LABEL}* count as *${reply.unknownAs}* here`),
  ];
  if (ignores.length) blocks.push(...listSections('*Ignored here*', ignores, { room: IGNORES_ROOM, more }));
  blocks.push(context(WATCH_USAGE));
  return blocks;
}

/**
 * What to add when an ignored id could not be matched to the advisory data (mrkdwn), or null: said
 * alike after `/audit ignore` and after either Ignore… modal.
 */
export function ignoredIdWarning(id: string, data: 'known' | 'unknown' | 'unchecked' | 'kind'): string | null {
  if (data === 'unknown') return md`:warning: The advisory data I read has no advisory ${id} (nor an alias of that name): check it is not a typo. It may also be too new for the data yet; once it is there, the ignore applies.`.text;
  if (data === 'unchecked') return md`:warning: I could not check ${id} against the advisory data just now: check it is not a typo.`.text;
  return null;
}

/** The reply as Slack shows it, within Slack's limits. */
export function watchReplyMessage(reply: WatchReply): WatchReplyMessage {
  const fitted = fitMessage({ text: text(reply), blocks: reply.kind === 'list' ? listBlocks(reply) : [] }).first;
  return { text: fitted.text, ...(fitted.blocks.length ? { blocks: fitted.blocks } : {}), ephemeral: reply.ephemeral };
}
