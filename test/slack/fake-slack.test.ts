import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { App, LogLevel, verifySlackRequest } from '@slack/bolt';
import { WebClient, WebClientEvent, type WebAPIPlatformError } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fitMessage } from '../../src/slack/blocks/fit.js';
import { button, context, header, section } from '../../src/slack/blocks/kit.js';
import { FAKE_BOT, FAKE_BOT_TOKEN, POST_BURST, startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';
import { blockAction, eventCallback, postToBolt, signedRequest, slashCommand, urlVerification, viewSubmission } from '../helpers/slack-requests.js';

const CHANNEL = 'C0AUDITS001';
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, setLevel: () => {}, getLevel: () => LogLevel.ERROR, setName: () => {} };

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function platformError(promise: Promise<unknown>): Promise<WebAPIPlatformError> {
  try {
    await promise;
  } catch (error) {
    return error as WebAPIPlatformError;
  }
  throw new Error('expected the call to fail');
}

let fake: FakeSlack;
let client: WebClient;

beforeEach(async () => {
  fake = await startFakeSlack({ users: { U0ALICE0001: { name: 'alice', tz: 'Europe/Paris', tz_offset: 3600 } }, channels: { [CHANNEL]: { name: 'audits' } } });
  client = new WebClient(FAKE_BOT_TOKEN, { slackApiUrl: fake.url, retryConfig: { retries: 0 }, logger: quiet });
});

afterEach(async () => {
  await fake.close();
});

