/**
 * What a user sees when an audit can't be done: one short paragraph saying what happened and what to
 * do, and the error id in a context line. Pure: the same problem always reads the same way.
 */
import type { KnownBlock } from '@slack/types';
import { MANIFEST_PATTERNS, type UserError } from '../errors.js';
import { context, escapeMrkdwn, escapeMrkdwnText, link, section } from './kit.js';
import { WATCH_USAGE_LINES } from './watch-reply.js';

export interface ErrorMessageOptions {
  now: Date;
  /** IANA time zone for times in the fallback text (Slack renders `<!date>` in the reader's own). */
  timeZone: string;
}

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** `14:32 UTC` in the given time zone. */
export function clockTime(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(at);
}

/** A time Slack shows in the reader's time zone, with `fallback` where it can't. */
export function slackTime(at: Date, fallback: string): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^{time}|${escapeMrkdwn(fallback)}>`;
}

export function minutesUntil(at: Date, now: Date): number {
  return Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 60_000));
}

/** The sentence for a problem, as mrkdwn. */
export function problemText(error: UserError, options: ErrorMessageOptions): string {
  const p = error.problem;
  switch (p.kind) {
    case 'bad-input':
      return `${escapeMrkdwn(p.message)}.\nUsage: \`/audit owner/repo\`, \`/audit owner/repo@branch\` or \`/audit https://github.com/owner/repo\`.`;
    case 'not-visible':
      return escapeMrkdwn(p.message);
    case 'no-manifests':
      return (
        `No Python manifests or lockfiles in *${escapeMrkdwn(p.repo)}* at ${link(`${p.htmlUrl.replace(/\/+$/, '')}/tree/${p.sha}`, p.sha.slice(0, 7))}.\n` +
        `Searched every directory (except virtualenvs, node_modules and the like) for: ${MANIFEST_PATTERNS.map((m) => `\`${m}\``).join(', ')}.`
      );
    case 'rate-limited': {
      const minutes = minutesUntil(p.resetAt, options.now);
      const when = clockTime(p.resetAt, options.timeZone);
      return `GitHub's ${p.secondary ? 'secondary ' : ''}rate limit for Depwatch is used up. It resets at ${slackTime(p.resetAt, when)} (in ${minutes} minute${minutes === 1 ? '' : 's'}); try again after that.`;
    }
    case 'service':
      // An answer that was an error (a 5xx) is not silence: said as a failure that may pass.
      return p.status === undefined
        ? `${escapeMrkdwn(p.service)} did not answer: ${escapeMrkdwn(p.message)}. Try again in a few minutes.`
        : `${escapeMrkdwn(p.service)} answered with an error: ${escapeMrkdwn(p.message)}. Trying again in a few minutes may work.`;
    case 'credentials':
      // Pressing again cannot help until someone changes the credentials: no "try again".
      return `${escapeMrkdwn(p.message)}. Whoever runs Depwatch needs to fix this; until then nothing that reads GitHub works.`;
    case 'unexpected':
      return `Something went wrong (error id ${error.errorId}). The details are in Depwatch's log under that id.`;
  }
}

/** Plain text of a problem (notifications and the message `text`), without mrkdwn links or dates. */
function problemFallback(error: UserError, options: ErrorMessageOptions): string {
  const p = error.problem;
  switch (p.kind) {
    case 'rate-limited':
      return `GitHub's rate limit is used up until ${clockTime(p.resetAt, options.timeZone)} (in ${minutesUntil(p.resetAt, options.now)} minutes)`;
    case 'no-manifests':
      return `No Python manifests in ${p.repo} at ${p.sha.slice(0, 7)}`;
    case 'unexpected':
      return `Something went wrong (error id ${error.errorId})`;
    case 'service':
      return p.status === undefined ? `${p.service} did not answer` : `${p.service} answered with an error (HTTP ${p.status})`;
    case 'credentials':
      return `${p.service} rejected Depwatch's credentials`;
    default:
      return p.message;
  }
}

