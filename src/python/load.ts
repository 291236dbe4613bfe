/**
 * Reads every manifest under a root (or the files asked for), follows `-r` / `-c` includes, and
 * guards against what should never be parsed: huge files, binary files, include cycles, paths that
 * leave the root. Pure parsing happens in the format modules; this is the only place that reads.
 */
import { posix } from 'node:path';
import { errorLine } from '../error-line.js';
import { boundMessage, clipInput, MESSAGE_MAX } from '../quoted-input.js';
import { decode, decodeLines, pipDeclaredDecode, utf16ByMark } from '../scan/text.js';
import { formatForPathIn, isCompiledFrom, isManifestPathIn, isUndecidedInput, pipToolsPairs } from './discover.js';
import { InSubmoduleError, LinkNotFollowedError, NotDownloadedError, NotRegularFileError, UnreadableFileError, type FileSource } from './files.js';
import { submodulesNotice } from './submodules.js';
import { loadFormatModule } from './formats/lazy.js';
import type { PylockOrigin } from './formats/created-by.js';
import type { Dependency, ExtractError, ExtractResult, LockedProject, ManifestFormat, ManifestOption, UvWorkspace } from './types.js';
import { compileGlobLevels } from '../audit/glob.js';
import { andMarker } from './pep508.js';
import { maskSecrets, redactSecrets } from '../redact.js';
import { compareCodeUnits } from '../text-order.js';

export const MAX_MANIFEST_BYTES = 5 * 1024 * 1024;

export interface LoadedManifest {
  path: string;
  format: ManifestFormat;
  /** Files this one includes (`-r` / `-c`), resolved, relative to the root. */
  includes: string[];
  dependencies: Dependency[];
  options: ManifestOption[];
  requiresPython: string | null;
  /** The tool that wrote a lockfile, when it says (pylock.toml `created-by`); absent otherwise. */
  lockedBy?: string;
  /** How a pylock.toml says it was made (its uv header); absent when it does not. */
  origin?: PylockOrigin;
  /** The compiler a requirements file's header names (ExtractResult.compiledBy); absent when none does. */
  compiledBy?: 'pip-compile' | 'uv-pip-compile';
  /** A lockfile's requirement list of each entry of `dependencies`, as read (ExtractResult.requirementLists); absent for other formats. */
  requirementLists?: unknown[];
  /** What a lock says the project itself requires (ExtractResult.lockedProject); absent when it says nothing. */
  lockedProject?: LockedProject;
  /**
   * The text as read, for the formats whose entries the fix advice quotes as `depwatch fix` would
   * rewrite them (TOML_ADVICE_FORMATS: a Pipfile or pyproject.toml entry keeps its other keys);
   * absent for the others (requirements files can be large, lockfiles are regenerated). Credentials
   * in URLs and the random part of tokens are masked (maskSecrets, same length), as everywhere a manifest is kept.
   */
  text?: string;
}

/** The formats whose text the loaded manifest keeps (LoadedManifest.text): small, hand-written TOML. */
const TOML_ADVICE_FORMATS: ReadonlySet<ManifestFormat> = new Set(['pipfile', 'pyproject']);

export interface LoadResult {
  manifests: LoadedManifest[];
  errors: ExtractError[];
  /**
   * What discovery says without it being a reason the result is partial: the `.in` files it passed
   * over (passedOverInputsNotice), the git submodules whose files the source does not have
   * (submodulesNotice). Absent when nothing is said, and when the files were given (`paths`).
   */
  notices?: string[];
}

export interface LoadOptions {
  /** Files to read (relative to the source root). Default: every manifest the source lists. */
  paths?: string[];
  /** Read the given paths as this format, whatever their names say. */
  format?: ManifestFormat;
  /**
   * Paths discovery passes over (`exclude:` in `.depwatch.yml`): neither read nor said to be missing
   * when the listing could not look into them. Only discovery: a file that a manifest read includes
   * (`-r tests/base.txt`) is still followed, as pip follows it, since it is what the project installs.
   */
  exclude?: (path: string) => boolean;
}

interface IncludeEdge {
  from: string;
  to: string;
  kind: 'requirement' | 'constraint';
  line: number | null;
  /** The group the includer gives the included file's entries (an extra), when it does. */
  group?: string;
  /** The marker the includer adds to them (a setup.py `"extra:marker"` key), when it does. */
  marker?: string;
}

/**
 * The manifests discovery found, one per file: a link inside the folder to another manifest
 * (`requirements.txt` → `requirements/base.txt`) was read at both paths, every finding of the file
 * said twice. Kept under the file's own path when that is among them (as a linked folder's files
 * are listed under their real path), else under the first; a path whose real path cannot be said
 * (a link leading out or nowhere) stays, so its read says why. `depwatch fix` plans one file once
 * the same way (src/fix/audited-files.ts).
 */
async function oncePerRealFile(paths: readonly string[], realPath: (path: string) => Promise<string | null>): Promise<string[]> {
  const reals = await Promise.all(paths.map((p) => realPath(p).catch(() => null)));
  const kept = new Map<string, number>();
  reals.forEach((real, i) => {
    if (real === null) return;
    const earlier = kept.get(real);
    if (earlier === undefined || paths[i] === real) kept.set(real, i);
  });
  return paths.filter((_, i) => reals[i] === null || kept.get(reals[i]!) === i);
}

