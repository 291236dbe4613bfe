/**
 * `node dist/main.js` with DATABASE_URL: the watch state goes to PostgreSQL (the run's real server),
 * migrated at start; /healthz answers for that store too (and a newer build's migration stops this
 * replica's background work); a server that cannot be reached stops the start with one line that
 * does not show the password.
 */
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMigrations } from '../../src/store/db.js';
import { POSTGRES_MIGRATIONS_DIR } from '../../src/store/postgres.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.js';
import { startFakeOsv, type FakeOsv } from '../fakes/osv.js';
import { FAKE_BOT_TOKEN, startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { GITHUB_TOKEN } from '../slack/app-world.js';
import { BOT_TEST_MS, buildIfStale, CLEAN_STOP, endingAfterSigterm, EVENT_DEADLINE_MS, freePort, startMain, waitFor } from './bot-process.js';

const SECRET = 'pg-signing-secret-abcdef0123456789';

describe('the bot on PostgreSQL (DATABASE_URL)', () => {
  let slack: FakeSlack;
  let github: FakeGitHub;
  let osv: FakeOsv;
  let database: TestDatabase;
  let workDir: string;

  beforeAll(async () => {
    buildIfStale();
    slack = await startFakeSlack();
    github = await startFakeGitHub({ tokens: [GITHUB_TOKEN] });
    osv = await startFakeOsv({ records: [] });
    database = await createTestDatabase();
    workDir = mkdtempSync(join(tmpdir(), 'depwatch-pg-start-'));
  }, 300_000);

  afterAll(async () => {
    await Promise.all([slack?.close(), github?.close(), osv?.close(), database?.drop()]);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string>) => ({
    SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
    GITHUB_API_URL: github.url,
    GITHUB_TOKEN,
    OSV_API_URL: osv.url,
    TZ: 'UTC',
    LOG_LEVEL: 'info',
    DEPWATCH_DB: join(workDir, 'local.db'),
    ...extra,
  });

  it('migrates PostgreSQL at start, is ready only while its schema is this build’s, and stops its background work once a newer build migrated it', async () => {
    const port = await freePort();
    const bot = startMain(env({ PORT: String(port), DATABASE_URL: database.url }), workDir);
    const base = `http://127.0.0.1:${port}`;
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await waitFor(() => bot.stderr().includes('listening on'), `"listening on" (stderr so far: ${bot.stderr()})`, EVENT_DEADLINE_MS);
      expect(bot.stderr()).toContain('"watchState":"postgresql"');
      const shipped = readMigrations(POSTGRES_MIGRATIONS_DIR);
      const applied = (await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version);
      expect(applied).toEqual(shipped.map((m) => m.version));
      expect((await client.query("SELECT to_regclass('watch_alerts') AS t")).rows[0].t).toBe('watch_alerts');

      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const latest = shipped.at(-1)!;
      await client.query('DELETE FROM schema_migrations WHERE version = $1', [latest.version]);
      const behind = await fetch(`${base}/healthz`);
      expect(behind.status).toBe(503);
      expect(await behind.text()).toBe(`store: PostgreSQL schema version ${latest.version - 1}, this build needs ${latest.version} (migrations not applied)\n`);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [latest.version, latest.name]);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(bot.stderr()).not.toContain('background work');

      // A newer build's replica migrates the database: not ready, saying why, and the sweeps,
      // schedules, reminders, outbox and job workers of this one stop (once).
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [latest.version + 1, 'from_a_newer_build']);
      const newer = await fetch(`${base}/healthz`);
      expect(newer.status).toBe(503);
      const reason = `the PostgreSQL database was written by a newer version of Depwatch (schema ${latest.version + 1}, this version knows ${latest.version}); upgrade Depwatch`;
      expect(await newer.text()).toBe(`store: ${reason}\n`);
      await waitFor(() => bot.stderr().includes('stopping background work'), `"stopping background work" (stderr so far: ${bot.stderr()})`, EVENT_DEADLINE_MS);
      expect((await fetch(`${base}/healthz`)).status).toBe(503);
      const stopped = bot.stderr().split('\n').filter((l) => l.includes('background work'));
      expect(stopped).toHaveLength(1);
      expect(stopped[0]).toContain(reason);
    } finally {
      await client.end();
      bot.child.kill('SIGTERM');
    }
    expect(await endingAfterSigterm(bot)).toEqual(CLEAN_STOP);
  }, BOT_TEST_MS);

  it('stops with one line, without the password, when PostgreSQL cannot be reached', async () => {
    const port = await freePort();
    const bot = startMain(env({ PORT: String(port), DATABASE_URL: 'postgres://depwatch:pg-pass-0123456789@127.0.0.1:1/depwatch' }), workDir);
    expect(await bot.exited).toBe(2);
    const lines = bot.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^depwatch: cannot open the PostgreSQL database: /);
    expect(bot.stderr()).not.toContain('pg-pass-0123456789');
  });
});
