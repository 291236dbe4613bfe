/**
 * How popular a project name is, as far as Depwatch can tell without asking anyone: the names that
 * ship with Depwatch (warehouse's most-depended-on list), extended by whoever knows more (the
 * packages the watched repositories use, the names in the local advisory mirror, a project's own
 * release history). One number per name, the highest any source gave it.
 *
 * The number only has to order names: a candidate is a squat of a target only when the target is
 * strictly more popular. The shipped list carries no counts, so its names share one tier, high
 * enough that no local proxy (repositories using a name, advisories naming it) reaches it.
 */
import { normalizeName } from '../../python/names.js';
import { WAREHOUSE_TOP_PROJECTS } from './warehouse-top-projects.js';

/** A name and how popular someone says it is. `source` is shown in flags ("warehouse top projects"). */
export interface PopularName {
  name: string;
  popularity: number;
  source: string;
}

export const POPULARITY = {
  /** A name on the shipped list of most-depended-on projects. */
  top: 1_000_000,
  /**
   * A project that has published releases for years: a squat is taken down long before that, so an
   * established project is treated as at least as popular as any name it resembles (boto/boto3).
   */
  established: 1_000_000,
} as const;

export const SHIPPED_SOURCE = 'warehouse top projects';

export class PopularityIndex {
  private readonly entries = new Map<string, { popularity: number; source: string }>();
  /** Bumped on every change, so checkers built over the index know to rebuild their lookups. */
  private changes = 0;

  constructor(names: Iterable<PopularName> = []) {
    this.extend(names);
  }

  /** The shipped names only. */
  static shipped(): PopularityIndex {
    return new PopularityIndex(WAREHOUSE_TOP_PROJECTS.map((name) => ({ name, popularity: POPULARITY.top, source: SHIPPED_SOURCE })));
  }

  /** Adds names; a name already known keeps the higher popularity (and that source). Invalid entries are skipped. */
  extend(names: Iterable<PopularName>): this {
    for (const { name, popularity, source } of names) {
      if (!Number.isFinite(popularity) || popularity <= 0) continue;
      const key = normalizeName(name);
      if (!key) continue;
      const known = this.entries.get(key);
      if (known === undefined || popularity > known.popularity) {
        this.entries.set(key, { popularity, source });
        this.changes++;
      }
    }
    return this;
  }

  /** 0 for a name nobody vouched for. */
  popularity(name: string): number {
    return this.entries.get(normalizeName(name))?.popularity ?? 0;
  }

  sourceOf(name: string): string | null {
    return this.entries.get(normalizeName(name))?.source ?? null;
  }

  get size(): number {
    return this.entries.size;
  }

  get version(): number {
    return this.changes;
  }

  /** Every name (PEP 503 normalised) with its popularity. */
  *names(): IterableIterator<[string, { popularity: number; source: string }]> {
    yield* this.entries;
  }
}

/**
 * A popularity proxy from a project's own release history: ESTABLISHED when its releases span at
 * least `years` (default 5) with at least `minReleases` (default 10) of them, else 0. Typosquats are
 * removed within days or weeks of being reported; one that kept releasing for five years is a
 * project in its own right.
 */
export function popularityFromHistory(
  uploads: readonly (string | null)[],
  options: { now?: Date; years?: number; minReleases?: number } = {},
): number {
  let count = 0;
  let first = Infinity;
  for (const upload of uploads) {
    const at = upload === null ? NaN : Date.parse(upload);
    if (Number.isNaN(at)) continue;
    count++;
    if (at < first) first = at;
  }
  if (count < (options.minReleases ?? 10)) return 0;
  const now = (options.now ?? new Date()).getTime();
  const years = options.years ?? 5;
  return now - first >= years * 365.25 * 86_400_000 ? POPULARITY.established : 0;
}