describe('fake Slack Web API answering a real WebClient', () => {
  it('answers auth.test like Slack', async () => {
    const auth = await client.auth.test();
    expect(auth).toMatchObject({ ok: true, user_id: FAKE_BOT.userId, bot_id: FAKE_BOT.botId });
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]).toMatchObject({ method: 'auth.test', token: FAKE_BOT_TOKEN });
  });

  it('posts, threads, updates and links messages, readable as the channel shows them', async () => {
    const parent = await client.chat.postMessage({ channel: CHANNEL, text: 'Audit of octo/app', blocks: [header('Audit of octo/app'), section('*3* findings')] });
    expect(parent.ok).toBe(true);
    expect(parent.ts).toMatch(/^\d{10}\.\d{6}$/);
    const reply = await client.chat.postMessage({ channel: CHANNEL, thread_ts: parent.ts, text: 'continued', blocks: [section('finding 1')] });
    expect(Number(reply.ts)).toBeGreaterThan(Number(parent.ts));
    expect(reply.message).toMatchObject({ text: 'continued', thread_ts: parent.ts, bot_id: FAKE_BOT.botId });

    // Blocks arrive form-encoded as a JSON string; the fake decodes them for assertions.
    expect(fake.callsTo('chat.postMessage')[0]?.params.blocks).toEqual([header('Audit of octo/app'), section('*3* findings')]);

    await client.chat.update({ channel: CHANNEL, ts: parent.ts ?? '', text: 'Audit of octo/app (done)', blocks: [section('all fixed')] });
    const messages = fake.messages(CHANNEL);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ text: 'Audit of octo/app (done)', blocks: [section('all fixed')], reply_count: 1 });
    expect(fake.thread(CHANNEL, parent.ts ?? '').map((m) => m.text)).toEqual(['continued']);

    const permalink = await client.chat.getPermalink({ channel: CHANNEL, message_ts: reply.ts ?? '' });
    expect(permalink.permalink).toBe(`https://depwatch-test.slack.com/archives/${CHANNEL}/p${reply.ts?.replace('.', '')}?thread_ts=${parent.ts}&cid=${CHANNEL}`);

    const missing = await platformError(client.chat.postMessage({ channel: CHANNEL, thread_ts: '1.000001', text: 'lost' }));
    expect(missing.data.error).toBe('thread_not_found');
    expect(fake.violations).toEqual([]);
  });

  it('answers invalid_blocks like Slack and records the violation', async () => {
    const error = await platformError(client.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(3001) } }] }));
    expect(error.data.error).toBe('invalid_blocks');
    expect(error.data).toMatchObject({ errors: ['blocks[0].text.text is 3001 characters; the limit is 3000 [json-pointer:/blocks/0/text/text]'] });
    expect(fake.violations).toEqual([
      { method: 'chat.postMessage', path: 'blocks[0].text.text', rule: 'section.text', limit: 3000, actual: 3001, message: 'blocks[0].text.text is 3001 characters; the limit is 3000' },
    ]);
    expect(fake.messages(CHANNEL)).toEqual([]);
  });

  it('answers msg_blocks_too_long past the cumulative text budget, and fitMessage output is accepted', async () => {
    const blocks = Array.from({ length: 12 }, (_, i) => section(`${i} ${'z'.repeat(2990)}`));
    const error = await platformError(client.chat.postMessage({ channel: CHANNEL, text: 'big', blocks }));
    expect(error.data.error).toBe('msg_blocks_too_long');
    expect(fake.violations.map((v) => v.rule)).toEqual(['message.textBudget']);

    const { first, replies } = fitMessage({ text: 'big', blocks, continuation: (i, n) => [context(`continued (${i}/${n})`)] });
    const posted = await client.chat.postMessage({ channel: CHANNEL, ...first });
    for (const reply of replies) await client.chat.postMessage({ channel: CHANNEL, thread_ts: posted.ts, ...reply });
    expect(fake.violations).toHaveLength(1);
    expect(fake.thread(CHANNEL, posted.ts ?? '')).toHaveLength(replies.length);
    expect(replies.length).toBeGreaterThan(0);
  });

  it('answers 429 with Retry-After, and the client waits and retries', async () => {
    const retrying = new WebClient(FAKE_BOT_TOKEN, { slackApiUrl: fake.url, retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 10 }, logger: quiet });
    const waits: number[] = [];
    retrying.on(WebClientEvent.RATE_LIMITED, (seconds: number) => waits.push(seconds));
    fake.rateLimitNext('chat.postMessage', 1);
    const started = Date.now();
    const result = await retrying.chat.postMessage({ channel: CHANNEL, text: 'after a pause' });
    expect(result.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(waits).toEqual([1]);
    expect(fake.callsTo('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
    expect(fake.messages(CHANNEL)).toHaveLength(1);
  });

  it('answers 429 with Retry-After 1 to a channel given more than a short burst of posts within a second, as Slack does', async () => {
    const flooding = new WebClient(FAKE_BOT_TOKEN, { slackApiUrl: fake.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logger: quiet });
    const results = await Promise.allSettled(Array.from({ length: POST_BURST + 2 }, (_, i) => flooding.chat.postMessage({ channel: CHANNEL, text: `post ${i}` })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(POST_BURST);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as { retryAfter?: number }).retryAfter);
    expect(refused).toEqual([1, 1]);
    expect(fake.messages(CHANNEL)).toHaveLength(POST_BURST);
    // Another channel has its own allowance; edits are not posts.
    expect((await flooding.chat.postMessage({ channel: 'C0ELSEWHERE1', text: 'elsewhere' })).ok).toBe(true);
    expect((await flooding.chat.update({ channel: CHANNEL, ts: fake.messages(CHANNEL)[0]!.ts, text: 'edited' })).ok).toBe(true);
    // A second later the channel takes posts again.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await flooding.chat.postMessage({ channel: CHANNEL, text: 'a second later' })).ok).toBe(true);
  });

  it('fails later calls when scripted so, and answers as usual once unscripted', async () => {
    fake.failLater('chat.postMessage', 'fatal_error', { after: 1, times: 5 });
    expect((await client.chat.postMessage({ channel: CHANNEL, text: 'first' })).ok).toBe(true);
    expect((await platformError(client.chat.postMessage({ channel: CHANNEL, text: 'second' }))).data.error).toBe('fatal_error');
    fake.unscript('chat.postMessage');
    expect((await client.chat.postMessage({ channel: CHANNEL, text: 'third' })).ok).toBe(true);
    expect(fake.messages(CHANNEL).map((m) => m.text)).toEqual(['first', 'third']);
  });

  it('fails scripted calls once, rejects bad tokens and unknown methods', async () => {
    fake.failNext('chat.postMessage', 'not_in_channel');
    expect((await platformError(client.chat.postMessage({ channel: CHANNEL, text: 'a' }))).data.error).toBe('not_in_channel');
    expect((await client.chat.postMessage({ channel: CHANNEL, text: 'b' })).ok).toBe(true);

    const stranger = new WebClient('xoxb-not-ours', { slackApiUrl: fake.url, retryConfig: { retries: 0 }, logger: quiet });
    expect((await platformError(stranger.chat.postMessage({ channel: CHANNEL, text: 'c' }))).data.error).toBe('invalid_auth');
    const anonymous = new WebClient(undefined, { slackApiUrl: fake.url, retryConfig: { retries: 0 }, logger: quiet });
    expect((await platformError(anonymous.auth.test())).data.error).toBe('invalid_auth');
    expect((await platformError(client.apiCall('chat.frobnicate', {}))).data.error).toBe('unknown_method');
    expect(fake.messages(CHANNEL).map((m) => m.text)).toEqual(['b']);
  });

  it('round-trips files.uploadV2 into a thread', async () => {
    const parent = await client.chat.postMessage({ channel: CHANNEL, text: 'Audit of octo/app' });
    const content = '# Audit of octo/app\n\n| package | advisory |\n|---|---|\n| django | PYSEC-2019-13 |\n';
    const result = await client.filesUploadV2({ channel_id: CHANNEL, thread_ts: parent.ts ?? '', content, filename: 'audit.md', title: 'Full report', initial_comment: 'The full report' });
    expect(result.ok).toBe(true);
    const [file] = fake.files();
    expect(file).toMatchObject({ filename: 'audit.md', title: 'Full report', length: Buffer.byteLength(content), completed: true, channel: CHANNEL, thread_ts: parent.ts });
    expect(file?.content?.toString('utf8')).toBe(content);
    expect(fake.thread(CHANNEL, parent.ts ?? '')).toMatchObject([{ text: 'The full report', files: [{ id: file?.id, title: 'Full report', name: 'audit.md' }] }]);
  });

  it('opens, updates and publishes views, checking every one', async () => {
    const modal = { type: 'modal' as const, callback_id: 'watch', title: { type: 'plain_text' as const, text: 'Watch a repo' }, blocks: [section('Which repository?')] };
    const opened = await client.views.open({ trigger_id: '123.456.abc', view: modal });
    const viewId = opened.view?.id ?? '';
    expect(viewId).toMatch(/^V/);
    const updated = await client.views.update({ view_id: viewId, hash: opened.view?.hash ?? '', view: { ...modal, blocks: [section('Watching octo/app')] } });
    expect(updated.view?.blocks).toEqual([section('Watching octo/app')]);
    expect((await platformError(client.views.update({ view_id: viewId, hash: opened.view?.hash ?? '', view: modal }))).data.error).toBe('hash_conflict');

    const tooLong = await platformError(client.views.open({ trigger_id: '1', view: { ...modal, title: { type: 'plain_text', text: 'Vulnerabilities in octo/app' } } }));
    expect(tooLong.data.error).toBe('invalid_arguments');
    expect(fake.violations.map((v) => [v.method, v.rule])).toEqual([['views.open', 'view.title']]);
    // A trigger opens one view; a view refused does not use its trigger.
    expect((await platformError(client.views.open({ trigger_id: '123.456.abc', view: modal }))).data.error).toBe('exchanged_trigger_id');
    expect((await platformError(client.views.push({ trigger_id: '123.456.abc', view: modal }))).data.error).toBe('exchanged_trigger_id');
    expect((await client.views.open({ trigger_id: '1', view: modal })).ok).toBe(true);

    await client.views.publish({ user_id: 'U0ALICE0001', view: { type: 'home', blocks: [header('Depwatch')] } });
    expect(fake.homeView('U0ALICE0001')?.view.blocks).toEqual([header('Depwatch')]);
  });

  it('answers conversations, users, ephemeral posts and reactions', async () => {
    const dm = await client.conversations.open({ users: 'U0ALICE0001' });
    expect(dm.channel?.id).toMatch(/^D/);
    expect((await client.conversations.open({ users: 'U0ALICE0001' })).channel?.id).toBe(dm.channel?.id);
    expect((await client.conversations.info({ channel: CHANNEL })).channel).toMatchObject({ id: CHANNEL, name: 'audits', is_member: true });
    expect((await client.users.info({ user: 'U0ALICE0001' })).user).toMatchObject({ name: 'alice', tz: 'Europe/Paris', tz_offset: 3600 });

    const eph = await client.chat.postEphemeral({ channel: CHANNEL, user: 'U0ALICE0001', text: 'Only you can see this' });
    expect(eph.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(fake.ephemerals(CHANNEL)).toMatchObject([{ user: 'U0ALICE0001', text: 'Only you can see this' }]);
    expect(fake.messages(CHANNEL)).toEqual([]);

    const posted = await client.chat.postMessage({ channel: 'U0ALICE0001', text: 'Reminder' });
    expect(posted.channel).toBe(dm.channel?.id);
    await client.reactions.add({ channel: posted.channel ?? '', timestamp: posted.ts ?? '', name: 'white_check_mark' });
    expect(fake.message(posted.channel ?? '', posted.ts ?? '')?.reactions).toEqual([{ name: 'white_check_mark', users: [FAKE_BOT.userId], count: 1 }]);
    expect((await platformError(client.reactions.add({ channel: posted.channel ?? '', timestamp: posted.ts ?? '', name: 'white_check_mark' }))).data.error).toBe('already_reacted');
  });

  it('records response_url posts, checks their blocks and lets at most five through', async () => {
    const url = fake.responseUrl('cmd-1', { channel: CHANNEL, user: 'U0ALICE0001' });
    const send = (body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await send({ text: 'Auditing octo/app…' })).status).toBe(200);
    expect((await send({ response_type: 'in_channel', text: 'Audit of octo/app', blocks: [section('clean')] })).status).toBe(200);
    expect((await send({ replace_original: true, text: 'Audit of octo/app (updated)' })).status).toBe(200);
    const bad = await send({ blocks: [{ type: 'header', text: { type: 'mrkdwn', text: '*x*' } }] });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe('invalid_blocks');
    expect((await send({ text: 'five' })).status).toBe(200);
    expect((await send({ text: 'six' })).status).toBe(404);
    expect(fake.responses.map((r) => r.status)).toEqual([200, 200, 200, 400, 200, 404]);
    expect(fake.violations.map((v) => [v.method, v.rule])).toEqual([['response_url', 'header.text.type']]);
    expect(fake.ephemerals(CHANNEL).map((e) => e.text)).toEqual(['Auditing octo/app…', 'five']);
    expect(fake.messages(CHANNEL)).toMatchObject([{ text: 'Audit of octo/app (updated)', via: 'response_url' }]);
  });

  it('adds latency when asked', async () => {
    fake.latencyMs = 150;
    const started = Date.now();
    await client.auth.test();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('signed requests', () => {
  const secret = 'test-signing-secret';

  it('are accepted by Bolt’s own verifySlackRequest', () => {
    for (const request of [slashCommand({ text: 'octo/app' }), blockAction({ actionId: 'finding_ignore', value: 'finding:1' }), viewSubmission({ callbackId: 'watch' }), eventCallback({ type: 'app_home_opened', user: 'U0ALICE0001' })]) {
      const signed = signedRequest(secret, request);
      expect(() =>
        verifySlackRequest({
          signingSecret: secret,
          body: signed.body,
          headers: { 'x-slack-signature': signed.headers['x-slack-signature'] ?? '', 'x-slack-request-timestamp': Number(signed.headers['x-slack-request-timestamp']) },
        }),
      ).not.toThrow();
    }
  });

  it('reject a forged signature and a timestamp six minutes old', () => {
    const forged = signedRequest('someone-elses-secret', slashCommand());
    const stale = signedRequest(secret, slashCommand(), { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    for (const signed of [forged, stale]) {
      expect(() =>
        verifySlackRequest({
          signingSecret: secret,
          body: signed.body,
          headers: { 'x-slack-signature': signed.headers['x-slack-signature'] ?? '', 'x-slack-request-timestamp': Number(signed.headers['x-slack-request-timestamp']) },
        }),
      ).toThrow();
    }
  });

  it('carry every field Slack sends with a slash command', () => {
    const fields = new URLSearchParams(slashCommand({ text: 'octo/app', response_url: 'http://127.0.0.1:1/response/x' }).body);
    expect([...fields.keys()].sort()).toEqual(['api_app_id', 'channel_id', 'channel_name', 'command', 'is_enterprise_install', 'response_url', 'team_domain', 'team_id', 'text', 'token', 'trigger_id', 'user_id', 'user_name']);
    expect(fields.get('command')).toBe('/audit');
    expect(fields.get('is_enterprise_install')).toBe('false');
  });
});

describe('a Bolt app over HTTP, end to end on loopback', () => {
  const secret = 'bolt-signing-secret';
  let app: App;
  let endpoint: string;
  const clicks: string[] = [];

  beforeEach(async () => {
    app = new App({
      token: FAKE_BOT_TOKEN,
      signingSecret: secret,
      botId: FAKE_BOT.botId,
      botUserId: FAKE_BOT.userId,
      logger: quiet,
      clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } },
    });
    app.command('/audit', async ({ ack, respond, client: boltClient, command }) => {
      await ack();
      await respond({ response_type: 'in_channel', text: `Auditing ${command.text}…` });
      const { first } = fitMessage({ text: `Audit of ${command.text}`, blocks: [header(`Audit of ${command.text}`), section('No findings', button({ text: 'Re-run', actionId: 'rerun', value: command.text }))] });
      await boltClient.chat.postMessage({ channel: command.channel_id, ...first });
    });
    app.action('rerun', async ({ ack, action }) => {
      await ack();
      if (action.type === 'button') clicks.push(action.value ?? '');
    });
    const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });

  afterEach(async () => {
    await app.stop();
  });

  it('acks a signed /audit, replies through response_url and posts through the fake', async () => {
    const responseUrl = fake.responseUrl('audit-1', { channel: CHANNEL });
    const answer = await postToBolt(endpoint, signedRequest(secret, slashCommand({ text: 'octo/app', response_url: responseUrl })));
    expect(answer.status).toBe(200);
    await waitFor(() => fake.messages(CHANNEL).length === 2);
    expect(fake.messages(CHANNEL).map((m) => [m.via, m.text])).toEqual([
      ['response_url', 'Auditing octo/app…'],
      ['chat.postMessage', 'Audit of octo/app'],
    ]);
    expect(fake.callsTo('chat.postMessage')[0]?.token).toBe(FAKE_BOT_TOKEN);
    expect(fake.violations).toEqual([]);

    const click = await postToBolt(endpoint, signedRequest(secret, blockAction({ actionId: 'rerun', value: 'octo/app', response_url: fake.responseUrl('click-1') })));
    expect(click.status).toBe(200);
    expect(clicks).toEqual(['octo/app']);
  });

  it('answers 401 to a forged signature and 401 to a stale one, and echoes url_verification', async () => {
    expect((await postToBolt(endpoint, signedRequest('wrong-secret', slashCommand()))).status).toBe(401);
    expect((await postToBolt(endpoint, signedRequest(secret, slashCommand(), { timestamp: Math.floor(Date.now() / 1000) - 360 }))).status).toBe(401);
    const challenge = await postToBolt(endpoint, signedRequest(secret, urlVerification('c-123')));
    expect(challenge.json).toEqual({ challenge: 'c-123' });
    expect(fake.calls).toEqual([]);
  });
});
