/**
 * uv.lock: the universal lock uv writes for a project or workspace.
 *
 * The project's own packages (workspace members: `[manifest] members`, and the root with an
 * editable / virtual source at ".") are in the lock too, with their dependency lists. They are not
 * third-party dependencies, so they are not listed; instead they decide `direct` (a member names
 * the package in `dependencies`, `optional-dependencies` or `dev-dependencies`) and `group` (`main`,
 * the extra, or the dev group it is named under). Packages reached only transitively are `main`.
 * Their lists are also kept as written (ExtractResult.lockedProject): a CycloneDX BOM's project
 * node requires what they name (src/python/formats/lock-graph.ts projectEdges).
 */
import { clipInput } from '../../quoted-input.js';
import { normalizeExtra, normalizeName } from '../names.js';
import { trimEndChar } from '../text.js';
import { stripUrlCredentials } from '../urls.js';
import type { Dependency, DependencySource, ExtractContext, ExtractError, ExtractResult, LockedProject, ManifestFormatModule } from '../types.js';
import { IndexOptions, lockedDependency, lockedVersion, namedPackage, packageSlots, vcsPin } from './lock-entries.js';
import {
  cleanMarker,
  collectHashes,
  fileHashes,
  isLockTable,
  isPypiIndex,
  keyLine,
  type LockTable,
  own,
  ownArray,
  ownString,
  ownTable,
  parseLockToml,
  stringList,
  unknownVersionWarning,
} from './lock-lines.js';
import { isUvLockPath } from './paths.js';

const KNOWN_LOCK_VERSION = 1;

export const uvLockFormat: ManifestFormatModule = {
  format: 'uv-lock',
  matches: isUvLockPath,
  extract: extractUvLock,
};

/** How a workspace member asks for a package: the first (most important) group wins. */
interface DirectUse {
  group: string;
  /** 0 for `dependencies`, 1 for an extra, 2 for a dev group: a package needed at run time is `main`. */
  rank: number;
  marker: string | null;
  extras: Set<string>;
}

export function extractUvLock(text: string, context: ExtractContext): ExtractResult {
  const file = context.file;
  const parsed = parseLockToml(text, file, 'uv.lock');
  if (!parsed.ok) return { dependencies: [], errors: [parsed.error] };
  const doc = parsed.value;
  const errors: ExtractError[] = [];

  const version = own(doc, 'version');
  if (version !== undefined && version !== KNOWN_LOCK_VERSION) {
    errors.push(unknownVersionWarning(file, keyLine(text, 'version'), 'uv.lock', String(version), `version ${KNOWN_LOCK_VERSION}`));
  }

  const slots = packageSlots(doc, parsed.packageLines, file, 'uv.lock', errors);
  const packages = slots.map((slot) => slot.entry);
  const manifest = ownTable(doc, 'manifest');
  const members = memberNames(manifest, packages);
  const directUses = collectDirectUses(manifest, packages, members);

  const dependencies: Dependency[] = [];
  // uv writes `dependencies` for every package that has some: none written is none required.
  const requirementLists: unknown[] = [];
  const indexes = new IndexOptions('index-url');
  for (const { entry, line } of slots) {
    const named = namedPackage(entry);
    if (!named.ok) {
      errors.push({ file, line, message: `uv.lock: ${named.error}` });
      continue;
    }
    const { table, name, writtenName } = named;
    if (members.has(name)) continue;

    const source = readSource(ownTable(table, 'source'));
    if ('error' in source) {
      errors.push({ file, line, message: `uv.lock: package ${name}: ${source.error}` });
      continue;
    }
    const version = lockedVersion(own(table, 'version'));
    if (!version.ok) {
      errors.push({ file, line, message: `uv.lock: package ${name}: ${version.problem}` });
      continue;
    }
    // uv leaves the version out only for a project directory whose version is dynamic (built
    // from git tags and the like); a release from an index without one cannot be rated.
    if (version.version === null && source.kind === 'registry') {
      errors.push({ file, line, message: `uv.lock: package ${name} has no version` });
      continue;
    }
    const use = directUses.of(name, ownString(table, 'version'), sourceKey(ownTable(table, 'source')));
    const fields = {
      name,
      writtenName,
      version: version.version,
      extras: use === undefined ? [] : [...use.extras].sort(),
      marker: use?.marker ?? null,
      source: source.kind,
      url: source.url,
      editable: source.editable,
      group: use?.group ?? 'main',
      direct: use !== undefined,
      hashes: collectHashes([...sdistHash(table), ...fileHashes(own(table, 'wheels'))]),
    };
    const locked = lockedDependency(fields, file, line);
    if (!locked.ok) {
      errors.push({ file, line, message: `uv.lock: ${locked.error}` });
      continue;
    }
    dependencies.push(locked.dependency);
    requirementLists.push(own(table, 'dependencies') ?? []);
    indexes.add(source.indexUrl, line);
  }

  const lockedProject = projectRequirements(manifest, packages, members);
  return { dependencies, errors, options: indexes.options, requiresPython: ownString(doc, 'requires-python'), requirementLists, ...(lockedProject ? { lockedProject } : {}) };
}

