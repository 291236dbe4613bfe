/**
 * Where `/audit owner/repo` and `/audit package` answer (src/slack/reply-target.ts, one module for
 * both): a placeholder the bot posts and edits, else (only where Slack says the bot cannot post
 * there) the command's response_url, which takes five posts and is never cut silently.
 */
import { LogLevel } from '@slack/bolt';
import type { RespondFn } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { section } from '../../src/slack/blocks/kit.js';
import { postPlaceholder, replaceInThread, replaceThroughResponseUrl, type ReplyTarget } from '../../src/slack/reply-target.js';
import { FAKE_BOT_TOKEN, startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';

const CHANNEL = 'C0AUDITS001';
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, setLevel: () => {}, getLevel: () => LogLevel.ERROR, setName: () => {} };
const message = (text: string) => ({ text, blocks: [section(text)] });

let fake: FakeSlack;
let client: WebClient;
beforeEach(async () => {
  fake = await startFakeSlack({ channels: { [CHANNEL]: { name: 'audits' } } });
  client = new WebClient(FAKE_BOT_TOKEN, { slackApiUrl: fake.url, retryConfig: { retries: 0 }, logger: quiet });
});
afterEach(async () => {
  await fake.close();
});

/** A response_url as Bolt's respond posts to it: JSON, and a refusal (expired, used five times) thrown. */
function respondTo(id: string): RespondFn {
  const url = fake.responseUrl(id, { channel: CHANNEL });
  return (async (body: unknown) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`response_url answered ${res.status}`);
  }) as unknown as RespondFn;
}

/** What each block of a post says, in order. */
const said = (blocks: unknown): string[] =>
  (blocks as { text?: { text: string }; elements?: { text: string }[] }[]).map((b) => b.text?.text ?? (b.elements ?? []).map((e) => e.text).join(' '));

const parts = (n: number) => ({ first: message('the answer'), replies: Array.from({ length: n }, (_, i) => message(`part ${i + 1}`)) });

describe('the placeholder', () => {
  it('is a message the bot posts, edited into the answer, with what did not fit in its thread', async () => {
    const target = await postPlaceholder({ client, channel: CHANNEL, respond: respondTo('r1'), command: '/audit' }, message('Checking…'));
    expect(target).toEqual({ mode: 'chat', channel: CHANNEL, ts: expect.any(String) });
    await replaceInThread(client, target as Extract<ReplyTarget, { mode: 'chat' }>, parts(2));
    const [shown] = fake.messages(CHANNEL);
    expect(shown?.text).toBe('the answer');
    expect(fake.thread(CHANNEL, shown!.ts).map((m) => m.text)).toEqual(['part 1', 'part 2']);
    expect(fake.responses).toEqual([]);
  });

  it.each(['not_in_channel', 'channel_not_found'])('goes through response_url, in the channel, when Slack answers %s', async (code) => {
    fake.failNext('chat.postMessage', code);
    const logged: unknown[][] = [];
    const target = await postPlaceholder({ client, channel: CHANNEL, respond: respondTo('r2'), command: '/audit package', logger: { info: (...args: unknown[]) => void logged.push(args) } }, message('Checking…'));
    expect(target.mode).toBe('respond');
    expect(fake.responses.map((r) => r.body)).toEqual([{ response_type: 'in_channel', text: 'Checking…', blocks: [section('Checking…')] }]);
    expect(logged).toEqual([[{ channel: CHANNEL, code }, '/audit package: replying through response_url']]);
  });

  it('throws any other refusal, and a refusal where there is no response_url (App Home)', async () => {
    fake.failNext('chat.postMessage', 'invalid_blocks');
    await expect(postPlaceholder({ client, channel: CHANNEL, respond: respondTo('r3'), command: '/audit' }, message('Checking…'))).rejects.toThrow(/invalid_blocks/);
    fake.failNext('chat.postMessage', 'not_in_channel');
    await expect(postPlaceholder({ client, channel: CHANNEL, command: '/audit' }, message('Checking…'))).rejects.toThrow(/not_in_channel/);
    expect(fake.responses).toEqual([]);
  });
});

