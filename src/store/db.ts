/**
 * The SQLite store: one file (DEPWATCH_DB), WAL, foreign keys on, a busy timeout, and forward-only
 * migrations from migrations/NNN_name.sql applied in order, each in its own transaction.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorLine } from '../error-line.js';
import { fileProblem } from '../file-error.js';
import { maskSecrets, redactSecrets } from '../redact.js';

export type Db = BetterSqlite3.Database;

/**
 * better-sqlite3 is CommonJS: required, not imported, so that every start of the CLI does not run
 * Node's ESM-to-CommonJS translation (which parses the package's source for its export names).
 * `depwatch db status` pays for little else.
 */
const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

/** migrations/ sits next to src/ and dist/ alike. */
export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** A migration file found in the folder, its SQL not read yet. */
export interface MigrationFile {
  version: number;
  name: string;
  path: string;
}

export class StoreError extends Error {
  override name = 'StoreError';
}

/**
 * The database's path cannot be used: a folder, a file that is not SQLite, a folder that cannot be
 * made. `problem` ends "the database PATH …" in people's words, never the system's code
 * (EEXIST, ENOTDIR): the CLI and the bot say it the same way, adding who chose the path (`from`).
 */
export class DatabasePathError extends StoreError {
  override name = 'DatabasePathError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`the database ${path} ${problem}`);
  }

  /** The line, naming where the path came from: "--db", "DEPWATCH_DB", "the default location". */
  from(source: string): string {
    return `the database ${this.path} (from ${source}) ${this.problem}`;
  }
}

/**
 * The file is a SQLite database of another application: it has tables, and none of them is
 * Depwatch's record of migrations. Refused before anything is written (not even the journal mode),
 * so a mistyped --db or DEPWATCH_DB never migrates Depwatch's schema into someone else's data.
 */
export class ForeignDatabaseError extends DatabasePathError {
  override name = 'ForeignDatabaseError';
  constructor(path: string) {
    super(path, 'is a SQLite database of something else (no Depwatch tables); not changed');
  }
}

/** An error of SQLite itself (better-sqlite3's SqliteError: `SQLITE_NOTADB`, `SQLITE_CORRUPT`, ...). */
function sqliteCode(err: unknown): string | undefined {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** Whether `path` is a folder; false for anything that cannot be looked at (a file in the path: ENOTDIR). */
function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The database's folder, made if missing. mkdir's failure where a part of the path is a file says
 * EEXIST or ENOTDIR and the whole path: this names the file that stands in the way.
 */
function makeFolder(path: string): void {
  const folder = dirname(path);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      // The deepest part of the path that exists: the file in the way.
      let part = folder;
      while (!existsSync(part) && dirname(part) !== part) part = dirname(part);
      if (!isFolder(part)) throw new DatabasePathError(path, `cannot be created: ${part} is a file, not a folder`);
    }
    throw new DatabasePathError(path, `cannot be created: its folder ${folder} cannot be made: ${fileProblem(err)}`);
  }
}

const MIGRATION_FILE = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/** The migration files in `dir`, in order, without reading them (numbers checked: no gap, no repeat). */
export function listMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  const migrations = readdirSync(dir)
    .map((file) => MIGRATION_FILE.exec(file))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ version: Number(m[1]), name: m[2]!, path: join(dir, m[0]) }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new StoreError(`migrations: expected ${String(i + 1).padStart(3, '0')}_*.sql, found ${m.version}_${m.name}.sql`);
  });
  return migrations;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return listMigrations(dir).map(({ version, name, path }) => ({ version, name, sql: readFileSync(path, 'utf8') }));
}

export interface OpenOptions {
  migrationsDir?: string;
  readonly?: boolean;
  /**
   * Bytes of the file SQLite may read through a memory map (PRAGMA mmap_size) instead of copying
   * each page into its cache: an offline audit reads most of the advisory mirror once, and the
   * copies were about a third of that read (50 ms for the PyPA data). Off by default: with a map, an
   * I/O error on the file ends the process instead of failing one statement, which a short CLI
   * command can accept and a long-running bot should not.
   */
  mapBytes?: number;
  /**
   * For commands that only read the database (audit, check, fix, db status): when this user may
   * not write it (its folder is read-only, so SQLite cannot make the WAL's -shm beside it, or the
   * file itself), the command works from a copy of it in memory instead of being refused. What it
   * would cache (or an outdated schema's migration) is then kept for the run only; the file is
   * never changed.
   */
  copyIfUnwritable?: boolean;
}

