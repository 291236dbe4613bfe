/**
 * Two replicas' watch state on one store (two pools on one real PostgreSQL; two connections to one
 * SQLite file), and a replica paused between reading kept state and acting on it: what the tests of
 * decisions two replicas may make at once (tests named *-replicas.test.ts) are built from.
 */
import { afterEach } from 'vitest';
import { PostgresWatchState } from '../../src/store/watch-state/postgres.js';
import { SqliteWatchState } from '../../src/store/watch-state/sqlite.js';
import type { WatchStateStore } from '../../src/store/watch-state/types.js';
import { WatchStore } from '../../src/store/watches.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { openTestDb, tempDbPath } from './helpers.js';

export type Dialect = 'sqlite' | 'postgres';

/** One watch state on a fresh store of `dialect` (an in-memory SQLite, or a new database on the test PostgreSQL). */
export async function openOneStore(dialect: Dialect): Promise<{ state: WatchStateStore; close: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const db = openTestDb();
    return { state: new SqliteWatchState(new WatchStore(db)), close: async () => void db.close() };
  }
  const database = await createTestDatabase();
  return { state: new PostgresWatchState(await database.open({ max: 2 })), close: () => database.drop() };
}

/**
 * For a `describe.each` over dialects: opens stores for one test and closes them after it.
 * `one()`: a single watch state; `two()`: two replicas' (openTwoReplicas).
 */
export function storesPerTest(dialect: Dialect): { one: () => Promise<WatchStateStore>; two: () => Promise<[WatchStateStore, WatchStateStore]> } {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });
  return {
    one: async () => {
      const opened = await openOneStore(dialect);
      close = opened.close;
      return opened.state;
    },
    two: async () => {
      const opened = await openTwoReplicas(dialect);
      close = opened.close;
      return opened.stores;
    },
  };
}

export async function openTwoReplicas(dialect: Dialect): Promise<{ stores: [WatchStateStore, WatchStateStore]; close: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const path = tempDbPath();
    const dbs = [openTestDb(path), openTestDb(path)];
    return { stores: [new SqliteWatchState(new WatchStore(dbs[0]!)), new SqliteWatchState(new WatchStore(dbs[1]!))], close: async () => dbs.forEach((db) => db.close()) };
  }
  const database = await createTestDatabase();
  const pools = await Promise.all([database.open({ max: 4 }), database.open({ max: 4 })]);
  return { stores: [new PostgresWatchState(pools[0]!), new PostgresWatchState(pools[1]!)], close: () => database.drop() };
}

/**
 * A replica's store that stops once `read` (one of its methods that reads kept state) has answered,
 * until `go()`: another replica's whole decision fits between its read and its write, as it may
 * when two sweeps end together.
 */
export function pausedAfterRead(store: WatchStateStore, read: 'pullListingProblems' | 'pullNotReviewedNotices'): { store: WatchStateStore; read: Promise<void>; go: () => void } {
  let readDone!: () => void;
  let go!: () => void;
  const done = new Promise<void>((resolve) => (readDone = resolve));
  const gate = new Promise<void>((resolve) => (go = resolve));
  const paused = new Proxy(store, {
    get(target, prop) {
      if (prop === read)
        return async () => {
          const text = await target[read]();
          readDone();
          await gate;
          return text;
        };
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: paused, read: done, go };
}