/**
 * The lists of what the project requires, as written (the lock graph reads them for a BOM's root):
 * the same lists collectDirectUses reads, kept whole so that one uv would not write leaves the
 * project's requirements not all known rather than silently fewer. None when the lock holds no
 * entry of the project.
 */
function projectRequirements(manifest: LockTable | null, packages: unknown[], members: Set<string>): LockedProject | undefined {
  const lists: unknown[] = [];
  let found = false;
  for (const entry of packages) {
    if (!isLockTable(entry)) continue;
    const name = ownString(entry, 'name');
    if (name === null || !members.has(normalizeName(name))) continue;
    found = true;
    const requires = own(entry, 'dependencies');
    if (requires !== undefined) lists.push(requires);
    lists.push(...listsIn(entry, 'optional-dependencies'), ...listsIn(entry, 'dev-dependencies'));
  }
  if (manifest !== null) {
    const requires = own(manifest, 'requirements');
    if (requires !== undefined) lists.push(requires);
    lists.push(...listsIn(manifest, 'dependency-groups'));
    found ||= requires !== undefined || own(manifest, 'dependency-groups') !== undefined;
  }
  return found ? { members: [...members], requirementLists: lists } : undefined;
}

/** The lists of a table of lists (`optional-dependencies`, a dev group…); a value that is no table is kept as one list, which then cannot be read. */
function listsIn(table: LockTable, key: string): unknown[] {
  const value = own(table, key);
  if (value === undefined) return [];
  return isLockTable(value) ? Object.values(value) : [value];
}

/** `[manifest] members` (workspaces), plus any package whose source is the project directory itself. */
function memberNames(manifest: LockTable | null, packages: unknown[]): Set<string> {
  const members = new Set<string>();
  if (manifest !== null) for (const name of stringList(own(manifest, 'members'))) members.add(normalizeName(name));
  for (const entry of packages) {
    if (!isLockTable(entry)) continue;
    const source = ownTable(entry, 'source');
    const name = ownString(entry, 'name');
    if (source === null || name === null) continue;
    const at = ownString(source, 'editable') ?? ownString(source, 'virtual');
    if (at !== null && isProjectRoot(at)) members.add(normalizeName(name));
  }
  return members;
}

function isProjectRoot(path: string): boolean {
  const trimmed = trimEndChar(path.trim().replace(/\\/g, '/'), '/');
  return trimmed === '.' || trimmed === '' || trimmed === './';
}

/**
 * What the workspace members ask for. The root of a virtual workspace has no package entry; its
 * groups and requirements live in `[manifest]`.
 *
 * A package locked at several versions (one per Python range, say) or from several sources has a
 * `[[package]]` entry for each, and uv then names the `version` (and, where the versions alone do not
 * tell them apart, the `source`) in every reference to it; each entry takes only the uses that name
 * it, so each version keeps its own marker, group and extras.
 */
class DirectUses {
  readonly #uses = new Map<string, DirectUse>();

  note(name: string, version: string | null, source: string | null, use: DirectUse): void {
    const key = useKey(name, version, source);
    const existing = this.#uses.get(key);
    if (existing === undefined) this.#uses.set(key, use);
    else mergeUse(existing, use);
  }

  /** How the members ask for this entry: by name alone, or naming its version, its source, or both. */
  of(name: string, version: string | null, source: string | null): DirectUse | undefined {
    let merged: DirectUse | undefined;
    for (const key of new Set([useKey(name, null, null), useKey(name, version, null), useKey(name, null, source), useKey(name, version, source)])) {
      const use = this.#uses.get(key);
      if (use === undefined) continue;
      if (merged === undefined) merged = { ...use, extras: new Set(use.extras) };
      else mergeUse(merged, use);
    }
    return merged;
  }
}

function useKey(name: string, version: string | null, source: string | null): string {
  return `${name}\u0000${version ?? ''}\u0000${source ?? ''}`;
}

