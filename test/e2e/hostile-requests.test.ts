/**
 * The deployed bot (`node dist/main.js`) under correctly signed hostile requests: an interactive
 * request whose payload is JSON null used to throw inside Bolt's HTTP receiver, outside any
 * handler, and end the process. It must answer 400 and go on answering.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_BOT_TOKEN, startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';
import { BOT_TEST_MS, buildIfStale, CLEAN_STOP, endingAfterSigterm, EVENT_DEADLINE_MS, freePort, startMain } from './bot-process.js';
import { postToBolt, signedRequest, slashCommand } from '../helpers/slack-requests.js';
import { waitFor } from '../slack/app-world.js';

const SECRET = 'e2e-hostile-signing-secret-0123456789';

describe('node dist/main.js under hostile signed requests', () => {
  let slack: FakeSlack;
  let workDir: string;
  beforeAll(async () => {
    buildIfStale();
    slack = await startFakeSlack();
    workDir = mkdtempSync(join(tmpdir(), 'depwatch-hostile-'));
  }, 300_000);
  afterAll(async () => {
    await slack?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('answers payload=null with 400 and keeps running', async () => {
    const port = await freePort();
    const bot = startMain(
      {
        SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.url,
        GITHUB_API_URL: 'http://127.0.0.1:9',
        OSV_API_URL: 'http://127.0.0.1:9',
        PYPI_URL: 'http://127.0.0.1:9',
        DEPWATCH_DB: join(workDir, 'depwatch.db'),
        PORT: String(port),
        TZ: 'UTC',
        LOG_LEVEL: 'info',
      },
      workDir,
    );
    const url = `http://127.0.0.1:${port}/slack/events`;
    try {
      await waitFor(() => bot.stderr().includes('listening on'), `"listening on" (stderr so far: ${bot.stderr()})`, EVENT_DEADLINE_MS);
      for (const payload of ['null', '[]', '"x"']) {
        const response = await postToBolt(url, signedRequest(SECRET, { body: `payload=${encodeURIComponent(payload)}`, contentType: 'application/x-www-form-urlencoded' }));
        expect(response.status).toBe(400);
      }
      // Still there, and still answering.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(bot.exitCode()).toBeNull();
      const help = await postToBolt(url, signedRequest(SECRET, slashCommand({ text: 'help' })));
      expect(help.status).toBe(200);
      expect(bot.stderr()).toContain('request refused: the body is null, not an object');
      expect(bot.stderr()).not.toMatch(/TypeError|Cannot read properties/);
    } finally {
      bot.child.kill('SIGTERM');
    }
    expect(await endingAfterSigterm(bot)).toEqual(CLEAN_STOP);
  }, BOT_TEST_MS);
});
