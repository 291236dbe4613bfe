/**
 * Audits a file tree (a local checkout or a GitHub snapshot): discovery, loading, the interpreter
 * and ignore files, then the audit itself. The CLI, `/audit` and the scheduler all come through here.
 */
import { isProjectContextPath } from '../python/discover.js';
import type { FileSource } from '../python/files.js';
import { loadManifests, messageWithoutIncluder, type LoadResult } from '../python/load.js';
import type { ExtractError, ManifestFormat } from '../python/types.js';
import { runAudit, type AuditInput, type AuditResult } from './audit.js';
import { CONFIG_FILES, describeUnmatched, excluder, unmatchedExcludes, type Excluder, type Exclusion } from './exclude.js';
import type { DepwatchFile } from './ignore-file.js';
import { manifestExclusions, readText, readTreeSettings, withSettingsNotes, type TreeSettings } from './tree-excludes.js';

export { readTreeSettings, withSettingsNotes, type TreeSettings };

export type TreeAuditOptions = Omit<AuditInput, 'load' | 'contextFiles' | 'exclusions' | 'settings'> & {
  /** Problems found before the audit (a snapshot's unreadable files), reported with the rest. */
  extraErrors?: ExtractError[];
};

/**
 * One manifest named for the audit (`depwatch audit FILE`), read as `format`, with what it includes:
 * read in place of discovery, so no other manifest of the tree is, and `exclude:` (which only passes
 * over what discovery would find) neither applies to it nor is counted.
 */
export interface NamedManifest {
  path: string;
  format: ManifestFormat;
}

export async function auditFileSource(source: FileSource, options: TreeAuditOptions, settings?: TreeSettings, manifest?: NamedManifest): Promise<AuditResult> {
  return auditTree(await readTree(source, settings, manifest), options);
}

/** What an audit reads from a tree: its manifests, parsed, and the interpreter and ignore files. */
export interface TreeContents {
  load: LoadResult;
  contextFiles: { path: string; text: string }[];
  /** What `exclude:` in the tree's `.depwatch.yml` left unread, per entry (empty without one). */
  exclusions: Exclusion[];
  /** Which entry excludes a path (null: none); what was found elsewhere (a snapshot's problems) is filtered with it. */
  excludedBy: Excluder;
  /** One note per `exclude:` entry that keeps nothing out (unmatchedExcludes). */
  unmatched: string[];
  /** The tree's `.depwatch.yml`, parsed once (TreeSettings.parsed): the audit's ignores and notes. */
  settings: DepwatchFile | null;
}

export async function readTree(source: FileSource, given?: TreeSettings, manifest?: NamedManifest): Promise<TreeContents> {
  const paths = await source.list();
  const contextPaths = paths.filter(isProjectContextPath);
  // The settings first: `exclude:` must be known before any manifest is listed for loading.
  const settings = given ?? (await readTreeSettings(source, paths));
  const contextErrors: ExtractError[] = [...settings.errors];
  const read = new Map<string, string>(settings.files.map((f) => [f.path, f.text]));
  const readContext = async (path: string) => {
    const text = await readText(source, path, contextErrors);
    if (text !== null) read.set(path, text);
  };
  const excludes = settings.parsed?.excludes ?? [];
  const excludedBy = excluder(excludes);
  const isExcluded = (path: string) => excludedBy(path) !== null;
  for (const path of contextPaths) if (!CONFIG_FILES.includes(path) && !isExcluded(path)) await readContext(path);

  const load = await loadManifests(source, manifest ? { paths: [manifest.path], format: manifest.format } : { exclude: isExcluded });
  for (const error of contextErrors) load.errors.push(error);
  // The manifests discovery would have read, had they not been excluded, less those read all the
  // same (included by a manifest that was read: then its findings are reported, and it was read).
  // A named manifest was not discovered: nothing was passed over, and no entry has anything to keep out.
  const exclusions = manifest ? [] : manifestExclusions(paths, excludedBy, load, source.folder);
  const contextFiles = contextPaths.filter((p) => read.has(p)).map((path) => ({ path, text: read.get(path)! }));
  const unmatched = manifest ? [] : unmatchedExcludes(paths, excludes, excludedBy).map(describeUnmatched);
  return { load, contextFiles, exclusions, excludedBy, unmatched, settings: settings.parsed };
}

/** The audit of a tree already read (readTree), for callers that also need what was read. */
export function auditTree(contents: TreeContents, options: TreeAuditOptions): Promise<AuditResult> {
  const { extraErrors, ...rest } = options;
  // A problem found before the audit (a snapshot's file too large to fetch) under an excluded path
  // is about a file the user said is not the project's: not read either way, and not a reason. One
  // the loader said already (an include the snapshot could not download, refused in its words) is
  // said once; it stands even under an excluded path, since a manifest that is read includes it.
  // (Compared without the include the loader names: the snapshot says the file alone.)
  // The loader's own line for such a file is transient when the snapshot's was (GitHub failed to
  // hand it over: reading it again may succeed).
  const saidKey = (e: ExtractError) => errorKey({ ...e, message: messageWithoutIncluder(e) });
  const said = new Set(contents.load.errors.map(saidKey));
  const kept = extraErrors?.filter((e) => !said.has(errorKey(e)) && (e.file === '(tree)' || contents.excludedBy(e.file) === null));
  const transient = new Set((extraErrors ?? []).filter((e) => e.transient).map(errorKey));
  const loaded = transient.size === 0 ? contents.load.errors : contents.load.errors.map((e) => (transient.has(saidKey(e)) ? { ...e, transient: true as const } : e));
  const load = kept?.length || loaded !== contents.load.errors ? { ...contents.load, errors: [...loaded, ...(kept ?? [])] } : contents.load;
  return runAudit({ ...rest, load, contextFiles: contents.contextFiles, settings: contents.settings, exclusions: contents.exclusions, excludeNotes: contents.unmatched });
}

const errorKey = (e: ExtractError) => `${e.file}\u0000${e.line}\u0000${e.message}`;

/** Whether the tree had anything to audit: used to tell "no findings" from "nothing found". */
export const hasManifests = (result: AuditResult) => result.dependencies > 0 || result.errors.length > 0;
