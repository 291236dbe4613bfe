/**
 * `exclude:` for readers of a tree that are not the audit (`depwatch deps`), and the audit's count
 * of what it kept out. Apart from run.ts so that `deps` does not load the audit and its rules.
 */
import { isManifestPath } from '../python/discover.js';
import type { FileSource } from '../python/files.js';
import { decodeManifest, readConfined, type LoadResult } from '../python/load.js';
import type { ExtractError } from '../python/types.js';
import { applyExcludes, CONFIG_FILES, describeUnmatched, excluder, parseExcludes, unmatchedExcludes, type Excluder, type ExcludeRule, type Exclusion } from './exclude.js';

/**
 * The tree's settings files among `paths`, read (texts by path; what could not be read is said in
 * `errors`), and the `exclude:` entries of the one that counts: the first of CONFIG_FILES that was
 * read (none when it does not parse: then nothing is excluded). The audit reads them before
 * anything else (readTree), and a GitHub snapshot does the same before it downloads the rest, so
 * both leave out exactly the same paths.
 */
export async function readSettings(source: FileSource, paths: readonly string[], errors: ExtractError[]): Promise<{ texts: Map<string, string>; excludes: ExcludeRule[] }> {
  const texts = new Map<string, string>();
  for (const path of paths.filter((p) => CONFIG_FILES.includes(p))) {
    const bytes = await readConfined(source, path, errors);
    const text = bytes ? decodeManifest(bytes, path, errors) : null;
    if (text !== null) texts.set(path, text);
  }
  const config = CONFIG_FILES.find((p) => texts.has(p));
  return { texts, excludes: config === undefined ? [] : (await parseExcludes(texts.get(config)!, config)).excludes };
}

/**
 * The `exclude:` of a tree's `.depwatch.yml` alone, for readers that apply nothing else of it
 * (`depwatch deps`): the test of a path, and notes on bad entries, or on a file that could not be
 * read (then nothing is excluded: every file is read, which can only make a result fuller).
 */
export async function readTreeExcludes(source: FileSource): Promise<{ excludedBy: Excluder; notes: string[] }> {
  const paths = await source.list();
  const config = CONFIG_FILES.find((p) => paths.includes(p));
  if (config === undefined) return { excludedBy: excluder([]), notes: [] };
  const errors: ExtractError[] = [];
  const bytes = await readConfined(source, config, errors);
  const text = bytes ? decodeManifest(bytes, config, errors) : null;
  if (text === null) return { excludedBy: excluder([]), notes: errors.map((e) => `${config}: ${e.message}; nothing was excluded`) };
  const { excludes, notes } = await parseExcludes(text, config);
  const excludedBy = excluder(excludes);
  return { excludedBy, notes: [...notes, ...unmatchedExcludes(paths, excludes, excludedBy).map(describeUnmatched)] };
}

/**
 * What each entry kept out of a listing, as the audit counts it: the manifests discovery would have
 * read, less those read all the same (`read`: the paths loaded, and those tried and said in errors:
 * a manifest the project includes, `-r tests/fixtures/requirements.txt`, is followed). Counted from
 * what was loaded, so the note never says a file whose findings are reported was not read.
 */
export function manifestExclusions(paths: readonly string[], excludedBy: Excluder, read: LoadResult): Exclusion[] {
  const tried = new Set<string>([...read.manifests.map((m) => m.path), ...read.errors.map((e) => e.file)]);
  const { counts } = applyExcludes(paths, excludedBy, (path) => isManifestPath(path) && !tried.has(path));
  return [...counts].map(([rule, manifests]) => ({ path: rule.path, reason: rule.reason, source: rule.source, manifests }));
}
