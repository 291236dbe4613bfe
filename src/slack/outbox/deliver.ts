/**
 * The one delivery loop for the Slack outbox: claims rows (store/outbox), renders each with the
 * layout of its kind (renderers.ts), posts or updates it at the channel's pace (pacing.ts: 429s
 * are waited out and retried) and records the message ts. Several deliverers (replicas) may run on
 * one store; each row is posted once:
 *
 *   claim (lease + fence) → [sent before? look for its key in the channel] → begin send (fenced,
 *   lease renewed, right before every attempt) → chat.postMessage → record ts (fenced)
 *
 * A deliverer that dies after claiming leaves the row to whoever claims it when the lease runs out;
 * one that dies after Slack accepted leaves sent_at set, and the next claimant finds the message by
 * its metadata key instead of posting it again. A deliverer that outlives its lease loses the fence
 * and writes nothing. Design and evidence: docs/outbox.md.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../../log.js';
import { outageLog } from '../../outage-log.js';
import type { OutboxRow, OutboxStore } from '../../store/outbox/types.js';
import { MessageOverflow } from '../blocks/fit.js';
import type { PacedSlack } from '../pacing.js';
import { failureKind } from './failures.js';
import { findPosted, isDirectMessage, readableChannel, type FoundMessages } from './reconcile.js';
import { renderOutboxMessage, RENDERERS, UnknownMessageKind, type Renderer } from './renderers.js';

export interface OutboxDelivererOptions {
  outbox: OutboxStore;
  slack: PacedSlack;
  /** This replica, as written on claimed rows. */
  owner?: string;
  now?: () => Date;
  /** How long a claim holds. Longer than one Slack call can take (the client's timeout). */
  leaseMs?: number;
  /** Rows claimed at once. */
  batch?: number;
  /** Sends of a row failing with an error that cannot be placed (failures.ts) before it is given up. */
  maxAttempts?: number;
  /**
   * How long after it was queued a row failing transiently (network, timeouts, 5xx) is still
   * retried; default a day. Slack refusing a row (channel_not_found…) gives it up at once.
   */
  transientRetryMs?: number;
  renderers?: Readonly<Record<string, Renderer>>;
  logger?: Logger;
  /** Test hook: Slack accepted the post, the ts is not recorded yet (a crash here is the hard case). */
  afterSend?: (row: OutboxRow, ts: string) => void | Promise<void>;
}

export interface DeliveryReport {
  posted: OutboxRow[];
  updated: OutboxRow[];
  /** Found already in Slack (a send before a crash): recorded, not posted again. */
  reconciled: OutboxRow[];
  superseded: OutboxRow[];
  /** Sends that failed this time; `gaveUp` when the row is now failed for good. */
  failed: { row: OutboxRow; error: string; gaveUp: boolean }[];
  /** Rows another deliverer took over (our lease ran out). */
  lost: OutboxRow[];
}

/** Thrown inside a paced call when the fence no longer holds: someone else owns the row now. */
class LostClaim extends Error {}

/** The afterSend hook threw: behave like a crash (leave the row exactly as it is, stop). */
class Crashed extends Error {}

const emptyReport = (): DeliveryReport => ({ posted: [], updated: [], reconciled: [], superseded: [], failed: [], lost: [] });

