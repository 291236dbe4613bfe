/**
 * Which files a project's own manifests include (`-r`, `-c`, a pyproject.toml's or setup.cfg's
 * dynamic dependencies file, a setup.py reading a requirements file; followed through every level)
 * at a commit. An included file is part of what the project installs, as the audit reads it, even
 * under a path `exclude:` keeps out (`-r ci/requirements-base.txt` with `ci/` excluded) or under a
 * name no manifest has (`ci/base.txt`): a pull request that changes only that file changes what
 * the project installs, and its review must not leave the file out.
 *
 * Asked only for a commit that pull requests branched off and that one of them changes such a file
 * of, once per sweep and commit (the sweep keeps the answer): one tree listing, then the manifests
 * that can include and are not excluded (TEXTS_BATCH a query), then what they include, a level a
 * query. A commit without such manifests costs the listing only.
 */
import type { Octokit } from 'octokit';
import type { Excluder } from '../../audit/exclude.js';
import { listFilePaths, readTexts, textKey } from '../../github/pull-requests.js';
import { formatForPath, isCompiledFrom, isInSkippedDir, isManifestPath, pipToolsPairs } from '../../python/discover.js';
import { namesOtherFiles } from '../../python/formats/paths.js';
import { MAX_INCLUDED_FILES, MAX_INCLUDE_LEVELS, reachedFrom } from '../../python/includes.js';

/**
 * Manifests discovery reads (by name) and `exclude:` does not keep out, of the formats that can name
 * other files (`-r`, a pyproject.toml's or setup.cfg's dynamic dependencies file, a setup.py reading
 * a requirements file): where includes start.
 */
export const includingRoots = (paths: Iterable<string>, excludedBy: Excluder): string[] =>
  [...paths].filter((path) => {
    const format = isManifestPath(path) ? formatForPath(path) : null;
    return format !== null && namesOtherFiles(format) && excludedBy(path) === null;
  });

/**
 * Whether a changed file named like no manifest may be one a manifest includes, worth asking its
 * base about (includedAt): any such file outside the folders discovery skips, whatever its name
 * (`-r deps/base.pip`, `-r reqs/common.req`, a dynamic dependencies file `deps.lock`): pip and the
 * build backends read whatever file they are told to, so only what the manifests include decides,
 * never the extension. The cost is bounded per base commit and sweep (includedAt's limits), and a
 * head found to change nothing included is not asked about again.
 */
export function mayBeIncluded(path: string): boolean {
  return !isManifestPath(path) && !isInSkippedDir(path);
}

/**
 * Extensions of files no one has pip read as requirements in practice: code, notebooks, docs, web
 * and image assets, data, other tools' configuration (`pyproject.toml`, `setup.cfg`, `poetry.lock`
 * and the like are manifests by name, never asked about here). `.txt`, `.in`, `.pip`, `.req`,
 * `.lock` (a compiled requirements file named `deps.lock`), no extension (`ci/deps`) and any
 * extension not listed may be.
 */
const NOT_REQUIREMENTS_EXTENSIONS = new Set([
  'py', 'pyi', 'pyx', 'ipynb', 'c', 'h', 'cpp', 'go', 'rs', 'java', 'js', 'jsx', 'ts', 'tsx', 'sh',
  'md', 'rst', 'html', 'css', 'scss', 'svg', 'png', 'jpg', 'jpeg', 'gif', 'ico',
  'json', 'yml', 'yaml', 'toml', 'xml', 'csv', 'sql', 'ini', 'cfg',
]);

/**
 * Whether a changed file named like no manifest could plausibly be a requirements file a manifest
 * includes, judged by its extension alone. Used only when the base's includes cannot be told: the
 * review then says such a file "could not be told" (partial) rather than pass it over, and a file
 * whose extension marks it as something else (`src/app.py`, `README.md`) is not said — else every
 * code-only pull request of a repository past the include limits got a partial card. When the
 * base can be told, what its manifests include decides, whatever the name (mayBeIncluded).
 */
export function mayBeRequirements(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  // No extension (`ci/deps`, `Dockerfile`, `.gitignore`-style names): counted. pip reads any name
  // it is told to (`-r ci/deps`), and nothing marks such a name as another kind of file the way an
  // extension does; only what the manifests include could rule one out, and that is exactly what
  // could not be told when this is asked. A `Dockerfile` in a code-only pull request then makes its
  // card partial ("could not be told"): noise, never silence, and only past the include limits.
  if (dot <= 0) return true;
  return !NOT_REQUIREMENTS_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}

export type IncludedFiles =
  /**
   * `texts`: what was read on the way, by textKey (null: not at that commit), for the review to
   * reuse. `roots`: the manifests includes start from; `includers`: each included file → the files
   * that include it (rootsReaching).
   */
  | { included: Set<string>; texts: Map<string, string | null>; roots: readonly string[]; includers: Map<string, Set<string>> }
  /** Could not be told; `recoverable`: another sweep may tell (a request failed), else not at this commit. */
  | { unknown: string; recoverable: boolean };