export async function loadManifests(source: FileSource, options: LoadOptions = {}): Promise<LoadResult> {
  const errors: ExtractError[] = [];
  const loaded = new Map<string, LoadedManifest>();
  const edges: IncludeEdge[] = [];
  const leftToSetupPy: ExtractError[] = [];
  /** pyproject.toml files with a `[tool.uv.workspace]` table: workspace roots. */
  const uvWorkspaces = new Map<string, UvWorkspace>();
  const fileNotices: string[] = [];
  /** Files that could not be read (each said once, naming the first include of it). */
  const unreadable = new Set<string>();

  let roots = options.paths;
  /** What the source lists, when discovery chose the files (no `paths`). */
  let listed: readonly string[] | null = null;
  /** Manifests discovery found and `exclude:` kept out. */
  const excluded = new Set<string>();
  /**
   * Candidate compiled `.txt` files that could not be read, with where their errors are: tried once,
   * so an include of one (or discovery) does not read and say it again; the first include names itself on them.
   */
  const unreadCandidates = new Map<string, { from: number; to: number }>();
  if (roots === undefined) {
    const exclude = options.exclude ?? (() => false);
    listed = await source.list();
    const pipToolsFiles = await compiledPipToolsPairs(source, listed, exclude, errors, unreadCandidates);
    for (const path of unreadCandidates.keys()) unreadable.add(path);
    roots = [];
    for (const path of listed) {
      if (!isManifestPathIn(source.folder, path) && !pipToolsFiles.has(path)) continue;
      if (exclude(path)) excluded.add(path);
      else roots.push(path);
    }
    if (source.realPath) roots = await oncePerRealFile(roots, source.realPath);
    // What the listing could not look into may hold manifests: said first, as not read.
    // (each names a folder or a linked folder: asked as a folder too, so `tests/fixtures/` covers it).
    for (const error of (await source.listingErrors?.()) ?? []) if (!exclude(error.file) && !exclude(`${error.file}/`)) errors.push(error);
  }
  /** `includedBy`: the include line that queued the file (the first one), named in the errors of a file that cannot be read. */
  const queue: { path: string; format: ManifestFormat | null; includedBy?: { file: string; line: number | null } }[] = roots.map((p) => ({
    path: p,
    // A pip-tools input named like anything (`dev.in`) and its compiled `.txt` are requirements files.
    format: options.format ?? formatForPathIn(options.paths === undefined ? source.folder : undefined, p) ?? (options.paths === undefined ? 'requirements' : null),
  }));

  // An index into the queue, not `shift()`: 40,000 `-r` lines queue 40,000 entries.
  for (let next = 0; next < queue.length; next++) {
    const { path, format, includedBy } = queue[next]!;
    if (loaded.has(path) || unreadable.has(path)) {
      const said = includedBy === undefined ? undefined : unreadCandidates.get(path);
      if (said !== undefined) {
        for (let i = said.from; i < said.to; i++) errors[i] = withIncluder(errors[i]!, path, includedBy!);
        unreadCandidates.delete(path);
      }
      continue;
    }
    if (!format) {
      errors.push({ file: path, line: null, message: 'not a known manifest format (use --format to say which)' });
      continue;
    }
    const said = errors.length;
    const read = await readText(source, path, format, errors);
    // A file an include named and that cannot be read: its errors say which line named it, so the
    // user knows which `-r` to fix. Only the errors just said, each once (`file` stays the file).
    if (includedBy !== undefined) for (let i = said; i < errors.length; i++) errors[i] = withIncluder(errors[i]!, path, includedBy);
    if (read === null) {
      // Tried once: another include of it would say the same again (and read it again).
      unreadable.add(path);
      continue;
    }
    const { text, undecodable } = read;

    // A reader that cannot be loaded (an install missing files) leaves this file unread, said as
    // for any file not read (the result is partial), rather than failing the whole audit.
    const reader = await loadFormatModule(format).catch((err: unknown) => {
      errors.push({ file: path, line: null, message: `the ${format} reader could not be loaded (${firstLineOf(err)}); not read` });
      return null;
    });
    if (reader === null) continue;
    // Readers report bad input as error lines; a throw is a bug in one of them. It costs this one
    // file (unread, so the result is partial), never the audit of the others.
    let result: ExtractResult;
    try {
      result = reader.extract(text, { file: path, ...(undecodable.length === 0 ? {} : { undecodable }) });
    } catch (err) {
      errors.push({ file: path, line: null, message: `the ${format} reader failed on this file (${firstLineOf(err)}); not read` });
      continue;
    }
    // A Dockerfile that installs nothing with pip is no Python manifest: a Go service's image does
    // not make its tree one that was audited (the audit still says none was found).
    if (format === 'dockerfile' && installsNothing(result)) continue;
    const manifest: LoadedManifest = {
      path,
      format,
      includes: [],
      dependencies: result.dependencies,
      options: result.options ?? [],
      requiresPython: result.requiresPython ?? null,
      ...(result.lockedBy ? { lockedBy: result.lockedBy } : {}),
      ...(result.origin ? { origin: result.origin } : {}),
      ...(result.compiledBy ? { compiledBy: result.compiledBy } : {}),
      ...(result.requirementLists ? { requirementLists: result.requirementLists } : {}),
      ...(result.lockedProject ? { lockedProject: result.lockedProject } : {}),
      // Credentials in URLs masked, as the blob cache keeps manifests: a loaded manifest goes to worker
      // threads, logs and stores, and the advice never quotes a URL entry (the fixer leaves those alone).
      ...(TOML_ADVICE_FORMATS.has(format) ? { text: maskSecrets(text) } : {}),
    };
    loaded.set(path, manifest);
    // A loop, not `push(...list)`: spreading a long list passes each element as an argument.
    // Every format's problems bounded in one place: the lock readers build theirs without the
    // collector, and a message quoting megabytes of a file would reach every report and Slack.
    for (const error of result.errors) errors.push(error.message.length > MESSAGE_MAX ? { ...error, message: boundMessage(error.message) } : error);
    for (const error of result.leftToSetupPy ?? []) leftToSetupPy.push(error);
    if (result.uvWorkspace !== undefined) uvWorkspaces.set(path, result.uvWorkspace);
    for (const notice of result.notices ?? []) fileNotices.push(notice);

    for (const inc of result.includes ?? []) {
      const target = resolveInclude(path, inc.path);
      if (target === null) {
        errors.push({ file: path, line: inc.line, message: `${clipInput(inc.path)}: leaves the scanned root, not followed` });
        continue;
      }
      manifest.includes.push(target);
      edges.push({
        from: path,
        to: target,
        kind: inc.kind,
        line: inc.line,
        ...(inc.group === undefined ? {} : { group: inc.group }),
        ...(inc.marker === undefined ? {} : { marker: inc.marker }),
      });
      // Included files are requirements files whatever their name (pip reads them as such).
      queue.push({ path: target, format: 'requirements', includedBy: { file: path, line: inc.line } });
    }
  }

  markConstraints(loaded, edges);
  applyIncludeGroups(loaded, edges, roots);
  for (const error of findCycles(edges)) errors.push(error);
  // The `.in` files discovery passed over and nothing included: said, so none is left out unseen.
  // One `exclude:` names was left out by the user's own decision, and is not said again.
  const exclude = options.exclude ?? (() => false);
  const passedOver = listed === null ? [] : listed.filter((path) => !loaded.has(path) && !unreadable.has(path) && !exclude(path) && isUndecidedInput(path, source.folder));
  const notice = passedOverInputsNotice(passedOver);
  const empty = emptyRequirementsNotice([...loaded.values()], errors);
  const submodules = listed === null ? [] : await submoduleNotices(source, exclude);
  const folders = listed === null ? null : manifestFoldersNotice(((await source.manifestFolders?.()) ?? foldersNamedAsManifests(listed, source.folder)).filter((path) => !exclude(path) && !exclude(`${path}/`)));
  const notices = [...(notice === null ? [] : [notice]), ...(folders === null ? [] : [folders]), ...submodules, ...(empty === null ? [] : [empty]), ...withoutMembersUvLists(loaded, uvWorkspaces), ...fileNotices];
  return {
    manifests: [...loaded.values()],
    errors: withoutWhatSetupPyAnswered(errors, leftToSetupPy, loaded, excluded),
    ...(notices.length === 0 ? {} : { notices }),
  };
}

