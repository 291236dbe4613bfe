/**
 * The database: all a command needs that only reads the store (`depwatch db status`). Apart from
 * services.ts so such a command loads neither the HTTP clients (OSV, PyPI) nor the configuration
 * schema (zod) it never uses: the database path comes from --db or the environment directly
 * (cliDbPath). Nor the advisory mirror: its matcher and version parser are for the commands that
 * match (services.ts adds it).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { DatabasePathError, openDb, type Db } from '../store/db.js';
import { CliError, type CliIO } from './io.js';

export interface Store {
  /** The database file the command uses (see cliDbPath). */
  dbPath: string;
  /** False when a read-only command found no database there and works from an empty one in memory. */
  dbExists: boolean;
  db: Db;
  close(): void;
}

/**
 * The CLI's database: `--db`, else DEPWATCH_DB, else the user's data directory
 * ($XDG_DATA_HOME/depwatch/depwatch.db, or ~/.local/share/depwatch/depwatch.db), so that running
 * `depwatch` in a checkout never leaves a database in it. The bot keeps its own default (config.ts).
 */
export function cliDbPath(env: NodeJS.ProcessEnv, override?: string): string {
  if (override) return override;
  const fromEnv = env['DEPWATCH_DB']?.trim();
  if (fromEnv) return fromEnv;
  // The XDG spec: a relative XDG_DATA_HOME is invalid and ignored.
  const xdg = env['XDG_DATA_HOME']?.trim();
  const dataHome = xdg && isAbsolute(xdg) ? xdg : join(env['HOME']?.trim() || homedir(), '.local', 'share');
  return join(dataHome, 'depwatch', 'depwatch.db');
}

/** How much of the database a command reads through a memory map (see openDb's mapBytes): all of a large mirror. */
const CLI_MAP_BYTES = 1 << 30;

export interface OpenOptions {
  /**
   * The command only reads (db status, check, audit): a missing database is not created (nor its
   * folder); the command works from an empty in-memory one, whose caches last for the run.
   */
  readOnly?: boolean;
}

export function openStore(io: CliIO, dbOverride?: string, options: OpenOptions = {}): Store {
  const given = cliDbPath(io.env, dbOverride);
  const dbPath = given === ':memory:' ? given : resolve(io.cwd, given);
  const dbExists = dbPath === ':memory:' || existsSync(dbPath);
  const from = dbOverride ? '--db' : io.env['DEPWATCH_DB']?.trim() ? 'DEPWATCH_DB' : 'the default location';
  let db: Db;
  try {
    db = openDb(dbExists || !options.readOnly ? dbPath : ':memory:', { mapBytes: CLI_MAP_BYTES, copyIfUnwritable: options.readOnly === true });
  } catch (err) {
    // Said as the bot says it (src/store/db.ts), naming who chose the path.
    if (err instanceof DatabasePathError) throw new CliError(err.from(from));
    throw err;
  }
  return { dbPath, dbExists, db, close: () => db.close() };
}
