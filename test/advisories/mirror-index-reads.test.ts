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
    // The records' derived parts come with the index: no second lookup by id.
    expect(statements.filter((sql) => sql.includes('FROM advisories WHERE id IN'))).toEqual([]);
    expect(storedMatcher.parseStoredMatcher).toHaveBeenCalledTimes(2);
    // And the answers are the records' own.
    const idsFor = (version: string) => [...new Set(queries.filter((q) => q.version === version).flatMap((q) => hits.get(`${q.name}@${q.version}`)!.map((r) => r.id)))].sort();
    expect(idsFor('1.0')).toEqual(['PYSEC-1']);
    expect(idsFor('1.5')).toEqual(['GHSA-2', 'PYSEC-1']);
    expect(idsFor('2.0')).toEqual(['GHSA-2']);
    expect(idsFor('5.1')).toEqual(['GHSA-2', 'PYSEC-1']);
    expect(idsFor('3.4')).toEqual([]);
  });

  it('parses a matcher text that several records store for a package once, and each record still matches by it', async () => {
    const db = new Database(':memory:');
    migrate(db, readMigrations());
    const mirror = new AdvisoryMirror(db);
    // Two advisories fixed by the same release: the same versions and range, so the same stored matcher.
    await mirror.importRecords([record('PYSEC-1', ['1.0', '1.5']), record('GHSA-1', ['1.0', '1.5']), record('PYSEC-2', ['2.0'])]);
    vi.mocked(storedMatcher.parseStoredMatcher).mockClear();

    const fresh = new AdvisoryMirror(db);
    const hits = await fresh.affecting(['1.0', '2.0', '5.2', '6.0'].map((version) => ({ name: 'demo', version })));

    expect(storedMatcher.parseStoredMatcher).toHaveBeenCalledTimes(2);
    const ids = (version: string) => hits.get(`demo@${version}`)!.map((r) => r.id).sort();
    expect(ids('1.0')).toEqual(['GHSA-1', 'PYSEC-1']);
    expect(ids('2.0')).toEqual(['PYSEC-2']);
    expect(ids('5.2')).toEqual(['GHSA-1', 'PYSEC-1', 'PYSEC-2']);
    expect(ids('6.0')).toEqual([]);
  });

  it('matches every record from its own text when the matcher text they share is damaged', async () => {
    const db = new Database(':memory:');
    migrate(db, readMigrations());
    await new AdvisoryMirror(db).importRecords([record('PYSEC-1', ['1.0']), record('GHSA-1', ['1.0'])]);
    // Damaged alike (a `keys` that is not a string): read once, refused, and neither record matches nothing.
    const damaged = db.prepare<[], { matcher: string }>('SELECT matcher FROM advisory_matchers LIMIT 1').get()!.matcher.replace(/"keys":"[^"]*"/, '"keys":["1"]');
    db.prepare('UPDATE advisory_matchers SET matcher = ?').run(damaged);
    vi.mocked(storedMatcher.parseStoredMatcher).mockClear();

    const hits = await new AdvisoryMirror(db).affecting([{ name: 'demo', version: '1.0' }, { name: 'demo', version: '5.1' }, { name: 'demo', version: '5.5' }]);

    expect(storedMatcher.parseStoredMatcher).toHaveBeenCalledTimes(1);
    expect(hits.get('demo@1.0')!.map((r) => r.id).sort()).toEqual(['GHSA-1', 'PYSEC-1']);
    expect(hits.get('demo@5.1')!.map((r) => r.id).sort()).toEqual(['GHSA-1', 'PYSEC-1']);
    expect(hits.get('demo@5.5')).toEqual([]);
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
