/**
 * The pull-request review state's contract on SQLite and on the run's real PostgreSQL: reviews per
 * channel with their card written to the same database's outbox, open ones by repository, and the
 * review comment kept per pull request.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/store/outbox/types.js';
import { SqliteOutbox } from '../../src/store/outbox/sqlite.js';
import { PostgresOutbox } from '../../src/store/outbox/postgres.js';
import { PostgresPullReviewState } from '../../src/store/pull-review-state/postgres.js';
import { SqlitePullReviewState } from '../../src/store/pull-review-state/sqlite.js';
import type { PullReviewRow, PullReviewState } from '../../src/store/pull-review-state/types.js';
import type { OutboxStore } from '../../src/store/outbox/types.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { openTestDb, tempDbPath } from '../watch/helpers.js';

type Dialect = 'sqlite' | 'postgres';
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function openStore(dialect: Dialect): Promise<{ reviews: PullReviewState; outbox: OutboxStore }> {
  if (dialect === 'sqlite') {
    const db = openTestDb(tempDbPath());
    close = async () => void db.close();
    return { reviews: new SqlitePullReviewState(db), outbox: new SqliteOutbox(db) };
  }
  const database = await createTestDatabase();
  close = () => database.drop();
  const pool = await database.open({ max: 4 });
  return { reviews: new PostgresPullReviewState(pool), outbox: new PostgresOutbox(pool) };
}

const NOW = new Date('2026-01-15T12:00:00Z');
const row = (channel: string, overrides: Partial<PullReviewRow> = {}): PullReviewRow => ({ repo: 'octo/shop', number: 7, channel, ts: '', headOid: 'a'.repeat(40), state: 'open', reviewJson: '{"review":1}', ...overrides });
const card = (channel: string, key: string): OutboundMessage => ({ kind: 'pull-request-review', data: { key }, channel, op: 'post', messageKey: key, idempotencyKey: key });

describe.each<Dialect>(['sqlite', 'postgres'])('pull-request review state on %s', (dialect) => {
  it('stores each channel review with its card in the outbox, and follows it until it closes', async () => {
    const { reviews, outbox } = await openStore(dialect);
    await reviews.save(row('C1'), [card('C1', 'pr-review:C1:octo/shop#7')], NOW);
    await reviews.save(row('C2'), [card('C2', 'pr-review:C2:octo/shop#7')], NOW);
    await reviews.save(row('C1', { number: 9 }), [], NOW);
    expect((await outbox.rows()).map((r) => [r.channel, r.messageKey])).toEqual([
      ['C1', 'pr-review:C1:octo/shop#7'],
      ['C2', 'pr-review:C2:octo/shop#7'],
    ]);
    expect(await reviews.openNumbers()).toEqual(new Map([['octo/shop', [7, 9]]]));
    await reviews.save(row('C1', { headOid: 'b'.repeat(40), state: 'merged' }), [], NOW);
    const shop = await reviews.reviewsOf([{ repo: 'octo/shop', number: 7 }, { repo: 'octo/shop', number: 9 }]);
    expect(shop.filter((r) => r.state === 'open').map((r) => [r.number, r.channel])).toEqual([
      [7, 'C2'],
      [9, 'C1'],
    ]);
    expect(await reviews.reviewsOf([{ repo: 'octo/shop', number: 7 }])).toEqual([row('C1', { headOid: 'b'.repeat(40), state: 'merged' }), row('C2')]);
  });

  it('reads the reviews of many pull requests, every channel and state, in one call', async () => {
    const { reviews } = await openStore(dialect);
    await reviews.save(row('C1'), [], NOW);
    await reviews.save(row('C2', { state: 'merged' }), [], NOW);
    await reviews.save(row('C1', { number: 9 }), [], NOW);
    await reviews.save(row('C1', { repo: 'octo/api', number: 7 }), [], NOW);
    await reviews.save(row('C1', { repo: 'octo/other', number: 7 }), [], NOW);
    const read = await reviews.reviewsOf([
      { repo: 'octo/shop', number: 7 },
      { repo: 'octo/api', number: 7 },
      { repo: 'octo/shop', number: 11 },
    ]);
    expect(read).toEqual([row('C1', { repo: 'octo/api', number: 7 }), row('C1'), row('C2', { state: 'merged' })]);
    expect(await reviews.reviewsOf([])).toEqual([]);
  });

  it('keeps one review comment per pull request, replaced when it is written again', async () => {
    const { reviews } = await openStore(dialect);
    expect(await reviews.comment('octo/shop', 7)).toBeNull();
    await reviews.saveComment('octo/shop', 7, { id: 1001, url: 'https://github.com/octo/shop/pull/7#issuecomment-1001', body: 'first' }, NOW);
    await reviews.saveComment('octo/shop', 7, { id: 1001, url: 'https://github.com/octo/shop/pull/7#issuecomment-1001', body: 'second' }, NOW);
    expect(await reviews.comment('octo/shop', 7)).toEqual({ id: 1001, url: 'https://github.com/octo/shop/pull/7#issuecomment-1001', body: 'second' });
  });
});
