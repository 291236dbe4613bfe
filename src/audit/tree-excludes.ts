/**
 * `exclude:` for readers of a tree that are not the audit (`depwatch deps`), and the audit's count
 * of what it kept out. Apart from run.ts so that `deps` does not load the audit and its rules.
 */
import { isManifestPathIn, isProjectContextPath } from '../python/discover.js';
import { memorySource, treeFileBytes, type FileSource, type TreeFile } from '../python/files.js';
import { decodeManifest, readConfined, type LoadResult } from '../python/load.js';
import type { ExtractError } from '../python/types.js';
import { applyExcludes, CONFIG_FILES, configFileOf, describeUnmatched, excluder, misnamedSettingsNotes, parseSettings, settingsFolderNotes, settingsTooLarge, unmatchedExcludes, unreadSettingsNotes, type ExcludeRule, type Excluder, type Exclusion } from './exclude.js';
import type { DepwatchFile } from './ignore-file.js';
import type { IgnoreNote } from './ignores.js';

/** A tree's settings, read before anything else in it: `exclude:` decides what else is read. */
export interface TreeSettings {
  /** The settings file, with its text, when it could be read (a context file of the audit). */
  files: { path: string; text: string }[];
  /** Why the settings file could not be read (the audit reports it with the manifests' problems). */
  errors: ExtractError[];
  /**
   * The settings file (configFileOf: `.depwatch.yml` when the tree has both), parsed once for the
   * audit, the scan and the excluder, with a note on the other file, which is not read
   * (unreadSettingsNotes); null without a settings file.
   */
  parsed: DepwatchFile | null;
}

/**
 * The tree's settings file, read and parsed. readTree (run.ts) reads it itself; a caller that also
 * scans the tree reads it first, to hand the one parse to both (readTree's `settings`); a GitHub
 * snapshot reads it before it downloads the rest, so the audit and the snapshot leave out exactly
 * the same paths. Here, apart from run.ts, so that neither `deps` nor a snapshot loads the audit and
 * its rules.
 */
export async function readTreeSettings(source: FileSource, paths?: readonly string[]): Promise<TreeSettings> {
  const all = paths ?? (await source.list());
  const listed = all.filter((p) => isProjectContextPath(p) && CONFIG_FILES.includes(p));
  const settingsFile = configFileOf(listed);
  const folders = [...(await settingsFolderNotes(all, source.isFolder?.bind(source))), ...misnamedSettingsNotes(all)];
  if (settingsFile === null) return { files: [], errors: [], parsed: withUnreadNotes(null, folders) };
  const errors: ExtractError[] = [];
  // Never read through a link, even one inside the tree: `depwatch scan` follows no link, and both
  // commands must apply the same settings. Not read, so partial, as a settings file that cannot be.
  const text = (await source.isLink?.(settingsFile))
    ? (errors.push({ file: settingsFile, line: null, message: `${settingsFile} is a symbolic link; not followed (the settings are read only from a file of the tree itself)` }), null)
    : await readSettingsText(source, settingsFile, errors);
  // Its parser loads only when the tree has the file.
  const parsed = text === null ? null : await parseSettings(text, settingsFile);
  return { files: text === null ? [] : [{ path: settingsFile, text }], errors, parsed: withUnreadNotes(parsed, [...folders, ...unreadSettingsNotes(listed)]) };
}

/**
 * The `exclude:` entries of a tree's settings files given as texts (a GitHub snapshot's, downloaded
 * before the rest), read as the audit reads them (readTreeSettings), so that a snapshot leaves out
 * exactly the paths the audit will. A file that cannot be read or does not parse excludes nothing,
 * as in the audit (which says why).
 */
export async function settingsExcludes(settings: readonly TreeFile[]): Promise<ExcludeRule[]> {
  if (settings.length === 0) return [];
  // As the audit's tree source gives them: one that is not UTF-8 is not read, so its excludes are not applied.
  const source = memorySource(Object.fromEntries(settings.map((f) => [f.path, treeFileBytes(f)])));
  return (await readTreeSettings(source, settings.map((f) => f.path))).parsed?.excludes ?? [];
}

