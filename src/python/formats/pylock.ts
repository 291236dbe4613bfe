/**
 * pylock.toml (PEP 751, lock-version 1.0): the standard lock file that `pip lock`, `uv export
 * --format pylock.toml` / `uv pip compile -o pylock.toml` and `pdm export -f pylock` write, and that
 * pip 26.1 installs with `-r pylock.toml`. Also `pylock.<name>.toml`.
 *
 * Every `[[packages]]` table is one locked entry, on the line of its header (the same name may
 * appear several times, with different markers or versions: each is listed). Where it comes from is
 * exactly one of (as packaging's `pylock.Package` checks it):
 * - `sdist` and/or `wheels`: a release from an index → `registry`, `version` required (an entry
 *   without one cannot be matched against advisories and is reported). `index` names the index; a
 *   non-PyPI one is also an index option (see indexOptionName);
 * - `vcs` (`type`, `url` or `path`, `commit-id`, `requested-revision`, `subdirectory`) → `vcs`,
 *   spelled as pip installs it: `git+https://host/repo@<commit-id>#subdirectory=x`;
 * - `archive` (`url` or `path`) → `url` (`path` for a local file);
 * - `directory` (`path`, `editable`) → `path`.
 * Hashes (`hashes = { sha256 = "…" }`) of the sdist, every wheel and the archive are the entry's
 * hashes. The file does not record which packages the project asks for, nor groups outside markers,
 * so every entry is `direct`, group `main` (as for pdm.lock and poetry.lock).
 *
 * `lock-version`: 1.0 is read; a newer 1.x is read with a warning (PEP 751: tools warn); another
 * major version is refused (PEP 751: tools must not read it), with one error: the file is then not
 * read at all, and the audit is partial.
 */
import { stripUrlCredentials } from '../urls.js';
import type { Dependency, DependencySource, ExtractContext, ExtractError, ExtractResult, ManifestFormatModule } from '../types.js';
import { IndexOptions, lockedDependency, type LockedFields, lockedVersion, namedPackage, packageSlots, vcsPin } from './lock-entries.js';
import {
  cleanMarker,
  collectHashes,
  isLockTable,
  isPypiIndex,
  keyLine,
  type LockTable,
  own,
  ownString,
  ownTable,
  parseLockToml,
  unknownVersionWarning,
} from './lock-lines.js';
import { pylockOrigin, toolName } from './created-by.js';
import { isPylockPath } from './paths.js';

const LABEL = 'pylock.toml';
const HEADER = '[[packages]]';
/** The one major version PEP 751 defines, and the newest minor version of it known here. */
const KNOWN_MAJOR = 1;
const KNOWN_MINOR = 0;

export const pylockFormat: ManifestFormatModule = {
  format: 'pylock',
  matches: isPylockPath,
  extract: extractPylock,
};

export function extractPylock(text: string, context: ExtractContext): ExtractResult {
  const file = context.file;
  const parsed = parseLockToml(text, file, LABEL, 'packages');
  if (!parsed.ok) return { dependencies: [], errors: [parsed.error] };
  const doc = parsed.value;
  const errors: ExtractError[] = [];
  const lockedBy = ownString(doc, 'created-by');
  const requiresPython = ownString(doc, 'requires-python');
  // How the file was made, from the header uv writes above it: what regenerates it.
  const origin = pylockOrigin(text);

  const version = checkLockVersion(own(doc, 'lock-version'), file, () => keyLine(text, 'lock-version'));
  if (version.error !== null) errors.push(version.error);
  if (!version.readable) return { dependencies: [], errors, options: [], requiresPython, lockedBy, origin };

  const packages = own(doc, 'packages');
  const packagesLine = packages === undefined || Array.isArray(packages) ? null : keyLine(text, 'packages');
  const entries: { fields: LockedFields; indexUrl: string | null; line: number | null; requires: unknown }[] = [];
  for (const { entry, line } of packageSlots(doc, parsed.packageLines, file, LABEL, errors, 'packages', packagesLine)) {
    const result = readPackage(entry);
    if ('error' in result) {
      errors.push({ file, line, message: `${LABEL}: ${result.error}` });
      continue;
    }
    // Read whole, but not as PEP 751 requires: said, without making the result partial.
    if (result.problem !== null) errors.push({ file, line, message: `${LABEL}: ${result.problem}`, note: true });
    // `[[packages.dependencies]]` is optional (PEP 751: informational, for audits): an entry
    // without it records nothing, which is not the same as requiring nothing.
    entries.push({ fields: result.fields, indexUrl: result.indexUrl, line, requires: isLockTable(entry) ? (own(entry, 'dependencies') ?? null) : null });
  }

  const dependencies: Dependency[] = [];
  const requirementLists: unknown[] = [];
  const indexes = new IndexOptions(indexOptionName(entries.map((e) => e.indexUrl), lockedBy));
  for (const { fields, indexUrl, line, requires } of entries) {
    const locked = lockedDependency(fields, file, line);
    if (!locked.ok) {
      errors.push({ file, line, message: `${LABEL}: ${locked.error}` });
      continue;
    }
    dependencies.push(locked.dependency);
    requirementLists.push(requires);
    if (indexUrl !== null && !isPypiIndex(indexUrl)) indexes.add(indexUrl, line);
  }
  return { dependencies, errors, options: indexes.options, requiresPython, lockedBy, origin, requirementLists };
}

