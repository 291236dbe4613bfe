/**
 * Which files a project's own requirements files include (`-r`, `-c`, followed through every level)
 * at a commit. A dependency file under a path `exclude:` keeps out is still part of what a
 * requirements file that is not excluded installs (`-r ci/requirements-base.txt` with `ci/`
 * excluded): the audit follows it (load.ts), so a pull request that changes only that file changes
 * what the project installs, and its review must not leave the file out.
 *
 * Asked only for a commit that pull requests branched off and that one of them changes an excluded
 * dependency file of, once per sweep and commit (the sweep keeps the answer): one tree listing,
 * then the requirements files that are not excluded (TEXTS_BATCH a query), then what they include,
 * a level a query. A commit without such files costs the listing only.
 */
import type { Octokit } from 'octokit';
import type { Excluder } from '../../audit/exclude.js';
import { listFilePaths, readTexts, textKey } from '../../github/pull-requests.js';
import { formatForPath, isManifestPath } from '../../python/discover.js';
import { memorySource } from '../../python/files.js';
import { loadManifests } from '../../python/load.js';

/**
 * The files read from the roots, as the audit's loader reads them: `roots` in their own format,
 * the files they include as requirements files (as pip reads them); what an include names that is
 * not among `texts` is in `missing`.
 */
export async function reachedFrom(texts: Readonly<Record<string, string>>, roots: readonly string[], asRequirements = false): Promise<{ read: Set<string>; missing: Set<string> }> {
  if (roots.length === 0) return { read: new Set(), missing: new Set() };
  const load = await loadManifests(memorySource(texts), asRequirements ? { paths: [...roots], format: 'requirements' } : { paths: [...roots] });
  const read = new Set(load.manifests.map((m) => m.path));
  const missing = new Set(load.manifests.flatMap((m) => m.includes).filter((path) => !(path in texts)));
  return { read, missing };
}

/** Requirements files discovery reads (by name) and `exclude:` does not keep out: where includes start. */
export const includingRoots = (paths: Iterable<string>, excludedBy: Excluder): string[] =>
  [...paths].filter((path) => isManifestPath(path) && formatForPath(path) === 'requirements' && excludedBy(path) === null);

export type IncludedFiles =
  | { included: Set<string> }
  /** Could not be told; `recoverable`: another sweep may tell (a request failed), else not at this commit. */
  | { unknown: string; recoverable: boolean };

/** The requirements files that are not excluded at `oid`, and every file they include, at any depth. */
export async function includedAt(
  octokit: Octokit,
  at: { owner: string; repo: string; oid: string },
  excludedBy: Excluder,
  /** Texts already read (by textKey), not asked again: the changed files at the base. */
  known: ReadonlyMap<string, string | null> = new Map(),
): Promise<IncludedFiles & { requests: number }> {
  let requests = 1;
  const listing = await listFilePaths(octokit, at, at.oid);
  if ('error' in listing) return { unknown: listing.error, recoverable: true, requests };
  if (listing.truncated) return { unknown: 'GitHub listed only part of the repository', recoverable: false, requests };
  const texts: Record<string, string> = {};
  const included = new Set<string>();
  let level = includingRoots(listing.paths, excludedBy);
  const asked = new Set(level);
  for (let first = true; level.length > 0; first = false) {
    const unread = level.filter((path) => typeof known.get(textKey({ ...at, path })) !== 'string');
    const read = unread.length > 0 ? await readTexts(octokit, unread.map((path) => ({ ...at, path }))) : null;
    requests += read?.requests ?? 0;
    for (const path of level) {
      const key = textKey({ ...at, path });
      const why = read?.failed.get(key);
      if (why !== undefined) return { unknown: `${path} ${why}`, recoverable: !read!.permanent.has(key), requests };
      const text = known.get(key) ?? read?.texts.get(key);
      if (typeof text === 'string') texts[path] = text;
    }
    const { read: loaded, missing } = await reachedFrom(texts, level, !first);
    for (const path of loaded) included.add(path);
    // Each file once, and only those that are there: an include of a missing file is the audit's to report.
    level = [...missing].filter((path) => listing.paths.has(path) && !asked.has(path));
    for (const path of level) asked.add(path);
  }
  return { included, requests };
}