/** Whether a reader found nothing at all in its file: no entry, option, problem or notice. */
function installsNothing(result: ExtractResult): boolean {
  return result.dependencies.length === 0 && result.errors.length === 0 && (result.options?.length ?? 0) === 0 && (result.notices?.length ?? 0) === 0;
}

/** The `[tool.uv]` lists uv reads only from a workspace's root pyproject.toml. */
const UV_ROOT_ONLY_SECTIONS = new Set(['tool.uv.override-dependencies', 'tool.uv.constraint-dependencies']);

/**
 * States workspace globs may visit, over all the members asked about: far above any real workspace
 * (a few globs, a few dozen members, paths of a few folders). Past it, a file is taken as no
 * member, and keeps its lists (rated, never hidden).
 */
const MAX_WORKSPACE_GLOB_WORK = 1_000_000;

/**
 * uv reads `override-dependencies` and `constraint-dependencies` only from the pyproject.toml at
 * the workspace root, and ignores (with a warning) those of the workspace's members: a member's
 * lists change nothing uv installs, so they are taken out of its entries, and each member that has
 * them gets one notice saying so, as uv warns. A member is a pyproject.toml whose folder the
 * nearest workspace root above it (a pyproject.toml read here with `[tool.uv.workspace]`) lists
 * in `members` and not in `exclude`, as uv finds its workspace; a file that is a workspace root
 * itself, or that no root read here lists, keeps its lists.
 */
function withoutMembersUvLists(loaded: Map<string, LoadedManifest>, workspaces: ReadonlyMap<string, UvWorkspace>): string[] {
  const notices: string[] = [];
  if (workspaces.size === 0) return notices;
  const globs = new WorkspaceGlobs();
  const rootOnly = (d: Dependency) => d.section !== undefined && UV_ROOT_ONLY_SECTIONS.has(d.section);
  for (const manifest of loaded.values()) {
    if (manifest.format !== 'pyproject' || workspaces.has(manifest.path) || !manifest.dependencies.some(rootOnly)) continue;
    const root = workspaceRootOf(manifest.path, workspaces, globs);
    if (root === null) continue;
    const ignored = manifest.dependencies.filter(rootOnly);
    manifest.dependencies = manifest.dependencies.filter((d) => !rootOnly(d));
    const lists = [...new Set(ignored.map((d) => d.section!.slice('tool.uv.'.length)))].join(' and ');
    const line = ignored[0]!.line;
    notices.push(
      `${manifest.path}${line === null ? '' : `:${line}`}: [tool.uv] ${lists} in a workspace member is ignored by uv, which reads them only from the workspace root (${root}); not applied`,
    );
  }
  return notices;
}

