/**
 * Posting at Slack's pace: chat.postMessage allows about one message per second per channel, so
 * every post, update and upload to a channel waits its turn in that channel's lane, at least
 * `minIntervalMs` after the previous one. A 429 holds the lane for Retry-After and then sends the
 * same call again: nothing is dropped, and other channels keep moving.
 *
 * One ChannelPacer per process is shared by everything that writes to channels (main.ts builds it
 * at CHANNEL_PACE): /audit replies, package cards, and the outbox's alerts, digests and redraws.
 * Slack counts a channel's posts whoever sends them; two pacers would each keep to the pace and
 * together pass it. In a lane an answer someone is waiting for (a placeholder, the first result in
 * its place: `{ answer: true }`) goes ahead of every call queued that is not one (a long reply's
 * thread continuations, a sweep's alerts), so a new /audit never waits behind them.
 *
 * Give it a WebClient built with `rejectRateLimitedCalls: true` (createBulkSlackClient does), or the
 * client's own retry would pause every call on that client while one channel is limited.
 */
import { webApi } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import { observedFetch } from '../http.js';
import { redactedSlackFetch } from './redacted-fetch.js';
import type { Logger } from '../log.js';

/** The part of @slack/web-api's WebClient that watching uses (a WebClient satisfies it). */
export interface SlackApi {
  chat: {
    postMessage(args: PostArgs): Promise<{ ok?: boolean; ts?: string; channel?: string }>;
    update(args: UpdateArgs): Promise<{ ok?: boolean }>;
  };
  files: {
    uploadV2(args: UploadArgs): Promise<unknown>;
  };
  /** Only to reconcile an outbox post that may have reached Slack before a crash (docs/outbox.md). */
  conversations: {
    history(args: HistoryArgs): Promise<HistoryPage>;
    /** A thread's messages, to reconcile a reply (thread replies are not in the history). */
    replies(args: HistoryArgs & { ts: string }): Promise<HistoryPage>;
    /** The DM channel with a user, to reconcile a direct message (posted to the user's id). */
    open(args: { users: string }): Promise<{ ok?: boolean; channel?: { id?: string } }>;
  };
}

export interface HistoryArgs {
  channel: string;
  oldest?: string;
  limit?: number;
  cursor?: string;
  include_all_metadata?: boolean;
}

export interface HistoryPage {
  ok?: boolean;
  messages?: { ts?: string; metadata?: { event_type?: string; event_payload?: Record<string, unknown> }; files?: { name?: string }[] }[];
  has_more?: boolean;
  response_metadata?: { next_cursor?: string };
}

export interface PostArgs {
  channel: string;
  text: string;
  blocks?: KnownBlock[];
  thread_ts?: string;
  unfurl_links?: boolean;
  unfurl_media?: boolean;
  metadata?: { event_type: string; event_payload: Record<string, string | number | boolean> };
}

export interface UpdateArgs {
  channel: string;
  ts: string;
  text: string;
  blocks?: KnownBlock[];
}

/** Uploads always go into a digest's thread (FileThreadDestinationArgument in @slack/web-api). */
export interface UploadArgs {
  channel_id: string;
  thread_ts: string;
  file: Buffer;
  filename: string;
  title?: string;
  alt_text?: string;
  initial_comment?: string;
}

export interface PacerOptions {
  /** Least time between two calls in one channel (Slack: about 1 s). */
  minIntervalMs?: number;
  /**
   * Calls a channel may make at once before the interval applies (Slack allows "short bursts"): a
   * bucket of `burst` calls, refilled one per interval, so the average stays one per interval. Default 1.
   */
  burst?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  logger?: Logger;
}

/**
 * The pace of every channel: Slack takes about one chat.postMessage a second per channel with short
 * bursts (docs/platform-facts.md). A burst of four lets a normal /audit reply (its first stage and a
 * few continuations) or a few alerts out at once; a longer run then goes one call a second.
 */
export const CHANNEL_PACE = { minIntervalMs: 1000, burst: 4 } as const satisfies PacerOptions;

/** How a call waits in its channel's lane. */
export interface PacedCallOptions {
  /**
   * An answer someone is waiting for now (a placeholder, the first result in its place): it goes
   * ahead of every queued call that is not one. Calls of one kind keep their order.
   */
  answer?: boolean;
}

/** A call waiting in a lane, and how to settle what `run` returned for it. */
interface QueuedCall {
  call: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** One channel's queue: answers first, then the rest, each in order; `draining` ends when both are empty. */
interface Lane {
  answers: QueuedCall[];
  rest: QueuedCall[];
  draining: Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Seconds to wait when `err` is Slack's "rate limited" answer; undefined for any other error. */
export function rateLimitedRetryAfter(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; retryAfter?: unknown; data?: { error?: unknown }; headers?: Record<string, unknown> };
  if (e.code === webApi.ErrorCode.RateLimitedError) return typeof e.retryAfter === 'number' && e.retryAfter >= 0 ? e.retryAfter : 1;
  if (e.data?.error === 'ratelimited' || e.data?.error === 'rate_limited') {
    const header = Number(e.headers?.['retry-after']);
    return Number.isFinite(header) && header >= 0 ? header : 1;
  }
  return undefined;
}

export class ChannelPacer {
  private readonly lanes = new Map<string, Lane>();
  /** Per channel, the calls it may make now (up to `burst`) as of `at`. */
  private readonly buckets = new Map<string, { calls: number; at: number }>();
  private readonly minIntervalMs: number;
  private readonly burst: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** 429s seen and sat out, for logs and tests. */
  rateLimited = 0;

