/**
 * The Slack side of the outbox, assembled: a paced client for bulk posting (a client of its own, so
 * a rate-limited channel never pauses the client that answers slash commands; its ChannelPacer is
 * the one the bot paces /audit replies with too: createBot takes it), the SQLite outbox
 * and the delivery loop; with PostgreSQL (DATABASE_URL) also the shared outbox the alerts write to,
 * delivered through the same paced client. src/main.ts (and tests) build one and hand it to the watch service as an
 * OutboxDelivery; the domain only writes rows and asks for a round.
 */
import type { Logger } from '../../log.js';
import type { Db } from '../../store/db.js';
import { SqliteOutbox } from '../../store/outbox/sqlite.js';
import type { OutboxDelivery, OutboxStore } from '../../store/outbox/types.js';
import { CHANNEL_PACE, ChannelPacer, PacedSlack, type PacerOptions, type SlackApi } from '../pacing.js';
import { OutboxDeliverer, type DeliveryReport, type OutboxDelivererOptions } from './deliver.js';

export interface SlackDeliveryOptions {
  db: Db;
  /** A WebClient for bulk posting: createBulkSlackClient(token, { slackApiUrl }). */
  api: SlackApi;
  /** The channels' pace (default CHANNEL_PACE; given, it is the whole pace), or the pacer to share (the bot's, when it builds the delivery of incidents). */
  pacer?: PacerOptions | ChannelPacer;
  now?: () => Date;
  logger?: Logger;
  /** The outbox shared by replicas (PostgreSQL), delivered beside the local one; absent: local only. */
  shared?: OutboxStore;
  /** Test hooks and tuning of the loop (lease, batch, attempts, afterSend). */
  deliverer?: Partial<Omit<OutboxDelivererOptions, 'outbox' | 'slack'>>;
}

export class SlackDelivery implements OutboxDelivery {
  readonly slack: PacedSlack;
  readonly outbox: SqliteOutbox;
  readonly deliverer: OutboxDeliverer;
  /** Delivers the shared outbox, when there is one. */
  readonly sharedDeliverer: OutboxDeliverer | null;

  constructor(options: SlackDeliveryOptions) {
    const logger = options.logger ? { logger: options.logger } : {};
    this.slack = new PacedSlack(options.api, options.pacer instanceof ChannelPacer ? options.pacer : new ChannelPacer({ ...(options.pacer ?? CHANNEL_PACE), ...logger }));
    this.outbox = new SqliteOutbox(options.db);
    const loop = (outbox: OutboxStore) => new OutboxDeliverer({ ...options.deliverer, outbox, slack: this.slack, ...(options.now ? { now: options.now } : {}), ...logger });
    this.deliverer = loop(this.outbox);
    this.sharedDeliverer = options.shared ? loop(options.shared) : null;
  }

  async deliver(filter: { channel?: string } = {}): Promise<DeliveryReport> {
    const [local, shared] = await Promise.all([this.deliverer.deliver(filter), this.sharedDeliverer?.deliver(filter)]);
    if (!shared) return local;
    return {
      posted: [...local.posted, ...shared.posted],
      updated: [...local.updated, ...shared.updated],
      reconciled: [...local.reconciled, ...shared.reconciled],
      superseded: [...local.superseded, ...shared.superseded],
      failed: [...local.failed, ...shared.failed],
      lost: [...local.lost, ...shared.lost],
    };
  }

  start(intervalMs: number): void {
    this.deliverer.start(intervalMs);
    this.sharedDeliverer?.start(intervalMs);
  }

  async stop(): Promise<void> {
    await Promise.all([this.deliverer.stop(), this.sharedDeliverer?.stop()]);
    await this.slack.pacer.idle();
  }

  idle(): Promise<void> {
    return this.slack.pacer.idle();
  }
}
