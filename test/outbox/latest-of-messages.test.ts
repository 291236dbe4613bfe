/**
 * latestOfMessages answers for many messages in one read what latestOfMessage and postedTs answer
 * for one (the alerts' thread lists read it once a run): on SQLite and on the run's PostgreSQL alike.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/store/outbox/types.js';
import { NOTE, openOutboxWorld, THREAD, type Dialect, type OutboxWorld } from './world.js';

const CHANNEL = 'C0LATEST001';
const NOW = new Date('2026-12-07T12:00:00Z');
const row = (kind: string, op: OutboundMessage['op'], messageKey: string, idempotencyKey: string): OutboundMessage => ({ kind, data: { text: idempotencyKey, parts: [idempotencyKey] }, channel: CHANNEL, op, messageKey, idempotencyKey });

let world: OutboxWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe.each<Dialect>(['sqlite', 'postgres'])('latestOfMessages on %s', (dialect) => {
  it('gives each message its newest row of each kind asked for and its posted ts, as the one-message reads do', async () => {
    world = await openOutboxWorld(dialect, 1);
    const store = world.stores[0]!;
    await store.enqueue([row(NOTE, 'post', 'a', 'a'), row(THREAD, 'reply', 'a', 'a:list'), row(NOTE, 'update', 'a', 'a@2'), row(THREAD, 'reply', 'a', 'a:list2'), row(NOTE, 'post', 'b', 'b'), row(NOTE, 'post', 'c', 'c')], NOW);
    // a's post went out; b's and c's did not.
    const [post] = await store.claim({ owner: 'test', now: NOW, leaseMs: 60_000, limit: 1, channel: CHANNEL });
    expect(post!.idempotencyKey).toBe('a');
    expect(await store.beginSend(post!, NOW, 60_000)).toBe(true);
    expect(await store.recordPosted(post!, '1765108800.000100', NOW)).toBe(true);

    const read = await store.latestOfMessages(['a', 'b', 'nothing'], [NOTE, THREAD]);
    expect([...read.keys()].sort()).toEqual(['a', 'b']);
    const a = read.get('a')!;
    expect(a.postedTs).toBe('1765108800.000100');
    expect(a.latest.get(NOTE)!.idempotencyKey).toBe('a@2');
    expect(a.latest.get(THREAD)!.idempotencyKey).toBe('a:list2');
    expect(read.get('b')!.postedTs).toBeNull();
    expect([...read.get('b')!.latest.keys()]).toEqual([NOTE]);
    // The same answers as the reads of one message.
    for (const key of ['a', 'b']) {
      expect(read.get(key)!.postedTs).toBe(await store.postedTs(key));
      for (const kind of [NOTE, THREAD]) expect(read.get(key)!.latest.get(kind)?.id ?? null).toBe((await store.latestOfMessage(key, kind))?.id ?? null);
    }
    // Only the kinds asked for; no message asked for, no read.
    expect([...(await store.latestOfMessages(['a'], [THREAD])).get('a')!.latest.keys()]).toEqual([THREAD]);
    expect((await store.latestOfMessages([], [NOTE])).size).toBe(0);
  });
});
