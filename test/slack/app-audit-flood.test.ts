/**
 * Many `/audit` requests at once, through the real Bolt app with signed requests against the fakes:
 * identical audits of one commit run once (each request still answered), and one person leads at
 * most MAX_AUDITS_IN_FLIGHT_PER_USER audits at a time, told so in one private line past it, without
 * holding up anyone else.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ROUTES, type FakeRepoInit } from '../fakes/github.js';
import { MAX_AUDITS_IN_FLIGHT_PER_USER } from '../../src/slack/audits-in-flight.js';
import { CHANNEL, SHOP, startWorld, waitFor, type World } from './app-world.js';

const OTHER_CHANNEL = 'C0AUDITS002';
const BOB = 'U0BOB000001';
const LIMIT_LINE = `You already have ${MAX_AUDITS_IN_FLIGHT_PER_USER} audits running; try again when one finishes.`;
/** Copies of octo/shop under other names: distinct audits of the same cost. */
const shops = (names: string[]): FakeRepoInit[] => names.map((name) => ({ ...SHOP, name }));

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** What one audit of octo/shop costs, alone in a fresh world. */
async function costOfOneAudit(latencyMs: number): Promise<{ github: number; osv: number }> {
  const alone = await startWorld({ latencyMs });
  try {
    await alone.audit('octo/shop');
    await alone.bot.service.idle();
    return { github: alone.github.totalRequests(), osv: alone.osv.requests.length };
  } finally {
    await alone.close();
  }
}

/** The text of what was posted to each of these response_urls (privately, under the command). */
const privateLines = (w: World, ids: string[]) => w.slack.responses.filter((r) => ids.includes(r.id)).map((r) => String(r.body.text ?? ''));
const resultsIn = (w: World, channel: string) => w.channel(channel).filter((m) => !m.text.includes('Auditing'));

describe('identical /audit requests at once', () => {
  it('40 from one person in one channel: every one acked, one audit run (one archive, one audit’s GitHub and OSV requests), one answer in the channel, 39 private pointers to it', async () => {
    const one = await costOfOneAudit(20);
    const w = (world = await startWorld({ latencyMs: 20 }));
    const sent = await Promise.all(Array.from({ length: 40 }, () => w.audit('octo/shop')));
    expect(sent.every((s) => s.response.status === 200)).toBe(true);
    await w.bot.service.idle();

    expect(w.github.count(ROUTES.tarball)).toBe(1);
    // Requests that reach the bot after the shared resolution has finished resolve the ref again (two cheap requests each), nothing more.
    expect(w.github.totalRequests()).toBeLessThanOrEqual(one.github + 6);
    expect(w.osv.requests.length).toBe(one.osv);
    expect(w.channel()).toHaveLength(1);
    expect(w.channel()[0]!.text).not.toContain('Auditing');

    const pointers = privateLines(w, sent.map((s) => s.responseId)).filter((t) => t.includes('already running here'));
    expect(pointers).toHaveLength(39);
    expect(pointers[0]).toMatch(/^An audit of octo\/shop at `[0-9a-f]{7}` is already running here \(asked by <@U0ALICE0001>\); its answer is posted in this channel\.$/);
    expect(privateLines(w, sent.map((s) => s.responseId)).some((t) => t === LIMIT_LINE)).toBe(false);
    // One stored audit: the one the channel's reply belongs to.
    expect(w.logs.filter((l) => l.msg === 'audit posted')).toHaveLength(1);
  });

  it('asked in two channels at once: one audit run, each channel gets its own complete reply, each reply its own stored audit', async () => {
    const w = (world = await startWorld({ latencyMs: 20 }));
    await Promise.all([w.audit('octo/shop'), w.audit('octo/shop', { channel: OTHER_CHANNEL, user: BOB })]);
    await w.bot.service.idle();

    expect(w.github.count(ROUTES.tarball)).toBe(1);
    expect(w.osv.requests.filter((r) => r.endpoint === 'querybatch')).toHaveLength(1);
    const here = resultsIn(w, CHANNEL);
    const there = resultsIn(w, OTHER_CHANNEL);
    expect(here).toHaveLength(1);
    expect(there).toHaveLength(1);
    expect(there[0]!.text).toBe(here[0]!.text);

    const posted = w.logs.filter((l) => l.msg === 'audit posted');
    expect(posted).toHaveLength(2);
    const merged = posted.find((l) => l.mergedInto !== undefined)!;
    const led = posted.find((l) => l.mergedInto === undefined)!;
    expect(merged.mergedInto).toBe(led.auditId);
    // Each reply is its own stored audit, so buttons and ignores under either edit that reply alone.
    const replies = await Promise.all(posted.map((l) => w.bot.service.state.getAudit(l.auditId as number)));
    expect(new Set(replies.map((r) => `${r!.channel} ${r!.ts}`)).size).toBe(2);
    expect(replies.map((r) => r!.channel).sort()).toEqual([CHANNEL, OTHER_CHANNEL].sort());
  });

  it('a second request after the first was answered runs again (only audits in progress are merged)', async () => {
    const w = (world = await startWorld());
    await w.audit('octo/shop');
    await w.bot.service.idle();
    await w.audit('octo/shop');
    await w.bot.service.idle();
    expect(resultsIn(w, CHANNEL)).toHaveLength(2);
    expect(w.logs.filter((l) => l.msg === 'audit posted' && l.mergedInto !== undefined)).toHaveLength(0);
  });
});

