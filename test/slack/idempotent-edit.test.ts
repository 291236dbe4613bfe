/**
 * editIdempotently against the fake Slack through a real WebClient (no retries of its own, as the
 * test app's): what leaves an edit's outcome unknown is sent again, a bounded number of times,
 * waiting Retry-After when Slack gave one; what Slack refused is thrown at once.
 */
import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EDIT_ATTEMPTS, EDIT_BACKOFF_MS, editIdempotently, outcomeUnknown } from '../../src/slack/idempotent-edit.js';
import { FAKE_BOT_TOKEN, startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';

const CHANNEL = 'C0EDITS0001';
let slack: FakeSlack;
let client: webApi.WebClient;
let ts: string;
let waits: number[];

beforeEach(async () => {
  slack = await startFakeSlack();
  client = new webApi.WebClient(FAKE_BOT_TOKEN, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
  ts = (await client.chat.postMessage({ channel: CHANNEL, text: 'Auditing…' })).ts!;
  waits = [];
});
afterEach(() => slack.close());

const edit = () => editIdempotently(() => client.chat.update({ channel: CHANNEL, ts, text: 'the result' }), { sleep: async (ms) => void waits.push(ms) });
const attempts = () => slack.callsTo('chat.update').length;

describe('an edit whose outcome is unknown', () => {
  it('is sent again after a 5xx, waiting longer each time, and the last failure thrown once the tries ran out', async () => {
    for (let i = 0; i < EDIT_ATTEMPTS + 1; i++) slack.serverErrorNext('chat.update', 503);
    const err = await edit().catch((e: unknown) => e);
    expect(outcomeUnknown(err)).not.toBeNull();
    expect(attempts()).toBe(EDIT_ATTEMPTS);
    expect(waits).toEqual(Array.from({ length: EDIT_ATTEMPTS - 1 }, (_, i) => EDIT_BACKOFF_MS * 2 ** i));
  });

  it('waits what Retry-After says after a 429 handed to it (a client rejecting rate-limited calls), then edits', async () => {
    client = new webApi.WebClient(FAKE_BOT_TOKEN, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    slack.rateLimitNext('chat.update', 2);
    await edit();
    expect(waits).toEqual([2000]);
    expect(slack.message(CHANNEL, ts)!.text).toBe('the result');
  });

  it('is sent again after a 429 a client met past its own retries (it waited Retry-After itself)', async () => {
    slack.rateLimitNext('chat.update', 1);
    await edit();
    const [limited, again] = slack.callsTo('chat.update');
    expect(limited!.status).toBe(429);
    expect(again!.time - limited!.time).toBeGreaterThanOrEqual(1000 - 50);
    expect(waits).toEqual([EDIT_BACKOFF_MS]);
    expect(slack.message(CHANNEL, ts)!.text).toBe('the result');
  });

  it('is sent again after the connection dropped, and after `service_unavailable`', async () => {
    slack.dropNext('chat.update', { handled: true });
    slack.failNext('chat.update', 'service_unavailable');
    await edit();
    expect(attempts()).toBe(3);
    expect(slack.message(CHANNEL, ts)!.text).toBe('the result');
  });
});

describe('an edit Slack did not do', () => {
  it.each(['cant_update_message', 'message_not_found', 'edit_window_closed', 'msg_too_long', 'invalid_blocks', 'channel_not_found', 'is_inactive'])('is not tried again after `%s`', async (error) => {
    slack.failNext('chat.update', error);
    const err = await edit().catch((e: unknown) => e);
    expect((err as { data?: { error?: string } }).data?.error).toBe(error);
    expect(outcomeUnknown(err)).toBeNull();
    expect(attempts()).toBe(1);
    expect(waits).toEqual([]);
  });

  it('is not tried again after a 4xx from something between (the request never reached Slack)', async () => {
    slack.serverErrorNext('chat.update', 404);
    await expect(edit()).rejects.toThrow();
    expect(attempts()).toBe(1);
  });
});
