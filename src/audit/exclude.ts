/**
 * `exclude:` in `.depwatch.yml`: paths the user says are not their project (test fixtures, vendored
 * examples), which the audit's manifest discovery and the code scan do not read. Excluding is the
 * user's explicit decision, so it does not make a result partial; it is never silent either: every
 * result says, once per entry, how many files it left unread, where, and why (the entry's reason).
 *
 * Light on purpose: the parser of the file (YAML, zod) is in ignore-file.ts and loads only for a
 * tree that has one (readTreeExcludes); a tree without `.depwatch.yml` costs one lookup in a list.
 */
import { plural } from '../plural.js';
import { compileGlob } from './glob.js';
import type { DepwatchFile } from './ignore-file.js';
import type { IgnoreNote } from './ignores.js';

/** The names a tree's settings file may have; only at the root, and only the first one listed is read (configFileOf). */
export const CONFIG_FILES: readonly string[] = ['.depwatch.yml', '.depwatch.yaml'];

/**
 * The largest settings file read, in bytes: one over it is not parsed, and is said as a settings
 * file that could not be read is (nothing excluded, no ignore applied, the result partial). A
 * settings file is a few KB; the most of it ever applied (100 `exclude:` entries, paths within
 * 5,000 characters, reasons, a few hundred ignores with theirs) stays well under 100 KB, so 256 KB
 * refuses no file written by hand. Above it, parsing only costs: YAML and its validation take about
 * 0.6 s a MB (a 5 MB file held a thread for 3 s), and every reader of a tree, a snapshot, a pull
 * request review or a fix pull request parses it first.
 */
export const MAX_SETTINGS_BYTES = 256 * 1024;

/** Why a settings file of `bytes` is not read (`5.0 MB, over the 256 KB limit for settings files; not read`), or null. */
export function settingsTooLarge(bytes: number): string | null {
  if (bytes <= MAX_SETTINGS_BYTES) return null;
  const size = bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
  return `${size}, over the ${MAX_SETTINGS_BYTES / 1024} KB limit for settings files; not read`;
}

export interface ExcludeRule {
  /** A .gitignore-syntax glob, relative to the root: `tests/fixtures/`, `/examples/`, `*.ipynb`. */
  path: string;
  reason: string;
  /** Where it was written: `.depwatch.yml`. */
  source: string;
}

/** What one exclude entry left unread. */
export interface Exclusion {
  path: string;
  reason: string;
  source: string;
  /** Manifests and lockfiles the audit's discovery would have read. */
  manifests: number;
  /** Files the code scan would have read (absent when the code was not scanned). */
  files?: number;
}

/** The entry that excludes a path (the first that matches), or null. One matcher per entry, built once. */
export type Excluder = (path: string) => ExcludeRule | null;

/**
 * A file at the root of the tree (a path with no `/`) is excluded only by an entry that names it
 * anchored to the root, without wildcards (`/setup.py`): the root is where a project's own
 * manifests are (fixtures live in folders), and a glob such as `[a-ce-z]*` or `r*` would otherwise
 * hide `requirements.txt` with only a note, past the refusal of globs that match any name. A bare
 * `requirements.txt` keeps its meaning of the files of that name in folders (fixtures), as before
 * root files could be excluded; the leading `/` is the decision about the root's own file. A
 * `setup.py` whose `install_requires` is computed from requirements files the audit reads on their
 * own is the case it exists for. A folder at the root (`tests/`, with its `/`) can be excluded by
 * any glob.
 */
export function excluder(rules: readonly ExcludeRule[]): Excluder {
  if (rules.length === 0) return () => null;
  const matchers = rules.map((rule) => ({ rule, matches: compileGlob(rule.path), rootFile: namedRootFile(rule.path) }));
  // Each path is answered once: the audit counts what was kept out and what kept nothing out, and
  // filters discovery, from the same listing (globs from the repository cost path × glob each).
  const answers = new Map<string, ExcludeRule | null>();
  return (path) => {
    let rule = answers.get(path);
    if (rule === undefined) {
      rule = path.includes('/') ? matchers.find((m) => m.matches(path))?.rule ?? null : matchers.find((m) => m.rootFile === path)?.rule ?? null;
      answers.set(path, rule);
    }
    return rule;
  };
}