/**
 * `lock-version` is required and a string. Unknown minor versions of 1 are read with a warning;
 * anything else (another major version, a value that is not `major.minor`) is not read. A missing
 * one is read as 1.0, with an error: the file does not say what it is, so the result is partial.
 */
function checkLockVersion(value: unknown, file: string, lineOf: () => number | null): { readable: boolean; error: ExtractError | null } {
  if (value === undefined) {
    return { readable: true, error: { file, line: null, message: `${LABEL} has no lock-version (PEP 751 requires it); entries were read as lock-version 1.0` } };
  }
  const written = typeof value === 'string' ? value.trim() : null;
  const match = written === null ? null : /^(\d{1,9})(?:\.(\d{1,9})(?:\.\d{1,9})*)?$/.exec(written);
  // Only a problem needs the line (finding it is a pass over the text).
  if (match === null || written === null) {
    const line = lineOf();
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : `a ${typeof value === 'object' ? 'table or array' : typeof value}`;
    return { readable: false, error: { file, line, message: `${LABEL} lock-version ${shown} is not a version string like "1.0"; not read` } };
  }
  const major = Number(match[1]);
  const minor = Number(match[2] ?? '0');
  if (major !== KNOWN_MAJOR) {
    const line = lineOf();
    const message = `${LABEL} lock-version ${written} is not one Depwatch can read (it reads 1.x; PEP 751 forbids reading another major version); not read`;
    return { readable: false, error: { file, line, message } };
  }
  if (minor > KNOWN_MINOR) return { readable: true, error: unknownVersionWarning(file, lineOf(), `${LABEL} lock-version`, written, `${KNOWN_MAJOR}.${KNOWN_MINOR}`) };
  return { readable: true, error: null };
}

/**
 * How a non-PyPI `index` is reported. One index for every entry that names one is the index the
 * lock was made from (`index-url`, as uv.lock's registry sources). Several (a private index beside
 * PyPI) mean the locker consulted more than one for the same names: `extra-index-url` (pip and PDM
 * take the best version from every index), or `uv-index` when uv wrote the file (uv stops at the
 * first index that has a name, its default strategy).
 */
function indexOptionName(indexUrls: (string | null)[], lockedBy: string | null): 'index-url' | 'extra-index-url' | 'uv-index' {
  const distinct = new Set<string>();
  for (const url of indexUrls) if (url !== null) distinct.add(isPypiIndex(url) ? 'pypi' : url);
  if (distinct.size <= 1) return 'index-url';
  return toolName(lockedBy) === 'uv' ? 'uv-index' : 'extra-index-url';
}

type PackageRead = { fields: LockedFields; indexUrl: string | null; problem: string | null } | { error: string };

function readPackage(entry: unknown): PackageRead {
  const named = namedPackage(entry, HEADER);
  if (!named.ok) return { error: named.error };
  const { table, name, writtenName } = named;
  const read = lockedVersion(own(table, 'version'));
  if (!read.ok) return { error: `package ${name}: ${read.problem}` };
  const version = read.version;

  const source = readSource(table, name);
  if ('error' in source) return { error: `package ${name}: ${source.error}` };
  if (source.kind === 'registry' && version === null) return { error: `package ${name} comes from an index but has no version` };

  const indexUrl = source.kind === 'registry' ? ownString(table, 'index') : null;
  const privateIndex = indexUrl !== null && !isPypiIndex(indexUrl) ? stripUrlCredentials(indexUrl) : null;
  const fields: LockedFields = {
    name,
    writtenName,
    version,
    extras: [],
    marker: cleanMarker(ownString(table, 'marker')),
    source: source.kind,
    url: source.kind === 'registry' ? privateIndex : source.url,
    editable: source.editable,
    group: 'main',
    direct: true,
    hashes: collectHashes(source.hashes),
  };
  return { fields, indexUrl: privateIndex ?? indexUrl, problem: source.problem };
}

