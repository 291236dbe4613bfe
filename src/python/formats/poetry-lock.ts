/**
 * poetry.lock: every resolved package with its exact version.
 *
 * Two generations exist in the wild. lock-version 1.x (Poetry 1.0–1.2) keeps `category =
 * "main"|"dev"` on each package and the file hashes apart in `[metadata.files]`; 2.x (Poetry 1.3+)
 * puts `files = [{file, hash}]` on each package, and 2.1 (Poetry 2) adds `groups = [...]` and
 * `markers` (a string, or a table keyed by group). Poetry records no notion of "direct", so every
 * entry counts as direct.
 */
import { normalizeName } from '../names.js';
import { stripUrlCredentials } from '../urls.js';
import type { Dependency, DependencySource, ExtractContext, ExtractError, ExtractResult, ManifestFormatModule } from '../types.js';
import { IndexOptions, lockedDependency, type LockedFields, lockedVersion, namedPackage, packageSlots, vcsPin } from './lock-entries.js';
import {
  cleanMarker,
  collectHashes,
  fileHashes,
  isLockTable,
  isPypiIndex,
  keyLine,
  type LockTable,
  own,
  ownString,
  ownTable,
  parseLockToml,
  stringList,
  unknownVersionWarning,
} from './lock-lines.js';
import { isPoetryLockPath } from './paths.js';

const KNOWN_LOCK_VERSIONS = new Set(['1.0', '1.1', '2.0', '2.1']);

export const poetryLockFormat: ManifestFormatModule = {
  format: 'poetry-lock',
  matches: isPoetryLockPath,
  extract: extractPoetryLock,
};

export function extractPoetryLock(text: string, context: ExtractContext): ExtractResult {
  const file = context.file;
  const parsed = parseLockToml(text, file, 'poetry.lock');
  if (!parsed.ok) return { dependencies: [], errors: [parsed.error] };
  const doc = parsed.value;
  const errors: ExtractError[] = [];
  const metadata = ownTable(doc, 'metadata');

  const lockVersion = metadata === null ? null : scalarText(own(metadata, 'lock-version'));
  if (lockVersion !== null && !KNOWN_LOCK_VERSIONS.has(lockVersion)) {
    errors.push(unknownVersionWarning(file, keyLine(text, 'lock-version'), 'poetry.lock lock-version', lockVersion, '1.0, 1.1, 2.0 and 2.1'));
  }
  const separateHashes = metadataHashes(metadata);

  const dependencies: Dependency[] = [];
  // `[package.dependencies]` as written; Poetry leaves the table out of a package that requires nothing.
  const requirementLists: unknown[] = [];
  const indexes = new IndexOptions('extra-index-url');
  for (const { entry, line } of packageSlots(doc, parsed.packageLines, file, 'poetry.lock', errors)) {
    const result = readPackage(entry, separateHashes, file, line);
    if ('error' in result) {
      errors.push({ file, line, message: `poetry.lock: ${result.error}` });
      continue;
    }
    dependencies.push(result.dependency);
    requirementLists.push(result.requires);
    indexes.add(result.indexUrl, line);
  }

  const requiresPython = metadata === null ? null : ownString(metadata, 'python-versions');
  return { dependencies, errors, options: indexes.options, requiresPython, requirementLists };
}

function readPackage(
  entry: unknown,
  separateHashes: Map<string, string[]>,
  file: string,
  line: number | null,
): { dependency: Dependency; indexUrl: string | null; requires: unknown } | { error: string } {
  const named = namedPackage(entry);
  if (!named.ok) return { error: named.error };
  const { table, name, writtenName } = named;
  const read = lockedVersion(own(table, 'version'));
  if (!read.ok) return { error: `package ${name}: ${read.problem}` };
  const version = read.version;
  if (version === null) return { error: `package ${name} has no version` };

  const group = chooseGroup(table);
  const source = readSource(ownTable(table, 'source'));
  const fields: LockedFields = {
    name,
    writtenName,
    version,
    extras: [],
    marker: cleanMarker(chooseMarker(table, group)),
    source: source.kind,
    url: source.url,
    editable: own(table, 'develop') === true,
    group,
    direct: true,
    hashes: packageHashes(table, name, separateHashes),
  };
  const locked = lockedDependency(fields, file, line);
  return locked.ok ? { dependency: locked.dependency, indexUrl: source.indexUrl, requires: own(table, 'dependencies') ?? {} } : { error: locked.error };
}