/** The first statements met a database this user may not write (SQLITE_READONLY, SQLITE_READONLY_DIRECTORY, ...). */
class UnwritableDatabase extends Error {}

/**
 * SQLite's codes for a file it opened but may not write: read-only, or (once open) its -shm or
 * -wal cannot be made in a read-only folder (SQLITE_CANTOPEN after the file itself opened).
 */
const cannotWrite = (code: string | undefined): boolean => code !== undefined && (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN'));

/** Opens (creating if needed) the database at `path` (`:memory:` for tests) and migrates it. */
export function openDb(path: string, options: OpenOptions = {}): Db {
  try {
    return openDbFile(path, options);
  } catch (err) {
    if (!(err instanceof UnwritableDatabase)) throw err;
    return openInMemory(path, readableCopy(path), options);
  }
}

function openDbFile(path: string, options: OpenOptions): Db {
  if (path !== ':memory:') {
    // SQLite says only "unable to open database file" of a folder.
    if (isFolder(path)) throw new DatabasePathError(path, 'is a directory: give the path of a database file (created if it does not exist)');
    makeFolder(path);
  }
  let db: Db;
  try {
    db = new Database(path, { readonly: options.readonly ?? false });
  } catch (err) {
    throw new DatabasePathError(path, `could not be opened: ${sqliteCode(err) ? errorLine(err) : fileProblem(err)}`);
  }
  try {
    const migrations = listMigrations(options.migrationsDir);
    try {
      if (path !== ':memory:' && !isDepwatchOrEmpty(db, migrations[0]?.name)) throw new ForeignDatabaseError(path);
      if (path !== ':memory:') db.pragma('journal_mode = WAL');
    } catch (err) {
      // The first reads of the file: SQLite's words ("file is not a database") name no file.
      const code = sqliteCode(err);
      if (cannotWrite(code) && options.copyIfUnwritable === true && path !== ':memory:') throw new UnwritableDatabase();
      if (code === 'SQLITE_NOTADB') throw new DatabasePathError(path, `is not a Depwatch database: ${errorLine(err)}`);
      if (code) throw new DatabasePathError(path, `could not be opened as a Depwatch database: ${errorLine(err)}`);
      throw err;
    }
    prepare(db, migrations, options.mapBytes !== undefined && path !== ':memory:' ? options.mapBytes : undefined);
  } catch (err) {
    db.close();
    if (err instanceof UnwritableDatabase || !(cannotWrite(sqliteCode(err)) && options.copyIfUnwritable === true && path !== ':memory:')) throw err;
    // A file this user may read but not write (its schema older than this build, say): read from a copy.
    throw new UnwritableDatabase();
  }
  return db;
}

/** The connection's settings, then any migration it lacks. */
function prepare(db: Db, migrations: MigrationFile[], mapBytes: number | undefined): void {
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  if (mapBytes !== undefined) db.pragma(`mmap_size = ${Math.max(0, Math.floor(mapBytes))}`);
  // Listed, not read: a database already at the latest schema (every start but the first after
  // an upgrade) reads none of the files.
  migrate(db, migrations);
}

/**
 * The bytes of a database this user may only read. Committed pages can still sit in its -wal
 * (a writer has it open): a read-only connection reads them, given the -shm the writer keeps
 * beside it, and serialises the whole. Without a -wal the file alone is the whole database.
 */
function readableCopy(path: string): Buffer {
  const wal = `${path}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0) {
    let db: Db | undefined;
    try {
      db = new Database(path, { readonly: true });
      return db.serialize();
    } catch (err) {
      throw new DatabasePathError(path, `cannot be read: it is not writable by this user and its write-ahead log ${wal} cannot be read with it: ${sqliteCode(err) ? errorLine(err) : fileProblem(err)}`);
    } finally {
      db?.close();
    }
  }
  try {
    return readFileSync(path);
  } catch (err) {
    throw new DatabasePathError(path, `could not be opened: ${fileProblem(err)}`);
  }
}

/** A database read from `bytes` (openDb's copyIfUnwritable): checked and migrated as a file is, in memory. */
function openInMemory(path: string, bytes: Buffer, options: OpenOptions): Db {
  let db: Db;
  try {
    // A WAL database's header (bytes 18 and 19: 2) would have SQLite look for a -wal beside the
    // copy in memory: the copy is marked a rollback-journal database (1), as it has no log.
    if (bytes.length >= 20 && bytes[18] === 2 && bytes[19] === 2) bytes[18] = bytes[19] = 1;
    db = bytes.length === 0 ? new Database(':memory:') : new Database(bytes);
  } catch (err) {
    throw new DatabasePathError(path, `could not be opened: ${errorLine(err)}`);
  }
  try {
    const migrations = listMigrations(options.migrationsDir);
    try {
      if (!isDepwatchOrEmpty(db, migrations[0]?.name)) throw new ForeignDatabaseError(path);
    } catch (err) {
      const code = sqliteCode(err);
      if (code === 'SQLITE_NOTADB') throw new DatabasePathError(path, `is not a Depwatch database: ${errorLine(err)}`);
      if (code) throw new DatabasePathError(path, `could not be opened as a Depwatch database: ${errorLine(err)}`);
      throw err;
    }
    prepare(db, migrations, undefined);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * Whether the database may be migrated: it has no tables yet (a new or empty file), or it has
 * Depwatch's schema_migrations (version, name, applied_at) whose first row, if any, is the first
 * migration. Other tools use the same table name (Rails keeps only `version`), hence the columns and
 * the name of migration 1. Only reads the schema: a file that is not SQLite at all fails here with
 * SQLite's own error, as before.
 */
function isDepwatchOrEmpty(db: Db, firstMigration: string | undefined): boolean {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").all() as { name: string }[];
  if (tables.length === 0) return true;
  if (!tables.some((t) => t.name === 'schema_migrations')) return false;
  const columns = (db.prepare('PRAGMA table_info(schema_migrations)').all() as { name: string }[]).map((c) => c.name).sort();
  if (columns.join(',') !== 'applied_at,name,version') return false;
  const first = db.prepare('SELECT name FROM schema_migrations WHERE version = 1').get() as { name: unknown } | undefined;
  if (first) return firstMigration === undefined || first.name === firstMigration;
  // Rows, but none for migration 1: not a table Depwatch wrote (it records every migration from 1).
  return db.prepare('SELECT 1 FROM schema_migrations LIMIT 1').get() === undefined;
}

/**
 * SQL functions migrations may call. `depwatch_redact(text)` is the redaction every output uses
 * (src/redact.ts): SQL alone cannot mask a URL's credentials, and rows written before a rule existed
 * must be rewritten by the same rule (migration 015). It keeps JSON valid: nothing it writes holds a
 * quote or a backslash. `depwatch_mask(text)` is the in-place masking of text kept for parsing later
 * (maskSecrets: the GitHub blob cache, migration 039), which keeps lines and columns.
 */
function defineStoreFunctions(db: Db): void {
  db.function('depwatch_redact', { deterministic: true }, (text: unknown) => (typeof text === 'string' ? redactSecrets(text) : text));
  db.function('depwatch_mask', { deterministic: true }, (text: unknown) => (typeof text === 'string' ? maskSecrets(text) : text));
}

/**
 * Applies every migration newer than the database, each in a transaction; refuses a newer database.
 * A migration given as a file is read only when it is applied.
 */
export function migrate(db: Db, migrations: readonly (Migration | MigrationFile)[]): { applied: number[] } {
  defineStoreFunctions(db);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const current = (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new StoreError(
      `the database was written by a newer version of Depwatch (schema ${current}, this version knows ${latest}); ` +
        'upgrade Depwatch or point DEPWATCH_DB at another file',
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    const sql = 'sql' in m ? m.sql : readFileSync(m.path, 'utf8');
    db.transaction(() => {
      db.exec(sql);
      record.run(m.version, m.name, new Date().toISOString());
    })();
    applied.push(m.version);
  }
  return { applied };
}

export function schemaVersion(db: Db): number {
  return (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
}