/** A row failing transiently is retried for this long after it was queued (a Slack outage of hours). */
export const TRANSIENT_RETRY_MS = 24 * 60 * 60_000;
/** The longest wait between two tries of a row. */
const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * Errors Slack or the network give, as one line that carries no stack trace or token. Not
 * errorLine (src/error-line.ts): Slack's platform error code comes first, and any object's
 * `message` (not only an Error's) is cut to one line and capped.
 */
function errorLine(err: unknown): string {
  const e = err as { data?: { error?: unknown }; message?: unknown };
  if (typeof e?.data?.error === 'string') return `slack: ${e.data.error}`;
  return String(e?.message ?? err).split('\n')[0]!.slice(0, 300);
}

export class OutboxDeliverer {
  readonly owner: string;
  private readonly now: () => Date;
  private readonly leaseMs: number;
  private readonly batch: number;
  private readonly maxAttempts: number;
  private readonly transientRetryMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: OutboxDelivererOptions) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.now = options.now ?? (() => new Date());
    this.leaseMs = options.leaseMs ?? 60_000;
    this.batch = options.batch ?? 20;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.transientRetryMs = options.transientRetryMs ?? TRANSIENT_RETRY_MS;
  }

  /** Delivers what is deliverable now (of one channel, when given), until nothing is left to claim. */
  async deliver(filter: { channel?: string } = {}): Promise<DeliveryReport> {
    const report = emptyReport();
    // Each round's posts unblock the updates queued behind them; a row put back for later is not
    // due again within the same `now`, so the rounds end.
    for (let round = 0; round < 100; round++) {
      const rows = await this.options.outbox.claim({ owner: this.owner, now: this.now(), leaseMs: this.leaseMs, limit: this.batch, ...filter });
      if (rows.length === 0) break;
      await Promise.all(rows.map((row) => this.deliverRow(row, report)));
    }
    return report;
  }

  /** Polls every `intervalMs` (a replica's background loop); `stop()` waits for the round in progress. */
  start(intervalMs = 1000): void {
    if (this.timer) return;
    // A store that is down fails every round: said at the first, then every few minutes, and once
    // when rounds work again, not once a round (the database's own line says the outage).
    const outage = outageLog();
    const tick = () => {
      this.running = this.deliver()
        .then(() => {
          const ended = outage.worked();
          if (ended) this.options.logger?.info({ failedForMs: ended.downMs }, 'outbox delivery rounds work again');
        })
        .catch((err: unknown) => {
          const say = outage.failed();
          if (say) this.options.logger?.warn({ err: errorLine(err), since: say.since.toISOString() }, 'outbox delivery round failed');
        })
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private async deliverRow(row: OutboxRow, report: DeliveryReport): Promise<void> {
    const { outbox, slack } = this.options;
    const log = this.options.logger?.child({ component: 'outbox', channel: row.channel, key: row.idempotencyKey });
    try {
      const rendered = renderOutboxMessage(row.kind, row.data, this.options.renderers ?? RENDERERS);
      if (row.op === 'update') {
        const ts = (await outbox.postedTs(row.messageKey)) ?? rendered.ts ?? null;
        if (!ts) {
          await this.parentNeverPosted(row, 'the message to update was never posted', report);
          return;
        }
        // Updates carry the whole message: only the newest one is worth sending.
        if (await outbox.hasLaterUpdate(row)) {
          if (await outbox.supersede(row, this.now())) report.superseded.push(row);
          return;
        }
        let first = true;
        await slack.pacer.run(row.channel, async () => {
          if (!(await outbox.beginSend(row, this.now(), this.leaseMs, first))) throw new LostClaim();
          first = false;
          return slack.api.chat.update({ channel: row.channel, ts, text: rendered.text, blocks: rendered.blocks });
        });
        if (await outbox.recordPosted({ ...row }, ts, this.now())) report.updated.push(row);
        else report.lost.push(row);
        return;
      }

      let threadTs = rendered.threadTs;
      if (row.op === 'reply') {
        // A reply waits for its parent's post (same message key, delivered in order).
        const parent = await outbox.postedTs(row.messageKey);
        if (!parent) {
          await this.parentNeverPosted(row, 'the message to reply to was never posted', report);
          return;
        }
        threadTs = parent;
      }
      // A user's id (a direct message): open the DM, so posting and reconciling name one channel.
      const channel = await readableChannel(slack.api, row.channel);
      // A row may be several messages (a digest's thread): each carries its own key, so after a
      // crash part way through only the missing ones are sent.
      const parts = [{ text: rendered.text, blocks: rendered.blocks }, ...(rendered.more ?? [])];
      const keyOf = (i: number) => (i === 0 ? row.idempotencyKey : `${row.idempotencyKey}#${i + 1}`);
      let found: FoundMessages | null = null;
      // A DM cannot be read back: that needs im:history, which Depwatch does not ask for (it would
      // read people's DMs with the bot). A crash in the window repeats a DM reminder (docs/outbox.md).
      if (row.sentAt && !isDirectMessage(channel)) {
        // A send began before and never recorded its end: is the message in the channel already?
        found = await findPosted(slack.api, { channel, since: row.sentAt, ...(threadTs ? { threadTs } : {}) }).catch((err: unknown) => {
          // Slack not answering now will answer later: look again then (the row is put back with
          // backoff) rather than post blind.
          if (failureKind(err) === 'transient') throw err;
          // Without channels:history we cannot know. A duplicate alert is noise with a
          // recognisable key; a lost one is silence: post.
          log?.warn({ err: errorLine(err) }, 'could not look for an earlier post of this outbox row; posting it (it may appear twice)');
          return null;
        });
      }
      // The fence is checked and the lease renewed right before every attempt, 429 resends included:
      // a deliverer that waited out a long Retry-After past its lease stops here. One attempt is
      // counted per delivery, however many messages it sends.
      let counted = false;
      const fenced = async <T>(send: () => Promise<T>): Promise<T> =>
        slack.pacer.run(row.channel, async () => {
          if (!(await outbox.beginSend(row, this.now(), this.leaseMs, !counted))) throw new LostClaim();
          counted = true;
          return send();
        });
      let firstTs = found?.keys.get(keyOf(0)) ?? null;
      let sent = false;
      for (const [i, part] of parts.entries()) {
        if (found?.keys.has(keyOf(i))) continue;
        const res = await fenced(() =>
          slack.api.chat.postMessage({
            channel,
            text: part.text,
            blocks: part.blocks,
            ...(threadTs ? { thread_ts: threadTs } : {}),
            unfurl_links: false,
            unfurl_media: false,
            metadata: { event_type: rendered.eventType, event_payload: { key: keyOf(i) } },
          }),
        );
        if (!res.ts) throw new Error(`chat.postMessage to ${channel} returned no ts`);
        firstTs ??= res.ts;
        sent = true;
      }
      const file = rendered.file;
      if (file && !found?.files.has(file.filename)) {
        if (!firstTs) throw new Error('a file needs a thread to go in');
        const thread = threadTs ?? firstTs;
        await fenced(() => slack.api.files.uploadV2({ channel_id: channel, thread_ts: thread, file: file.bytes, filename: file.filename, title: file.title, alt_text: file.altText }));
        sent = true;
      }
      if (!firstTs) throw new Error(`nothing to post for ${row.kind}`);
      if (!sent) {
        // Everything was in Slack already: record it, post nothing.
        if (await outbox.recordPosted(row, firstTs, this.now())) report.reconciled.push({ ...row, messageTs: firstTs });
        else report.lost.push(row);
        return;
      }
      try {
        await this.options.afterSend?.(row, firstTs);
      } catch (err) {
        throw new Crashed(errorLine(err), { cause: err });
      }
      if (await outbox.recordPosted(row, firstTs, this.now())) report.posted.push({ ...row, messageTs: firstTs, state: 'posted' });
      else report.lost.push(row);
    } catch (err) {
      if (err instanceof Crashed) throw err.cause;
      if (err instanceof LostClaim) {
        report.lost.push(row);
        return;
      }
      const error = errorLine(err);
      // A render failure never gets better by waiting (a message too big to be one is a layout bug:
      // failed at once, saying so, rather than retried each second); what Slack refused, it refuses again.
      const kind = err instanceof UnknownMessageKind || err instanceof MessageOverflow ? 'permanent' : failureKind(err);
      // attempts counted by beginSend.
      const sends = (await outbox.row(row.idempotencyKey))?.attempts ?? row.attempts;
      const now = this.now();
      const waited = now.getTime() - row.queuedAt.getTime();
      const gaveUp = kind === 'permanent' || (kind === 'transient' ? waited >= this.transientRetryMs : sends >= this.maxAttempts);
      // Backoff doubles with the sends; a row failing for a long while is tried less often even when
      // its failures came before any send (a look at the channel that failed counts no attempt).
      const backoff = Math.min(Math.max(2 ** sends * 1000, kind === 'transient' ? waited / 8 : 0), MAX_BACKOFF_MS);
      const failure = kind === 'unknown' ? undefined : kind;
      await outbox.release(row, { error, retryAt: new Date(now.getTime() + backoff), giveUp: gaveUp, ...(failure ? { failure } : {}), now });
      report.failed.push({ row, error, gaveUp });
      log?.warn({ err: error, failure: kind, gaveUp }, 'outbox send failed');
    }
  }

  /**
   * An update or reply whose message was never posted. When that post was given up after a day of
   * transient failures, so is this row, the same way: queued again with it (alerts.ts), it follows
   * the post out. (Every writer keys a message's post by the message: its idempotency key.)
   */
  private async parentNeverPosted(row: OutboxRow, error: string, report: DeliveryReport): Promise<void> {
    const post = await this.options.outbox.row(row.messageKey);
    const failure = post?.state === 'failed' && post.failure === 'transient' ? 'transient' : 'permanent';
    await this.options.outbox.release(row, { error, retryAt: this.now(), giveUp: true, failure, now: this.now() });
    report.failed.push({ row, error, gaveUp: true });
  }
}
