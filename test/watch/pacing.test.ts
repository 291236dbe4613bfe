/** The per-channel pacer against the loopback Slack: spacing per channel, 429s waited out, nothing dropped. */
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelPacer, createBulkSlackClient, PacedSlack, rateLimitedRetryAfter, type SlackApi } from '../../src/slack/pacing.js';
import { FAKE_BOT_TOKEN, startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';

let fake: FakeSlack | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('channel pacer', () => {
  it('spaces posts in one channel by the interval while another channel goes ahead', async () => {
    const f = (fake = await startFakeSlack());
    const slack = new PacedSlack(createBulkSlackClient(FAKE_BOT_TOKEN, { slackApiUrl: f.url }), new ChannelPacer({ minIntervalMs: 250 }));
    await Promise.all([
      slack.post({ channel: 'C0AAAAAAAA1', text: 'one' }),
      slack.post({ channel: 'C0AAAAAAAA1', text: 'two' }),
      slack.post({ channel: 'C0AAAAAAAA1', text: 'three' }),
      slack.post({ channel: 'C0BBBBBBBB1', text: 'elsewhere' }),
    ]);
    const times = (channel: string) => f.callsTo('chat.postMessage').filter((c) => c.params.channel === channel).map((c) => c.time);
    const a = times('C0AAAAAAAA1');
    expect(f.messages('C0AAAAAAAA1').map((m) => m.text)).toEqual(['one', 'two', 'three']);
    expect(a[1]! - a[0]!).toBeGreaterThanOrEqual(240);
    expect(a[2]! - a[1]!).toBeGreaterThanOrEqual(240);
    // The other channel did not wait behind the first one's queue.
    expect(times('C0BBBBBBBB1')[0]!).toBeLessThan(a[1]!);
  });

  it('lets a burst through at once, then keeps to one call an interval on average', async () => {
    let now = 0;
    const started: number[] = [];
    const pacer = new ChannelPacer({ minIntervalMs: 1000, burst: 3, now: () => now, sleep: async (ms) => void (now += ms) });
    await Promise.all(Array.from({ length: 7 }, () => pacer.run('C0AAAAAAAA1', async () => void started.push(now))));
    // Three at once, then one a second.
    expect(started).toEqual([0, 0, 0, 1000, 2000, 3000, 4000]);
    // Without a burst, one a second, as before.
    now = 0;
    started.length = 0;
    const single = new ChannelPacer({ minIntervalMs: 1000, now: () => now, sleep: async (ms) => void (now += ms) });
    await Promise.all(Array.from({ length: 3 }, () => single.run('C0AAAAAAAA1', async () => void started.push(now))));
    expect(started).toEqual([0, 1000, 2000]);
  });

  it('sends an answer someone is waiting for ahead of every queued call that is not one, chosen when the channel may call again', async () => {
    let now = 0;
    const sent: string[] = [];
    let wake: (() => void) | null = null;
    // The clock moves only when the test says: the lane waits for its turn until then.
    const pacer = new ChannelPacer({ minIntervalMs: 1000, burst: 1, now: () => now, sleep: (ms) => new Promise<void>((resolve) => (wake = () => ((now += ms), resolve()))) });
    const call = (name: string, answer = false) => pacer.run('C0AAAAAAAA1', async () => void sent.push(name), { answer });
    const queued = [call('thread 1'), call('thread 2'), call('thread 3')];
    await Promise.resolve();
    // 'thread 1' went at once; the lane now waits a second. An answer asked meanwhile still goes next.
    queued.push(call('placeholder', true), call('result', true));
    while (sent.length < 5) {
      await new Promise((resolve) => setImmediate(resolve));
      (wake as (() => void) | null)?.();
      wake = null;
    }
    await Promise.all(queued);
    expect(sent).toEqual(['thread 1', 'placeholder', 'result', 'thread 2', 'thread 3']);
  });

  it('holds the channel for Retry-After on a 429 and re-sends the same post', async () => {
    const f = (fake = await startFakeSlack());
    const slack = new PacedSlack(createBulkSlackClient(FAKE_BOT_TOKEN, { slackApiUrl: f.url }), new ChannelPacer({ minIntervalMs: 1 }));
    f.rateLimitNext('chat.postMessage', 1);
    const started = Date.now();
    const ts = await slack.post({ channel: 'C0AAAAAAAA1', text: 'must arrive' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(f.callsTo('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
    expect(f.message('C0AAAAAAAA1', ts)?.text).toBe('must arrive');
    expect(slack.pacer.rateLimited).toBe(1);
  });

  it('passes other errors through without retrying', async () => {
    const f = (fake = await startFakeSlack());
    const slack = new PacedSlack(createBulkSlackClient(FAKE_BOT_TOKEN, { slackApiUrl: f.url }), new ChannelPacer({ minIntervalMs: 1 }));
    f.failNext('chat.postMessage', 'not_in_channel');
    await expect(slack.post({ channel: 'C0AAAAAAAA1', text: 'x' })).rejects.toThrow(/not_in_channel/);
    expect(f.callsTo('chat.postMessage')).toHaveLength(1);
    // The lane is not stuck after a failure.
    await slack.post({ channel: 'C0AAAAAAAA1', text: 'next' });
    expect(f.messages('C0AAAAAAAA1').map((m) => m.text)).toEqual(['next']);
  });

  it('recognises rate-limit errors only', () => {
    expect(rateLimitedRetryAfter({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 })).toBe(7);
    expect(rateLimitedRetryAfter({ data: { error: 'ratelimited' }, headers: { 'retry-after': '3' } })).toBe(3);
    expect(rateLimitedRetryAfter(new Error('boom'))).toBeUndefined();
  });

  it('redacts every token a post quotes before it leaves, as the interactive client does: alerts, digests and review cards quote repositories and advisories', async () => {
    const f = (fake = await startFakeSlack());
    const slack = new PacedSlack(createBulkSlackClient(FAKE_BOT_TOKEN, { slackApiUrl: f.url }), new ChannelPacer({ minIntervalMs: 1 }));
    // Built from parts, so this file holds none whole.
    const stripeKey = 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dcQw8xZ9';
    const blocks = [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: `Bump goodlib, key ${stripeKey}` } }];
    await slack.post({ channel: 'C0AAAAAAAA1', text: `key ${stripeKey}`, blocks });
    expect(JSON.stringify(f.calls)).not.toContain(stripeKey);
    expect(f.messages('C0AAAAAAAA1')[0]?.text).toBe('key sk_live_…[redacted]');
  });

  it('accepts a real WebClient as its Slack API', () => {
    // Compile-time: the WebClient type fits SlackApi without a cast.
    const client: SlackApi = createBulkSlackClient(FAKE_BOT_TOKEN);
    expect(typeof client.chat.postMessage).toBe('function');
  });
});