/** The pyproject.toml of the uv workspace a project's pyproject.toml is a member of, or null when it is no member of one read here. */
function workspaceRootOf(path: string, workspaces: ReadonlyMap<string, UvWorkspace>, globs: WorkspaceGlobs): string | null {
  const folder = posix.dirname(path);
  let above = folder;
  while (above !== '.') {
    above = posix.dirname(above);
    const rootPath = above === '.' ? 'pyproject.toml' : `${above}/pyproject.toml`;
    const workspace = workspaces.get(rootPath);
    if (workspace === undefined) continue;
    // The nearest root decides, as uv's search up the folders stops at the first workspace.
    const member = above === '.' ? folder : folder.slice(above.length + 1);
    const isMember = globs.anyNames(workspace.members, member) && !globs.anyNames(workspace.exclude, member);
    return isMember && !globs.exhausted ? rootPath : null;
  }
  return null;
}

/** Workspace globs, each compiled once, matched within one budget (MAX_WORKSPACE_GLOB_WORK). */
class WorkspaceGlobs {
  readonly #compiled = new Map<string, ReturnType<typeof compileGlobLevels> | null>();
  readonly #sink = { levels: [] as number[], work: 0, limit: MAX_WORKSPACE_GLOB_WORK };

  /** Past the budget: what is asked then is not known (and answered no). */
  get exhausted(): boolean {
    return this.#sink.work > this.#sink.limit;
  }

  /** Whether one of the globs (`packages/*`, relative to the root's folder) names exactly this folder (not one inside it). */
  anyNames(globs: readonly string[], folder: string): boolean {
    const level = folder.split('/').length - 1;
    for (const glob of globs) {
      const test = this.#compile(glob);
      if (test === null) continue;
      this.#sink.levels = [];
      test(`${folder}/`, this.#sink);
      if (this.exhausted) return false;
      if (this.#sink.levels.includes(level)) return true;
    }
    return false;
  }

  #compile(glob: string): ReturnType<typeof compileGlobLevels> | null {
    let test = this.#compiled.get(glob);
    if (test !== undefined) return test;
    let end = glob.length;
    // A loop, not `/\/+$/`: that pattern retries at every slash of a run that does not end the glob (quadratic).
    while (end > 0 && glob[end - 1] === '/') end--;
    const relative = glob.slice(0, end).replace(/^(\.\/)+/, '');
    // Anchored to the root's folder (a glob without `/` would otherwise match a name at any depth).
    test = relative === '' || relative.startsWith('/') ? null : compileGlobLevels(`/${relative}`);
    this.#compiled.set(glob, test);
    return test;
  }
}

/** What an error about an included file adds to its message: `(included by requirements.txt:3)`. */
export function includedBySuffix(includedBy: { file: string; line: number | null }): string {
  return `(included by ${includedBy.file}${includedBy.line === null ? '' : `:${includedBy.line}`})`;
}

function withIncluder(error: ExtractError, included: string, includedBy: { file: string; line: number | null }): ExtractError {
  if (error.file !== included || error.includedBy !== undefined) return error;
  return { ...error, message: `${error.message} ${includedBySuffix(includedBy)}`, includedBy };
}

/** An error's message without the include it names (as said by any other reader of that file). */
export function messageWithoutIncluder(e: Pick<ExtractError, 'message' | 'includedBy'>): string {
  if (e.includedBy === undefined) return e.message;
  const suffix = ` ${includedBySuffix(e.includedBy)}`;
  return e.message.endsWith(suffix) ? e.message.slice(0, -suffix.length) : e.message;
}

/** The loader's error for a file that is not there, said of an included file or not. */
export const FILE_NOT_FOUND = 'file not found';
export const isFileNotFound = (e: Pick<ExtractError, 'message' | 'includedBy'>): boolean => messageWithoutIncluder(e) === FILE_NOT_FOUND;

/** How many passed-over `.in` files the notice names before saying how many more there are. */
const PASSED_OVER_NAMED = 5;

/**
 * The one notice naming the requirements files that were read and list nothing (empty, or only
 * comments, blank lines and options): an audit of them says "0 dependencies", which without a word
 * reads as a project with nothing to check rather than a file that may be the wrong one or not yet
 * written. Not partial: the file was read, and says what it says. A file that includes others (`-r`,
 * `-c`) is not empty, and one with a problem of its own is said as that problem. Null when none.
 */
export function emptyRequirementsNotice(manifests: readonly LoadedManifest[], errors: readonly ExtractError[]): string | null {
  const withProblems = new Set(errors.map((e) => e.file));
  const empty = manifests.filter((m) => m.format === 'requirements' && m.dependencies.length === 0 && m.includes.length === 0 && !withProblems.has(m.path)).map((m) => m.path);
  if (empty.length === 0) return null;
  const named = empty.slice(0, PASSED_OVER_NAMED).join(', ');
  const more = empty.length > PASSED_OVER_NAMED ? ` and ${empty.length - PASSED_OVER_NAMED} more` : '';
  return empty.length === 1
    ? `${named}: lists no requirements (it is empty or holds only comments and options), so nothing in it was checked`
    : `${named}${more}: list no requirements (each is empty or holds only comments and options), so nothing in them was checked`;
}

/**
 * The one notice naming the `.in` files discovery did not read (isUndecidedInput, neither paired
 * with a compiled `.txt` nor included): not partial, since by name most such files are templates,
 * but never silent, since one may be a pip-tools input compiled only in CI, with `--no-header`, or
 * to another output name. Null when there is none.
 */
export function passedOverInputsNotice(paths: readonly string[]): string | null {
  if (paths.length === 0) return null;
  const named = paths.slice(0, PASSED_OVER_NAMED).map((path) => clipInput(path)).join(', ');
  const more = paths.length > PASSED_OVER_NAMED ? ` and ${paths.length - PASSED_OVER_NAMED} more` : '';
  return (
    `${named}${more}: not read as requirements (a .in file is read when its name says requirements/constraints/reqs, ` +
    `when a pip-compile output beside it names it, or when a manifest includes it; to read one, include it from a requirements file, ` +
    `as \`-r ${clipInput(paths[0]!)}\`, or rename it)`
  );
}

/**
 * The folders of a complete listing named as manifests are (`requirements.txt/`, `api/pyproject.toml/`):
 * each is the folder of some listed file. Each folder looked at once, so linear in the listing.
 */
export function foldersNamedAsManifests(listed: readonly string[], folder: string | undefined): string[] {
  const seen = new Set<string>();
  const named: string[] = [];
  for (const path of listed) {
    for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
      const dir = path.slice(0, i);
      // Its own folders were looked at with it, the first time it was seen.
      if (seen.has(dir)) break;
      seen.add(dir);
      if (isManifestPathIn(folder, dir)) named.push(dir);
    }
  }
  return named.sort(compareCodeUnits);
}

