/**
 * Socket Mode, end to end: the built bot (`node dist/main.js` with SLACK_APP_TOKEN) gets its
 * WebSocket URL from the fake Web API's `apps.connections.open`, connects to the loopback Socket Mode
 * fake, and answers envelopes as Slack would deliver them: a slash command and a button click are
 * acked by envelope_id, and the replies go to the fake Web API and response_url. A rejected app-level
 * token is one line and exit 2, like HTTP mode's start-up failures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.js';
import { startFakeOsv, type FakeOsv } from '../fakes/osv.js';
import { startFakePypi, type FakePypi } from '../fakes/pypi.js';
import { FAKE_APP_TOKEN, FAKE_BOT_TOKEN, startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';
import { startFakeSocketMode, type FakeSocketMode } from '../fakes/slack-socket.js';
import { fixtureRecords } from '../fixtures/osv/load.js';
import { blockText, buttons, CHANNEL, GITHUB_TOKEN, SHOP, USER } from '../slack/app-world.js';
import { BOT_TEST_MS, buildIfStale, CLEAN_STOP, endingAfterSigterm, EVENT_DEADLINE_MS, freePort, type Running, startMain, waitFor } from './bot-process.js';

describe('Socket Mode (node dist/main.js with SLACK_APP_TOKEN)', () => {
  let slack: FakeSlack;
  let socket: FakeSocketMode;
  let github: FakeGitHub;
  let osv: FakeOsv;
  let pypi: FakePypi;
  let workDir: string;
  let env: (extra?: Record<string, string>) => Promise<Record<string, string>>;

  beforeAll(async () => {
    buildIfStale();
    slack = await startFakeSlack();
    socket = await startFakeSocketMode(slack);
    github = await startFakeGitHub({ repos: [SHOP], tokens: [GITHUB_TOKEN] });
    osv = await startFakeOsv({ records: [...fixtureRecords().values()] });
    pypi = await startFakePypi();
    workDir = mkdtempSync(join(tmpdir(), 'depwatch-socket-'));
    // Socket Mode serves /healthz and /metrics on PORT: a free one, never the default 3000 another test may hold.
    env = async (extra = {}) => ({
      PORT: String(await freePort()),
      SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
      SLACK_APP_TOKEN: FAKE_APP_TOKEN,
      SLACK_API_URL: slack.url,
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: GITHUB_TOKEN,
      OSV_API_URL: osv.url,
      PYPI_URL: pypi.url,
      DEPWATCH_DB: join(workDir, `${Math.random().toString(36).slice(2)}.db`),
      TZ: 'UTC',
      LOG_LEVEL: 'info',
      ...extra,
    });
  }, 300_000);

  afterAll(async () => {
    await Promise.all([socket?.close(), slack?.close(), github?.close(), osv?.close(), pypi?.close()]);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('connects, acks a slash command and a button click by envelope_id, and replies through the Web API', async () => {
    const bot = startMain(await env(), workDir);
    try {
      await socket.connected();
      await waitFor(() => bot.stderr().includes('listening on Socket Mode'), `"listening on Socket Mode" (stderr so far: ${bot.stderr()})`, EVENT_DEADLINE_MS);
      expect(slack.callsTo('apps.connections.open').at(-1)?.token).toBe(FAKE_APP_TOKEN);

      // An ack can carry the answer itself: /audit help is answered in the ack's payload.
      const help = await socket.slashCommand({ text: 'help' });
      expect(JSON.stringify(help.payload)).toContain('/audit owner/repo');

      const responseUrl = slack.responseUrl('socket-audit', { channel: CHANNEL, user: USER });
      const audit = await socket.slashCommand({ text: 'octo/shop', response_url: responseUrl });
      expect(audit.payload).toEqual({});
      const update = await waitFor(() => slack.callsTo('chat.update')[0], 'the audit result');
      expect(slack.callsTo('chat.postMessage')[0]?.params.text).toBe('Auditing octo/shop…');
      expect(blockText(update.params.blocks)).toContain('Dependency audit: octo/shop');

      const watch = buttons(update.params.blocks).find((b) => b.action_id === 'audit_watch_repo');
      // The button carries the audit's id (never state): the click re-reads which repository it was.
      expect(watch?.value).toMatch(/^\d+$/);
      const clickUrl = slack.responseUrl('socket-watch', { channel: CHANNEL, user: USER });
      const click = await socket.blockActions({ actionId: 'audit_watch_repo', value: watch!.value!, channel: CHANNEL, message_ts: String(update.params.ts), response_url: clickUrl });
      expect(click.payload).toEqual({});
      const answer = await waitFor(() => slack.responses.find((r) => r.id === 'socket-watch'), 'the reply to the Watch button');
      expect(answer.status).toBe(200);
      expect(String(answer.body.text)).toContain('octo/shop');

      expect(socket.unexpected).toEqual([]);
      expect(slack.violations).toEqual([]);
      expect(bot.stderr()).not.toContain(FAKE_APP_TOKEN);
    } finally {
      bot.child.kill('SIGTERM');
    }
    expect(await endingAfterSigterm(bot)).toEqual(CLEAN_STOP);
  }, BOT_TEST_MS);

  async function failedStart(extra: Record<string, string>): Promise<{ code: number | null; bot: Running }> {
    const bot = startMain(await env(extra), workDir);
    const timer = new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 20_000).unref());
    const code = await Promise.race([bot.exited, timer]);
    if (code === 'running') {
      bot.child.kill('SIGKILL');
      throw new Error(`the bot kept running; stderr so far:\n${bot.stderr()}`);
    }
    return { code, bot };
  }

  it('an app-level token Slack rejects: one line naming SLACK_APP_TOKEN, exit 2', async () => {
    const rejected = 'xapp-depwatch-token-slack-does-not-know';
    const { code, bot } = await failedStart({ SLACK_APP_TOKEN: rejected });
    expect(code).toBe(2);
    const lines = bot.stderr().trim().split('\n');
    expect(lines, bot.stderr()).toHaveLength(1);
    expect(lines[0]).toMatch(/^depwatch: Slack rejected SLACK_APP_TOKEN \(invalid_auth\): create an app-level token/);
    expect(bot.stderr()).not.toContain(rejected);
  });

  it('a bot token where the app-level token belongs: one line saying so, exit 2', async () => {
    const { code, bot } = await failedStart({ SLACK_APP_TOKEN: FAKE_BOT_TOKEN });
    expect(code).toBe(2);
    expect(bot.stderr().trim().split('\n')).toEqual([expect.stringMatching(/^depwatch: Slack rejected SLACK_APP_TOKEN \(not_allowed_token_type\): this is not an app-level token/)]);
  });

  it('a rejected bot token in Socket Mode: one line, exit 2', async () => {
    const { code, bot } = await failedStart({ SLACK_BOT_TOKEN: 'xoxb-depwatch-unknown-bot-token' });
    expect(code).toBe(2);
    expect(bot.stderr().trim().split('\n')).toEqual([expect.stringMatching(/^depwatch: Slack rejected SLACK_BOT_TOKEN \(invalid_auth\)/)]);
  });
});
