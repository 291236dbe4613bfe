/**
 * Readiness: the store is open and its schema is the one this build migrates to. Answered from a
 * real query each time (cheap: one indexed MAX over a table of a few dozen rows), so a database
 * closed under the process, or rolled back to an older schema, turns the probe red.
 */
import { listMigrations, schemaVersion, type Db } from '../store/db.js';
import { schemaMismatchReason, schemaVerdict, type SchemaVerdict } from '../store/schema-verdict.js';

export type Health = { ok: true } | { ok: false; reason: string };

/** Sync for SQLite; a PostgreSQL check answers later (a query over the network). */
export interface HealthCheck {
  (): Health | Promise<Health>;
}

/** Ready when every check is: the first that is not says why (a check that throws counts as not ready). */
export function allHealthy(...checks: HealthCheck[]): HealthCheck {
  return async () => {
    for (const check of checks) {
      // Not errorLine (src/error-line.ts): the reason is one line of the health answer whatever was thrown, so a non-Error's text is cut too, and capped.
      const health = await Promise.resolve()
        .then(check)
        .catch((err: unknown): Health => ({ ok: false, reason: `store: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 200)}` }));
      if (!health.ok) return health;
    }
    return { ok: true };
  };
}

/** `expectedVersion`: the newest migration this build ships (read once: migrations/ does not change under a running process). */
export function storeHealth(db: Db, expectedVersion = listMigrations().at(-1)?.version ?? 0): HealthCheck {
  return () => {
    if (!db.open) return { ok: false, reason: 'store: the database is closed' };
    let version: number;
    try {
      version = schemaVersion(db);
    } catch (err) {
      // The driver's message ("file is not a database", "disk I/O error"): first line only, no path.
      // Not errorLine (src/error-line.ts): the reason is one line of the health answer whatever was thrown, so a non-Error's text is cut too, and capped.
      return { ok: false, reason: `store: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 200)}` };
    }
    const mismatch = schemaMismatchReason('SQLite', version, expectedVersion);
    return mismatch === null ? { ok: true } : { ok: false, reason: `store: ${mismatch}` };
  };
}

/**
 * This replica's SQLite schema against this build (the check throws when the database cannot be
 * read). `expectedVersion` is read once, as storeHealth's: the check runs every 30 s and at every
 * not-ready /healthz answer (src/ops/background-work.ts), and migrations/ does not change under a
 * running process, so it is not listed again each time.
 */
export function sqliteSchemaVerdict(db: Db, expectedVersion = listMigrations().at(-1)?.version ?? 0): () => SchemaVerdict {
  return () => schemaVerdict('SQLite', schemaVersion(db), expectedVersion);
}
