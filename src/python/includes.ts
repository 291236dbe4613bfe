/**
 * What manifests include, for readers that fetch files as they find them: a GitHub snapshot (which
 * downloads what a checkout would hold) and a pull request's review (which reads both commits).
 * Both follow includes a level at a time, one batch of requests per level, and both ask this what
 * the files they hold lead to next, so they follow exactly what the audit's loader follows.
 */
import { memorySource } from './files.js';
import { loadManifests } from './load.js';

/**
 * Files that manifests include, followed beyond those chosen by name: at most this many levels of
 * includes (a batch of requests each) and this many files in all; past either, one problem line.
 */
export const MAX_INCLUDE_LEVELS = 10;
export const MAX_INCLUDED_FILES = 200;

/**
 * The files read from the roots, as the audit's loader reads them: `roots` in their own format (or
 * all as requirements files: `asRequirements`, as the loader reads an included file), then what
 * they include among `texts`, at any depth; what an include names that is not among `texts` is in
 * `missing` (to fetch next). `links`: paths that are symbolic links not resolved, refused as the
 * loader refuses them. `includes`: each file read → the files it includes, for a reader that must
 * tell which roots lead to a file (a pull request's review reads a changed included file only
 * through what includes it). `ownBytes`: given for a snapshot's texts, the paths whose text is the
 * file's own bytes (TreeFile.ownBytes); the other texts are then decoded text, read as treeSource
 * reads them (no coding line applied again).
 */
export async function reachedFrom(
  texts: Readonly<Record<string, string>>,
  roots: readonly string[],
  options: { asRequirements?: boolean; links?: Iterable<string>; ownBytes?: readonly string[] } = {},
): Promise<{ read: Set<string>; missing: Set<string>; includes: Map<string, readonly string[]> }> {
  if (roots.length === 0) return { read: new Set(), missing: new Set(), includes: new Map() };
  const own = new Set(options.ownBytes ?? []);
  const files = own.size === 0 ? texts : Object.fromEntries(Object.entries(texts).map(([path, text]) => [path, own.has(path) ? Buffer.from(text, 'latin1') : text]));
  const source = memorySource(files, options.links ? { links: options.links } : {});
  if (options.ownBytes) source.reencoded = (path) => !own.has(path);
  const load = await loadManifests(source, options.asRequirements ? { paths: [...roots], format: 'requirements' } : { paths: [...roots] });
  const read = new Set(load.manifests.map((m) => m.path));
  const missing = new Set(load.manifests.flatMap((m) => m.includes).filter((path) => !Object.hasOwn(texts, path)));
  return { read, missing, includes: new Map(load.manifests.map((m) => [m.path, m.includes])) };
}