/**
 * Poetry's Locker: a package's own `files` when it has the key (2.x), else the hashes kept apart
 * for its name (1.x, 0.x). Those are one list per name, shared by every package of that name, not
 * copied into each: a lock of n versions of one package and n hashes for it was n² work.
 */
function packageHashes(table: LockTable, name: string, separateHashes: Map<string, string[]>): string[] {
  const files = own(table, 'files');
  if (files !== undefined) return collectHashes(fileHashes(files));
  return separateHashes.get(name) ?? [];
}

/** 2.x: the first of `groups` (Poetry lists `main` first when present); 1.x: `category`. */
function chooseGroup(entry: LockTable): string {
  const groups = stringList(own(entry, 'groups'));
  if (groups.length > 0) return groups[0]!;
  const category = ownString(entry, 'category');
  return category !== null && category !== '' ? category : 'main';
}

/** `markers` as a string, or the chosen group's entry when it is a table; 1.0 wrote `marker`. */
function chooseMarker(entry: LockTable, group: string): string | null {
  const markers = own(entry, 'markers');
  if (typeof markers === 'string') return markers;
  if (isLockTable(markers)) {
    const forGroup = own(markers, group);
    if (typeof forGroup === 'string') return forGroup;
  }
  return ownString(entry, 'marker');
}

interface SourceInfo {
  kind: DependencySource;
  url: string | null;
  /** A private index (Poetry `legacy` sources) the entry was resolved from. */
  indexUrl: string | null;
}

function readSource(source: LockTable | null): SourceInfo {
  if (source === null) return { kind: 'registry', url: null, indexUrl: null };
  const type = ownString(source, 'type') ?? '';
  const rawUrl = ownString(source, 'url');
  const url = rawUrl === null ? null : stripUrlCredentials(rawUrl);
  switch (type) {
    case 'git':
    case 'hg':
    case 'svn':
    case 'bzr': {
      const ref = ownString(source, 'resolved_reference') ?? ownString(source, 'reference');
      return { kind: 'vcs', url: rawUrl === null ? null : vcsPin(type, rawUrl, ref), indexUrl: null };
    }
    case 'directory':
    case 'file':
      return { kind: 'path', url, indexUrl: null };
    case 'url':
      return { kind: 'url', url, indexUrl: null };
    case 'legacy':
    default:
      // A private index: still a registry package, but the index itself is worth a finding.
      if (url === null || isPypiIndex(url)) return { kind: 'registry', url: null, indexUrl: null };
      return { kind: 'registry', url, indexUrl: url };
  }
}

/**
 * lock-version 1.x: `[metadata.files]` name → [{file, hash}]. Poetry 0.x wrote
 * `[metadata.hashes]` name → ["<sha256 hex>"]. Each name's list is normalised once, here, and
 * shared by its packages (never changed after).
 */
function metadataHashes(metadata: LockTable | null): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  if (metadata === null) return byName;
  const files = ownTable(metadata, 'files');
  if (files !== null) {
    for (const [name, list] of Object.entries(files)) byName.set(normalizeName(name), fileHashes(list));
  }
  const hashes = ownTable(metadata, 'hashes');
  if (hashes !== null) {
    for (const [name, list] of Object.entries(hashes)) {
      const bare = stringList(list).map((hex) => (hex.includes(':') ? hex : `sha256:${hex}`));
      const key = normalizeName(name);
      const known = byName.get(key);
      if (known === undefined) byName.set(key, bare);
      else for (const hash of bare) known.push(hash);
    }
  }
  for (const [name, raw] of byName) byName.set(name, collectHashes(raw));
  return byName;
}

/**
 * `lock-version` is a string, but a hand-edited lock may hold `lock-version = 2.0` (a float): it only
 * picks the warning, so its number is good enough (a package's `version` is not read this way: see lockedVersion).
 */
function scalarText(value: unknown): string | null {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return null;
}
