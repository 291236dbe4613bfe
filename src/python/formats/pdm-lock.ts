/**
 * pdm.lock (lock_version 4.x): `[metadata]` with the locked groups, then one `[[package]]` per
 * resolved package with `groups = [...]`, `files = [{file|url, hash}]` and, for non-registry
 * packages, `git`/`ref`/`revision`, `path` (+ `editable`) or `url`. A package asked for with extras
 * gets a second entry carrying `extras = [...]`. PDM's `default` group is the main dependencies.
 *
 * The lock does not say which packages the project asks for directly (its `dependencies` lists
 * belong to the packages, and the project itself has no entry), so every entry counts as direct.
 */
import { normalizeName } from '../names.js';
import { stripUrlCredentials } from '../urls.js';
import type { Dependency, DependencySource, ExtractContext, ExtractError, ExtractResult, ManifestFormatModule } from '../types.js';
import { lockedDependency, lockExtras, type LockedFields, lockedVersion, namedPackage, packageSlots, vcsKeyOf, vcsPin } from './lock-entries.js';
import {
  cleanMarker,
  collectHashes,
  fileHashes,
  isLockTable,
  keyLine,
  type LockTable,
  own,
  ownString,
  ownTable,
  parseLockToml,
  stringList,
  unknownVersionWarning,
} from './lock-lines.js';
import { isPdmLockPath } from './paths.js';

const NEWEST_KNOWN_MAJOR = 4;

export const pdmLockFormat: ManifestFormatModule = {
  format: 'pdm-lock',
  matches: isPdmLockPath,
  extract: extractPdmLock,
};

export function extractPdmLock(text: string, context: ExtractContext): ExtractResult {
  const file = context.file;
  const parsed = parseLockToml(text, file, 'pdm.lock');
  if (!parsed.ok) return { dependencies: [], errors: [parsed.error] };
  const doc = parsed.value;
  const errors: ExtractError[] = [];
  const metadata = ownTable(doc, 'metadata');

  const lockVersion = metadata === null ? null : ownString(metadata, 'lock_version');
  if (lockVersion !== null) {
    const major = Number.parseInt(lockVersion, 10);
    if (!Number.isFinite(major) || major > NEWEST_KNOWN_MAJOR) {
      errors.push(unknownVersionWarning(file, keyLine(text, 'lock_version'), 'pdm.lock lock_version', lockVersion, `4.x and older`));
    }
  }
  const legacyFiles = legacyFileHashes(metadata);

  const dependencies: Dependency[] = [];
  // Each entry's `dependencies` (PEP 508 strings) as written; PDM leaves the key out when there are none.
  const requirementLists: unknown[] = [];
  for (const { entry, line } of packageSlots(doc, parsed.packageLines, file, 'pdm.lock', errors)) {
    const result = readPackage(entry, legacyFiles);
    const locked = 'error' in result ? result : lockedDependency(result, file, line);
    if ('error' in locked) {
      errors.push({ file, line, message: `pdm.lock: ${locked.error}` });
      continue;
    }
    dependencies.push(locked.dependency);
    requirementLists.push((isLockTable(entry) ? own(entry, 'dependencies') : undefined) ?? []);
  }

  return { dependencies, errors, options: [], requiresPython: requiresPythonOf(metadata), requirementLists };
}

function readPackage(entry: unknown, legacyFiles: Map<string, string[]>): LockedFields | { error: string } {
  const named = namedPackage(entry);
  if (!named.ok) return { error: named.error };
  const { table, name, writtenName } = named;
  const read = lockedVersion(own(table, 'version'));
  if (!read.ok) return { error: `package ${name}: ${read.problem}` };
  const version = read.version;
  const source = readSource(table);
  if (version === null && source.kind === 'registry') return { error: `package ${name} has no version` };

  const firstGroup = stringList(own(table, 'groups'))[0] ?? 'default';
  const legacyKey = version === null ? null : `${name} ${version}`;
  return {
    name,
    writtenName,
    version,
    extras: lockExtras(own(table, 'extras')),
    marker: cleanMarker(ownString(table, 'marker')),
    source: source.kind,
    url: source.url,
    editable: own(table, 'editable') === true,
    group: firstGroup === 'default' ? 'main' : firstGroup,
    direct: true,
    hashes: collectHashes([...fileHashes(own(table, 'files')), ...(legacyKey === null ? [] : (legacyFiles.get(legacyKey) ?? []))]),
  };
}

function readSource(entry: LockTable): { kind: DependencySource; url: string | null } {
  const vcs = vcsKeyOf(entry);
  if (vcs !== undefined) return { kind: 'vcs', url: vcsPin(vcs, ownString(entry, vcs)!, ownString(entry, 'revision') ?? ownString(entry, 'ref')) };
  const path = ownString(entry, 'path');
  if (path !== null) return { kind: 'path', url: path };
  const url = ownString(entry, 'url');
  if (url !== null) {
    return url.startsWith('file:') ? { kind: 'path', url } : { kind: 'url', url: stripUrlCredentials(url) };
  }
  return { kind: 'registry', url: null };
}

/** Before lock_version 4.1 the hashes lived in `[metadata.files]` under `"<name> <version>"`. */
function legacyFileHashes(metadata: LockTable | null): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  const files = metadata === null ? null : ownTable(metadata, 'files');
  if (files === null) return byKey;
  for (const [key, list] of Object.entries(files)) {
    const space = key.indexOf(' ');
    if (space === -1) continue;
    byKey.set(`${normalizeName(key.slice(0, space))} ${key.slice(space + 1).trim()}`, fileHashes(list));
  }
  return byKey;
}

/** `[[metadata.targets]] requires_python` (4.5+) or `[metadata] requires_python` (4.x before). */
function requiresPythonOf(metadata: LockTable | null): string | null {
  if (metadata === null) return null;
  const direct = ownString(metadata, 'requires_python');
  if (direct !== null) return direct;
  const targets = own(metadata, 'targets');
  if (!Array.isArray(targets)) return null;
  for (const target of targets) {
    if (isLockTable(target)) {
      const value = ownString(target, 'requires_python');
      if (value !== null) return value;
    }
  }
  return null;
}
