/**
 * The Slack side of the outbox, assembled: a paced client for bulk posting (its own lanes per
 * channel, so a rate-limited channel never holds up replies to slash commands), the SQLite outbox
 * and the delivery loop. src/main.ts (and tests) build one and hand it to the watch service as an
 * OutboxDelivery; the domain only writes rows and asks for a round.
 */
import type { Logger } from '../../log.js';
import type { Db } from '../../store/db.js';
import { SqliteOutbox } from '../../store/outbox/sqlite.js';
import type { OutboxDelivery } from '../../store/outbox/types.js';
import { ChannelPacer, PacedSlack, type PacerOptions, type SlackApi } from '../pacing.js';
import { OutboxDeliverer, type DeliveryReport, type OutboxDelivererOptions } from './deliver.js';

export interface SlackDeliveryOptions {
  db: Db;
  /** A WebClient for bulk posting: createBulkSlackClient(token, { slackApiUrl }). */
  api: SlackApi;
  pacer?: PacerOptions;
  now?: () => Date;
  logger?: Logger;
  /** Test hooks and tuning of the loop (lease, batch, attempts, afterSend). */
  deliverer?: Partial<Omit<OutboxDelivererOptions, 'outbox' | 'slack'>>;
}

export class SlackDelivery implements OutboxDelivery {
  readonly slack: PacedSlack;
  readonly outbox: SqliteOutbox;
  readonly deliverer: OutboxDeliverer;

  constructor(options: SlackDeliveryOptions) {
    const logger = options.logger ? { logger: options.logger } : {};
    this.slack = new PacedSlack(options.api, new ChannelPacer({ ...options.pacer, ...logger }));
    this.outbox = new SqliteOutbox(options.db);
    this.deliverer = new OutboxDeliverer({ ...options.deliverer, outbox: this.outbox, slack: this.slack, ...(options.now ? { now: options.now } : {}), ...logger });
  }

  deliver(filter: { channel?: string } = {}): Promise<DeliveryReport> {
    return this.deliverer.deliver(filter);
  }

  start(intervalMs: number): void {
    this.deliverer.start(intervalMs);
  }

  async stop(): Promise<void> {
    await this.deliverer.stop();
    await this.slack.pacer.idle();
  }

  idle(): Promise<void> {
    return this.slack.pacer.idle();
  }
}
