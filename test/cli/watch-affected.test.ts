/**
 * `depwatch watch affected <ADVISORY-ID>`: the watched repositories an advisory hits, read from the
 * bot's store as the bot left it (the real watch service swept them, over loopback fakes): SQLite
 * with --db, PostgreSQL with DATABASE_URL. An alert counts them ("and 250 more repositories"); this
 * lists them all. Fail closed: a watched repository not fully checked makes the answer partial.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OsvApi } from '../../src/advisories/osv-api.js';
import type { OsvRecord } from '../../src/advisories/types.js';
import type { Db } from '../../src/store/db.js';
import { PostgresWatchState } from '../../src/store/watch-state/postgres.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES } from '../helpers/cli-in-process.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { closeReplicaParts } from '../helpers/replicas.js';
import { openTestDb, startWorld, tempDbPath, type World } from '../watch/helpers.js';

const URLLIB3 = fixtureRecord('PYSEC-2019-132');
const REQUESTS: OsvRecord = { ...fixtureRecord('PYSEC-2014-13'), modified: '2025-01-06T10:00:00Z' };
const SECURITY = 'C0SECURITY1';
const PLATFORM = 'C0PLATFORM1';
const alertsJob = (channel: string) => ({ key: `alerts:${channel}`, channel, kind: 'alerts' as const, cron: '0 * * * *', timeZone: 'UTC', since: new Date(0) });

let world: World | undefined;
let database: TestDatabase | undefined;
const localDbs: Db[] = [];
afterEach(async () => {
  await closeReplicaParts({ bots: [], world, localDbs, database });
  world = undefined;
  database = undefined;
});

const cli = (env: Record<string, string> = {}) => inProcessCli({ env: { ...UNREACHABLE_SERVICES, ...env } });

/** octo/app and octo/api pin requests 2.2.0 (PYSEC-2014-13), octo/lib does not; `broken` is watched but cannot be read. */
async function sweptWorld(options: { postgres?: boolean; broken?: boolean } = {}) {
  world = await startWorld({ records: [URLLIB3, REQUESTS], start: '2025-01-06T09:30:00Z' });
  world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'requests==2.2.0\n' } });
  world.github.addRepo({ owner: 'octo', name: 'api', files: { 'services/requirements.txt': 'flask==3.0.0\nrequests==2.2.0\n' } });
  world.github.addRepo({ owner: 'octo', name: 'lib', files: { 'requirements.txt': 'requests==2.31.0\n' } });
  let watch;
  if (options.postgres) {
    database = await createTestDatabase();
    const local = openTestDb(tempDbPath());
    localDbs.push(local);
    const state = new PostgresWatchState(await database.open({ max: 4 }));
    watch = world.service({ db: local, state, advisories: new OsvApi({ baseUrl: world.osv.url, db: local, retries: 1, backoffMs: 1 }) }).watch;
  } else {
    watch = world.service().watch;
  }
  const now = world.clock.now();
  for (const [repo, channel] of [['octo/app', SECURITY], ['octo/app', PLATFORM], ['octo/api', SECURITY], ['octo/lib', SECURITY], ...(options.broken ? [['octo/gone', SECURITY]] : [])] as const) {
    await watch.state.addWatch({ repo, channel, userId: 'U1', private: false, adminLinked: true, now });
  }
  for (const channel of [SECURITY, PLATFORM]) await watch.runJob(alertsJob(channel), world.clock.now());
  return watch;
}

