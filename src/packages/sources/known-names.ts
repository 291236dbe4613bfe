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
import type { PopularName } from '../typosquat/popularity.js';

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
 * watchedNames, re-read at most every `ttlMs`: sweeps and audits ask once per repository, and the
 * packages of a thousand repositories change with sweeps, not per audit.
 */
export function watchedNamesEvery(db: Db, ttlMs = 10 * 60_000, now: () => number = Date.now): () => PopularName[] {
  let names: PopularName[] | null = null;
  let readAt = 0;
  return () => {
    if (names === null || now() - readAt > ttlMs) {
      names = watchedNames(db);
      readAt = now();
    }
    return names;
  };
}

export function watchedNames(db: Db): PopularName[] {
  const counts = new Map<string, number>();
  for (const row of db.prepare<[], { packages_json: string | null }>('SELECT packages_json FROM repo_state WHERE packages_json IS NOT NULL').iterate()) {
    let packages: unknown;
    try {
      packages = JSON.parse(row.packages_json ?? '[]');
    } catch {
      continue;
    }
    if (!Array.isArray(packages)) continue;
    const names = new Set<string>();
    for (const p of packages) if (typeof (p as { name?: unknown })?.name === 'string') names.add((p as { name: string }).name);
    for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].map(([name, repos]) => ({ name, popularity: repos, source: 'watched repositories' }));
}
