/**
 * Start-up that explains itself, on the built bot (`node dist/main.js`) against the loopback fakes:
 * a `.env` copied from `.env.example` works as it is (its empty values are unset ones, TZ included),
 * and every way start-up can fail (a rejected or revoked token, an unreachable Slack, a port in use)
 * is one clear line on stderr and exit status 2, before the bot ever says it is listening.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOsv, type FakeOsv } from '../fakes/osv.js';
import { FAKE_BOT_TOKEN, startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';
import { fixtureRecords } from '../fixtures/osv/load.js';
import { BOT_TEST_MS, buildIfStale, CLEAN_STOP, EVENT_DEADLINE_MS, exitWithin, freePort, ROOT, startMain, startNode, stopWithSigterm, waitFor, type Running } from './bot-process.js';

const SECRET = 'e2e-signing-secret-abcdef0123456789';
const REVOKED_TOKEN = 'xoxb-depwatch-revoked-token';
const UNKNOWN_TOKEN = 'xoxb-depwatch-unknown-token';

/** The bot's whole stderr, which must be exactly one line for people (no log noise, no stack trace). */
function onlyLine(bot: Running): string {
  const lines = bot.stderr().trim().split('\n');
  expect(lines, bot.stderr()).toHaveLength(1);
  expect(bot.stderr()).not.toMatch(/^\s+at /m);
  expect(bot.stderr()).not.toContain('listening');
  return lines[0]!;
}

