/**
 * The outbox under test on either store: SQLite (two connections to one file, as two processes
 * would have) or the run's real PostgreSQL (two pools on one database, as two replicas would
 * have), with deliverers posting to the loopback fake Slack.
 */
import type { KnownBlock } from '@slack/types';
import { ChannelPacer, createBulkSlackClient, PacedSlack } from '../../src/slack/pacing.js';
import { OutboxDeliverer, type OutboxDelivererOptions } from '../../src/slack/outbox/deliver.js';
import type { Renderer } from '../../src/slack/outbox/renderers.js';
import type { Db } from '../../src/store/db.js';
import { PostgresOutbox } from '../../src/store/outbox/postgres.js';
import { SqliteOutbox } from '../../src/store/outbox/sqlite.js';
import type { OutboundMessage, OutboxStore } from '../../src/store/outbox/types.js';
import { FAKE_BOT_TOKEN, type FakeSlack } from '../fakes/slack-api.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { openTestDb, tempDbPath, TestClock } from '../watch/helpers.js';

export type Dialect = 'sqlite' | 'postgres';

export interface OutboxWorld {
  /** One store per "replica", all on the same database. */
  stores: OutboxStore[];
  close(): Promise<void>;
}

export async function openOutboxWorld(dialect: Dialect, replicas = 2): Promise<OutboxWorld> {
  if (dialect === 'sqlite') {
    const path = tempDbPath();
    const dbs: Db[] = Array.from({ length: replicas }, () => openTestDb(path));
    return { stores: dbs.map((db) => new SqliteOutbox(db)), close: async () => dbs.forEach((db) => db.close()) };
  }
  const database = await createTestDatabase();
  const pools = await Promise.all(Array.from({ length: replicas }, () => database.open({ max: 4 })));
  return { stores: pools.map((p) => new PostgresOutbox(p)), close: () => database.drop() };
}

/** A plain message kind for tests: the outbox machinery, apart from any real layout. */
export const NOTE = 'test-note';
export const THREAD = 'test-thread';
const part = (text: string): { text: string; blocks: KnownBlock[] } => ({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
export const TEST_RENDERERS: Record<string, Renderer> = {
  [NOTE]: (data) => {
    const { text, ts } = data as { text: string; ts?: string };
    return { ...part(text), eventType: 'depwatch_test', ...(ts ? { ts } : {}) };
  },
  [THREAD]: (data) => {
    const [first, ...more] = (data as { parts: string[] }).parts.map(part);
    return { ...first!, more, eventType: 'depwatch_test' };
  },
};

/** Several messages in the thread of the message posted for `parentKey` (a digest's details). */
export const threadReply = (channel: string, parentKey: string, key: string, parts: string[]): OutboundMessage => ({
  kind: THREAD,
  data: { parts },
  channel,
  op: 'reply',
  messageKey: parentKey,
  idempotencyKey: key,
});

export const note = (channel: string, key: string, text = `note ${key}`): OutboundMessage => ({
  kind: NOTE,
  data: { text },
  channel,
  op: 'post',
  messageKey: key,
  idempotencyKey: key,
});

export const noteUpdate = (channel: string, key: string, version: number, text: string): OutboundMessage => ({
  kind: NOTE,
  data: { text },
  channel,
  op: 'update',
  messageKey: key,
  idempotencyKey: `${key}#${version}`,
});

export function deliverer(
  store: OutboxStore,
  slack: FakeSlack,
  clock: TestClock,
  owner: string,
  extra: Partial<OutboxDelivererOptions> & { minIntervalMs?: number } = {},
): OutboxDeliverer {
  const { minIntervalMs, ...rest } = extra;
  return new OutboxDeliverer({
    outbox: store,
    slack: new PacedSlack(createBulkSlackClient(FAKE_BOT_TOKEN, { slackApiUrl: slack.url }), new ChannelPacer({ minIntervalMs: minIntervalMs ?? 5 })),
    owner,
    now: clock.now,
    leaseMs: 60_000,
    batch: 5,
    renderers: TEST_RENDERERS,
    ...rest,
  });
}

/** The keys of the fake channel's messages, as the outbox wrote them into metadata. */
export function postedKeys(slack: FakeSlack, channel: string): string[] {
  return slack.messages(channel).map((m) => String((m.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key));
}

export { TestClock };