/** A source table as one string, the same for the reference and the entry whatever order the keys are written in. */
function sourceKey(source: LockTable | null): string | null {
  if (source === null) return null;
  return JSON.stringify(Object.entries(source).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The first (most important) group wins; extras add up. */
function mergeUse(existing: DirectUse, use: DirectUse): void {
  for (const extra of use.extras) existing.extras.add(extra);
  if (use.rank < existing.rank) {
    existing.group = use.group;
    existing.rank = use.rank;
    existing.marker = use.marker;
  } else if (use.rank === existing.rank && existing.group === use.group && existing.marker !== null && use.marker === null) {
    // Asked for unconditionally somewhere: the entry is not limited by the other marker.
    existing.marker = null;
  }
}

function collectDirectUses(manifest: LockTable | null, packages: unknown[], members: Set<string>): DirectUses {
  const uses = new DirectUses();
  const note = (reference: unknown, group: string, rank: number): void => {
    if (!isLockTable(reference)) return;
    const rawName = ownString(reference, 'name');
    if (rawName === null) return;
    const name = normalizeName(rawName);
    if (members.has(name)) return;
    const extras = stringList(own(reference, 'extra') ?? own(reference, 'extras')).map((extra) => normalizeExtra(extra));
    const marker = cleanMarker(ownString(reference, 'marker'));
    uses.note(name, ownString(reference, 'version'), sourceKey(ownTable(reference, 'source')), { group, rank, marker, extras: new Set(extras) });
  };

  for (const entry of packages) {
    if (!isLockTable(entry)) continue;
    const name = ownString(entry, 'name');
    if (name === null || !members.has(normalizeName(name))) continue;
    for (const reference of ownArray(entry, 'dependencies')) note(reference, 'main', 0);
    for (const [extra, list] of tableOfLists(ownTable(entry, 'optional-dependencies'))) {
      for (const reference of list) note(reference, normalizeExtra(extra), 1);
    }
    for (const [group, list] of tableOfLists(ownTable(entry, 'dev-dependencies'))) {
      for (const reference of list) note(reference, group, 2);
    }
  }
  if (manifest !== null) {
    for (const reference of ownArray(manifest, 'requirements')) note(reference, 'main', 0);
    for (const [group, list] of tableOfLists(ownTable(manifest, 'dependency-groups'))) {
      for (const reference of list) note(reference, group, 2);
    }
  }
  return uses;
}

function tableOfLists(table: LockTable | null): Array<[string, unknown[]]> {
  if (table === null) return [];
  return Object.entries(table).filter((pair): pair is [string, unknown[]] => Array.isArray(pair[1]));
}

function sdistHash(entry: LockTable): string[] {
  const sdist = ownTable(entry, 'sdist');
  const hash = sdist === null ? null : ownString(sdist, 'hash');
  return hash === null ? [] : [hash];
}

type SourceInfo =
  | { kind: DependencySource; url: string | null; editable: boolean; indexUrl: string | null }
  | { error: string };

/** `{ registry = url }`, `{ git = "url?rev#sha" }`, `{ path }`, `{ directory }`, `{ editable }`, `{ virtual }`, `{ url }`. */
function readSource(source: LockTable | null): SourceInfo {
  if (source === null) return { kind: 'registry', url: null, editable: false, indexUrl: null };
  const registry = ownString(source, 'registry');
  if (registry !== null) {
    if (isPypiIndex(registry)) return { kind: 'registry', url: null, editable: false, indexUrl: null };
    const url = stripUrlCredentials(registry);
    return { kind: 'registry', url, editable: false, indexUrl: url };
  }
  const git = ownString(source, 'git');
  if (git !== null) return { kind: 'vcs', url: gitUrl(git), editable: false, indexUrl: null };
  const url = ownString(source, 'url');
  if (url !== null) return { kind: 'url', url: stripUrlCredentials(url), editable: false, indexUrl: null };
  const editable = ownString(source, 'editable');
  if (editable !== null) return { kind: 'path', url: editable, editable: true, indexUrl: null };
  const path = ownString(source, 'path') ?? ownString(source, 'directory') ?? ownString(source, 'virtual');
  if (path !== null) return { kind: 'path', url: path, editable: false, indexUrl: null };
  return { error: `source ${clipInput(JSON.stringify(source))} is not one uv writes (registry, git, url, path, directory, editable, virtual)` };
}

/**
 * uv writes `https://host/repo?rev=v1&subdirectory=x#<commit>`; report it as pip spells a pinned
 * VCS requirement, `git+https://host/repo@<commit>`, with any credentials removed.
 */
function gitUrl(raw: string): string {
  const hashAt = raw.indexOf('#');
  const commit = hashAt === -1 ? '' : raw.slice(hashAt + 1);
  const withoutFragment = hashAt === -1 ? raw : raw.slice(0, hashAt);
  const queryAt = withoutFragment.indexOf('?');
  const query = queryAt === -1 ? '' : withoutFragment.slice(queryAt + 1);
  const repository = queryAt === -1 ? withoutFragment : withoutFragment.slice(0, queryAt);
  const params = new URLSearchParams(query);
  const ref = commit !== '' ? commit : (params.get('rev') ?? params.get('tag') ?? params.get('branch') ?? '');
  const subdirectory = params.get('subdirectory');
  return `${vcsPin('git', repository, ref)}${subdirectory === null ? '' : `#subdirectory=${subdirectory}`}`;
}
