/**
 * `exclude:` for readers of a tree that are not the audit (`depwatch deps`), and the audit's count
 * of what it kept out. Apart from run.ts so that `deps` does not load the audit and its rules.
 */
import { isManifestPath, isProjectContextPath } from '../python/discover.js';
import type { FileSource } from '../python/files.js';
import { decodeManifest, readConfined, type LoadResult } from '../python/load.js';
import type { ExtractError } from '../python/types.js';
import { applyExcludes, CONFIG_FILES, describeUnmatched, excluder, parseExcludes, parseSettings, unmatchedExcludes, type Excluder, type Exclusion } from './exclude.js';
import type { DepwatchFile } from './ignore-file.js';

/** A tree's settings, read before anything else in it: `exclude:` decides what else is read. */
export interface TreeSettings {
  /** The settings files the tree has, with their text (context files of the audit). */
  files: { path: string; text: string }[];
  /** Why a settings file could not be read (the audit reports it with the manifests' problems). */
  errors: ExtractError[];
  /** The first of them (CONFIG_FILES order), parsed once for the audit, the scan and the excluder; null without one. */
  parsed: DepwatchFile | null;
}

/**
 * The tree's settings files, read and the first parsed. readTree (run.ts) reads them itself; a
 * caller that also scans the tree reads them first, to hand the one parse to both (readTree's
 * `settings`); a GitHub snapshot reads them before it downloads the rest, so the audit and the
 * snapshot leave out exactly the same paths. Here, apart from run.ts, so that neither `deps` nor a
 * snapshot loads the audit and its rules.
 */
export async function readTreeSettings(source: FileSource, paths?: readonly string[]): Promise<TreeSettings> {
  const files: { path: string; text: string }[] = [];
  const errors: ExtractError[] = [];
  for (const path of (paths ?? (await source.list())).filter((p) => isProjectContextPath(p) && CONFIG_FILES.includes(p))) {
    const text = await readText(source, path, errors);
    if (text !== null) files.push({ path, text });
  }
  // Its parser loads only when the tree has the file.
  const config = CONFIG_FILES.map((name) => files.find((f) => f.path === name)).find((f) => f !== undefined);
  return { files, errors, parsed: config ? await parseSettings(config.text, config.path) : null };
}

export async function readText(source: FileSource, path: string, errors: ExtractError[]): Promise<string | null> {
  const bytes = await readConfined(source, path, errors);
  return bytes ? decodeManifest(bytes, path, errors) : null;
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