  constructor(private readonly options: PacerOptions = {}) {
    this.minIntervalMs = options.minIntervalMs ?? 1000;
    this.burst = Math.max(1, Math.floor(options.burst ?? 1));
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /**
   * Runs `call` in `channel`'s lane: after the call under way there and every earlier call of its
   * kind (an answer only after earlier answers), paced, retried after 429s.
   */
  run<T>(channel: string, call: () => Promise<T>, options: PacedCallOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const queued: QueuedCall = { call, resolve: resolve as (value: unknown) => void, reject };
      const lane = this.lanes.get(channel);
      if (lane) {
        (options.answer ? lane.answers : lane.rest).push(queued);
        return;
      }
      const fresh: Lane = { answers: [], rest: [], draining: Promise.resolve() };
      (options.answer ? fresh.answers : fresh.rest).push(queued);
      this.lanes.set(channel, fresh);
      fresh.draining = this.drain(channel, fresh);
    });
  }

  /** Resolves when every queued call has finished (for shutdown). */
  async idle(): Promise<void> {
    while (this.lanes.size > 0) await Promise.allSettled([...this.lanes.values()].map((lane) => lane.draining));
  }

  /**
   * Runs a lane's calls one at a time, until both queues are empty; then the lane is gone. The next
   * call is chosen once the channel may make one, not before: an answer queued while the lane
   * waits for its turn still goes first.
   */
  private async drain(channel: string, lane: Lane): Promise<void> {
    while (lane.answers.length > 0 || lane.rest.length > 0) {
      await this.take(channel);
      // Only this loop takes calls out, so the queues still hold one.
      const next = (lane.answers.shift() ?? lane.rest.shift())!;
      try {
        next.resolve(await this.attempt(channel, next.call));
      } catch (err) {
        next.reject(err);
      }
    }
    // Nothing is awaited between the last look at the queues and this: no call can be left behind.
    this.lanes.delete(channel);
  }

  /** `call`, its turn already taken; after a 429, the channel held for Retry-After and the same call sent again in a turn of its own. */
  private async attempt<T>(channel: string, call: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        const result = await call();
        this.called(channel);
        return result;
      } catch (err) {
        this.called(channel);
        const retryAfter = rateLimitedRetryAfter(err);
        if (retryAfter === undefined) throw err;
        this.rateLimited++;
        this.options.logger?.warn({ channel, retryAfter }, 'slack rate limited; holding the channel and retrying');
        await this.sleep(retryAfter * 1000);
        await this.take(channel);
      }
    }
  }

  /** Waits until `channel` may make a call, and spends it. */
  private async take(channel: string): Promise<void> {
    const bucket = this.buckets.get(channel) ?? { calls: this.burst, at: this.now() };
    this.buckets.set(channel, bucket);
    const refill = () => {
      const now = this.now();
      bucket.calls = Math.min(this.burst, bucket.calls + (now - bucket.at) / this.minIntervalMs);
      bucket.at = now;
    };
    refill();
    if (bucket.calls < 1) {
      await this.sleep((1 - bucket.calls) * this.minIntervalMs);
      refill();
    }
    bucket.calls = Math.max(0, bucket.calls - 1);
  }

  /**
   * A call ended: the bucket refills from when Slack answered, not from when the call was sent, so
   * network latency can't squeeze two posts together.
   */
  private called(channel: string): void {
    const bucket = this.buckets.get(channel);
    if (bucket) bucket.at = Math.max(bucket.at, this.now());
  }
}

/** Slack calls for one channel at a time, paced by a ChannelPacer. */
export class PacedSlack {
  constructor(
    readonly api: SlackApi,
    readonly pacer: ChannelPacer = new ChannelPacer(),
  ) {}

  /** Posts and returns the message ts. */
  async post(args: PostArgs): Promise<string> {
    const res = await this.pacer.run(args.channel, () => this.api.chat.postMessage({ unfurl_links: false, unfurl_media: false, ...args }));
    if (!res.ts) throw new Error(`chat.postMessage to ${args.channel} returned no ts`);
    return res.ts;
  }

  async update(args: UpdateArgs): Promise<void> {
    await this.pacer.run(args.channel, () => this.api.chat.update(args));
  }

  async upload(args: UploadArgs): Promise<void> {
    await this.pacer.run(args.channel_id, () => this.api.files.uploadV2(args));
  }
}

/**
 * How long a Slack client of the bot's (the bulk one here, the interactive one in bot.ts) waits for
 * one Web API attempt: Slack answers in a second or two even when busy, and what it cannot do it
 * answers (429, an error) rather than holding. Well inside the outbox's 60 s claim lease: a call
 * still in flight when another replica takes the row over could otherwise post twice (docs/outbox.md).
 */
export const SLACK_CALL_TIMEOUT_MS = 15_000;

/**
 * A WebClient for scheduled, bulk traffic (alerts and digests), for posts that go through the
 * outbox only: 429s are thrown to the pacer instead of pausing the client, so the interactive
 * client (Bolt's) is never held up by a digest, and other failures to the outbox, which retries.
 */
export function createBulkSlackClient(token: string, options: { slackApiUrl?: string } = {}): SlackApi {
  return new webApi.WebClient(token, {
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl.replace(/\/?$/, '/') } : {}),
    rejectRateLimitedCalls: true,
    // No retries of its own: @slack/web-api resends a call that timed out, lost its connection or
    // got a 5xx, and Slack may have posted the first one. Every post through this client goes
    // through the outbox, which retries those errors itself, each try fenced (beginSend) and, after
    // a send whose end is unknown, preceded by a look for the message (docs/outbox.md).
    retryConfig: { retries: 0 },
    // Counted by the metrics, its text redacted first, as the interactive client's (src/slack/bot.ts):
    // alerts, digests and review cards quote what repositories and advisories hold.
    fetch: redactedSlackFetch(observedFetch('Slack')),
    timeout: SLACK_CALL_TIMEOUT_MS,
  });
}
