/**
 * Card sources for the long-running bot (Slack `/audit package`, pull-request reviews): the same
 * sources the CLI builds per run, but built once, sharing the SQLite answer cache, so a card asked
 * twice within the hour costs no request. The typosquat index is the shipped list extended with the
 * names Depwatch already knows (watched repositories, the local mirror), built again each time the
 * watched names are read again (every INDEX_REFRESH_MS, the reader's while): those tables change
 * with sweeps and syncs, not per card. The watched
 * repositories' names come from the watch state (`watchedNames`), which is PostgreSQL's with
 * DATABASE_URL: this replica's SQLite repo_state is empty then.
 */
import type { Octokit } from 'octokit';
import type { AdvisorySource } from '../advisories/types.js';
import type { Db } from '../store/db.js';
import type { CardSources } from './card.js';
import { AdvisoriesSource } from './sources/advisories.js';
import { SourceCache } from './sources/cache.js';
import { GitHubSource } from './sources/github.js';
import { mirrorNames } from './sources/known-names.js';
import { PypiSource } from './sources/pypi.js';
import { TyposquatChecker } from './typosquat/check.js';
import { PopularityIndex, type PopularName } from './typosquat/popularity.js';

export const INDEX_REFRESH_MS = 10 * 60_000;

export interface ServiceCardSourcesOptions {
  db: Db;
  /**
   * The watched repositories' packages as popular names, from the watch state: asked for every
   * batch of cards, so it should keep them a while and hand back the same array until it has new
   * ones, as watchedNamesEvery does.
   */
  watchedNames: () => Promise<PopularName[]>;
  pypiUrl: string;
  osvApiUrl: string;
  githubApiUrl: string;
  octokit: Octokit;
  /** A token or an App installation: GraphQL is asked; otherwise the REST fallback. */
  authenticated: boolean;
  /** A fresh advisory source (mirror when synced, else the OSV API). */
  advisories: (now: Date) => AdvisorySource;
  now?: () => Date;
  /** Test knobs for the PyPI client. */
  pypi?: { retries?: number; backoffMs?: number; timeoutMs?: number };
}

/** The typosquat index as Depwatch knows it now: shipped names plus the mirror's and the watched repositories'. */
function knownPopularity(db: Db, watched: readonly PopularName[]): PopularityIndex {
  return PopularityIndex.shipped().extend(mirrorNames(db)).extend(watched);
}

/** A function giving the sources for one batch of cards (call it per command or per sweep). */
export function serviceCardSources(options: ServiceCardSourcesOptions): () => Promise<CardSources> {
  const now = options.now ?? (() => new Date());
  const cache = new SourceCache(options.db, { now: () => now().getTime() });
  const pypi = new PypiSource({ baseUrl: options.pypiUrl, cache, ...options.pypi });
  const github = new GitHubSource({ octokit: options.octokit, authenticated: options.authenticated, apiUrl: options.githubApiUrl, cache, now });
  let checker: TyposquatChecker | null = null;
  let builtFrom: readonly PopularName[] | null = null;
  return async () => {
    const at = now();
    // The reader keeps its names for its while and hands back the same array until it reads them
    // again: the index is rebuilt then, the mirror's names read with them (one clock, not two).
    // Built synchronously once the names are in hand, so cards asked at once never build it twice.
    const watched = await options.watchedNames();
    if (checker === null || watched !== builtFrom) {
      checker = new TyposquatChecker(knownPopularity(options.db, watched));
      builtFrom = watched;
    }
    return {
      pypi,
      advisories: new AdvisoriesSource({ source: options.advisories(at), cache, apiUrl: options.osvApiUrl }),
      github,
      checker,
      now: () => at,
    };
  };
}