/** The root file an entry names anchored and exactly (`/setup.py`), or null for anything else. */
function namedRootFile(glob: string): string | null {
  if (!glob.startsWith('/')) return null;
  const name = glob.slice(1);
  return name !== '' && !/[/*?[\\!]/.test(name) ? name : null;
}

/**
 * Splits `paths` into those kept and, per entry, how many each entry excluded (`count` picks which
 * excluded paths are counted: the manifests among them for the audit, every file for the scan).
 */
export function applyExcludes(
  paths: readonly string[],
  excludedBy: Excluder,
  count: (path: string) => boolean = () => true,
): { kept: string[]; counts: Map<ExcludeRule, number> } {
  const kept: string[] = [];
  const counts = new Map<ExcludeRule, number>();
  for (const path of paths) {
    const rule = excludedBy(path);
    if (rule === null) kept.push(path);
    else if (count(path)) counts.set(rule, (counts.get(rule) ?? 0) + 1);
  }
  return { kept, counts };
}

/**
 * The one line a result gives for an entry that left something unread. Without `files`, the
 * audit's manifests: "not read". With `files` (a code scan ran), the files the scan skipped: "not
 * scanned", a word true of each of them (the audit may have read one, included by a manifest it
 * read); then the manifests among them the audit did not read either, when there are any.
 */
export function describeExclusion(e: Exclusion): string {
  const why = `excluded by ${e.source} (${e.reason})`;
  // A folder's files are under it; a file name or a glob (`setup.py`, `*.ipynb`) is matched.
  const where = e.path.endsWith('/') ? `under ${e.path}` : `matching ${e.path}`;
  if (e.files === undefined) return `${plural(e.manifests, 'manifest')} ${where} ${e.manifests === 1 ? 'was' : 'were'} not read: ${why}`;
  const manifests = e.manifests > 0 ? ` (${e.manifests === e.files ? (e.files === 1 ? 'a manifest' : 'all manifests') : `${plural(e.manifests, 'manifest')} among them`}, not read either)` : '';
  return `${plural(e.files, 'file')} ${where} ${e.files === 1 ? 'was' : 'were'} not scanned${manifests}: ${why}`;
}

/**
 * The tree's settings file among `paths`: the first of CONFIG_FILES listed, or null. Chosen by what
 * is listed, not by what could be read: a `.depwatch.yml` that cannot be read is still the settings
 * file (its problem is reported, and nothing is ignored or excluded), never replaced by the other.
 */
export function configFileOf(paths: readonly string[]): string | null {
  return CONFIG_FILES.find((name) => paths.includes(name)) ?? null;
}

/**
 * One note for each settings file among `paths` that is not the settings file (configFileOf): a tree
 * with both `.depwatch.yml` and `.depwatch.yaml` has one settings file, and every reader (the audit,
 * `depwatch scan`, the scan of a commit for Slack, the tree's ignores stored for watching, `depwatch
 * deps`) applies that one and nothing of the other, so they never disagree on what is hidden.
 *
 * An `invalid` note, as for a settings file that does not parse, and like it not partial: the
 * other file's ignores not applied leave its findings reported, and its excludes not applied leave
 * its paths read, so not reading it can only show more (fail closed), never vouch for what was not
 * read. `settingsFile` names the file not read, so where an audit and a scan of the same tree meet
 * (withCodeScan) the note is said once.
 */
export function unreadSettingsNotes(paths: readonly string[]): IgnoreNote[] {
  const settingsFile = configFileOf(paths);
  return CONFIG_FILES.filter((name) => name !== settingsFile && paths.includes(name)).map((name) => ({
    kind: 'invalid',
    message: `${name}: not read, because ${settingsFile} is the settings file; merge its entries into ${settingsFile}`,
    settingsFile: name,
  }));
}

/**
 * One note for each settings file name that is a folder at the root (`.depwatch.yml/…` listed, or
 * nothing listed under it and `isFolder` says so: an empty folder): nothing in it is read as
 * settings, and without a note its writer would believe their ignores and excludes apply. An
 * `invalid` note, not partial, like unreadSettingsNotes: nothing is hidden by it, the tree is read
 * and reported whole. The other name, when it is a file, is the settings file.
 */
export async function settingsFolderNotes(paths: readonly string[], isFolder?: (path: string) => Promise<boolean>): Promise<IgnoreNote[]> {
  const notes: IgnoreNote[] = [];
  for (const name of CONFIG_FILES) {
    const folder = paths.some((p) => p.startsWith(`${name}/`)) || (isFolder !== undefined && !paths.includes(name) && (await isFolder(name)));
    if (!folder) continue;
    notes.push({
      kind: 'invalid',
      message: `${name}: a folder, not a settings file; nothing in it is read as settings (write the settings in a file of that name)`,
      settingsFile: name,
    });
  }
  return notes;
}

/** Names a writer may have meant for the settings file: another case, or without the leading dot. */
const NEAR_MISSES = new Set(CONFIG_FILES.flatMap((name) => [name, name.slice(1)]));

/**
 * One note for each file at the root named as the settings file is, but not quite (`.Depwatch.yml`,
 * `depwatch.yaml`), when the tree has no settings file: it is not read, and without a note its
 * writer would believe their ignores and excludes apply. An `invalid` note, not partial, as for a
 * folder of that name: nothing is hidden by it.
 */
export function misnamedSettingsNotes(paths: readonly string[]): IgnoreNote[] {
  if (configFileOf(paths) !== null) return [];
  return paths
    .filter(isMisnamedSettings)
    .map((name) => ({
      kind: 'invalid',
      message: `${name}: not read as settings; the settings file is named ${CONFIG_FILES.join(' or ')} (a leading dot, lower case)`,
      settingsFile: name,
    }));
}

/** A path at the root named as the settings file is, but not quite (misnamedSettingsNotes). */
export function isMisnamedSettings(path: string): boolean {
  return !path.includes('/') && !CONFIG_FILES.includes(path) && NEAR_MISSES.has(path.toLowerCase());
}

/**
 * A settings file's text, parsed: its ignores, its excludes and the notes about both (bad entries
 * are left out, each with a note). The parser loads here, so a tree without the file never loads
 * it. Parsed once per tree (readTree) and handed to the audit, the scan and the excluder.
 */
export async function parseSettings(text: string, source: string): Promise<DepwatchFile> {
  const { parseIgnoreFile } = await import('./ignore-file.js');
  return parseIgnoreFile(text, source);
}

/**
 * The exclude entries of a settings file's text, and the notes about them, for `depwatch deps`,
 * which applies nothing else of it (the audit and the scan give the notes where they give the rest
 * of the file's).
 */
export async function parseExcludes(text: string, source: string): Promise<{ excludes: ExcludeRule[]; notes: string[] }> {
  const parsed = await parseSettings(text, source);
  return { excludes: parsed.excludes, notes: parsed.excludeNotes.map((n) => n.message) };
}

/**
 * The entries that keep nothing out of a listing (no path matches them, or only paths an earlier
 * entry already excludes): a typo, a folder since renamed, or a case that differs (globs are
 * case-sensitive, as git is on Linux). Said once each, so an exclude that does nothing is noticed.
 */
export function unmatchedExcludes(paths: readonly string[], rules: readonly ExcludeRule[], excludedBy: Excluder): ExcludeRule[] {
  if (rules.length === 0) return [];
  const used = new Set<ExcludeRule>();
  for (const path of paths) {
    const rule = excludedBy(path);
    if (rule !== null) used.add(rule);
    if (used.size === rules.length) return [];
  }
  return rules.filter((r) => !used.has(r));
}

export const describeUnmatched = (rule: ExcludeRule): string =>
  `${rule.source}: exclude ${JSON.stringify(rule.path)} matches nothing not already excluded (paths are case-sensitive); fix the path or remove the entry`;