describe('the edit of the placeholder into the answer', () => {
  const noWait = { backoffMs: 1 };

  it('is sent again when Slack made it but the connection dropped: one message, holding the answer', async () => {
    const target = (await postPlaceholder({ client, channel: CHANNEL, command: '/audit package' }, message('Checking…'))) as Extract<ReplyTarget, { mode: 'chat' }>;
    fake.dropNext('chat.update', { handled: true });
    await replaceInThread(client, target, parts(0), undefined, noWait);
    expect(fake.calls.filter((c) => c.method === 'chat.update').map((c) => c.status)).toEqual([0, 200]);
    expect(fake.messages(CHANNEL).map((m) => m.text)).toEqual(['the answer']);
  });

  it('is sent again after a 500, and its thread posted once', async () => {
    const target = (await postPlaceholder({ client, channel: CHANNEL, command: '/audit package' }, message('Checking…'))) as Extract<ReplyTarget, { mode: 'chat' }>;
    fake.serverErrorNext('chat.update', 500);
    await replaceInThread(client, target, parts(1), undefined, noWait);
    const [shown] = fake.messages(CHANNEL);
    expect(shown?.text).toBe('the answer');
    expect(fake.thread(CHANNEL, shown!.ts).map((m) => m.text)).toEqual(['part 1']);
  });

  it('throws what Slack refused at once, without trying again', async () => {
    const target = (await postPlaceholder({ client, channel: CHANNEL, command: '/audit package' }, message('Checking…'))) as Extract<ReplyTarget, { mode: 'chat' }>;
    fake.failNext('chat.update', 'cant_update_message');
    await expect(replaceInThread(client, target, parts(1), undefined, noWait)).rejects.toThrow(/cant_update_message/);
    expect(fake.calls.filter((c) => c.method === 'chat.update')).toHaveLength(1);
    expect(fake.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
  });
});

describe('a placeholder post Slack did not answer', () => {
  it('is thrown, said in the log, and neither posted again nor sent through response_url', async () => {
    fake.dropNext('chat.postMessage', { handled: true });
    const warned: unknown[][] = [];
    const logger = { info: () => {}, warn: (...args: unknown[]) => void warned.push(args) };
    await expect(postPlaceholder({ client, channel: CHANNEL, respond: respondTo('r9'), command: '/audit', logger }, message('Checking…'))).rejects.toThrow();
    expect(warned).toEqual([[{ channel: CHANNEL }, '/audit: the placeholder post got no answer from Slack; it may be in the channel, and is not posted again']]);
    expect(fake.messages(CHANNEL)).toHaveLength(1);
    expect(fake.responses).toEqual([]);
  });
});

describe('an answer through response_url', () => {
  const advice = 'invite me to this channel to get the whole report in a thread.';

  it('replaces the placeholder and posts every continuation when they fit in its five posts', async () => {
    const respond = respondTo('r4');
    await respond({ response_type: 'in_channel', text: 'Checking…' });
    await replaceThroughResponseUrl(respond, parts(3), { advice });
    const posts = fake.responses.filter((r) => r.id === 'r4');
    expect(posts.map((p) => [p.status, p.body.replace_original ?? null, p.body.text])).toEqual([
      [200, null, 'Checking…'],
      [200, true, 'the answer'],
      [200, false, 'part 1'],
      [200, false, 'part 2'],
      [200, false, 'part 3'],
    ]);
  });

  it('says in its last post how many parts were not shown, and what gets them all', async () => {
    const respond = respondTo('r5');
    await respond({ response_type: 'in_channel', text: 'Checking…' });
    await replaceThroughResponseUrl(respond, parts(6), { advice });
    const posts = fake.responses.filter((r) => r.id === 'r5');
    expect(posts.every((p) => p.status === 200)).toBe(true);
    expect(posts).toHaveLength(5);
    expect(said(posts.at(-1)!.body.blocks)).toEqual(['part 3', `3 more parts not shown: ${advice}`]);
  });

  it('counts the posts an earlier stage spent', async () => {
    const respond = respondTo('r6');
    await respond({ response_type: 'in_channel', text: 'Checking…' });
    await respond({ response_type: 'in_channel', replace_original: true, text: 'first stage' });
    await replaceThroughResponseUrl(respond, parts(4), { advice, usedPosts: 1 });
    const posts = fake.responses.filter((r) => r.id === 'r6');
    expect(posts.map((p) => p.status)).toEqual([200, 200, 200, 200, 200]);
    expect(said(posts.at(-1)!.body.blocks)).toEqual(['part 2', `2 more parts not shown: ${advice}`]);
  });
});
