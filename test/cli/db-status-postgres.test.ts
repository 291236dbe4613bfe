/**
 * `depwatch db status` with DATABASE_URL set: besides the local mirror it says the PostgreSQL
 * store's schema (the database's and this build's) in text and JSON, never the password, and a
 * database it cannot reach is one line and exit 2. Looking never migrates anything.
 */
import { mkdtempSync } from 'node:fs';
import pg from 'pg';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations } from '../../src/store/db.js';
import { POSTGRES_MIGRATIONS_DIR } from '../../src/store/postgres.js';
import { inProcessCli, UNREACHABLE_SERVICES } from '../helpers/cli-in-process.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

const build = listMigrations(POSTGRES_MIGRATIONS_DIR).at(-1)!.version;
let database: TestDatabase;
let home: string;

const cli = (databaseUrl: string) => inProcessCli({ cwd: home, env: { ...UNREACHABLE_SERVICES, HOME: home, XDG_DATA_HOME: join(home, 'xdg'), DATABASE_URL: databaseUrl } });
/** The URL as db status shows it: no user, no password, no parameters. */
const shown = (url: string) => {
  const u = new URL(url);
  return `postgres://${u.host}${u.pathname}`;
};

beforeAll(async () => {
  database = await createTestDatabase();
  home = mkdtempSync(join(tmpdir(), 'depwatch-db-status-pg-'));
});
afterAll(() => database.drop());

describe('depwatch db status with DATABASE_URL', () => {
  it('says a database no replica has migrated yet is behind this build, and leaves it as it is', async () => {
    const c = cli(database.url);
    expect(await c.run('db', 'status')).toBe(0);
    expect(c.out.stdout).toContain(`PostgreSQL ${shown(database.url)}: schema version 0, this build needs ${build} (migrations not applied: the bot applies them when it starts)\n`);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      expect((await client.query("SELECT to_regclass('schema_migrations') AS t")).rows[0].t).toBeNull();
    } finally {
      await client.end();
    }
  });

  it('shows the schema versions in text and JSON once migrated, without the password', async () => {
    const pool = await database.open();
    const password = new URL(database.url).password;
    const text = cli(database.url);
    expect(await text.run('db', 'status')).toBe(0);
    expect(text.out.stdout).toContain(`PostgreSQL ${shown(database.url)}: schema version ${build}, this build's\n`);
    const json = cli(database.url);
    expect(await json.run('db', 'status', '--json')).toBe(0);
    expect(JSON.parse(json.out.stdout)).toMatchObject({ records: 0, postgres: { url: shown(database.url), schemaVersion: build, buildSchemaVersion: build, state: 'current' } });
    // The test server's password is also a word of the run's temporary paths: looked for where PostgreSQL is spoken of.
    if (password) {
      expect(text.out.stdout.split('\n').filter((l) => l.startsWith('PostgreSQL')).join('\n')).not.toContain(password);
      expect(JSON.stringify(JSON.parse(json.out.stdout).postgres)).not.toContain(password);
    }

    await pool.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'from_a_newer_build', now())", [build + 1]);
    try {
      const newer = cli(database.url);
      expect(await newer.run('db', 'status', '--json')).toBe(0);
      expect(JSON.parse(newer.out.stdout).postgres).toEqual({ url: shown(database.url), schemaVersion: build + 1, buildSchemaVersion: build, state: 'newer', error: null });
    } finally {
      await pool.query('DELETE FROM schema_migrations WHERE version = $1', [build + 1]);
    }
  });

  it('a database it cannot reach is one line and exit 2, the local mirror still shown, the password never', async () => {
    const url = 'postgres://depwatch:Pa%23Secret99@127.0.0.1:1/depwatch';
    const c = cli(url);
    expect(await c.run('db', 'status', '--json')).toBe(2);
    expect(c.out.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^depwatch: cannot reach the PostgreSQL database postgres:\/\/127\.0\.0\.1:1\/depwatch \(DATABASE_URL\): /)]);
    expect(JSON.parse(c.out.stdout)).toMatchObject({ records: 0, postgres: { url: 'postgres://127.0.0.1:1/depwatch', schemaVersion: null, state: 'unreachable' } });
    expect(c.out.stdout + c.out.stderr).not.toContain('Secret99');
  });

  it('without DATABASE_URL says nothing of PostgreSQL', async () => {
    const c = inProcessCli({ cwd: home, env: { ...UNREACHABLE_SERVICES, HOME: home, XDG_DATA_HOME: join(home, 'xdg') } });
    expect(await c.run('db', 'status', '--json')).toBe(0);
    expect(JSON.parse(c.out.stdout).postgres).toBeNull();
  });
});