describe('depwatch watch affected, on the bot’s SQLite store', () => {
  it('lists every watched repository the advisory hits, its pin, and the channels watching it (exit 1)', async () => {
    await sweptWorld();
    const c = cli();
    expect(await c.run('watch', 'affected', 'PYSEC-2014-13', '--db', world!.dbPath)).toBe(1);
    expect(c.out.stdout).toBe(
      [
        `PYSEC-2014-13: 2 of 3 watched repositories affected (${world!.dbPath})`,
        `octo/api  requests 2.2.0 in services/requirements.txt:2  watched in ${SECURITY}`,
        `octo/app  requests 2.2.0 in requirements.txt:1  watched in ${PLATFORM}, ${SECURITY}`,
        '',
      ].join('\n'),
    );
    expect(c.out.stderr).toBe('');
  });

  it('finds it by an alias too, in JSON', async () => {
    await sweptWorld();
    const c = cli();
    expect(await c.run('watch', 'affected', 'cve-2014-1829', '--json', '--db', world!.dbPath)).toBe(1);
    const out = JSON.parse(c.out.stdout);
    expect(out).toMatchObject({ advisory: 'cve-2014-1829', watched_repositories: 3, affected_repositories: 2, partial: false, partial_reasons: [] });
    expect(out.affected.map((a: { repository: string; advisory: string; channels: string[] }) => [a.repository, a.advisory, a.channels])).toEqual([
      ['octo/api', 'PYSEC-2014-13', [SECURITY]],
      ['octo/app', 'PYSEC-2014-13', [PLATFORM, SECURITY]],
    ]);
  });

  it('says none is affected with exit 0 only when every watched repository was checked', async () => {
    await sweptWorld();
    const c = cli();
    expect(await c.run('watch', 'affected', 'GHSA-0000-0000-0000', '--db', world!.dbPath)).toBe(0);
    expect(c.out.stdout).toBe(`GHSA-0000-0000-0000: 0 of 3 watched repositories affected (${world!.dbPath})\n`);
  });

  it('is partial when a watched repository was not fully checked: said, and exit 2 unless one is affected', async () => {
    await sweptWorld({ broken: true });
    const none = cli();
    expect(await none.run('watch', 'affected', 'GHSA-0000-0000-0000', '--json', '--db', world!.dbPath)).toBe(2);
    expect(JSON.parse(none.out.stdout)).toMatchObject({ partial: true, partial_reasons: [{ kind: 'not-checked', repository: 'octo/gone' }] });
    const some = cli();
    expect(await some.run('watch', 'affected', 'PYSEC-2014-13', '--db', world!.dbPath)).toBe(1);
    expect(some.out.stdout).toMatch(/\nPARTIAL: octo\/gone not fully checked: .+\n$/);
  });

  it('refuses what is not an advisory id, and a database that is not there, in one line (exit 2)', async () => {
    const bad = cli();
    expect(await bad.run('watch', 'affected', 'PYSEC 1; drop', '--db', tempDbPath())).toBe(2);
    expect(bad.out.stderr).toBe('depwatch watch affected: "PYSEC 1; drop" is not an advisory id (PYSEC-…, GHSA-…, CVE-…)\n');
    const missing = cli();
    const path = tempDbPath();
    expect(await missing.run('watch', 'affected', 'PYSEC-2014-13', '--db', path)).toBe(2);
    expect(missing.out.stderr).toBe(`depwatch watch affected: no database at ${path}: give the bot's database with --db PATH or DEPWATCH_DB (or DATABASE_URL for its PostgreSQL store)\n`);
  });
});

describe('depwatch watch affected on a database that watches nothing', () => {
  it('says it watches nothing rather than "0 of 0 affected" (the CLI’s own mirror is not the bot’s store), exit 2', async () => {
    const path = tempDbPath();
    openTestDb(path).close();
    const c = cli();
    expect(await c.run('watch', 'affected', 'PYSEC-2014-13', '--db', path)).toBe(2);
    expect(c.out.stdout).toBe('');
    expect(c.out.stderr).toBe(`depwatch watch affected: no watched repositories in ${path}: is it the bot's store? (--db PATH or DEPWATCH_DB as the bot sets it, or DATABASE_URL)\n`);
  });
});

describe('depwatch watch affected, on the bot’s PostgreSQL store (DATABASE_URL)', () => {
  it('lists the same, read from PostgreSQL', async () => {
    await sweptWorld({ postgres: true });
    const c = cli({ DATABASE_URL: database!.url });
    expect(await c.run('watch', 'affected', 'PYSEC-2014-13', '--json')).toBe(1);
    const out = JSON.parse(c.out.stdout);
    expect(out).toMatchObject({ watched_repositories: 3, affected_repositories: 2, partial: false });
    expect(out.store).toMatch(/^PostgreSQL postgres:\/\//);
    expect(out.affected.map((a: { repository: string }) => a.repository)).toEqual(['octo/api', 'octo/app']);
  });

  it('reads nothing from a database whose schema this build does not read, and says so', async () => {
    database = await createTestDatabase();
    const c = cli({ DATABASE_URL: database.url });
    expect(await c.run('watch', 'affected', 'PYSEC-2014-13')).toBe(2);
    expect(c.out.stderr).toMatch(/^depwatch watch affected: PostgreSQL postgres:\/\/.+: schema version 0, this build needs \d+ .*: not read\n$/);
  });
});
