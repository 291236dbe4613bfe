/**
 * The CLI's own data: its database lives in the user's data directory (DEPWATCH_DB and --db win),
 * commands that only read never create one, every answer from the mirror says how old its data is,
 * and imports that accept nothing or break off say so.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { openStore } from '../../src/cli/store.js';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { ForeignDatabaseError, openDb, schemaVersion } from '../../src/store/db.js';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { createZip } from '../fakes/zip.js';
import { startFakeOsv } from '../fakes/osv.js';
import { startFakePypi } from '../fakes/pypi.js';
import { ADVISORIES_JSONL_GZ, fixtureRecords } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES } from '../helpers/cli-in-process.js';

/** The newest `modified` in the PyPA fixture. */
let newestModified: string;
let fixtureLines: string[];

const cli = (env: Record<string, string>, cwd: string) => inProcessCli({ cwd, env: { ...UNREACHABLE_SERVICES, ...env } });

const temp = (what: string) => mkdtempSync(join(tmpdir(), `depwatch-data-${what}-`));
const ageInDays = (iso: string) => Math.floor((Date.now() - Date.parse(iso)) / 86_400_000);

beforeAll(() => {
  fixtureLines = gunzipSync(readFileSync(ADVISORIES_JSONL_GZ)).toString('utf8').split('\n').filter(Boolean);
  newestModified = fixtureLines.map((l) => (JSON.parse(l) as { modified: string }).modified).sort((a, b) => Date.parse(b) - Date.parse(a))[0]!;
});

