/**
 * One pace per channel for everything posted there, through the real Bolt app with signed requests
 * against the fakes: the watch service's alerts and the /audit replies wait their turns in one
 * lane, so together they keep to the channel's pace; and in that lane the answer someone is waiting
 * for (a new /audit's placeholder, its result in the placeholder's place) goes ahead of what is
 * queued (a sweep's alerts, another reply's thread), never behind it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PacerOptions } from '../../src/slack/pacing.js';
import { CHANNEL, SHOP, startWorld, USER, waitFor, type World } from './app-world.js';

const PACE = { minIntervalMs: 300, burst: 4 } as const satisfies PacerOptions;
const alertsJob = { key: `alerts:${CHANNEL}`, channel: CHANNEL, kind: 'alerts' as const, cron: '*/1 * * * *', timeZone: 'UTC', since: new Date(0) };
/** Repositories newly watched in the channel, each pinning pillow 8.0.0: the first sweep posts a "Now watching" message for each, all queued at once. */
const REPOS = 12;
const webs = Array.from({ length: REPOS }, (_, i) => ({ owner: 'acme', name: `web${i}`, files: { 'requirements.txt': 'pillow==8.0.0\n' } }));

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Every call that wrote to the channel (posts, edits, deletes), by either client, in the order the fake took them. */
const writes = (w: World) => w.slack.calls.filter((c) => ['chat.postMessage', 'chat.update', 'chat.delete'].includes(c.method) && c.params.channel === CHANNEL && c.status === 200);
const isAlert = (c: { method: string; params: Record<string, unknown> }) => c.method === 'chat.postMessage' && String(c.params.text).startsWith('Now watching');

/** REPOS repositories watched in CHANNEL, and the alerts job that posts their "Now watching" messages under way (not awaited). */
async function alertsUnderWay(): Promise<{ w: World; job: Promise<unknown> }> {
  const w = (world = await startWorld({ watch: {}, env: { DEPWATCH_CODE_SCAN: '0' }, repos: [...webs, SHOP], pace: PACE }));
  for (const web of webs) await w.watch!.state.addWatch({ repo: `acme/${web.name}`, channel: CHANNEL, userId: USER, private: false, adminLinked: false, now: new Date() });
  const job = w.watch!.runJob(alertsJob, new Date());
  await waitFor(() => writes(w).some(isAlert), 'the first alert');
  return { w, job };
}

describe('alerts and /audit replies in one channel', () => {
  it('keep together to the channel’s pace: a burst, then one call an interval, whichever client sends it', async () => {
    const { w, job } = await alertsUnderWay();
    await w.audit('octo/shop');
    await job;
    await w.bot.service.idle();
    await w.watch!.delivery.idle();

    const all = writes(w);
    expect(all.filter(isAlert)).toHaveLength(REPOS);
    expect(all.some((c) => c.method === 'chat.update')).toBe(true);
    // Any burst + 1 calls in a row span an interval at least: never two bursts at once.
    const times = all.map((c) => c.time);
    for (let i = 0; i + PACE.burst < times.length; i++) expect(times[i + PACE.burst]! - times[i]!).toBeGreaterThanOrEqual(PACE.minIntervalMs - 1);
    expect(w.slack.calls.filter((c) => c.status === 429)).toEqual([]);
  });

  it('a new /audit’s placeholder and result go ahead of the alerts still queued there', async () => {
    const { w, job } = await alertsUnderWay();
    // Past the burst: the rest of the alerts wait in the lane, one an interval.
    await waitFor(() => writes(w).filter(isAlert).length > PACE.burst, 'the burst of alerts');
    const asked = writes(w).length;
    await w.audit('octo/shop');
    await job;
    await w.bot.service.idle();

    const all = writes(w);
    const placeholder = all.findIndex((c) => c.method === 'chat.postMessage' && String(c.params.text).startsWith('Auditing octo/shop'));
    expect(placeholder).toBeGreaterThanOrEqual(asked);
    // At most the call under way when it was asked (and one more on a slow machine) went before it,
    // while most of the alerts queued then went after it.
    expect(placeholder - asked).toBeLessThanOrEqual(2);
    expect(all.slice(placeholder).filter(isAlert).length).toBeGreaterThanOrEqual(REPOS - PACE.burst - 3);
    const replyTs = w.slack.callsTo('chat.postMessage').find((c) => String(c.params.text).startsWith('Auditing octo/shop'))!.response.ts;
    const answer = all.findIndex((c) => c.method === 'chat.update' && c.params.ts === replyTs);
    const lastAlert = all.findLastIndex(isAlert);
    expect(answer).toBeGreaterThan(placeholder);
    // The result was not held until every alert had gone out.
    expect(answer).toBeLessThan(lastAlert);
    expect(all.filter(isAlert)).toHaveLength(REPOS);
  });
});