/**
 * The one notice naming the folders named like manifests: discovery reads files, so without a word
 * a `requirements.txt/` would pass for a manifest that was read (what is inside is read by its own
 * names). Not partial, as a `.depwatch.yml/` folder's note (settingsFolderNotes). Null when none.
 */
export function manifestFoldersNotice(paths: readonly string[]): string | null {
  if (paths.length === 0) return null;
  const named = paths.slice(0, PASSED_OVER_NAMED).map((path) => clipInput(path)).join(', ');
  const more = paths.length > PASSED_OVER_NAMED ? ` and ${paths.length - PASSED_OVER_NAMED} more` : '';
  return paths.length === 1
    ? `${named}: is a folder, not read as a manifest (the files in it are read by their own names)`
    : `${named}${more}: are folders, not read as manifests (the files in them are read by their own names)`;
}

/**
 * Discovery's notice of the git submodules whose files the source does not have (one line, not
 * partial: another repository, audited on its own), less those `exclude:` keeps out (the folder or
 * everything in it), and the line saying `.gitmodules` could not be read whole, when it could not.
 */
async function submoduleNotices(source: FileSource, exclude: (path: string) => boolean): Promise<string[]> {
  const submodules = await source.submodules?.();
  if (submodules === undefined) return [];
  const notice = submodulesNotice(
    submodules.unread.filter((s) => !exclude(s.path) && !exclude(`${s.path}/`)),
    submodules.from,
  );
  return [...(notice === null ? [] : [notice]), ...(submodules.problem === null ? [] : [submodules.problem])];
}

/**
 * The pip-tools inputs that discovery reads though their names do not say so (`dev.in`), with the
 * `.txt` compiled from each: a `.in` is one when the `.txt` beside it says pip-compile or uv wrote it
 * from that `.in` (formats/paths.ts says which `.in` names need this). Any other such `.in` (a Jinja
 * template, or an input compiled elsewhere) is not read, and named in the loader's notice
 * (passedOverInputsNotice). Only the head of each `.txt` is looked at. One that cannot be read (a
 * link out, unreadable, too large) is said in `errors`, as any manifest that cannot be read: it may
 * be the compiled requirements; its `.in` is then in the notice. It is put in `unread` with where its
 * errors are, so that the loader, when a manifest includes it too, names the include on them rather
 * than read it and say it again. One that `exclude:` keeps out is not
 * read (a snapshot never downloads it), so it decides nothing either: its `.in`, unless excluded
 * too, is in the notice.
 */
async function compiledPipToolsPairs(
  source: FileSource,
  listed: readonly string[],
  exclude: (path: string) => boolean,
  errors: ExtractError[],
  unread: Map<string, { from: number; to: number }>,
): Promise<Set<string>> {
  const read = new Set<string>();
  for (const [input, compiled] of pipToolsPairs(listed, source.folder)) {
    if (exclude(input) || exclude(compiled) || unread.has(compiled)) continue;
    const said = errors.length;
    const bytes = await compiledHead(source, compiled, errors);
    if (bytes === null && errors.length > said) unread.set(compiled, { from: said, to: errors.length });
    if (bytes === null || !isCompiledFrom(bytes.subarray(0, 16_384).toString('utf8'), input)) continue;
    read.add(input);
    read.add(compiled);
  }
  return read;
}

/** A candidate compiled `.txt`'s bytes, or null with one error when it cannot be read (readText's words). */
async function compiledHead(source: FileSource, path: string, errors: ExtractError[]): Promise<Buffer | null> {
  try {
    if (overManifestLimit(source.size ? await source.size(path) : null, path, errors)) return null;
    const bytes = await readConfined(source, path, errors);
    // Missing after all (gone since the listing): nothing to decide, and the `.in` is in the notice.
    return bytes ?? null;
  } catch (err) {
    errors.push({ file: path, line: null, message: `could not be read (${firstLineOf(err)}); not read` });
    return null;
  }
}

