/**
 * The mirror's per-package index is read once per package, however many files pin it and at however
 * many releases: an audit of a monorepo asks about the same package again and again.
 */
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import * as storedMatcher from '../../src/advisories/stored-matcher.js';
import type { OsvRecord } from '../../src/advisories/types.js';
import { migrate, readMigrations } from '../../src/store/db.js';

vi.mock('../../src/advisories/stored-matcher.js', async (original) => {
  const actual = await original<typeof import('../../src/advisories/stored-matcher.js')>();
  return { ...actual, parseStoredMatcher: vi.fn(actual.parseStoredMatcher) };
});

const record = (id: string, versions: string[]): OsvRecord => ({
  id,
  modified: '2024-01-01T00:00:00Z',
  affected: [{ package: { ecosystem: 'PyPI', name: 'demo' }, versions, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '5.0' }, { fixed: '5.5' }] }] }],
});

describe('reading the advisory index', () => {
  it('reads a package once and parses each of its stored matchers once, for fifty files pinning it at twenty releases', async () => {
    const statements: string[] = [];
    const db = new Database(':memory:', { verbose: (sql) => statements.push(String(sql)) });
    migrate(db, readMigrations());
    const mirror = new AdvisoryMirror(db);
    await mirror.importRecords([record('PYSEC-1', ['1.0', '1.5']), record('GHSA-2', ['1.5', '2.0'])]);
    statements.length = 0;
    vi.mocked(storedMatcher.parseStoredMatcher).mockClear();

    // As the files of a monorepo give them: fifty pins, twenty releases, spelled several ways.
    const releases = ['1.0', '1.5', '2.0', '5.1', ...Array.from({ length: 16 }, (_, i) => `3.${i}`)];
    const queries = Array.from({ length: 50 }, (_, i) => ({ name: ['demo', 'Demo', 'DEMO'][i % 3]!, version: releases[i % releases.length]! }));
    const hits = await mirror.affecting(queries);
    await mirror.affecting(queries.slice(0, 10));

    expect(statements.filter((sql) => sql.includes('FROM advisory_packages p'))).toHaveLength(1);
    expect(storedMatcher.parseStoredMatcher).toHaveBeenCalledTimes(2);
    // And the answers are the records' own.
    const idsFor = (version: string) => [...new Set(queries.filter((q) => q.version === version).flatMap((q) => hits.get(`${q.name}@${q.version}`)!.map((r) => r.id)))].sort();
    expect(idsFor('1.0')).toEqual(['PYSEC-1']);
    expect(idsFor('1.5')).toEqual(['GHSA-2', 'PYSEC-1']);
    expect(idsFor('2.0')).toEqual(['GHSA-2']);
    expect(idsFor('5.1')).toEqual(['GHSA-2', 'PYSEC-1']);
    expect(idsFor('3.4')).toEqual([]);
  });

  it('a first import into an empty mirror does not read its rows back to check their derived data', async () => {
    const statements: string[] = [];
    const db = new Database(':memory:', { verbose: (sql) => statements.push(String(sql)) });
    migrate(db, readMigrations());
    const mirror = new AdvisoryMirror(db);
    expect(await mirror.importRecords([record('PYSEC-1', ['1.0'])])).toMatchObject({ added: 1 });
    expect(statements.filter((sql) => sql.includes('NOT LIKE'))).toEqual([]);
    expect((await mirror.affecting([{ name: 'demo', version: '1.0' }])).get('demo@1.0')!.map((r) => r.id)).toEqual(['PYSEC-1']);
  });
});