interface SourceInfo {
  kind: DependencySource;
  url: string | null;
  editable: boolean;
  hashes: string[];
  /** Something the entry lacks that PEP 751 requires, said beside it (the entry is still listed). */
  problem: string | null;
}

const SOURCE_KEYS = ['vcs', 'directory', 'archive'] as const;

/** The entry's one source, as packaging's `pylock.Package` requires: sdist/wheels, or exactly one of vcs, directory, archive. */
function readSource(table: LockTable, name: string): SourceInfo | { error: string } {
  const present = SOURCE_KEYS.filter((key) => own(table, key) !== undefined);
  const fromIndex = own(table, 'sdist') !== undefined || own(table, 'wheels') !== undefined;
  if (fromIndex && present.length > 0) return { error: `has both sdist/wheels and ${present.join(', ')}; PEP 751 allows one source` };
  if (present.length > 1) return { error: `has ${present.join(' and ')}; PEP 751 allows one source` };
  if (fromIndex) return indexSource(table);
  if (present.length === 0) return { error: 'has no source (sdist, wheels, vcs, directory or archive)' };
  const key = present[0]!;
  const source = ownTable(table, key);
  if (source === null) return { error: `${key} should be a table` };
  if (key === 'vcs') return vcsSource(source, name);
  if (key === 'directory') {
    const path = ownString(source, 'path');
    if (path === null) return { error: 'directory has no path' };
    return { kind: 'path', url: withSubdirectory(path, ownString(source, 'subdirectory')), editable: own(source, 'editable') === true, hashes: [], problem: null };
  }
  const url = ownString(source, 'url');
  const path = ownString(source, 'path');
  if (url === null && path === null) return { error: 'archive has neither url nor path' };
  const hashes = hashTable(own(source, 'hashes'));
  const local = url === null || url.startsWith('file:');
  const where = url === null ? path! : local ? url : stripUrlCredentials(url);
  return {
    kind: local ? 'path' : 'url',
    url: withSubdirectory(where, ownString(source, 'subdirectory')),
    editable: false,
    hashes,
    problem: hashes.length === 0 ? `package ${name}: archive has no hashes (PEP 751 requires them)` : null,
  };
}

function indexSource(table: LockTable): SourceInfo | { error: string } {
  const sdist = own(table, 'sdist');
  const wheels = own(table, 'wheels');
  const hashes: string[] = [];
  if (sdist !== undefined) {
    if (!isLockTable(sdist)) return { error: 'sdist should be a table' };
    for (const h of hashTable(own(sdist, 'hashes'))) hashes.push(h);
  }
  if (wheels !== undefined) {
    if (!Array.isArray(wheels)) return { error: 'wheels should be an array of tables' };
    for (const wheel of wheels) if (isLockTable(wheel)) for (const h of hashTable(own(wheel, 'hashes'))) hashes.push(h);
  }
  return { kind: 'registry', url: null, editable: false, hashes, problem: null };
}

/** `vcs` as pip installs it: `<type>+<url or path>@<commit-id>`, `#subdirectory=` when there is one. */
function vcsSource(vcs: LockTable, name: string): SourceInfo | { error: string } {
  const type = ownString(vcs, 'type');
  if (type === null || type.trim() === '') return { error: 'vcs has no type' };
  const repository = ownString(vcs, 'url') ?? ownString(vcs, 'path');
  if (repository === null) return { error: 'vcs has neither url nor path' };
  const commit = ownString(vcs, 'commit-id');
  const ref = commit ?? ownString(vcs, 'requested-revision');
  const url = vcsPin(type.trim().toLowerCase(), repository, ref);
  return {
    kind: 'vcs',
    url: withSubdirectory(url, ownString(vcs, 'subdirectory')),
    editable: false,
    hashes: [],
    problem: commit === null ? `package ${name}: vcs has no commit-id (PEP 751 requires it), so the checkout is not pinned` : null,
  };
}

function withSubdirectory(url: string, subdirectory: string | null): string {
  return subdirectory === null || subdirectory === '' ? url : `${url}#subdirectory=${subdirectory}`;
}

/** `hashes = { sha256 = "…", … }` → `sha256:…` each (collectHashes drops anything that is not a hash). */
function hashTable(value: unknown): string[] {
  if (!isLockTable(value)) return [];
  const out: string[] = [];
  for (const [algorithm, digest] of Object.entries(value)) if (typeof digest === 'string') out.push(`${algorithm}:${digest}`);
  return out;
}
