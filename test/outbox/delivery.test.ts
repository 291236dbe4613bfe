/**
 * The Slack outbox, on SQLite and on a real PostgreSQL (the same tests on both): rows posted once
 * by two deliverers racing on one store, a deliverer that dies after claiming, one that dies after
 * Slack accepted the post but before it recorded the ts, 429s waited out at the channel's pace,
 * updates delivered after their post, newest only, thread replies reconciled where they were posted,
 * and direct messages posted again after a crash (Depwatch cannot read DMs back).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';
import { MessageOverflow } from '../../src/slack/blocks/fit.js';
import { deliverer, NOTE, note, noteUpdate, openOutboxWorld, postedKeys, TestClock, threadReply, type Dialect, type OutboxWorld } from './world.js';

const C1 = 'C0OUTBOX001';
const C2 = 'C0OUTBOX002';
const C3 = 'C0OUTBOX003';
const START = '2026-01-05T09:00:00Z';

describe.each<Dialect>(['sqlite', 'postgres'])('outbox on %s', (dialect) => {
  let world: OutboxWorld;
  let slack: FakeSlack;
  let clock: TestClock;
  beforeEach(async () => {
    world = await openOutboxWorld(dialect);
    slack = await startFakeSlack({ startTs: Date.parse(START) / 1000 });
    clock = new TestClock(Date.parse(START));
  });
  afterEach(async () => {
    await world.close();
    await slack.close();
  });

  it('keeps one row per idempotency key however often it is written', async () => {
    const [store] = world.stores;
    expect(await store!.enqueue([note(C1, 'a'), note(C1, 'b')], clock.now())).toBe(2);
    expect(await store!.enqueue([note(C1, 'a', 'other text')], clock.now())).toBe(0);
    const rows = await store!.rows();
    expect(rows.map((r) => [r.idempotencyKey, r.state, (r.data as { text: string }).text])).toEqual([
      ['a', 'pending', 'note a'],
      ['b', 'pending', 'note b'],
    ]);
  });

  it('lets channels take turns in a claim, so one busy channel does not hold up the others', async () => {
    const [store] = world.stores;
    await store!.enqueue([...['a1', 'a2', 'a3', 'a4'].map((k) => note(C1, k)), note(C2, 'b1'), note(C2, 'b2'), note(C3, 'c1')], clock.now());
    const claimed = await store!.claim({ owner: 'replica-a', now: clock.now(), leaseMs: 60_000, limit: 5 });
    expect(claimed.map((r) => r.idempotencyKey).sort()).toEqual(['a1', 'a2', 'b1', 'b2', 'c1']);
    const next = await store!.claim({ owner: 'replica-a', now: clock.now(), leaseMs: 60_000, limit: 5 });
    expect(next.map((r) => r.idempotencyKey)).toEqual(['a3', 'a4']);
  });

  it('two deliverers racing on one store post every row exactly once', async () => {
    const [one, two] = world.stores;
    const keys = Array.from({ length: 30 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    const channels = [C1, C2, C3];
    await one!.enqueue(keys.map((k, i) => note(channels[i % 3]!, k)), clock.now());

    const [a, b] = await Promise.all([deliverer(one!, slack, clock, 'replica-a').deliver(), deliverer(two!, slack, clock, 'replica-b').deliver()]);

    const byA = a.posted.map((r) => r.idempotencyKey);
    const byB = b.posted.map((r) => r.idempotencyKey);
    expect([...byA, ...byB].sort()).toEqual(keys);
    expect(byA.filter((k) => byB.includes(k))).toEqual([]);
    expect(byA.length).toBeGreaterThan(0);
    expect(byB.length).toBeGreaterThan(0);
    expect(channels.flatMap((c) => postedKeys(slack, c)).sort()).toEqual(keys);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(30);
    const rows = await two!.rows();
    expect(rows.every((r) => r.state === 'posted' && r.messageTs !== null && r.attempts === 1)).toBe(true);
    expect(await one!.depth()).toBe(0);
  });

  it('hands a claimed row to another deliverer only when the claim’s lease has run out', async () => {
    const [one, two] = world.stores;
    await one!.enqueue([note(C1, 'orphan')], clock.now());
    // Replica A claims the row and dies before sending anything.
    const [claimed] = await one!.claim({ owner: 'replica-a', now: clock.now(), leaseMs: 60_000, limit: 10 });
    expect(claimed).toMatchObject({ state: 'claimed', claimOwner: 'replica-a', claims: 1 });

    const b = deliverer(two!, slack, clock, 'replica-b');
    expect((await b.deliver()).posted).toEqual([]);
    expect(slack.messages(C1)).toEqual([]);

    clock.advance(60_001);
    expect((await b.deliver()).posted.map((r) => r.idempotencyKey)).toEqual(['orphan']);
    expect(postedKeys(slack, C1)).toEqual(['orphan']);
    // A, back from the dead with its old claim, can no longer change the row.
    expect(await one!.recordPosted(claimed!, '1.000001', clock.now())).toBe(false);
    expect((await one!.row('orphan'))?.claimOwner).toBe('replica-b');
  });

  it('does not post again after a deliverer died between Slack accepting the post and recording it', async () => {
    const [one, two] = world.stores;
    await one!.enqueue([note(C1, 'accepted-then-crash'), note(C1, 'second')], clock.now());
    // One row per claim, so the dying replica holds nothing but the row it dies on.
    const dying = deliverer(one!, slack, clock, 'replica-a', {
      batch: 1,
      afterSend: (row) => {
        if (row.idempotencyKey === 'accepted-then-crash') throw new Error('killed after Slack accepted the post');
      },
    });
    await expect(dying.deliver()).rejects.toThrow('killed after Slack accepted');
    const stuck = await two!.row('accepted-then-crash');
    expect(stuck).toMatchObject({ state: 'posting', messageTs: null, attempts: 1 });
    expect(stuck?.sentAt).not.toBeNull();
    expect(postedKeys(slack, C1)).toContain('accepted-then-crash');

    const b = deliverer(two!, slack, clock, 'replica-b');
    clock.advance(60_001);
    const report = await b.deliver();
    expect(report.reconciled.map((r) => r.idempotencyKey)).toEqual(['accepted-then-crash']);
    expect(report.posted.map((r) => r.idempotencyKey)).not.toContain('accepted-then-crash');
    // Slack holds each message once, and the row knows the ts of the one that was there.
    const counts = postedKeys(slack, C1).filter((k) => k === 'accepted-then-crash');
    expect(counts).toHaveLength(1);
    const message = slack.messages(C1).find((m) => (m.metadata as { event_payload: { key: string } }).event_payload.key === 'accepted-then-crash');
    expect(await two!.row('accepted-then-crash')).toMatchObject({ state: 'posted', messageTs: message?.ts });
    expect(postedKeys(slack, C1).sort()).toEqual(['accepted-then-crash', 'second']);
    // Looking for it cost one read of the channel.
    expect(slack.callsTo('conversations.history')).toHaveLength(1);
  });

  it('posts a reply row in its parent’s thread after the parent, and after a crash sends none of it again', async () => {
    const [one, two] = world.stores;
    // A reply with no post before it (the domain writes both, post first, in one transaction) is
    // given up at once, saying why.
    await one!.enqueue([threadReply(C1, 'parent', 'parent:thread', ['part 1', 'part 2', 'part 3'])], clock.now());
    await one!.enqueue([note(C1, 'parent')], clock.now());
    const early = await deliverer(one!, slack, clock, 'replica-a').deliver();
    expect(early.failed.map((f) => f.error)).toEqual(['the message to reply to was never posted']);

    await one!.enqueue([note(C2, 'other'), threadReply(C2, 'other', 'other:thread', ['a', 'b'])], clock.now());
    const dying = deliverer(one!, slack, clock, 'replica-a', {
      afterSend: (row) => {
        if (row.op === 'reply') throw new Error('killed after Slack accepted the thread');
      },
    });
    await expect(dying.deliver()).rejects.toThrow('killed after Slack accepted');
    const parent = slack.messages(C2)[0]!;
    expect(slack.thread(C2, parent.ts).map((m) => m.text)).toEqual(['a', 'b']);

    clock.advance(60_001);
    const report = await deliverer(two!, slack, clock, 'replica-b').deliver();
    expect(report.reconciled.map((r) => r.idempotencyKey)).toEqual(['other:thread']);
    expect(slack.thread(C2, parent.ts).map((m) => m.text)).toEqual(['a', 'b']);
    // The thread was read once (thread replies are not in the channel history).
    expect(slack.callsTo('conversations.replies')).toHaveLength(1);
    expect(await two!.row('other:thread')).toMatchObject({ state: 'posted', messageTs: slack.thread(C2, parent.ts)[0]!.ts });
  });

  it('posts a direct message to a user in the DM, and after a crash posts it again without reading the DM', async () => {
    const [one, two] = world.stores;
    await one!.enqueue([note('U0OWNER0001', 'dm')], clock.now());
    const dying = deliverer(one!, slack, clock, 'replica-a', {
      afterSend: () => {
        throw new Error('killed after Slack accepted the DM');
      },
    });
    await expect(dying.deliver()).rejects.toThrow('killed after Slack accepted');
    clock.advance(60_001);
    const report = await deliverer(two!, slack, clock, 'replica-b').deliver();
    // Reading a DM back needs im:history, which Depwatch does not ask for (it would read people's
    // DMs with the bot): the look is skipped, and the crash costs a second copy of the DM.
    expect(report.posted.map((r) => r.idempotencyKey)).toEqual(['dm']);
    expect(slack.callsTo('conversations.history')).toEqual([]);
    expect(slack.callsTo('conversations.replies')).toEqual([]);
    const dm = slack.callsTo('conversations.open')[0]!.response as { channel: { id: string } };
    expect(postedKeys(slack, dm.channel.id)).toEqual(['dm', 'dm']);
  });

  it('updates a message posted before the outbox by the ts its data names', async () => {
    const [store] = world.stores;
    await store!.enqueue([note(C3, 'old')], clock.now());
    await deliverer(store!, slack, clock, 'replica-a').deliver();
    const ts = slack.messages(C3)[0]!.ts;
    // Another message key: the outbox has no post for it, only the ts carried in the data.
    await store!.enqueue([{ ...noteUpdate(C3, 'legacy-card', 1, 'edited'), data: { text: 'edited', ts } }], clock.now());
    const report = await deliverer(store!, slack, clock, 'replica-a').deliver();
    expect(report.updated.map((r) => r.idempotencyKey)).toEqual(['legacy-card#1']);
    expect(slack.messages(C3).map((m) => m.text)).toEqual(['edited']);
  });

  it('posts a row again after a crash when Slack never got it (the look finds nothing)', async () => {
    const [one, two] = world.stores;
    await one!.enqueue([note(C2, 'never-arrived')], clock.now());
    const [claimed] = await one!.claim({ owner: 'replica-a', now: clock.now(), leaseMs: 60_000, limit: 1 });
    expect(await one!.beginSend(claimed!, clock.now(), 60_000)).toBe(true); // …and the request never left.

    clock.advance(60_001);
    const report = await deliverer(two!, slack, clock, 'replica-b').deliver();
    expect(report.posted.map((r) => r.idempotencyKey)).toEqual(['never-arrived']);
    expect(report.reconciled).toEqual([]);
    expect(postedKeys(slack, C2)).toEqual(['never-arrived']);
    expect((await two!.row('never-arrived'))?.attempts).toBe(2);
  });

  it('waits out a 429 at the channel’s pace and posts each row once', async () => {
    const [store] = world.stores;
    await store!.enqueue([note(C1, 'r1'), note(C1, 'r2'), note(C2, 'other-channel')], clock.now());
    slack.rateLimitNext('chat.postMessage', 1);
    const d = deliverer(store!, slack, clock, 'replica-a', { minIntervalMs: 200 });
    const started = Date.now();
    const report = await d.deliver();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(report.posted.map((r) => r.idempotencyKey).sort()).toEqual(['other-channel', 'r1', 'r2']);
    expect(report.failed).toEqual([]);
    const posts = slack.callsTo('chat.postMessage');
    expect(posts.map((c) => c.status)).toEqual([429, 200, 200, 200]);
    expect([...postedKeys(slack, C1), ...postedKeys(slack, C2)].sort()).toEqual(['other-channel', 'r1', 'r2']);
    // Two posts in one channel are at least the pacing interval apart.
    const c1 = posts.filter((c) => c.status === 200 && c.params.channel === C1).map((c) => c.time);
    expect(c1).toHaveLength(2);
    expect(c1[1]! - c1[0]!).toBeGreaterThanOrEqual(190);
    // A 429 is Slack refusing, not a send: it costs no attempt.
    expect((await store!.rows()).map((r) => r.attempts)).toEqual([1, 1, 1]);
  });

  it('gives a row up at once, saying why, when Slack refuses it for good (the channel is gone)', async () => {
    const [store] = world.stores;
    await store!.enqueue([note('C0NOSUCH001', 'to-nowhere')], clock.now());
    slack.failNext('chat.postMessage', 'channel_not_found');
    const d = deliverer(store!, slack, clock, 'replica-a');
    const first = await d.deliver();
    expect(first.failed.map((f) => [f.row.idempotencyKey, f.error, f.gaveUp])).toEqual([['to-nowhere', 'slack: channel_not_found', true]]);
    expect(await store!.row('to-nowhere')).toMatchObject({ state: 'failed', failure: 'permanent', lastError: 'slack: channel_not_found', attempts: 1 });
    clock.advance(3_600_000);
    expect(await d.deliver()).toMatchObject({ posted: [], failed: [] });
    // Asked to try again, it does not: Slack would say the same.
    expect(await store!.requeue(['to-nowhere'], clock.now())).toBe(0);
  });

  it('retries an edit Slack could not make just then (update_failed, a channel migrating) instead of giving it up', async () => {
    const [store] = world.stores;
    await store!.enqueue([note(C1, 'card', 'before')], clock.now());
    const d = deliverer(store!, slack, clock, 'replica-a');
    await d.deliver();
    await store!.enqueue([noteUpdate(C1, 'card', 1, 'after')], clock.now());
    slack.failNext('chat.update', 'update_failed');
    expect((await d.deliver()).failed.map((f) => [f.error, f.gaveUp])).toEqual([['slack: update_failed', false]]);
    clock.advance(60_000);
    slack.failNext('chat.update', 'external_channel_migrating');
    expect((await d.deliver()).failed.map((f) => [f.error, f.gaveUp])).toEqual([['slack: external_channel_migrating', false]]);
    clock.advance(60_000);
    expect((await d.deliver()).updated.map((r) => r.idempotencyKey)).toEqual(['card#1']);
    expect(slack.messages(C1).map((m) => m.text)).toEqual(['after']);
  });

  it('retries an error it cannot place a few times, then gives up', async () => {
    const [store] = world.stores;
    await store!.enqueue([note(C1, 'odd')], clock.now());
    slack.serverErrorNext('chat.postMessage', 400);
    slack.serverErrorNext('chat.postMessage', 400);
    const d = deliverer(store!, slack, clock, 'replica-a', { maxAttempts: 2 });
    expect((await d.deliver()).failed.map((f) => f.gaveUp)).toEqual([false]);
    expect((await d.deliver()).failed).toEqual([]); // not due yet
    clock.advance(2_001);
    expect((await d.deliver()).failed.map((f) => f.gaveUp)).toEqual([true]);
    expect(await store!.row('odd')).toMatchObject({ state: 'failed', failure: null, attempts: 2 });
  });

  it('keeps retrying through a Slack outage (5xx, Slack unavailable) for up to a day, then gives up until asked again', async () => {
    const [store] = world.stores;
    await store!.enqueue([note(C1, 'outage')], clock.now());
    const d = deliverer(store!, slack, clock, 'replica-a', { maxAttempts: 2 });
    // Far more failures than the attempts allowed for an error it cannot place, over half a day.
    for (let i = 0; i < 8; i++) {
      if (i % 2 === 0) slack.serverErrorNext('chat.postMessage', 503);
      else slack.failNext('chat.postMessage', 'service_unavailable');
      const round = await d.deliver();
      expect(round.failed.map((f) => f.gaveUp)).toEqual([false]);
      clock.advance(90 * 60_000);
    }
    expect(await store!.row('outage')).toMatchObject({ state: 'pending', attempts: 8, failure: null });
    // A day after it was queued, the next failure gives it up: a transient failure, said so.
    clock.advance(12 * 3_600_000);
    slack.serverErrorNext('chat.postMessage', 502);
    expect((await d.deliver()).failed.map((f) => [f.error, f.gaveUp])).toEqual([[expect.stringContaining('502'), true]]);
    expect(await store!.row('outage')).toMatchObject({ state: 'failed', failure: 'transient' });
    expect(postedKeys(slack, C1)).toEqual([]);

    // Asked again (the next alerts run does), it is pending with a day of its own, and goes out.
    expect(await store!.requeue(['outage', 'no-such-message'], clock.now())).toBe(1);
    expect(await store!.row('outage')).toMatchObject({ state: 'pending', failure: null, queuedAt: clock.now() });
    expect((await d.deliver()).posted.map((r) => r.idempotencyKey)).toEqual(['outage']);
    expect(postedKeys(slack, C1)).toEqual(['outage']);
  });

  it('posts once when Slack accepted a post and its answer was lost to a server error', async () => {
    const [store] = world.stores;
    await store!.enqueue([note(C2, 'answer-lost')], clock.now());
    slack.serverErrorNext('chat.postMessage', 503, { handled: true });
    const d = deliverer(store!, slack, clock, 'replica-a');
    expect((await d.deliver()).failed.map((f) => f.gaveUp)).toEqual([false]);
    // The client did not send it again on its own: the outbox decides, and looks first.
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    clock.advance(60_000);
    const report = await d.deliver();
    expect(report.reconciled.map((r) => r.idempotencyKey)).toEqual(['answer-lost']);
    expect(postedKeys(slack, C2)).toEqual(['answer-lost']);
    expect(await store!.row('answer-lost')).toMatchObject({ state: 'posted', messageTs: slack.messages(C2)[0]!.ts });
  });

  it('tries again later, without posting, when it cannot look for an earlier post because Slack is down', async () => {
    const [one, two] = world.stores;
    await one!.enqueue([note(C3, 'maybe-sent')], clock.now());
    slack.serverErrorNext('chat.postMessage', 503, { handled: true });
    await deliverer(one!, slack, clock, 'replica-a').deliver();
    clock.advance(60_000);
    slack.serverErrorNext('conversations.history', 503);
    const b = deliverer(two!, slack, clock, 'replica-b');
    const blind = await b.deliver();
    expect(blind.failed.map((f) => f.gaveUp)).toEqual([false]);
    expect(postedKeys(slack, C3)).toEqual(['maybe-sent']);
    clock.advance(60_000);
    expect((await b.deliver()).reconciled.map((r) => r.idempotencyKey)).toEqual(['maybe-sent']);
    expect(postedKeys(slack, C3)).toEqual(['maybe-sent']);
  });

  it('fails a message too big to be one message at once, posting nothing and saying why', async () => {
    const [store] = world.stores;
    await store!.enqueue([note(C1, 'oversized')], clock.now());
    const overflowing = () => {
      throw new MessageOverflow('alert #7 needs 2 Slack messages (12000 characters of text); it must fit one, its layout has to cap what it lists');
    };
    const report = await deliverer(store!, slack, clock, 'replica-a', { renderers: { [NOTE]: overflowing } }).deliver();
    expect(report.failed.map((f) => [f.row.idempotencyKey, f.gaveUp])).toEqual([['oversized', true]]);
    expect(await store!.row('oversized')).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/^alert #7 needs 2 Slack messages/) });
    expect(slack.callsTo('chat.postMessage')).toEqual([]);
  });

  it('delivers updates after their post, in order, sending only the newest', async () => {
    const [one, two] = world.stores;
    await one!.enqueue([note(C3, 'alert-1', 'first words'), noteUpdate(C3, 'alert-1', 1, 'second words'), noteUpdate(C3, 'alert-1', 2, 'final words')], clock.now());
    // The updates are not claimable while their post is unfinished.
    const early = await two!.claim({ owner: 'replica-b', now: clock.now(), leaseMs: 60_000, limit: 10 });
    expect(early.map((r) => r.idempotencyKey)).toEqual(['alert-1']);
    clock.advance(60_001);

    const report = await deliverer(one!, slack, clock, 'replica-a').deliver();
    expect(report.posted.map((r) => r.idempotencyKey)).toEqual(['alert-1']);
    expect(report.superseded.map((r) => r.idempotencyKey)).toEqual(['alert-1#1']);
    expect(report.updated.map((r) => r.idempotencyKey)).toEqual(['alert-1#2']);
    expect(slack.messages(C3).map((m) => m.text)).toEqual(['final words']);
    expect(slack.callsTo('chat.update')).toHaveLength(1);
  });

  it('prunes rows finished before a time, keeping each posted message’s post and everything unfinished', async () => {
    const [store] = world.stores;
    await store!.enqueue([note(C1, 'card', 'v0'), noteUpdate(C1, 'card', 1, 'v1'), noteUpdate(C1, 'card', 2, 'v2')], clock.now());
    await deliverer(store!, slack, clock, 'replica-a').deliver();
    slack.failNext('chat.postMessage', 'channel_not_found');
    await store!.enqueue([note('C0NOSUCH001', 'refused')], clock.now());
    await deliverer(store!, slack, clock, 'replica-a').deliver();
    clock.advance(60_000);
    await store!.enqueue([note(C2, 'waiting')], clock.now());
    const states = async () => (await store!.rows()).map((r) => [r.idempotencyKey, r.state]);
    expect(await states()).toEqual([
      ['card', 'posted'],
      ['card#1', 'superseded'],
      ['card#2', 'posted'],
      ['refused', 'failed'],
      ['waiting', 'pending'],
    ]);
    expect(await store!.prune(new Date(clock.now().getTime() - 3_600_000))).toBe(0);
    expect(await store!.prune(new Date(clock.now().getTime() + 1))).toBe(3);
    expect(await states()).toEqual([
      ['card', 'posted'],
      ['waiting', 'pending'],
    ]);
    // An edit of the message, long after, still finds the post's ts.
    await store!.enqueue([noteUpdate(C1, 'card', 3, 'v3')], clock.now());
    expect((await deliverer(store!, slack, clock, 'replica-a').deliver()).updated.map((r) => r.idempotencyKey)).toEqual(['card#3']);
    expect(slack.messages(C1).map((m) => m.text)).toEqual(['v3']);
  });

  it('delivers in the background once started, and stop() waits for the round in progress', async () => {
    const [store] = world.stores;
    const d = deliverer(store!, slack, clock, 'replica-a');
    d.start(20);
    await store!.enqueue([note(C2, 'later')], clock.now());
    const deadline = Date.now() + 5_000;
    while (postedKeys(slack, C2).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await d.stop();
    expect(postedKeys(slack, C2)).toEqual(['later']);
    expect((await store!.row('later'))?.state).toBe('posted');
    await store!.enqueue([note(C2, 'after-stop')], clock.now());
    await new Promise((r) => setTimeout(r, 100));
    expect(postedKeys(slack, C2)).toEqual(['later']);
  });
});