describe('start-up of node dist/main.js', () => {
  let slack: FakeSlack;
  let osv: FakeOsv;
  let workDir: string;
  let env: (extra?: Record<string, string>) => Record<string, string>;

  beforeAll(async () => {
    buildIfStale();
    slack = await startFakeSlack({ revokedTokens: [REVOKED_TOKEN] });
    osv = await startFakeOsv({ records: [...fixtureRecords().values()] });
    workDir = mkdtempSync(join(tmpdir(), 'depwatch-startup-'));
    env = (extra = {}) => ({
      SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.url,
      OSV_API_URL: osv.url,
      // Nothing on the network: PyPI and GitHub are never reached by these tests.
      PYPI_URL: 'http://127.0.0.1:9',
      GITHUB_API_URL: 'http://127.0.0.1:9',
      DEPWATCH_DB: join(workDir, `${Math.random().toString(36).slice(2)}.db`),
      TZ: 'UTC',
      LOG_LEVEL: 'info',
      ...extra,
    });
  }, 300_000);

  afterAll(async () => {
    await Promise.all([slack?.close(), osv?.close()]);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  describe('with a .env copied from .env.example', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(workDir, 'dotenv-'));
      copyFileSync(join(ROOT, '.env.example'), join(dir, '.env'));
    });

    it('the bot starts: TZ= and the other empty values count as unset', async () => {
      const port = await freePort();
      // The environment wins over .env: only what the example leaves empty comes from the file.
      const { TZ: _tz, ...withoutTz } = env({ PORT: String(port) });
      const bot = startMain(withoutTz, dir);
      try {
        await waitFor(() => bot.stderr().includes('listening on') || bot.child.exitCode !== null, 'the bot to start or stop', EVENT_DEADLINE_MS);
        expect(bot.stderr()).toContain(`listening on port ${port}`);
        // The variable named, not the letters: a random temporary path in the log may hold them (…-Q6XkTZ/).
        expect(bot.stderr()).not.toMatch(/\bTZ\b/);
      } catch (err) {
        bot.child.kill('SIGKILL');
        throw err;
      }
      // Stopped the moment it says it listens, as a supervisor may: the signal is handled by then.
      expect(await stopWithSigterm(bot)).toEqual(CLEAN_STOP);
    }, BOT_TEST_MS);

    it('the CLI given it with --dotenv runs: depwatch check answers instead of refusing the empty TZ', async () => {
      // The CLI never reads .env by itself (the current folder may be the audited checkout): it is named.
      // PyPI as everywhere here: never reached (the example's PYPI_URL is the real one; the environment wins).
      const cli = startNode(join(ROOT, 'bin', 'depwatch.js'), { OSV_API_URL: osv.url, PYPI_URL: 'http://127.0.0.1:9', DEPWATCH_DB: join(dir, 'cli.db') }, dir, ['--dotenv', '.env', 'check', '--json', 'django==2.1.5']);
      await exitWithin(cli);
      expect(cli.stderr()).not.toMatch(/\bTZ\b/);
      expect(cli.stdout()).toContain('PYSEC-2019-13');
    }, BOT_TEST_MS);
  });

  describe('HTTP mode', () => {
    it('a bot token Slack does not know: one line naming SLACK_BOT_TOKEN and invalid_auth, exit 2', async () => {
      const bot = startMain(env({ SLACK_BOT_TOKEN: UNKNOWN_TOKEN, PORT: String(await freePort()) }), workDir);
      expect((await exitWithin(bot)).code).toBe(2);
      const line = onlyLine(bot);
      expect(line).toMatch(/^depwatch: Slack rejected SLACK_BOT_TOKEN \(invalid_auth\)/);
      expect(line).not.toContain(UNKNOWN_TOKEN);
    }, BOT_TEST_MS);

    it('a revoked bot token: one line saying it was revoked, exit 2', async () => {
      const bot = startMain(env({ SLACK_BOT_TOKEN: REVOKED_TOKEN, PORT: String(await freePort()) }), workDir);
      expect((await exitWithin(bot)).code).toBe(2);
      const line = onlyLine(bot);
      expect(line).toMatch(/^depwatch: Slack rejected SLACK_BOT_TOKEN \(token_revoked\)/);
      expect(line).not.toContain(REVOKED_TOKEN);
    }, BOT_TEST_MS);

    it('Slack unreachable: one line naming SLACK_API_URL, exit 2', async () => {
      const closed = await freePort();
      const bot = startMain(env({ SLACK_API_URL: `http://127.0.0.1:${closed}/api`, PORT: String(await freePort()) }), workDir);
      expect((await exitWithin(bot)).code).toBe(2);
      expect(onlyLine(bot)).toMatch(new RegExp(`^depwatch: cannot reach Slack at http://127\\.0\\.0\\.1:${closed}/api .*SLACK_API_URL`));
    }, BOT_TEST_MS);

    it('a DEPWATCH_DB that cannot be used: one line naming DEPWATCH_DB, the path and what is wrong, never a system code', async () => {
      const dir = mkdtempSync(join(workDir, 'db-'));
      const file = join(dir, 'a-file');
      writeFileSync(file, 'not a folder\n');
      const notes = join(dir, 'notes.txt');
      writeFileSync(notes, 'shopping list\n'.repeat(200));
      const cases: [string, string][] = [
        [join(file, 'x.db'), `the database ${join(file, 'x.db')} (from DEPWATCH_DB) cannot be created: ${file} is a file, not a folder`],
        [notes, `the database ${notes} (from DEPWATCH_DB) is not a Depwatch database: file is not a database`],
      ];
      for (const [path, problem] of cases) {
        const bot = startMain(env({ DEPWATCH_DB: path, PORT: String(await freePort()) }), workDir);
        expect((await exitWithin(bot)).code).toBe(2);
        const line = onlyLine(bot);
        expect(line).toBe(`depwatch: could not start: ${problem}`);
        expect(line).not.toMatch(/\bE[A-Z]{3,}\b/);
      }
    }, BOT_TEST_MS);

    it('a GitHub App key that cannot sign: refused at start in one line naming GITHUB_APP_PRIVATE_KEY, never said to be listening', async () => {
      const bot = startMain(env({ GITHUB_APP_ID: '1', GITHUB_APP_INSTALLATION_ID: '2', GITHUB_APP_PRIVATE_KEY: 'abc', PORT: String(await freePort()) }), workDir);
      expect((await exitWithin(bot)).code).toBe(2);
      expect(bot.stderr()).not.toContain('listening');
      expect(bot.stderr().split('\n')[0]).toMatch(/^depwatch: GITHUB_APP_PRIVATE_KEY: not a readable private key .*double quotes.*\\n escapes$/);
    }, BOT_TEST_MS);

    it('a port in use: one line naming the port and PORT, exit 2', async () => {
      const taken: Server = createServer();
      await new Promise<void>((resolve) => taken.listen(0, resolve));
      const port = (taken.address() as { port: number }).port;
      try {
        const bot = startMain(env({ PORT: String(port) }), workDir);
        expect((await exitWithin(bot)).code).toBe(2);
        expect(onlyLine(bot)).toMatch(new RegExp(`^depwatch: port ${port} is already in use.*PORT`));
      } finally {
        await new Promise((resolve) => taken.close(resolve));
      }
    }, BOT_TEST_MS);
  });
});