describe('where the CLI keeps its database', () => {
  it('in $XDG_DATA_HOME/depwatch/, not the current folder', async () => {
    const home = temp('home');
    const project = temp('project');
    const xdg = join(home, 'xdg');
    const c = cli({ HOME: home, XDG_DATA_HOME: xdg }, project);
    expect(await c.run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
    expect(existsSync(join(xdg, 'depwatch', 'depwatch.db'))).toBe(true);
    expect(readdirSync(project)).toEqual([]);
  });

  it('in ~/.local/share/depwatch/ without XDG_DATA_HOME (or with a relative one, which the spec ignores)', async () => {
    const home = temp('home');
    expect(await cli({ HOME: home, XDG_DATA_HOME: 'relative/dir' }, temp('project')).run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
    expect(existsSync(join(home, '.local', 'share', 'depwatch', 'depwatch.db'))).toBe(true);
  });

  it('DEPWATCH_DB, and --db above it, still win', async () => {
    const dir = temp('explicit');
    const home = temp('home');
    expect(await cli({ HOME: home, DEPWATCH_DB: join(dir, 'env.db') }, dir).run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
    expect(await cli({ HOME: home, DEPWATCH_DB: join(dir, 'env.db') }, dir).run('db', 'import', '--db', join(dir, 'flag.db'), ADVISORIES_JSONL_GZ)).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.db')).sort()).toEqual(['env.db', 'flag.db']);
    expect(existsSync(join(home, '.local'))).toBe(false);
  });

  it('commands that only read never create a database or its folder', async () => {
    const home = temp('home');
    const project = temp('project');
    writeFileSync(join(project, 'requirements.txt'), 'requests==2.31.0\n');
    const env = { HOME: home, XDG_DATA_HOME: join(home, 'xdg') };
    const status = cli(env, project);
    expect(await status.run('db', 'status', '--json')).toBe(0);
    expect(JSON.parse(status.out.stdout)).toMatchObject({ records: 0, exists: false, path: join(home, 'xdg', 'depwatch', 'depwatch.db'), dataAgeDays: null });
    const text = cli(env, project);
    await text.run('db', 'status');
    expect(text.out.stdout).toContain('(not created yet: depwatch db sync or depwatch db import creates it)');
    expect(await cli(env, project).run('check', '--offline', 'django==2.1.5')).toBe(2);
    expect(await cli(env, project).run('check', 'django==2.1.5')).toBe(2); // OSV unreachable
    expect(await cli(env, project).run('audit', '--offline', '.')).toBe(2);
    expect(await cli(env, project).run('audit', '--json', '.')).toBe(2); // partial: OSV unreachable
    // fix reads the database as audit does (it writes manifests, never the mirror), and package offline only reads.
    const dryRun = cli(env, project);
    expect(await dryRun.run('fix', '--dry-run', '--offline', '.')).toBe(2);
    expect(dryRun.out.stderr).toMatch(/--offline needs the local advisory mirror, and it is empty: run `depwatch db sync`/);
    expect(await cli(env, project).run('fix', '--offline', '--json', '.')).toBe(2);
    expect(await cli(env, project).run('fix', '--dry-run', '.')).toBe(2); // OSV unreachable
    const pkg = cli(env, project);
    expect(await pkg.run('package', '--offline', '--json', 'requests')).toBe(2);
    expect(JSON.stringify(JSON.parse(pkg.out.stdout))).toMatch(/--offline needs the local advisory mirror, and it is empty/);
    expect(readdirSync(home)).toEqual([]);
    expect(readdirSync(project)).toEqual(['requirements.txt']);
  });
});

describe('a database path that names something else', () => {
  it('is one line naming the file and whether --db or DEPWATCH_DB chose it, exit 2', async () => {
    const dir = temp('notadb');
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'shopping list\n'.repeat(200));
    const fromEnv = cli({ HOME: dir, DEPWATCH_DB: notes }, dir);
    expect(await fromEnv.run('db', 'status')).toBe(2);
    expect(fromEnv.out.stderr).toBe(`depwatch db: the database ${notes} (from DEPWATCH_DB) is not a Depwatch database: file is not a database\n`);
    const fromFlag = cli({ HOME: dir, DEPWATCH_DB: join(dir, 'other.db') }, dir);
    expect(await fromFlag.run('audit', '--offline', '--db', notes, '.')).toBe(2);
    expect(fromFlag.out.stderr).toBe(`depwatch audit: the database ${notes} (from --db) is not a Depwatch database: file is not a database\n`);
  });
});

describe('a database path that names another application\'s SQLite database (user trial s17 #2)', () => {
  const foreignDb = (dir: string, table = 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)') => {
    const path = join(dir, 'other.db');
    // Written with SQLite directly (not openDb, which would make it Depwatch's).
    const raw = new (createRequire(import.meta.url)('better-sqlite3') as typeof import('better-sqlite3'))(path);
    raw.exec(table);
    raw.exec("INSERT INTO users (name) VALUES ('ada')");
    raw.close();
    return path;
  };
  const md5 = (path: string) => createHash('md5').update(readFileSync(path)).digest('hex');

  it('is refused by every command, read-only or not, with one line and exit 2, and the file is not changed', async () => {
    const dir = temp('foreign');
    const other = foreignDb(dir);
    const before = md5(other);
    const runs: [string[], string][] = [
      [['check', '--offline', '--db', other, 'django==2.1.5'], 'check'],
      [['audit', '--offline', '--db', other, '.'], 'audit'],
      [['db', 'status', '--db', other], 'db'],
      [['db', 'import', '--db', other, ADVISORIES_JSONL_GZ], 'db'],
    ];
    for (const [args, name] of runs) {
      const c = cli({ HOME: dir }, dir);
      expect(await c.run(...args)).toBe(2);
      expect(c.out.stderr).toBe(`depwatch ${name}: the database ${other} (from --db) is a SQLite database of something else (no Depwatch tables); not changed\n`);
    }
    const fromEnv = cli({ HOME: dir, DEPWATCH_DB: other }, dir);
    expect(await fromEnv.run('db', 'status')).toBe(2);
    expect(fromEnv.out.stderr).toContain('(from DEPWATCH_DB) is a SQLite database of something else');
    expect(md5(other)).toBe(before);
    expect(readdirSync(dir).sort()).toEqual(['other.db']);
  });

  it('is refused by the bot\'s store as well, even with a table named schema_migrations of another tool (Rails keeps only `version`)', () => {
    const dir = temp('foreign-rails');
    const other = foreignDb(dir, 'CREATE TABLE schema_migrations (version TEXT PRIMARY KEY); CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)');
    const before = md5(other);
    expect(() => openDb(other)).toThrow(ForeignDatabaseError);
    expect(md5(other)).toBe(before);
  });

  it('a new or empty SQLite file is still created and migrated, and a Depwatch database opens again', () => {
    const dir = temp('empty-sqlite');
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    const db = openDb(empty);
    db.close();
    const again = openDb(empty);
    expect(schemaVersion(again)).toBeGreaterThan(1);
    again.close();
  });
});

describe('an import that fails before keeping anything', () => {
  it('leaves no new database behind (user trial s17 #8)', async () => {
    const dir = temp('import-missing');
    const db = join(dir, 'imp.db');
    const c = cli({ HOME: dir }, dir);
    expect(await c.run('db', 'import', '--db', db, join(dir, 'nope.zip'))).toBe(2);
    expect(c.out.stderr).toMatch(/nope\.zip.*; nothing was imported\n$/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps a database that was there before', async () => {
    const dir = temp('import-missing-kept');
    const db = join(dir, 'imp.db');
    expect(await cli({ HOME: dir }, dir).run('db', 'import', '--db', db, ADVISORIES_JSONL_GZ)).toBe(0);
    expect(await cli({ HOME: dir }, dir).run('db', 'import', '--db', db, join(dir, 'nope.zip'))).toBe(2);
    const status = cli({ HOME: dir }, dir);
    await status.run('db', 'status', '--json', '--db', db);
    expect(JSON.parse(status.out.stdout)).toMatchObject({ records: 2661, exists: true });
  });
});

describe('how the CLI reads its database', () => {
  it('through a memory map (an offline audit reads most of the mirror once); the bot\'s connections copy pages as before', () => {
    const dir = temp('map');
    const path = join(dir, 'depwatch.db');
    const store = openStore({ stdout: () => {}, stderr: () => {}, isTTY: false, cwd: dir, env: {} }, path);
    try {
      expect(store.db.pragma('mmap_size', { simple: true })).toBe(1 << 30);
    } finally {
      store.close();
    }
    const bot = openDb(path);
    try {
      expect(bot.pragma('mmap_size', { simple: true })).toBe(0);
    } finally {
      bot.close();
    }
  });
});

describe('how old the mirror is', () => {
  let env: Record<string, string>;
  let project: string;
  beforeAll(async () => {
    const dir = temp('fresh');
    env = { DEPWATCH_DB: join(dir, 'depwatch.db') };
    project = temp('project');
    writeFileSync(join(project, 'requirements.txt'), 'django==2.1.5\n');
    expect(await cli(env, project).run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
  });

  it('db status shows the age of the data, the newest record, not only the last sync', async () => {
    const json = cli(env, project);
    await json.run('db', 'status', '--json');
    expect(JSON.parse(json.out.stdout)).toMatchObject({ newestModified, dataAgeDays: ageInDays(newestModified), exists: true });
    const text = cli(env, project);
    await text.run('db', 'status');
    expect(text.out.stdout).toContain(`newest modified: ${newestModified} (data ${ageInDays(newestModified)} days old)`);
  });

  it('every offline audit and check says it, in text and JSON', async () => {
    const audit = cli(env, project);
    expect(await audit.run('audit', '--offline', '--json', '.')).toBe(1);
    const json = JSON.parse(audit.out.stdout);
    expect(json.advisory_data).toEqual({ newest_modified: newestModified, age_days: ageInDays(newestModified), last_sync: expect.any(String), last_sync_kind: 'import' });
    expect(json.notices).toContain(
      `advisories from the local mirror: newest record modified ${newestModified} (${ageInDays(newestModified)} days old); imported ${json.advisory_data.last_sync} (an import, not synced from OSV since)`,
    );
    const text = cli(env, project);
    await text.run('audit', '--offline', '.');
    expect(text.out.stdout).toContain(`note: advisories from the local mirror: newest record modified ${newestModified} (${ageInDays(newestModified)} days old)`);

    const check = cli(env, project);
    await check.run('check', '--offline', '--json', 'django==2.1.5');
    expect(JSON.parse(check.out.stdout)).toMatchObject({ advisory_source: 'mirror', advisory_data: { newest_modified: newestModified, age_days: ageInDays(newestModified) } });
    const checkText = cli(env, project);
    await checkText.run('check', '--offline', 'django==2.1.5');
    expect(checkText.out.stdout).toContain(`note: advisories from the local mirror: newest record modified ${newestModified}`);
  });
});

describe('a record modified in the future (a fixture, a hand-written record)', () => {
  it('is imported and counted by db import and db status, but does not date the data', async () => {
    const dir = temp('future');
    const env = { DEPWATCH_DB: join(dir, 'depwatch.db') };
    const fixture = join(dir, 'fixture.jsonl');
    const record = JSON.parse(fixtureLines[0]!) as { id: string };
    writeFileSync(fixture, `${JSON.stringify({ ...record, id: 'TEST-FUTURE-1', modified: '2999-06-01T00:00:00Z' })}\n`);
    expect(await cli(env, dir).run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);

    const imported = cli(env, dir);
    expect(await imported.run('db', 'import', fixture)).toBe(0);
    expect(imported.out.stdout).toContain('1 record has a modified over a day from now');
    const importJson = cli(env, dir);
    expect(await importJson.run('db', 'import', '--json', fixture)).toBe(0);
    expect(JSON.parse(importJson.out.stdout)).toMatchObject({ unchanged: 1, futureModified: 1 });

    const json = cli(env, dir);
    await json.run('db', 'status', '--json');
    expect(JSON.parse(json.out.stdout)).toMatchObject({ records: fixtureLines.length + 1, newestModified, futureModified: 1, dataAgeDays: ageInDays(newestModified) });
    const text = cli(env, dir);
    await text.run('db', 'status');
    expect(text.out.stdout).toContain(`newest modified: ${newestModified} (data ${ageInDays(newestModified)} days old)\n`);
    expect(text.out.stdout).toContain('1 record has a modified over a day from now (a fixture, a hand-written record, a wrong clock): held and matched, but not taken as the newest modified');
  });

  it('db status says nothing of it when there is none', async () => {
    const dir = temp('no-future');
    const env = { DEPWATCH_DB: join(dir, 'depwatch.db') };
    expect(await cli(env, dir).run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
    const text = cli(env, dir);
    await text.run('db', 'status');
    expect(text.out.stdout).not.toContain('modified over a day from now');
  });
});

describe('OSV does not answer and a mirror synced days ago answers instead', () => {
  /** A mirror imported now whose last sync was three days ago, and the warning it makes an answer carry. */
  async function mirrorSyncedDaysAgo(name: string) {
    const db = join(temp(name), 'depwatch.db');
    const env = { DEPWATCH_DB: db };
    const project = temp(`${name}-project`);
    expect(await cli(env, project).run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
    const lastSync = new Date(Date.now() - 3 * 86_400_000);
    const database = openDb(db);
    try {
      new AdvisoryMirror(database).markSynced(lastSync, 'test');
    } finally {
      database.close();
    }
    const stale = `the local advisory mirror answered for OSV, but it was last synced ${lastSync.toISOString()}, over 24 hours ago: advisories published or changed since then were not checked`;
    return { db, env, project, stale };
  }

  it('audit is partial (exit 2) with a data-source reason, and check warns on stderr', async () => {
    const { env, project, stale } = await mirrorSyncedDaysAgo('stale');
    writeFileSync(join(project, 'requirements.txt'), 'six==1.16.0\n');

    const audit = cli(env, project);
    expect(await audit.run('audit', '--json', '--no-code', '.')).toBe(2);
    const json = JSON.parse(audit.out.stdout);
    expect(json).toMatchObject({ partial: true, advisory_source: 'mirror' });
    expect(json.partial_reasons).toContainEqual({ kind: 'data-source', message: stale });
    expect(json.notices).toContainEqual(expect.stringMatching(/^OSV did not answer .*; used the local advisory mirror instead$/));
    expect(audit.out.stderr).toContain(`depwatch: WARNING: ${stale}\n`);

    const check = cli(env, project);
    expect(await check.run('check', 'django==2.1.5')).toBe(1); // findings fail it first
    expect(check.out.stderr).toContain(`depwatch: WARNING: ${stale}\n`);
    expect(check.out.stdout).toContain(`PARTIAL RESULT`);
    expect(check.out.stdout).toContain(`  - ${stale}\n`);
  });

  it('check is partial too: exit 2 with nothing found, and its JSON says why', async () => {
    const mirror = await mirrorSyncedDaysAgo('stale-check');
    const { db, project, stale } = mirror;
    // PyPI answers here, so the stale mirror is the one reason.
    const pypi = await startFakePypi({ projects: [{ name: 'six', releases: [{ version: '1.16.0', uploadTime: '2021-05-05T00:00:00Z' }] }] });
    onTestFinished(() => pypi.close());
    const env = { ...mirror.env, PYPI_URL: pypi.url };

    const json = cli(env, project);
    expect(await json.run('check', '--json', 'six==1.16.0')).toBe(2);
    const doc = JSON.parse(json.out.stdout);
    expect(doc).toMatchObject({ partial: true, advisory_source: 'mirror', warnings: [stale] });
    expect(doc.partial_reasons).toEqual([{ kind: 'data-source', message: stale }]);
    expect(doc.results).toMatchObject([{ name: 'six', version: '1.16.0', vulnerabilities: [] }]);
    expect(json.out.stderr).toContain(`depwatch: WARNING: ${stale}\n`);

    const text = cli(env, project);
    expect(await text.run('check', 'six==1.16.0')).toBe(2);
    expect(text.out.stdout).toContain('six 1.16.0: no known vulnerabilities\n');
    expect(text.out.stdout).toContain(`PARTIAL RESULT: not everything was read or checked`);
    expect(text.out.stdout).toContain(`  - ${stale}\n`);

    // A fresh mirror offline is complete: partial false, nothing to warn of.
    const fresh = cli(env, project);
    const now = openDb(db);
    try {
      new AdvisoryMirror(now).markSynced(new Date(), 'test');
    } finally {
      now.close();
    }
    expect(await fresh.run('check', '--json', '--offline', 'six==1.16.0')).toBe(0);
    expect(JSON.parse(fresh.out.stdout)).toMatchObject({ partial: false, partial_reasons: [], warnings: [] });
  });
});

describe('an import is not a sync: online, only a synced mirror answers in place of OSV', () => {
  it('after `db import` of old data, check and audit ask OSV; after `db sync` of the live feed, the mirror answers', async () => {
    // The live feed: the fixture plus a record changed an hour ago, as OSV's always has one.
    const records = [...fixtureRecords().values()];
    const recent = { ...fixtureRecords().get('PYSEC-2021-66')!, modified: new Date(Date.now() - 3_600_000).toISOString() };
    const osv = await startFakeOsv({ records: [...records.filter((r) => r.id !== recent.id), recent] });
    try {
      const dir = temp('import-vs-sync');
      const env = { DEPWATCH_DB: join(dir, 'depwatch.db'), OSV_API_URL: osv.url, OSV_BULK_URL: osv.url, PYPI_URL: UNREACHABLE_SERVICES.PYPI_URL };
      const project = temp('import-vs-sync-project');
      writeFileSync(join(project, 'requirements.txt'), 'django==2.1.5\n');
      expect(await cli(env, project).run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
      const status = cli(env, project);
      await status.run('db', 'status');
      expect(status.out.stdout).toMatch(/^last update: imported \S+ from .*advisories\.jsonl\.gz \(not a sync: audits without --offline ask OSV until depwatch db sync\)$/m);

      const check = cli(env, project);
      expect(await check.run('check', '--json', 'django==2.1.5')).toBe(1);
      const checkJson = JSON.parse(check.out.stdout);
      expect(checkJson).toMatchObject({ advisory_source: 'api', advisory_data: null });
      // Partial only because PyPI is unreachable here, never for the advisories.
      expect(checkJson.partial_reasons.map((r: { message: string }) => r.message)).toEqual([expect.stringMatching(/^package registry unavailable for django \(/)]);
      const audit = cli(env, project);
      await audit.run('audit', '--json', '--no-code', '.');
      const auditJson = JSON.parse(audit.out.stdout);
      expect(auditJson.advisory_source).toBe('api');
      // Partial only because PyPI is unreachable here, never for the advisories.
      expect(auditJson.partial_reasons.map((r: { message: string }) => r.message)).not.toContainEqual(expect.stringContaining('advisor'));
      const askedAfterImport = osv.counts.querybatch + osv.counts.query;
      expect(askedAfterImport).toBeGreaterThan(0);

      // The sync after an import downloads the whole bundle: the import's high-water mark vouches for nothing.
      const sync = cli(env, project);
      expect(await sync.run('db', 'sync')).toBe(0);
      expect(sync.out.stdout).toMatch(/^full sync \(the mirror was last filled by an import, not a sync: downloading the whole bundle\)/);
      expect(osv.counts.allZip).toBe(1);
      const synced = cli(env, project);
      expect(await synced.run('check', '--json', 'django==2.1.5')).toBe(1);
      const syncedJson = JSON.parse(synced.out.stdout);
      expect(syncedJson).toMatchObject({ advisory_source: 'mirror', advisory_data: { last_sync_kind: 'sync', newest_modified: recent.modified } });
      expect(syncedJson.partial_reasons.map((r: { message: string }) => r.message)).toEqual([expect.stringMatching(/^package registry unavailable for django \(/)]);
      expect(osv.counts.querybatch + osv.counts.query).toBe(askedAfterImport);
    } finally {
      await osv.close();
    }
  });
});

describe('imports that accept nothing or break off', () => {
  const status = async (db: string) => {
    const c = cli({ DEPWATCH_DB: db }, tmpdir());
    await c.run('db', 'status', '--json');
    return JSON.parse(c.out.stdout) as { records: number; lastSync: string | null; lastSyncKind: string | null };
  };

  it('an import that accepts nothing fails with one line', async () => {
    const dir = temp('reject');
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"id": "X-1"}\nnot json\n');
    const c = cli({ DEPWATCH_DB: join(dir, 'depwatch.db') }, dir);
    expect(await c.run('db', 'import', bad)).toBe(2);
    expect(c.out.stdout).toBe('');
    expect(c.out.stderr).toMatch(/^depwatch db import: nothing imported from .*bad\.jsonl: all 2 records were rejected \(first: line 1 \(X-1\): .+\)\n$/);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const e = cli({ DEPWATCH_DB: join(dir, 'depwatch.db') }, dir);
    expect(await e.run('db', 'import', empty)).toBe(2);
    expect(e.out.stderr).toMatch(/nothing imported from .*empty: it holds no OSV records\n$/);
    expect(await status(join(dir, 'depwatch.db'))).toMatchObject({ records: 0, lastSync: null });
  });

  it('a cut .gz keeps what it read before the damage, and says how many', async () => {
    const dir = temp('cut-gz');
    const whole = readFileSync(ADVISORIES_JSONL_GZ);
    const cut = join(dir, 'cut.jsonl.gz');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const db = join(dir, 'depwatch.db');
    const c = cli({ DEPWATCH_DB: db }, dir);
    expect(await c.run('db', 'import', cut)).toBe(2);
    const m = /^depwatch db import: .*cut\.jsonl\.gz: corrupt or truncated gzip data after line (\d+) .*; kept the (\d+) records read before that \(added (\d+), updated 0, unchanged 0\), rejected 0\n$/.exec(c.out.stderr);
    expect(m).not.toBeNull();
    const kept = Number(m![2]);
    expect(kept).toBeGreaterThan(100);
    expect(kept).toBeLessThan(2661);
    // What it says it kept is what the mirror holds, and a broken import is an import, not a sync.
    expect(await status(db)).toMatchObject({ records: kept, lastSyncKind: 'import' });
  });

  it('a cut zip keeps nothing and says so', async () => {
    const dir = temp('cut-zip');
    const zip = createZip(fixtureLines.slice(0, 50).map((line) => ({ name: `${(JSON.parse(line) as { id: string }).id}.json`, data: line })));
    const cut = join(dir, 'all.zip');
    writeFileSync(cut, zip.subarray(0, zip.length - 40));
    const c = cli({ DEPWATCH_DB: join(dir, 'depwatch.db') }, dir);
    expect(await c.run('db', 'import', cut)).toBe(2);
    expect(c.out.stderr).toMatch(/^depwatch db import: .*all\.zip: not a readable zip archive, perhaps truncated .*; nothing was imported\n$/);
  });

  it('a JSON Lines file cut mid-line keeps every whole line and names the broken one', async () => {
    const dir = temp('cut-jsonl');
    const text = fixtureLines.slice(0, 10).join('\n');
    const cut = join(dir, 'cut.jsonl');
    writeFileSync(cut, text.slice(0, text.length - 30));
    const c = cli({ DEPWATCH_DB: join(dir, 'depwatch.db') }, dir);
    expect(await c.run('db', 'import', cut)).toBe(0);
    expect(c.out.stdout).toMatch(/^added 9, updated 0, unchanged 0, rejected 1\n {2}rejected line 10: not valid JSON/);
  });

  it('a gzip of nothing at all is an import that accepts nothing', async () => {
    const dir = temp('empty-gz');
    const file = join(dir, 'empty.jsonl.gz');
    writeFileSync(file, gzipSync(Buffer.from('\n\n')));
    const c = cli({ DEPWATCH_DB: join(dir, 'depwatch.db') }, dir);
    expect(await c.run('db', 'import', file)).toBe(2);
    expect(c.out.stderr).toMatch(/it holds no OSV records/);
  });
});

describe('an advisory whose range cannot be read (user trial L4)', () => {
  it('is counted at import, and a check of the package it names reports it and is partial, never "no known vulnerabilities"', async () => {
    const dir = temp('unreadable-range');
    const file = join(dir, 'weird.jsonl');
    const weird = {
      id: 'TEST-0002',
      modified: '2025-01-01T00:00:00Z',
      affected: [{ package: { ecosystem: 'PyPI', name: 'weirdpkg2' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: 'garbage' }, { fixed: '2.0' }] }] }],
    };
    writeFileSync(file, `${JSON.stringify(weird)}\n${fixtureLines[0]}\n`);
    const env = { DEPWATCH_DB: join(dir, 'depwatch.db') };
    const imported = cli(env, dir);
    expect(await imported.run('db', 'import', file)).toBe(0);
    expect(imported.out.stdout).toContain(
      '1 record has a range that cannot be read (an introduced version that is not PEP 440, or none), taken to affect every release of its package, and an audit matching one says so: TEST-0002\n',
    );

    const reason = 'advisory TEST-0002 has a range for weirdpkg2 that cannot be read (introduced "garbage"): it was taken to affect weirdpkg2 1.0, but whether it does is unknown';
    const check = cli(env, dir);
    expect(await check.run('check', '--offline', '--json', 'weirdpkg2==1.0')).toBe(1);
    const doc = JSON.parse(check.out.stdout);
    expect(doc.results[0].vulnerabilities.map((v: { id: string }) => v.id)).toEqual(['TEST-0002']);
    expect(doc).toMatchObject({ partial: true, partial_reasons: [{ kind: 'data-source', message: reason }] });
    expect(check.out.stderr).toContain(`depwatch: WARNING: ${reason}\n`);
  });
});
