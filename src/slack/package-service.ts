/**
 * `/audit package <name>[==version] …` between the thin listener and the cards: parse what was typed
 * (on the ack path, cheap), then build the cards in the background and answer as `/audit owner/repo`
 * does: a placeholder the bot posts (chat.postMessage), edited into the cards, more parts in its
 * thread, so the answer arrives however late (response_url expires after 30 minutes and five posts,
 * and a post through it cannot be edited by the Web API). Where the bot cannot post (a private
 * channel it is not in, a DM) the answer goes through response_url. A failure becomes one
 * ephemeral line with an error id (reportFailure), never a stack trace, and the placeholder says so.
 */
import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../log.js';
import { PLATFORM_FALLBACK_ERRORS, slackErrorCode } from './audit-service.js';
import { buildCards, parsePackageArg, PackageArgumentError, type CardSources, type PackageRequest } from '../packages/card.js';
import type { SlackMessage } from './blocks/errors.js';
import { fitMessage, withClosingNotice } from './blocks/fit.js';
import { plural } from '../plural.js';
import { checkingPackagesMessage, packageCardsMessage, PACKAGE_USAGE_TEXT } from './blocks/package-card.js';
import { context, section } from './blocks/kit.js';
import { md } from './blocks/mrkdwn.js';

/** More would take minutes and fill a channel; the CLI takes any number. */
export const MAX_PACKAGES_PER_COMMAND = 10;

/** response_url takes five posts: the cards and up to four continuations. */
const RESPOND_MAX_POSTS = 5;

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

/** Where the placeholder is: a message the bot posted (editable), or a response_url post. */
type PackagePlaceholder = { mode: 'chat'; channel: string; ts: string } | { mode: 'respond' };

/** The cards could not be built or delivered; `placeholder`: where "checking…" is, when it was posted. */
export class PackageAnswerError extends Error {
  override name = 'PackageAnswerError';
  constructor(
    override readonly cause: unknown,
    readonly placeholder: PackagePlaceholder | null,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

export class SlackPackageService {
  constructor(
    private readonly sources: () => Promise<CardSources>,
    private readonly logger?: Pick<Logger, 'info'>,
  ) {}

  /** Builds the cards and posts them in the channel (after the ack); failures throw PackageAnswerError. */
  async answer(command: ParsedPackageCommand, request: PackageRequestContext): Promise<void> {
    let placed: PackagePlaceholder | null = null;
    try {
      const placeholder = fitMessage(checkingPackagesMessage(command.requests.map((r) => r.given), request.user)).first;
      placed = await this.postPlaceholder(request, placeholder);
      const cards = await buildCards(command.requests, await this.sources());
      const fitted = fitMessage(packageCardsMessage(cards, command.refused));
      if (placed.mode === 'chat') await this.deliverInThread(request.client, placed, fitted);
      else await this.deliverThroughResponseUrl(request.respond, fitted);
    } catch (err) {
      throw new PackageAnswerError(err, placed);
    }
  }

  private async postPlaceholder(request: PackageRequestContext, placeholder: SlackMessage): Promise<PackagePlaceholder> {
    try {
      const posted = await request.client.chat.postMessage({ channel: request.channel, text: placeholder.text, blocks: placeholder.blocks });
      if (!posted.ts || !posted.channel) throw new Error('chat.postMessage answered without a ts');
      return { mode: 'chat', channel: posted.channel, ts: posted.ts };
    } catch (err) {
      const code = slackErrorCode(err);
      if (!code || !PLATFORM_FALLBACK_ERRORS.has(code)) throw err;
      // Private channels the bot is not in (and DMs between people) are reachable only through response_url.
      this.logger?.info({ channel: request.channel, code }, '/audit package: replying through response_url');
      await request.respond({ response_type: 'in_channel', text: placeholder.text, blocks: placeholder.blocks });
      return { mode: 'respond' };
    }
  }

  /** The placeholder edited into the cards, and what did not fit in its thread. */
  private async deliverInThread(client: WebClient, placed: Extract<PackagePlaceholder, { mode: 'chat' }>, { first, replies }: ReturnType<typeof fitMessage>): Promise<void> {
    await client.chat.update({ channel: placed.channel, ts: placed.ts, text: first.text, blocks: first.blocks });
    for (const reply of replies) await client.chat.postMessage({ channel: placed.channel, thread_ts: placed.ts, text: reply.text, blocks: reply.blocks });
  }

  private async deliverThroughResponseUrl(respond: RespondFn, { first, replies }: ReturnType<typeof fitMessage>): Promise<void> {
    await respond({ response_type: 'in_channel', replace_original: true, text: first.text, blocks: first.blocks });
    // The placeholder took one post and the cards one: what is left of response_url's five.
    const shown = replies.slice(0, RESPOND_MAX_POSTS - 2);
    const hidden = replies.length - shown.length;
    for (const [i, reply] of shown.entries()) {
      // Never cut silently: the last post ends with what did not fit, room made for it in that post.
      const cut = i === shown.length - 1 && hidden > 0;
      const message = cut ? withClosingNotice(reply, (dropped) => context(md`${plural(hidden, 'more part')}${dropped ? ' and the end of this one' : ''} not shown: ask about fewer packages at once.`)) : reply;
      await respond({ response_type: 'in_channel', replace_original: false, text: message.text, blocks: message.blocks });
    }
  }
}
