/**
 * `/audit package <name>[==version] …` between the thin listener and the cards: parse what was typed
 * (on the ack path, cheap), then build the cards in the background and answer as `/audit owner/repo`
 * does: a placeholder the bot posts (chat.postMessage), edited into the cards, more parts in its
 * thread, so the answer arrives however late (response_url expires after 30 minutes and five posts,
 * and a post through it cannot be edited by the Web API). Where the bot cannot post (a private
 * channel it is not in, a DM) the answer goes through response_url. A failure becomes one
 * ephemeral line with an error id (reportFailure), never a stack trace, and the placeholder says so.
 * Placeholder and delivery are reply-target.ts's, shared with `/audit owner/repo`.
 */
import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../log.js';
import { buildCards, parsePackageArg, PackageArgumentError, type CardSources, type PackageRequest } from '../packages/card.js';
import type { SlackMessage } from './blocks/errors.js';
import { fitMessage } from './blocks/fit.js';
import { checkingPackagesMessage, packageCardsMessage, PACKAGE_USAGE_TEXT } from './blocks/package-card.js';
import { section } from './blocks/kit.js';
import { md } from './blocks/mrkdwn.js';
import { postPlaceholder, replaceInThread, replaceThroughResponseUrl, type ReplyTarget } from './reply-target.js';
import type { ChannelPacer } from './pacing.js';

/** More would take minutes and fill a channel; the CLI takes any number. */
export const MAX_PACKAGES_PER_COMMAND = 10;

const PACKAGE_COMMAND = /^package(?:s)?(?:\s+|$)/i;

export interface ParsedPackageCommand {
  requests: PackageRequest[];
  /** One line per argument refused (escaped later). */
  refused: string[];
}

/**
 * `django == 2.1.5`, `django ==2.1.5` or `django== 2.1.5` as typed in a message: one argument. Split
 * at the blanks they would be `django` and `2.1.5`, a card about a project called 2.1.5; joined,
 * the argument is read (and refused, when malformed) as the user wrote it.
 */
function joinSpacedReleases(args: readonly string[]): string[] {
  const joined: string[] = [];
  for (const arg of args) {
    const last = joined.length - 1;
    if (last >= 0 && (arg.startsWith('==') || joined[last]!.endsWith('=='))) joined[last] += arg;
    else joined.push(arg);
  }
  return joined;
}

/** Null when the text is not a `package` command at all. */
export function parsePackageCommand(text: string): ParsedPackageCommand | null {
  const match = PACKAGE_COMMAND.exec(text.trim());
  if (!match) return null;
  const args = joinSpacedReleases(text.trim().slice(match[0].length).split(/[\s,]+/).filter(Boolean));
  const requests: PackageRequest[] = [];
  const refused: string[] = [];
  const seen = new Set<string>();
  for (const arg of args) {
    try {
      const request = parsePackageArg(arg);
      const key = `${request.name}==${request.version ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (requests.length >= MAX_PACKAGES_PER_COMMAND) {
        refused.push(`at most ${MAX_PACKAGES_PER_COMMAND} packages at once: ${arg.slice(0, 80)} and the rest were not checked`);
        break;
      }
      requests.push(request);
    } catch (err) {
      if (!(err instanceof PackageArgumentError)) throw err;
      refused.push(err.message);
    }
  }
  return { requests, refused };
}

/** What to ack when nothing can be checked: the refused lines and how to ask. */
export function packageUsageMessage(refused: readonly string[]): SlackMessage {
  return {
    text: refused.length ? md`${refused.join(' ')}`.text : 'Usage: /audit package name[==version]',
    blocks: [...refused.map((line) => section(md`:warning: ${line}`)), section(PACKAGE_USAGE_TEXT)],
  };
}

/** Who asked, where, and the ways to answer there. */
interface PackageRequestContext {
  user: string;
  channel: string;
  client: WebClient;
  respond: RespondFn;
}

/** The cards could not be built or delivered; `placeholder`: where "checking…" is, when it was posted. */
export class PackageAnswerError extends Error {
  override name = 'PackageAnswerError';
  constructor(
    override readonly cause: unknown,
    readonly placeholder: ReplyTarget | null,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

export class SlackPackageService {
  constructor(
    private readonly sources: () => Promise<CardSources>,
    private readonly logger?: Pick<Logger, 'info' | 'warn'>,
    /** The channel's pace for replies, shared with /audit's (bot.ts). */
    private readonly pacer?: ChannelPacer,
  ) {}

  /** Builds the cards and posts them in the channel (after the ack); failures throw PackageAnswerError. */
  async answer(command: ParsedPackageCommand, request: PackageRequestContext): Promise<void> {
    let placed: ReplyTarget | null = null;
    try {
      const placeholder = fitMessage(checkingPackagesMessage(command.requests.map((r) => r.given), request.user)).first;
      placed = await postPlaceholder({ ...request, command: '/audit package', logger: this.logger, pacer: this.pacer }, placeholder);
      const cards = await buildCards(command.requests, await this.sources());
      const fitted = fitMessage(packageCardsMessage(cards, command.refused));
      if (placed.mode === 'chat') {
        const target = placed;
        await replaceInThread(request.client, target, fitted, this.pacer, {
          onRetry: (err, attempt, waitMs) => this.logger?.warn({ err, channel: target.channel, ts: target.ts, attempt, waitMs }, 'the edit of a package answer got no clear answer from Slack; sending it again'),
        });
      }
      else await replaceThroughResponseUrl(placed.respond, fitted, { advice: 'ask about fewer packages at once.' });
    } catch (err) {
      throw new PackageAnswerError(err, placed);
    }
  }
}