describe('audits in flight per person', () => {
  it(`past ${MAX_AUDITS_IN_FLIGHT_PER_USER} audits of their own running, a person is told in one private line; a request merged into a running audit is not counted; others are not held up`, async () => {
    const w = (world = await startWorld({ latencyMs: 100, repos: [SHOP, ...shops(['shop-a', 'shop-b', 'shop-c', 'shop-d'])] }));
    const running = await Promise.all(['octo/shop', 'octo/shop-a', 'octo/shop-b'].map((repo) => w.audit(repo)));
    await waitFor(() => w.channel().filter((m) => m.text.includes('Auditing')).length === 3, 'three audits of Alice’s under way');
    // While they run: a fourth of Alice's, the same audit again elsewhere (merged, not new work), and Bob's own.
    const [fourth, again, bob] = await Promise.all([w.audit('octo/shop-c'), w.audit('octo/shop', { channel: OTHER_CHANNEL }), w.audit('octo/shop-d', { user: BOB })]);
    await w.bot.service.idle();

    expect(privateLines(w, [fourth.responseId])).toEqual([LIMIT_LINE]);
    expect(privateLines(w, [...running, again, bob].map((s) => s.responseId))).not.toContain(LIMIT_LINE);
    // Alice's three and Bob's in this channel, Alice's again in the other; nothing of the refused one left.
    expect(resultsIn(w, CHANNEL)).toHaveLength(4);
    expect(w.channel().filter((m) => m.text.includes('Auditing'))).toHaveLength(0);
    expect(resultsIn(w, OTHER_CHANNEL)).toHaveLength(1);
    expect(w.logs.filter((l) => l.msg === 'audit posted' && l.channel === OTHER_CHANNEL && l.mergedInto !== undefined)).toHaveLength(1);
    expect(w.github.count(ROUTES.tarball)).toBe(4);
  });

  it('the limit counts audits running, not audits asked for: once they finish, the person may ask again', async () => {
    const w = (world = await startWorld({ repos: [SHOP, ...shops(['shop-a', 'shop-b', 'shop-c'])] }));
    for (const repo of ['octo/shop', 'octo/shop-a', 'octo/shop-b', 'octo/shop-c']) {
      await w.audit(repo);
      await w.bot.service.idle();
    }
    expect(w.slack.responses.map((r) => r.body.text)).not.toContain(LIMIT_LINE);
    expect(resultsIn(w, CHANNEL)).toHaveLength(4);
  });
});