/**
 * The tree's settings with notes on a settings file the tree does not read (the repository root's,
 * above an audited subfolder: src/cli/root-settings.ts), said where the settings' own notes are.
 */
export function withSettingsNotes(settings: TreeSettings, notes: IgnoreNote[]): TreeSettings {
  return notes.length === 0 ? settings : { ...settings, parsed: withUnreadNotes(settings.parsed, notes) };
}

/** A parse with the notes on the settings files not read: said wherever the parse's own notes are said. */
function withUnreadNotes(parsed: DepwatchFile | null, unread: IgnoreNote[]): DepwatchFile | null {
  if (unread.length === 0) return parsed;
  const { rules, excludes, notes, excludeNotes } = parsed ?? { rules: [], excludes: [], notes: [], excludeNotes: [] };
  // In excludeNotes too: the other file's `exclude:` is not applied either (`depwatch deps` says that).
  return { rules, excludes, notes: [...notes, ...unread], excludeNotes: [...excludeNotes, ...unread] };
}

/** The settings file's text, or null with one error: as any file, and not over MAX_SETTINGS_BYTES (never parsed then). */
async function readSettingsText(source: FileSource, path: string, errors: ExtractError[]): Promise<string | null> {
  const bytes = await readConfined(source, path, errors);
  if (!bytes) return null;
  const tooLarge = settingsTooLarge(bytes.length);
  if (tooLarge !== null) {
    errors.push({ file: path, line: null, message: `file is ${tooLarge}` });
    return null;
  }
  return decodeManifest(bytes, path, errors);
}

export async function readText(source: FileSource, path: string, errors: ExtractError[]): Promise<string | null> {
  const bytes = await readConfined(source, path, errors);
  return bytes ? decodeManifest(bytes, path, errors) : null;
}

/**
 * The `exclude:` of a tree's settings file alone, for readers that apply nothing else of it
 * (`depwatch deps`): the test of a path, and notes on bad entries, on a file that could not be read
 * (then nothing is excluded: every file is read, which can only make a result fuller), or on the
 * other settings file, which is not read (unreadSettingsNotes).
 */
export async function readTreeExcludes(source: FileSource): Promise<{ excludedBy: Excluder; notes: string[] }> {
  const paths = await source.list();
  const settings = await readTreeSettings(source, paths);
  const excludes = settings.parsed?.excludes ?? [];
  const excludedBy = excluder(excludes);
  return {
    excludedBy,
    notes: [
      ...settings.errors.map((e) => `${e.file}: ${e.message}; nothing was excluded`),
      ...(settings.parsed?.excludeNotes.map((n) => n.message) ?? []),
      ...unmatchedExcludes(paths, excludes, excludedBy).map(describeUnmatched),
    ],
  };
}

/**
 * What each entry kept out of a listing, as the audit counts it: the manifests discovery would have
 * read, less those read all the same (`read`: the paths loaded, and those tried and said in errors:
 * a manifest the project includes, `-r tests/fixtures/requirements.txt`, is followed). Counted from
 * what was loaded, so the note never says a file whose findings are reported was not read.
 * `folder`: the audited folder's name, as discovery matched the paths (FileSource.folder).
 */
export function manifestExclusions(paths: readonly string[], excludedBy: Excluder, read: LoadResult, folder?: string): Exclusion[] {
  const tried = new Set<string>([...read.manifests.map((m) => m.path), ...read.errors.map((e) => e.file)]);
  const { counts } = applyExcludes(paths, excludedBy, (path) => isManifestPathIn(folder, path) && !tried.has(path));
  return [...counts].map(([rule, manifests]) => ({ path: rule.path, reason: rule.reason, source: rule.source, manifests }));
}