/** The manifests that can include and are not excluded at `oid`, and every file they include, at any depth. */
export async function includedAt(
  octokit: Octokit,
  at: { owner: string; repo: string; oid: string },
  excludedBy: Excluder,
  /** Texts already read (by textKey), not asked again: the changed files at the base. */
  known: ReadonlyMap<string, string | null> = new Map(),
  /** Where the manifests are parsed (the bot: a worker thread, AuditRunner.reads); default: this thread. */
  reach: typeof reachedFrom = reachedFrom,
): Promise<IncludedFiles & { requests: number }> {
  let requests = 1;
  const listing = await listFilePaths(octokit, at, at.oid);
  if ('error' in listing) return { unknown: listing.error, recoverable: true, requests };
  if (listing.truncated) return { unknown: 'GitHub listed only part of the repository', recoverable: false, requests };
  const texts: Record<string, string> = {};
  const read = new Map<string, string | null>();
  const included = new Set<string>();
  // pip-tools inputs named like anything (`dev.in`): the audit reads them, and the `.txt` compiled
  // from them, when that `.txt` says so (discover.ts), so both count as what the project installs.
  const pairs = [...pipToolsPairs(listing.paths)].filter(([input, compiled]) => excludedBy(input) === null && excludedBy(compiled) === null);
  // A confirmed pair's input is a root too (pushed below, once its compiled file says so).
  const roots = [...includingRoots(listing.paths, excludedBy), ...pairs.map(([, compiled]) => compiled)];
  let level = [...roots];
  const asked = new Set(level);
  const includers = new Map<string, Set<string>>();
  // Bounded as snapshots are: the depth and breadth of includes are the repository's to choose, and
  // any changed `.txt` asks this, so past the limits the answer is "cannot tell", said on the review.
  // Only files reached through an include count: the roots (manifests by name, and pip-tools pairs,
  // which discovery reads on their own) are bounded by the listing, as the audit's are, and each is
  // read once (TEXTS_BATCH a query), so a repository of many `X.in`/`X.txt` pairs is told, not
  // "cannot tell" past 200 of them.
  let includedFiles = 0;
  for (let depth = 0, first = true; level.length > 0; first = false, depth += 1) {
    if (depth > MAX_INCLUDE_LEVELS) return { unknown: `includes go deeper than ${MAX_INCLUDE_LEVELS} levels`, recoverable: false, requests };
    if (includedFiles > MAX_INCLUDED_FILES) return { unknown: `includes name more than ${MAX_INCLUDED_FILES} files`, recoverable: false, requests };
    const unread = level.filter((path) => typeof known.get(textKey({ ...at, path })) !== 'string');
    const answer = unread.length > 0 ? await readTexts(octokit, unread.map((path) => ({ ...at, path }))) : null;
    requests += answer?.requests ?? 0;
    for (const path of level) {
      const key = textKey({ ...at, path });
      const why = answer?.failed.get(key);
      if (why !== undefined) return { unknown: `${path} ${why}`, recoverable: !answer!.permanent.has(key), requests };
      const text = known.get(key) ?? answer?.texts.get(key);
      if (text !== undefined && answer?.texts.has(key)) read.set(key, text);
      if (typeof text === 'string') texts[path] = text;
    }
    const compiledPairs = first ? pairs.filter(([input, compiled]) => typeof texts[compiled] === 'string' && isCompiledFrom(texts[compiled], input)) : [];
    for (const [input, compiled] of compiledPairs) {
      included.add(input).add(compiled);
      roots.push(input);
    }
    const { read: loaded, missing, includes } = await reach(texts, first ? level.filter((path) => formatForPath(path) !== null) : level, { asRequirements: !first });
    for (const path of loaded) included.add(path);
    for (const [from, targets] of includes) for (const to of targets) includers.set(to, (includers.get(to) ?? new Set()).add(from));
    // Each file once, and only those that are there: an include of a missing file is the audit's to
    // report. A compiled pair's input is read next, for what it includes (a root: not counted).
    const next = [...missing].filter((path) => listing.paths.has(path) && !asked.has(path));
    for (const path of next) asked.add(path);
    includedFiles += next.length;
    const inputs = compiledPairs.map(([input]) => input).filter((path) => listing.paths.has(path) && !asked.has(path));
    for (const path of inputs) asked.add(path);
    level = [...next, ...inputs];
  }
  return { included, texts: read, roots, includers, requests };
}

/**
 * The manifests includes start from (`roots`) that lead, at any depth, to any of `paths`: what a
 * review reads such a file through, so that a side reads it only when that side's manifests reach it.
 * Linear in the include graph (each file visited once).
 */
export function rootsReaching(reach: { roots: readonly string[]; includers: ReadonlyMap<string, ReadonlySet<string>> }, paths: readonly string[]): string[] {
  const isRoot = new Set(reach.roots);
  const seen = new Set<string>();
  const queue = [...paths];
  const found: string[] = [];
  while (queue.length > 0) {
    const path = queue.pop()!;
    for (const from of reach.includers.get(path) ?? []) {
      if (seen.has(from)) continue;
      seen.add(from);
      if (isRoot.has(from)) found.push(from);
      queue.push(from);
    }
  }
  return found.sort();
}
