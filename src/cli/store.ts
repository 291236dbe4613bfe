/**
 * The configuration, the database and the advisory mirror: all a command needs that only reads the
 * store (`depwatch db status`). Apart from services.ts so such a command does not load the HTTP
 * clients (OSV, PyPI) it never uses.
 */
import { AdvisoryMirror } from '../advisories/mirror.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { openDb, type Db } from '../store/db.js';
import { CliError, type CliIO } from './io.js';

export interface Store {
  config: Config;
  db: Db;
  mirror: AdvisoryMirror;
  close(): void;
}

export function openStore(io: CliIO, dbOverride?: string): Store {
  let config: Config;
  try {
    config = loadConfig(io.env);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.problems.join('; '));
    throw err;
  }
  const db = openDb(dbOverride ?? config.dbPath);
  return { config, db, mirror: new AdvisoryMirror(db), close: () => db.close() };
}
