/**
 * The built bot as it is deployed: `node dist/main.js` with its configuration in the environment,
 * every outside service a loopback fake. A signed `/audit` must be answered as in Slack, SIGTERM must
 * stop it cleanly, and without Slack tokens it must refuse to start (exit 2) naming them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.js';
import { startFakeOsv, type FakeOsv } from '../fakes/osv.js';
import { startFakePypi, type FakePypi } from '../fakes/pypi.js';
import { FAKE_BOT_TOKEN, startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';
import { fixtureRecords } from '../fixtures/osv/load.js';
import { postToBolt, signedRequest, slashCommand } from '../helpers/slack-requests.js';
import { blockText, SHOP } from '../slack/app-world.js';
import { BOT_TEST_MS, buildIfStale, CLEAN_STOP, endingAfterSigterm, EVENT_DEADLINE_MS, freePort, startMain, waitFor } from './bot-process.js';

const SECRET = 'e2e-signing-secret-abcdef0123456789';

describe('node dist/main.js', () => {
  let slack: FakeSlack;
  let github: FakeGitHub;
  let osv: FakeOsv;
  let pypi: FakePypi;
  let workDir: string;

  beforeAll(async () => {
    buildIfStale();
    slack = await startFakeSlack();
    github = await startFakeGitHub({ repos: [SHOP] });
    osv = await startFakeOsv({ records: [...fixtureRecords().values()] });
    pypi = await startFakePypi();
    workDir = mkdtempSync(join(tmpdir(), 'depwatch-e2e-'));
  }, 300_000);

  afterAll(async () => {
    await Promise.all([slack?.close(), github?.close(), osv?.close(), pypi?.close()]);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('starts in HTTP mode, answers a signed /audit in the channel, and stops on SIGTERM', async () => {
    const port = await freePort();
    const bot = startMain(
      {
        SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.url,
        GITHUB_API_URL: github.url,
        OSV_API_URL: osv.url,
        PYPI_URL: pypi.url,
        DEPWATCH_DB: join(workDir, 'depwatch.db'),
        PORT: String(port),
        TZ: 'UTC',
        LOG_LEVEL: 'info',
      },
      workDir,
    );
    try {
      await waitFor(() => bot.stderr().includes('listening on'), `"listening on" (stderr so far: ${bot.stderr()})`, EVENT_DEADLINE_MS);
      expect(bot.stderr()).toContain(`listening on port ${port}`);

      const responseUrl = slack.responseUrl('e2e', { channel: 'C0AUDITS001', user: 'U0ALICE0001' });
      const response = await postToBolt(`http://127.0.0.1:${port}/slack/events`, signedRequest(SECRET, slashCommand({ text: 'octo/shop', response_url: responseUrl })));
      expect(response.status).toBe(200);

      const update = await waitFor(() => slack.callsTo('chat.update')[0], 'the audit result');
      expect(slack.callsTo('chat.postMessage')[0]?.params.text).toBe('Auditing octo/shop…');
      const text = blockText(update.params.blocks);
      expect(text).toContain('Dependency audit: octo/shop');
      expect(text).toContain('<https://osv.dev/vulnerability/PYSEC-2023-221|PYSEC-2023-221>');
      expect(slack.violations).toEqual([]);

      const forged = await postToBolt(`http://127.0.0.1:${port}/slack/events`, signedRequest('wrong-secret', slashCommand({ text: 'octo/shop' })));
      expect(forged.status).toBe(401);
      expect(bot.stderr()).not.toContain(FAKE_BOT_TOKEN);
    } finally {
      bot.child.kill('SIGTERM');
    }
    expect(await endingAfterSigterm(bot)).toEqual(CLEAN_STOP);
  }, BOT_TEST_MS);

  it('exits 2 naming the missing Slack settings when there are no tokens', async () => {
    const bot = startMain({ DEPWATCH_DB: join(workDir, 'none.db'), LOG_LEVEL: 'info' }, workDir);
    expect(await bot.exited).toBe(2);
    expect(bot.stderr()).toContain('cannot start the Slack bot, missing configuration');
    expect(bot.stderr()).toContain('SLACK_BOT_TOKEN');
    expect(bot.stderr()).toContain('SLACK_APP_TOKEN or SLACK_SIGNING_SECRET');
  });
});