/**
 * setuptools fills a pyproject.toml's dynamic dependencies from the setup.py beside it
 * (install_requires, extras_require). Alone, the pyproject.toml can only say they were not read
 * (ExtractResult.leftToSetupPy); once that setup.py has been read, they were, and the line is
 * dropped. Read means the setup.py gave something: a requirement, a requirements file it reads, or
 * a line of its own saying what of it was not read, which keeps the result partial and names the
 * line more precisely than the pyproject.toml can (so it replaces the pyproject.toml's line rather
 * than repeat it); that includes a setup.py its reader refused with a line of its own (over the
 * reader's size limit, a parse that ran out of time), and a shim whose setup() call Depwatch cannot
 * see, whose line says so. A setup.py that gave nothing (an empty one, or setup() with none of its
 * keywords), or that no reader got to (missing, over the loader's 5 MB limit, a reader that could
 * not be loaded or failed), leaves the line: the dependencies may be anywhere, and the only line
 * about them is the pyproject.toml's. One that `exclude:` kept out drops it too: the user said why
 * that setup.py is not read (its install_requires computed from files the audit reads anyway), and
 * the result says so in a notice; the pyproject.toml would otherwise stay partial with no way out.
 */
export function withoutWhatSetupPyAnswered(
  errors: ExtractError[],
  leftToSetupPy: readonly ExtractError[],
  loaded: ReadonlyMap<string, Pick<LoadedManifest, 'format' | 'dependencies' | 'includes'>>,
  excluded: ReadonlySet<string> = new Set(),
): ExtractError[] {
  if (leftToSetupPy.length === 0) return errors;
  const withUnread = new Set(errors.filter((e) => e.note !== true).map((e) => e.file));
  const answered = new Set<string>();
  for (const error of leftToSetupPy) {
    const setupPy = posix.join(posix.dirname(error.file), 'setup.py');
    const read = loaded.get(setupPy);
    const gave = read?.format === 'setup-py' && (read.dependencies.length > 0 || read.includes.length > 0 || withUnread.has(setupPy));
    if (gave || excluded.has(setupPy)) answered.add(errorKey(error));
  }
  return answered.size === 0 ? errors : errors.filter((e) => !answered.has(errorKey(e)));
}

const errorKey = (e: ExtractError) => `${e.file}\u0000${e.line}\u0000${e.message}`;

/**
 * What went wrong, as one line without the stack. A parser's message may quote the file, so URL
 * credentials and tokens are removed as from everything a parser returns (formats/redacted.ts). errorLine
 * keeps a non-Error's text whole; the note stays one line whatever a reader throws, so that is cut too.
 */
function firstLineOf(err: unknown): string {
  return redactSecrets(errorLine(err).split('\n', 1)[0]!);
}

async function readText(source: FileSource, path: string, format: ManifestFormat, errors: ExtractError[]): Promise<{ text: string; undecodable: readonly number[] } | null> {
  if (overManifestLimit(source.size ? await source.size(path) : null, path, errors)) return null;
  const bytes = await readConfined(source, path, errors);
  if (bytes === undefined) return null;
  if (bytes === null) {
    errors.push({ file: path, line: null, message: FILE_NOT_FOUND });
    return null;
  }
  if (format === 'requirements' && source.reencoded?.(path) !== true) {
    if (overManifestLimit(bytes.length, path, errors)) return null;
    const declared = declaredRequirementsText(bytes, path, errors);
    if (declared !== undefined) return declared;
  }
  if (LINE_FORMATS.has(format)) return decodeLineManifest(bytes, path, errors);
  const text = decodeManifest(bytes, path, errors);
  return text === null ? null : { text, undecodable: [] };
}

/**
 * A requirements file whose coding line declares a codec other than UTF-8, read as pip reads it
 * (pipDeclaredDecode): the whole file in that codec, or, when the codec is not one decoded here or
 * the bytes are not text in it, not at all, said in one line (pip fails on such a file; reading it
 * as UTF-8 instead could read another name or path than pip does). Undefined when no such line
 * decides (none, a byte order mark, or UTF-8 declared): read as usual.
 */
function declaredRequirementsText(bytes: Buffer, path: string, errors: ExtractError[]): { text: string; undecodable: readonly number[] } | null | undefined {
  const declared = pipDeclaredDecode(bytes);
  if (declared.kind === 'none' || (declared.kind !== 'unknown' && declared.label === 'utf-8')) return undefined;
  const codec = clipInput(declared.codec);
  if (declared.kind === 'text') return { text: declared.text, undecodable: [] };
  const message =
    declared.kind === 'unknown'
      ? `its coding line declares the encoding ${codec}, which Depwatch cannot decode as pip does; not read`
      : `is not valid ${codec} text, the encoding its coding line declares (pip refuses it too); not read`;
  errors.push({ file: path, line: declared.line, message });
  return null;
}

/**
 * The formats read line by line, whose readers can drop one line whose bytes are not text (an
 * invalid UTF-8 sequence, a NUL) and read the rest (ExtractContext.undecodable). A whole-document
 * format (TOML, JSON: both require UTF-8, and one bad byte leaves the parse of everything after it
 * unknown) and setup.py (Python refuses a file with one such byte, comment or not) are read whole
 * or not at all.
 */
const LINE_FORMATS: ReadonlySet<ManifestFormat> = new Set(['requirements', 'setup-cfg', 'dockerfile']);

/**
 * A line-based manifest's text and where its undecodable characters are (decodeLines), or null
 * with one error when it is too big or binary (most of its lines not text).
 */
function decodeLineManifest(bytes: Buffer, path: string, errors: ExtractError[]): { text: string; undecodable: readonly number[] } | null {
  if (overManifestLimit(bytes.length, path, errors)) return null;
  const decoded = decodeLines(bytes);
  if (decoded.kind === 'binary') {
    errors.push({ file: path, line: null, message: binaryMessage(bytes) });
    return null;
  }
  return { text: decoded.text, undecodable: decoded.undecodable };
}

