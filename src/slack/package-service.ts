/**
 * `/audit package <name>[==version] …` between the thin listener and the cards: parse what was typed
 * (on the ack path, cheap), then build the cards in the background and answer through the
 * command's response_url (it works in every channel, the bot invited or not). A failure becomes one
 * ephemeral line with an error id (reportFailure), never a stack trace.
 */
import type { RespondFn } from '@slack/bolt';
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
export function joinSpacedReleases(args: readonly string[]): string[] {
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

export class SlackPackageService {
  constructor(private readonly sources: () => Promise<CardSources>) {}

  /** Builds the cards and posts them in the channel through response_url (after the ack). */
  async answer(command: ParsedPackageCommand, user: string, respond: RespondFn): Promise<void> {
    const placeholder = fitMessage(checkingPackagesMessage(command.requests.map((r) => r.given), user)).first;
    await respond({ response_type: 'in_channel', text: placeholder.text, blocks: placeholder.blocks });
    const cards = await buildCards(command.requests, await this.sources());
    const { first, replies } = fitMessage(packageCardsMessage(cards, command.refused));
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