export function errorMessage(error: UserError, options: ErrorMessageOptions): SlackMessage {
  const blocks: KnownBlock[] = [section(`:warning: ${problemText(error, options)}`)];
  if (error.problem.kind !== 'unexpected') blocks.push(context(`Error id ${error.errorId}`));
  // The notification text is mrkdwn as well: what the user typed or GitHub said is escaped there too.
  const fallback = escapeMrkdwn(problemFallback(error, options));
  return { text: fallback.includes(error.errorId) ? fallback : `${fallback} (error id ${error.errorId})`, blocks };
}

/** What replaces "Auditing owner/repo…" in the channel when the audit fails (details go to the requester). */
export function failedPlaceholder(repo: string, user: string | null, errorId: string): SlackMessage {
  const who = user ? `<@${user}> has the details` : 'details were sent privately';
  return {
    text: `Could not audit ${escapeMrkdwnText(repo)} (error id ${errorId})`,
    blocks: [section(`:warning: Could not audit *${escapeMrkdwn(repo)}*; ${who}.`), context(`Error id ${errorId}`)],
  };
}

/**
 * What replaces "Auditing…" when the failure has nothing to tell beyond its id (an unexpected one:
 * the database unreachable, a bug): the one answer, in the channel that saw "Auditing…", instead of
 * that and a private "Something went wrong" with the same id.
 */
export function unexpectedFailurePlaceholder(repo: string, errorId: string): SlackMessage {
  return {
    text: `Could not audit ${escapeMrkdwnText(repo)}: something went wrong (error id ${errorId})`,
    blocks: [section(`:warning: Could not audit *${escapeMrkdwn(repo)}*: something went wrong. The details are in Depwatch's log under its error id.`), context(`Error id ${errorId}`)],
  };
}

/**
 * What replaces "Auditing…" when a mistake in the request (a repository or ref GitHub does not show)
 * was told to the requester privately and the message could not be deleted: neutral, without what
 * was typed, so the channel does not read one person's typo.
 */
export function withdrawnPlaceholder(user: string | null): SlackMessage {
  const text = user ? `No audit was run; <@${user}> was told why.` : 'No audit was run; the details were sent privately.';
  return { text, blocks: [context(text)] };
}

/**
 * The failure in place of a reply whose details could not reach the requester (response_url
 * expired): the channel learns the audit failed, and that the requester was not told why.
 */
export function undeliveredFailurePlaceholder(repo: string, errorId: string): SlackMessage {
  return {
    text: `Could not audit ${escapeMrkdwnText(repo)} (error id ${errorId})`,
    blocks: [
      section(`:warning: Could not audit *${escapeMrkdwn(repo)}*, and could not deliver the result: Slack's reply link had expired. Run \`/audit ${escapeMrkdwn(repo)}\` again.`),
      context(`Error id ${errorId}`),
    ],
  };
}

export const AUDIT_USAGE_TEXT = [
  '*Audit a repository’s Python dependencies*',
  '`/audit owner/repo`: the default branch',
  '`/audit owner/repo@branch`: another branch or tag',
  '`/audit https://github.com/owner/repo`: a GitHub URL works too',
  'I read every requirements file, pyproject.toml, Pipfile, setup.cfg, setup.py and lockfile, check the pinned releases against OSV advisories and PyPI, and post the result here.',
].join('\n');

/** The package cards' line of the help (package-service.ts parses `/audit package`). */
const PACKAGE_HELP_LINE = '`/audit package name[==version] …`: a health card per package, before you add it';

/** What this bot answers: a bot without watching (or package cards) does not offer them. */
interface UsageAvailability {
  packages: boolean;
  watching: boolean;
}

/** `intro` is mrkdwn: escape what the user typed in it. */
export function usageMessage(intro?: string, available: UsageAvailability = { packages: true, watching: true }): SlackMessage {
  const blocks: KnownBlock[] = [];
  if (intro) blocks.push(section(intro));
  blocks.push(section(AUDIT_USAGE_TEXT));
  const more = [
    ...(available.packages ? [PACKAGE_HELP_LINE] : []),
    ...(available.watching ? WATCH_USAGE_LINES : []),
    '`/audit help`: this list',
  ];
  blocks.push(section(['*Also*', ...more].join('\n')));
  return { text: intro ? `${intro} Usage: /audit owner/repo` : 'Usage: /audit owner/repo', blocks };
}
