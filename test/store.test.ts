import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openDb, readMigrations, schemaVersion, StoreError } from '../src/store/db.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'depwatch-store-'));

describe('the SQLite store', () => {
  it('creates the file, turns on WAL and foreign keys, and applies every migration in order', () => {
    const path = join(tempDir(), 'nested', 'depwatch.db');
    const db = openDb(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(Number(db.pragma('busy_timeout', { simple: true }))).toBeGreaterThanOrEqual(1000);
    const applied = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
    expect(applied.map((r) => r.version)).toEqual(readMigrations().map((m) => m.version));
    db.close();
  });

  it('applies nothing the second time a database is opened', () => {
    const path = join(tempDir(), 'd.db');
    openDb(path).close();
    const db = openDb(path);
    expect(migrate(db, readMigrations()).applied).toEqual([]);
    db.close();
  });

  it('reads only the migrations it applies: a database at the latest schema opens without reading any', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '001_a.sql'), 'CREATE TABLE a (x INTEGER);');
    const path = join(dir, 'x.db');
    openDb(path, { migrationsDir: dir }).close();
    // Were the applied migration read again, this folder in its place would fail the open (EISDIR).
    const unreadable = join(tempDir(), 'migrations');
    mkdirSync(join(unreadable, '001_a.sql'), { recursive: true });
    openDb(path, { migrationsDir: unreadable }).close();
    // A newer migration is read and applied as before.
    writeFileSync(join(unreadable, '002_b.sql'), 'CREATE TABLE b (y INTEGER);');
    const db = openDb(path, { migrationsDir: unreadable });
    expect(schemaVersion(db)).toBe(2);
    db.close();
  });

  it('refuses a database written by a newer version, saying what to do', () => {
    const path = join(tempDir(), 'd.db');
    const db = openDb(path);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'x')").run();
    db.close();
    expect(() => openDb(path)).toThrow(StoreError);
    expect(() => openDb(path)).toThrow(/newer version of Depwatch \(schema 999/);
  });

  it('rolls back a migration that fails, leaving the earlier ones applied', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '001_ok.sql'), 'CREATE TABLE a (x INTEGER);');
    writeFileSync(join(dir, '002_broken.sql'), 'CREATE TABLE b (y INTEGER); THIS IS NOT SQL;');
    const path = join(dir, 'x.db');
    expect(() => openDb(path, { migrationsDir: dir })).toThrow(/syntax error/);
    const db = new Database(path);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toContain('a');
    expect(tables).not.toContain('b');
    expect(schemaVersion(db)).toBe(1);
    db.close();
  });

  it('rejects a gap in migration numbers', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '001_a.sql'), 'SELECT 1;');
    writeFileSync(join(dir, '003_c.sql'), 'SELECT 1;');
    expect(() => readMigrations(dir)).toThrow(/expected 002/);
  });
});
