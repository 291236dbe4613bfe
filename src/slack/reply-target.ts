/**
 * Where an answer that takes a while lives in Slack, for `/audit owner/repo` (audit-service.ts) and
 * `/audit package` (package-service.ts) alike: a placeholder the bot posts (chat.postMessage), then
 * edited into the answer however late it comes, what did not fit in its thread. Where the bot
 * cannot post (a private channel it is not in, a DM between people) the placeholder and the answer
 * go through the command's response_url, which takes five posts within 30 minutes and whose posts
 * the Web API cannot edit. One module, so the two commands fall back, count posts and say what was
 * cut the same way.
 */
import type { RespondFn, webApi } from '@slack/bolt';
import type { Logger } from '../log.js';
import { plural } from '../plural.js';
import { withClosingNotice, type FittedMessage } from './blocks/fit.js';
import { context } from './blocks/kit.js';
import type { ChannelPacer, PacedCallOptions } from './pacing.js';
import { editIdempotently, outcomeUnknown, type EditRetryOptions } from './idempotent-edit.js';

type WebClient = webApi.WebClient;

/** Where the reply lives: a message the bot posted (editable), or the command's response_url. */
export type ReplyTarget = { mode: 'chat'; channel: string; ts: string } | { mode: 'respond'; respond: RespondFn };

/** An answer fitted to Slack's limits: its message and what goes after it. */
type FittedParts = { first: FittedMessage; replies: FittedMessage[] };

/** response_url takes five posts: the placeholder, the answer and up to three continuations. */
const RESPOND_MAX_POSTS = 5;

/** chat.postMessage errors that mean only response_url reaches the channel (a private channel without the bot, a DM). */
const PLATFORM_FALLBACK_ERRORS: ReadonlySet<string> = new Set(['not_in_channel', 'channel_not_found']);

/** The `error` of a Slack platform error (`not_in_channel`, `message_not_found`), else undefined. */
export function slackErrorCode(err: unknown): string | undefined {
  const data = (err as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

export interface PlaceholderRequest {
  client: WebClient;
  channel: string;
  /** The command's response_url; absent (App Home), a post the bot cannot make is an error. */
  respond?: RespondFn | undefined;
  /** Names the command in the log line that says the reply goes through response_url. */
  command: string;
  logger?: (Pick<Logger, 'info'> & Partial<Pick<Logger, 'warn'>>) | undefined;
  /** The channel's pace for replies (the bot's ChannelPacer): the post waits its turn there. */
  pacer?: ChannelPacer | undefined;
}

/**
 * Posts the placeholder where the reply will live: as the bot, else (where only response_url reaches
 * the channel) in the channel through response_url. Any other failure is thrown.
 */
export async function postPlaceholder(request: PlaceholderRequest, placeholder: FittedMessage): Promise<ReplyTarget> {
  try {
    const post = () => request.client.chat.postMessage({ channel: request.channel, text: placeholder.text, blocks: placeholder.blocks });
    // The answer someone is waiting for: ahead of other replies' continuations and queued alerts.
    const posted = await (request.pacer ? request.pacer.run(request.channel, post, { answer: true }) : post());
    if (!posted.ts || !posted.channel) throw new Error('chat.postMessage answered without a ts');
    return { mode: 'chat', channel: posted.channel, ts: posted.ts };
  } catch (err) {
    // The bot's client does not send a post again (post-once.ts); nor is it sent here, or through
    // response_url: Slack may have made it, and a second would be a copy in the channel.
    if (outcomeUnknown(err)) request.logger?.warn?.({ channel: request.channel }, `${request.command}: the placeholder post got no answer from Slack; it may be in the channel, and is not posted again`);
    const code = slackErrorCode(err);
    if (!request.respond || !code || !PLATFORM_FALLBACK_ERRORS.has(code)) throw err;
    request.logger?.info({ channel: request.channel, code }, `${request.command}: replying through response_url`);
    await request.respond({ response_type: 'in_channel', text: placeholder.text, blocks: placeholder.blocks });
    return { mode: 'respond', respond: request.respond };
  }
}

/**
 * The placeholder the bot posted, edited into the answer; what did not fit goes in its thread. The
 * edit is sent again while its outcome is unknown (idempotent-edit.ts); what Slack refused, or the
 * last failure once the tries ran out, is thrown as before.
 */
export async function replaceInThread(client: WebClient, target: Extract<ReplyTarget, { mode: 'chat' }>, { first, replies }: FittedParts, pacer?: ChannelPacer, editRetry: EditRetryOptions = {}): Promise<void> {
  const paced = <T>(call: () => Promise<T>, options: PacedCallOptions = {}): Promise<T> => (pacer ? pacer.run(target.channel, call, options) : call());
  // The answer in place of the placeholder goes ahead of what is queued; its thread after. Each try
  // takes its own turn in the channel's lane.
  await editIdempotently(() => paced(() => client.chat.update({ channel: target.channel, ts: target.ts, text: first.text, blocks: first.blocks }), { answer: true }), editRetry);
  for (const reply of replies) await paced(() => client.chat.postMessage({ channel: target.channel, thread_ts: target.ts, text: reply.text, blocks: reply.blocks }));
}

/**
 * The placeholder posted through response_url, replaced by the answer, and as many continuations
 * as the posts left allow. `usedPosts`: posts spent besides the placeholder (an earlier stage).
 * Never cut silently: the last post ends with how much was not shown and `advice` (what gets the
 * whole answer), room made for it in that post.
 */
export async function replaceThroughResponseUrl(respond: RespondFn, { first, replies }: FittedParts, options: { advice: string; usedPosts?: number }): Promise<void> {
  await respond({ response_type: 'in_channel', replace_original: true, text: first.text, blocks: first.blocks });
  // The placeholder and the answer took two posts.
  const shown = replies.slice(0, Math.max(0, RESPOND_MAX_POSTS - 2 - (options.usedPosts ?? 0)));
  const hidden = replies.length - shown.length;
  for (const [i, reply] of shown.entries()) {
    const cut = i === shown.length - 1 && hidden > 0;
    const message = cut ? withClosingNotice(reply, (dropped) => context(`${plural(hidden, 'more part')}${dropped ? ' and the end of this one' : ''} not shown: ${options.advice}`)) : reply;
    await respond({ response_type: 'in_channel', replace_original: false, text: message.text, blocks: message.blocks });
  }
}
