/**
 * The bot's own client (Bolt's, with the retries production has) sends a post once: a post whose
 * answer was lost (a dropped connection, a 500, a timeout) may be in the channel already, and
 * sending it again would post it twice. A 429 says Slack did not take the call: that post goes
 * again once Retry-After has passed. Reads and edits keep the client's retries.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeRepoInit } from '../fakes/github.js';
import { startWorld, waitFor, type World } from './app-world.js';
import { SLACK_CALL_TIMEOUT_MS } from '../../src/slack/pacing.js';

const TINY: FakeRepoInit = { owner: 'octo', name: 'tiny', files: { 'requirements.txt': 'flask==0.12.2\n' } };

/** The production policy's shape (bot.ts), with short waits. */
const RETRYING = { retryConfig: { retries: 4, factor: 1, minTimeout: 20, maxTimeout: 20 } };

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Audits octo/tiny with `script` applied to Slack first; resolves once the audit has settled. */
async function auditTiny(clientOptions: object, script: (w: World) => void): Promise<World> {
  world = await startWorld({ repos: [TINY], clientOptions });
  const w = world;
  script(w);
  await w.audit('octo/tiny');
  await waitFor(() => w.slack.callsTo('chat.postMessage')[0], 'the placeholder post');
  await w.bot.service.idle();
  return w;
}

describe('a post Slack made but did not answer', () => {
  it('is not posted again after the connection dropped: one placeholder in the channel', async () => {
    const w = await auditTiny(RETRYING, (w) => w.slack.dropNext('chat.postMessage', { handled: true }));
    expect(w.slack.callsTo('chat.postMessage').map((c) => c.status)).toEqual([0]);
    expect(w.channel()).toHaveLength(1);
    // Said in the log; the requester is told it failed, privately, and nothing goes through response_url in the channel.
    expect(w.logs.some((l) => l.msg === '/audit: the placeholder post got no answer from Slack; it may be in the channel, and is not posted again')).toBe(true);
    expect(w.slack.responses.map((r) => (r.body as { response_type?: string }).response_type)).toEqual(['ephemeral']);
  });

  it('is not posted again after a 500 that came after Slack posted it', async () => {
    const w = await auditTiny(RETRYING, (w) => w.slack.serverErrorNext('chat.postMessage', 500, { handled: true }));
    expect(w.slack.callsTo('chat.postMessage').map((c) => c.status)).toEqual([500]);
    expect(w.channel()).toHaveLength(1);
  });

  it('is given up after the client timeout when Slack never answers, and not sent again', async () => {
    const started = Date.now();
    const w = await auditTiny({ ...RETRYING, timeout: 300 }, (w) => w.slack.hangNext('chat.postMessage', { handled: true }));
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(w.slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(w.channel()).toHaveLength(1);
  });
});

describe("the bot's client", () => {
  it('gives each call SLACK_CALL_TIMEOUT_MS unless told otherwise (a request that hangs holds no reply for ever)', async () => {
    world = await startWorld({ clientOptions: RETRYING });
    // @slack/web-api keeps the option on the client (private in its types); 0 would mean no timeout.
    expect(Reflect.get(world.bot.app.client, 'timeout')).toBe(SLACK_CALL_TIMEOUT_MS);
    expect(SLACK_CALL_TIMEOUT_MS).toBeGreaterThan(0);
  });
});

describe('a post Slack rate limited', () => {
  it('is sent again once Retry-After has passed, and posted once', async () => {
    const w = await auditTiny(RETRYING, (w) => w.slack.rateLimitNext('chat.postMessage', 1));
    const [limited, again] = w.slack.callsTo('chat.postMessage');
    expect(limited!.status).toBe(429);
    expect(again!.status).toBe(200);
    expect(again!.time - limited!.time).toBeGreaterThanOrEqual(1000 - 50);
    await waitFor(() => w.slack.callsTo('chat.update')[0], 'the answer in place of the placeholder');
    await w.bot.service.idle();
    expect(w.channel()).toHaveLength(1);
  });
});

describe('a read or an edit without an answer', () => {
  it('keeps the client retries: an edit that met a 500 is sent again by the client', async () => {
    // With editIdempotently's own tries off the client's retry shows: two calls, one result.
    const w = await auditTiny(RETRYING, (w) => w.slack.serverErrorNext('chat.update', 500));
    await waitFor(() => w.slack.callsTo('chat.update')[1], 'the edit sent again');
    expect(w.slack.callsTo('chat.update').map((c) => c.status).slice(0, 2)).toEqual([500, 200]);
    expect(w.logs.filter((l) => l.msg === 'the edit of an audit reply got no clear answer from Slack; sending it again')).toEqual([]);
  });
});
