/**
 * Upgrading a database that already watches repositories to repo_state.partial_reasons (SQLite
 * migration 034, PostgreSQL 015, a nullable ADD COLUMN): the state stored before it reads as it
 * was, with no reasons, and the sweep's checks, errors and next audit update it like any other row.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { findingKey } from '../../src/audit/findings.js';
import { PostgresWatchState } from '../../src/store/watch-state/postgres.js';
import { SqliteWatchState } from '../../src/store/watch-state/sqlite.js';
import type { WatchStateStore } from '../../src/store/watch-state/types.js';
import { WatchStore } from '../../src/store/watches.js';
import { postgresUpgradedFrom, sqliteUpgradedFrom } from '../helpers/upgrade.js';

const AUDITED_AT = '2026-01-05T09:00:00.000Z';
const NOW = new Date('2026-03-02T09:00:00.000Z');
const PACKAGES = '[{"name":"requests","version":"2.2.0","direct":true,"entries":[]}]';
/** A swept repository and one whose last sweep failed, as they were stored before the migration. */
const OLD_ROWS = [
  ['octo/app', 'octo/app', 'sha1', AUDITED_AT, PACKAGES, null, 'mark-1'],
  ['octo/gone', 'octo/gone', null, null, null, 'Not Found', null],
] as const;
const INSERT = 'INSERT INTO repo_state (repo, display, head_oid, audited_sha, audited_at, packages_json, ignores_json, dependencies, error, checked_at, advisories_mark)';

interface Upgraded {
  store: WatchStateStore;
  close(): Promise<void>;
}

async function upgradedSqlite(): Promise<Upgraded> {
  const db = sqliteUpgradedFrom(33, { table: 'repo_state', column: 'partial_reasons' }, (old) => {
    const insert = old.prepare(`${INSERT} VALUES (?, ?, ?, ?, ?, ?, '[]', 1, ?, ?, ?)`);
    for (const [repo, display, sha, at, packages, error, mark] of OLD_ROWS) insert.run(repo, display, sha, sha, at, packages, error, AUDITED_AT, mark);
  });
  return {
    store: new SqliteWatchState(new WatchStore(db)),
    close: async () => {
      db.close();
    },
  };
}

async function upgradedPostgres(): Promise<Upgraded> {
  const { pool, drop } = await postgresUpgradedFrom(14, { table: 'repo_state', column: 'partial_reasons' }, async (old) => {
    for (const [repo, display, sha, at, packages, error, mark] of OLD_ROWS) {
      await old.query(`${INSERT} VALUES ($1, $2, $3, $3, $4, $5, '[]', 1, $6, $7, $8)`, [repo, display, sha, at, packages, error, AUDITED_AT, mark]);
    }
  });
  return { store: new PostgresWatchState(pool), close: drop };
}

describe.each([
  ['SQLite (migration 034)', upgradedSqlite],
  ['PostgreSQL (migration 015)', upgradedPostgres],
] as const)('repository state stored before partial_reasons, upgraded on %s', (_, upgrade) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('reads every row as it was, with no reasons, and checks, errors and audits it as before', async () => {
    const upgraded = await upgrade();
    close = upgraded.close;
    const { store } = upgraded;
    const summaries = await store.repoSummaries(['octo/app', 'octo/gone']);
    expect([...summaries.values()].map((s) => [s.repo, s.auditedSha, s.error, s.partialReasons])).toEqual([
      ['octo/app', 'sha1', null, []],
      ['octo/gone', null, 'Not Found', []],
    ]);
    expect((await store.repoStates(['octo/app'])).get('octo/app')).toMatchObject({ packages: JSON.parse(PACKAGES), advisoriesMark: 'mark-1', partialReasons: [] });

    // A clean re-match of an old row: its mark moves, and there is nothing to clear.
    await store.markChecked([{ repo: 'octo/app', private: false, now: NOW, advisoriesMark: 'mark-2' }]);
    expect((await store.repoStates(['octo/app'])).get('octo/app')).toMatchObject({ advisoriesMark: 'mark-2', partialReasons: [], checkedAt: NOW.toISOString() });
    // The next audit of the failed one, partial: stored, and it clears the error.
    const unread = { kind: 'unread' as const, text: 'poetry.lock:4 not read completely: not valid TOML' };
    await store.recordAudit(
      { repo: 'octo/gone', display: 'octo/gone', htmlUrl: 'https://github.com/octo/gone', private: false, sha: 'sha9', packages: [], ignores: [], dependencies: 0, now: NOW, partialReasons: [unread] },
      { repo: 'octo/gone', findings: [], keyOf: findingKey, sha: 'sha9', now: NOW, baseline: true },
    );
    expect((await store.repoSummaries(['octo/gone'])).get('octo/gone')).toMatchObject({ error: null, auditedSha: 'sha9', partialReasons: [unread] });
  });
});