/** Bytes that start like UTF-16 but do not read as it: said so, not only "binary" (a Windows file cut short). */
function binaryMessage(bytes: Buffer): string {
  return utf16ByMark(bytes)
    ? 'starts with a UTF-16 byte order mark but is not UTF-16 text (an odd number of bytes, a lone surrogate or NUL characters): binary, not a manifest; not read'
    : 'binary file (contains NUL bytes), not a manifest; not read';
}

/**
 * The file's bytes (null when missing), or undefined when the source refused it: a symbolic link it
 * may not follow (one problem line naming the link; nothing of where it leads is read),
 * something other than a regular file, a file that could not be read (the system's reason), or a
 * file a snapshot did not download (one line saying so).
 */
export async function readConfined(source: FileSource, path: string, errors: ExtractError[]): Promise<Buffer | null | undefined> {
  try {
    return await source.read(path);
  } catch (err) {
    if (!(err instanceof LinkNotFollowedError || err instanceof NotRegularFileError || err instanceof NotDownloadedError || err instanceof UnreadableFileError || err instanceof InSubmoduleError)) throw err;
    errors.push({ file: path, line: null, message: err.message });
    return undefined;
  }
}

/**
 * Text of a whole-document manifest (TOML, JSON, setup.py) or settings file, or null (with one
 * error) when it is too big, binary or not UTF-8 (line-based ones: decodeLineManifest). Decoded as
 * the code scan decodes any file (src/scan/text.ts): UTF-8 (its byte order mark dropped), or UTF-16
 * with a byte order mark, which pip reads too (its auto_decode honours the mark) and Windows tools
 * write (PowerShell 5's `>` and Out-File).
 */
export function decodeManifest(bytes: Buffer, path: string, errors: ExtractError[]): string | null {
  if (overManifestLimit(bytes.length, path, errors)) return null;
  const decoded = decode(bytes, false);
  if (decoded.kind === 'binary') {
    errors.push({ file: path, line: null, message: binaryMessage(bytes) });
    return null;
  }
  if (decoded.kind === 'not-utf8') {
    errors.push({ file: path, line: null, message: 'not valid UTF-8 text; not read' });
    return null;
  }
  return decoded.text;
}

/**
 * Whether a manifest of `size` bytes (null: not known before reading) is over the 5 MB cap, and
 * then said once in `errors`: checked before reading when the source knows the size, and on the
 * bytes when it does not.
 */
function overManifestLimit(size: number | null, path: string, errors: ExtractError[]): boolean {
  if (size === null || size <= MAX_MANIFEST_BYTES) return false;
  errors.push({ file: path, line: null, message: `file is ${formatMb(size)}, over the 5 MB limit for manifests; not read` });
  return true;
}

const formatMb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Resolves an include relative to the including file; null when it would leave the root. */
export function resolveInclude(from: string, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return null; // URLs are never fetched
  if (target.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(target)) return null;
  const joined = posix.normalize(posix.join(posix.dirname(from), target.replace(/\\/g, '/')));
  if (joined === '..' || joined.startsWith('../')) return null;
  return joined;
}

/** Include edges by the file that includes. */
function edgesFrom(edges: IncludeEdge[]): Map<string, IncludeEdge[]> {
  const next = new Map<string, IncludeEdge[]>();
  for (const edge of edges) {
    const list = next.get(edge.from);
    if (list === undefined) next.set(edge.from, [edge]);
    else list.push(edge);
  }
  return next;
}

/** Entries of files reached through `-c` (directly, or through `-r` below a `-c`) are constraints. */
function markConstraints(loaded: Map<string, LoadedManifest>, edges: IncludeEdge[]): void {
  const next = edgesFrom(edges);
  const constrained = new Set<string>();
  const stack = edges.filter((e) => e.kind === 'constraint').map((e) => e.to);
  while (stack.length) {
    const path = stack.pop()!;
    if (constrained.has(path)) continue;
    constrained.add(path);
    for (const e of next.get(path) ?? []) stack.push(e.to);
  }
  // A file reached both ways (-r from one file, -c from another) stays a requirement: pip installs it.
  const alsoRequired = new Set<string>();
  for (const e of edges) if (e.kind === 'requirement' && !constrained.has(e.from)) alsoRequired.add(e.to);
  for (const path of constrained) {
    const manifest = loaded.get(path);
    if (!manifest || alsoRequired.has(path)) continue;
    for (const dep of manifest.dependencies) dep.kind = 'constraint';
  }
}

/**
 * How many different extras (group and marker) list the entries of a file reached only through
 * extras. Each copy stands for an include written in a manifest, but k extras naming one file of n
 * entries would cost k·n: past this many, the file is listed once as main (more than installed
 * there, never less). Real projects name a file for a few extras (`dev`, and an `all` of them).
 */
export const MAX_EXTRAS_PER_INCLUDED_FILE = 16;

/**
 * A file a pyproject.toml, setup.cfg or setup.py names for an extra (`optional-dependencies.test =
 * {file = [...]}`, `extras_require={"dev": read_requirements("dev.txt")}`) holds that extra's
 * requirements: its entries are listed as the extra's inline requirements are, with the extra as
 * group and, for a setup.py `"extra:marker"` key, that marker added to their own. So do the files
 * it includes in turn (`-r more-dev.txt` in dev.txt), at any depth: they are installed only with
 * that file, so only with the extra, under its marker. A file several extras reach is listed once
 * per extra, as a list shared by several extras is. A file also reached as main dependencies
 * (named for them, read on its own as a manifest, or included by a `-r` line of a file that is
 * main) keeps its own groups: it is installed anyway.
 *
 * Each file's extras only grow (a set, at most MAX_EXTRAS_PER_INCLUDED_FILE of them, then main for
 * good), and a file is walked again only when they grew, so the walk stays linear in the includes
 * however they loop.
 */
