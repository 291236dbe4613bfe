/**
 * Names Depwatch already knows, with a popularity proxy, to extend the typosquat check beyond the
 * shipped list (an interface: anything yielding PopularName can be added):
 * - packages the watched repositories use: popularity = how many of them use it;
 * - packages named by advisories in the local mirror: popularity = how many non-malicious
 *   advisories name it (security researchers look at projects people use). Names known only from
 *   malicious-package (MAL) records are left out: they are squats, not targets.
 * Both stay far below the shipped list's tier, so they only order names among themselves.
 */
import type { Db } from '../../store/db.js';
import { WatchStore } from '../../store/watches.js';
import { PopularityIndex, type PopularName } from '../typosquat/popularity.js';

export function mirrorNames(db: Db): PopularName[] {
  const rows = db
    .prepare<[], { package: string; advisories: number }>(
      `SELECT p.package, COUNT(*) AS advisories FROM advisory_packages p JOIN advisories a ON a.id = p.advisory_id
       WHERE a.withdrawn IS NULL AND p.advisory_id NOT LIKE 'MAL-%' GROUP BY p.package`,
    )
    .all();
  return rows.map((r) => ({ name: r.package, popularity: r.advisories, source: 'local advisory mirror' }));
}

/**
 * The watched repositories' package names, re-read at most every `ttlMs`: sweeps and audits ask
 * once per repository, and the packages of a thousand repositories change with sweeps, not per
 * audit. `usage` is the watch state's (SQLite or PostgreSQL), so every replica knows the same names.
 * A read that fails keeps the names read before (an empty list at first): the typosquat rule then
 * knows fewer names, which only makes its ordering coarser. It is said through `onError`, and tried
 * again after RETRY_AFTER_FAILURE_MS rather than a whole `ttlMs` later. The same array comes back
 * until a read brings new names, so a caller can tell when to rebuild what it made from them.
 */
export function watchedNamesEvery(
  usage: () => Promise<Array<{ name: string; repos: number }>>,
  ttlMs = 10 * 60_000,
  now: () => number = Date.now,
  onError: (err: unknown) => void = () => undefined,
): () => Promise<PopularName[]> {
  let names: PopularName[] = [];
  let nextReadAt: number | null = null;
  let reading: Promise<PopularName[]> | null = null;
  return () => {
    if (nextReadAt !== null && now() < nextReadAt) return Promise.resolve(names);
    reading ??= usage()
      .then((rows) => {
        names = rows.map(asWatchedName);
        nextReadAt = now() + ttlMs;
        return names;
      })
      .catch((err: unknown) => {
        onError(err);
        nextReadAt = now() + Math.min(ttlMs, RETRY_AFTER_FAILURE_MS);
        return names;
      })
      .finally(() => {
        reading = null;
      });
    return reading;
  };
}

/** After a failed read of the watched names, how long until the next one is tried. */
export const RETRY_AFTER_FAILURE_MS = 30_000;

/**
 * The watched repositories' packages as popular names, from this SQLite database (the CLI's
 * `depwatch package`): a bot whose watch state is in PostgreSQL reads them with watchedNamesEvery.
 */
export function watchedNames(db: Db): PopularName[] {
  return new WatchStore(db).packageUsage().map(asWatchedName);
}

/** A watched package as a popular name: as popular as the number of repositories using it. */
const asWatchedName = (row: { name: string; repos: number }): PopularName => ({ name: row.name, popularity: row.repos, source: 'watched repositories' });

/**
 * The names a one-off command's typosquat check measures against: the shipped most-depended-on
 * projects, every package the local advisory mirror names, and the watched repositories' packages
 * (`depwatch package` and `depwatch check` alike).
 */
export function localPopularityIndex(db: Db): PopularityIndex {
  return PopularityIndex.shipped().extend(mirrorNames(db)).extend(watchedNames(db));
}