function applyIncludeGroups(loaded: Map<string, LoadedManifest>, edges: IncludeEdge[], readOnTheirOwn: readonly string[]): void {
  /** Included file → `main` once any include of it gives no extra, else the extras that reach it, in order. */
  const reachedAs = new Map<string, 'main' | Map<string, IncludeContext>>();
  /** Files whose extras grew (or became main): what they include is given them in turn. */
  const grew: string[] = [];
  const give = (to: string, contexts: 'main' | readonly IncludeContext[]) => {
    const known = reachedAs.get(to);
    if (known === 'main') return;
    if (contexts === 'main') {
      reachedAs.set(to, 'main');
      grew.push(to);
      return;
    }
    const extras = known ?? new Map<string, IncludeContext>();
    const before = extras.size;
    for (const context of contexts) extras.set(`${context.group}\u0000${context.marker ?? ''}`, context);
    // Past the cap the file is listed once as main (more than installed, never less), and so is what it includes.
    reachedAs.set(to, extras.size > MAX_EXTRAS_PER_INCLUDED_FILE ? 'main' : extras);
    if (extras.size !== before) grew.push(to);
  };
  const namedForExtra = new Set<string>();
  for (const edge of edges) {
    if (edge.group === undefined && edge.marker === undefined) continue;
    namedForExtra.add(edge.to);
    give(edge.to, [{ group: edge.group ?? 'main', marker: edge.marker ?? null }]);
  }
  // A manifest read on its own (`pip install -r requirements.txt`) is main, and so is what it
  // includes, even when an extra's file includes it too (`-r requirements.txt` in dev.txt); unless
  // an extra names it, as the first-level files above.
  for (const root of readOnTheirOwn) if (!namedForExtra.has(root)) give(root, 'main');
  const next = edgesFrom(edges);
  while (grew.length > 0) {
    const from = grew.pop()!;
    const reached = reachedAs.get(from)!;
    const contexts = reached === 'main' ? 'main' : [...reached.values()];
    for (const edge of next.get(from) ?? []) if (edge.group === undefined && edge.marker === undefined) give(edge.to, contexts);
  }
  for (const [path, extras] of reachedAs) {
    if (extras === 'main') continue;
    const manifest = loaded.get(path);
    if (manifest === undefined) continue;
    const listed: Dependency[] = [];
    for (const dependency of manifest.dependencies) {
      // An included file is read as a requirements file, whose entries are all main; any other is kept as it is.
      if (dependency.group !== 'main') {
        listed.push(dependency);
        continue;
      }
      for (const { group, marker } of extras.values()) listed.push({ ...dependency, extras: [...dependency.extras], group, marker: andMarker(dependency.marker, marker) });
    }
    manifest.dependencies = listed;
  }
}

/** The extra (group) and marker an include gives the included file's entries. */
interface IncludeContext {
  group: string;
  marker: string | null;
}

/** Files named in a cycle message: the first and last few, enough to find it. */
const CYCLE_FILES_SHOWN = 8;

/**
 * One error per include cycle, on the include line that closes it. A depth-first walk with its
 * own stack (a chain of 4,000 includes overflowed the call stack when it recursed) that keeps
 * the current path and each file's place on it, so closing a cycle costs the same however long
 * the path is.
 */
function findCycles(edges: IncludeEdge[]): ExtractError[] {
  const next = edgesFrom(edges);
  const errors: ExtractError[] = [];
  const done = new Set<string>();
  /** Files on the current path, and where each one is on it. */
  const path: string[] = [];
  const onPath = new Map<string, number>();
  /** For each file on the path, how many of its includes have been followed. */
  const followed: number[] = [];
  // An include closes the cycle running from its target down the path to the includer; the
  // pair names the cycle, so repeated include lines report it once.
  const reported = new Set<string>();

  for (const root of next.keys()) {
    if (done.has(root)) continue;
    path.push(root);
    onPath.set(root, 0);
    followed.push(0);
    while (path.length > 0) {
      const depth = path.length - 1;
      const node = path[depth]!;
      const out = next.get(node) ?? [];
      const index = followed[depth]!;
      if (index === out.length) {
        path.pop();
        followed.pop();
        onPath.delete(node);
        done.add(node);
        continue;
      }
      followed[depth] = index + 1;
      const { to, line } = out[index]!;
      const start = onPath.get(to);
      if (start !== undefined) {
        const key = `${node}\u0000${to}`;
        if (reported.has(key)) continue;
        reported.add(key);
        errors.push({ file: node, line, message: `include cycle: ${describeCycle(path, start, to)} (each file is read once)`, note: true });
      } else if (!done.has(to)) {
        path.push(to);
        onPath.set(to, path.length - 1);
        followed.push(0);
      }
    }
  }
  return errors;
}

/** `a → b → a`: the path from `start` on, back to `to`; long cycles show their ends only. */
function describeCycle(path: string[], start: number, to: string): string {
  const length = path.length - start;
  if (length < 2 * CYCLE_FILES_SHOWN) return [...path.slice(start), to].join(' → ');
  const half = CYCLE_FILES_SHOWN / 2;
  const head = path.slice(start, start + half);
  const tail = path.slice(path.length - half);
  return [...head, `… (${length - 2 * half} more)`, ...tail, to].join(' → ');
}
