/**
 * What every lockfile reader (poetry.lock, Pipfile.lock, uv.lock, pdm.lock, pylock.toml) does with one entry:
 * find the `[[package]]` tables and their lines, check the name, spell VCS pins and extras the
 * same way, and build the `locked` dependency. The formats differ in where they keep versions,
 * sources and groups; what they produce from those is the same, so it is written once here.
 */
import { normalizeExtra, normalizeName, writtenNameOf } from '../names.js';
import { isValidVersion } from '../pep440.js';
import { stripUrlCredentials } from '../urls.js';
import type { Dependency, DependencySource, ExtractError, ManifestOption } from '../types.js';
import { isLockTable, type LockTable, own, ownString, stringList } from './lock-lines.js';

/** One `[[package]]` table (or whatever stands in its place) and the line its header is on. */
export interface PackageSlot {
  entry: unknown;
  line: number | null;
}

/**
 * The `[[package]]` array (`[[packages]]` in pylock.toml: `key`) with each element's header line. A
 * key that is not a list is one error (and no entries), on the line that sets it when it is known;
 * a missing one is simply an empty lock.
 */
export function packageSlots(doc: LockTable, lines: number[], file: string, label: string, errors: ExtractError[], key = 'package', keyAt: number | null = null): PackageSlot[] {
  const packages = own(doc, key);
  if (packages === undefined) return [];
  if (!Array.isArray(packages)) {
    errors.push({ file, line: keyAt, message: `${label}: \`${key}\` should be a list of [[${key}]] tables` });
    return [];
  }
  return packages.map((entry, index) => ({ entry, line: lines[index] ?? null }));
}

export type NamedPackage = { ok: true; table: LockTable; name: string; writtenName: string } | { ok: false; error: string };

/** A `[[package]]` entry (`header` names the array) must be a table with a non-blank name (PEP 503 normalised here, and as written). */
export function namedPackage(entry: unknown, header = '[[package]]'): NamedPackage {
  if (!isLockTable(entry)) return { ok: false, error: `a ${header} entry is not a table` };
  const rawName = ownString(entry, 'name');
  if (rawName === null || rawName.trim() === '') return { ok: false, error: `a ${header} entry has no name` };
  return { ok: true, table: entry, name: normalizeName(rawName), writtenName: rawName };
}

export const VCS_KEYS = ['git', 'hg', 'svn', 'bzr'] as const;
export type VcsKey = (typeof VCS_KEYS)[number];

/** The VCS key an entry uses (`git = "…"`, Pipfile.lock and pdm.lock style), if any. */
export function vcsKeyOf(entry: LockTable): VcsKey | undefined {
  return VCS_KEYS.find((key) => ownString(entry, key) !== null);
}

/**
 * pip's spelling of a pinned VCS requirement (`git+https://host/repo@<ref>`), credentials removed,
 * so every format reports VCS pins the same way.
 */
export function vcsPin(vcs: string, repository: string, ref: string | null): string {
  const url = stripUrlCredentials(repository);
  const prefixed = url.startsWith(`${vcs}+`) ? url : `${vcs}+${url}`;
  return ref === null || ref === '' ? prefixed : `${prefixed}@${ref}`;
}

/** `extras = [...]` as the contract wants them: PEP 685 normalised, unique, sorted. */
export function lockExtras(value: unknown): string[] {
  const extras = stringList(value);
  return extras.length === 0 ? [] : [...new Set(extras.map((extra) => normalizeExtra(extra)))].sort();
}

/** What a lock entry says about its package; the reader adds where it stands. */
export interface LockedFields {
  name: string;
  /** The name as the entry writes it (Dependency.writtenName: kept when it is not `name`). */
  writtenName?: string;
  version: string | null;
  extras: string[];
  marker: string | null;
  source: DependencySource;
  /** The VCS / URL / path / private index the entry comes from (credentials already removed). */
  url: string | null;
  editable: boolean;
  group: string;
  direct: boolean;
  hashes: string[];
}

/** How much of a bad version an error quotes: enough to recognise it, never a whole line of junk. */
const QUOTED_VERSION_CHARS = 80;

export type LockedVersion = { ok: true; version: string | null } | { ok: false; problem: string };

/**
 * An entry's locked version as every lock reader takes it: absent (null; a blank string counts as
 * absent), or a string holding one exact PEP 440 version (`2.4.1+cpu` included), trimmed. Anything
 * else is a problem the reader reports on the entry's line, which makes the result partial:
 * - a wildcard, range or operator (`1.24.*`, `>=2.1`, `1.24,<2`) names no one release, so it would
 *   match no advisory and the entry would pass unrated;
 * - a TOML or JSON number (`version = 2.1`, a hand edit) has lost how it was written (`1.10` reads
 *   as 1.1, `2.0` as 2), so it is not guessed back into a version.
 */
export function lockedVersion(value: unknown): LockedVersion {
  if (value === undefined || value === null) return { ok: true, version: null };
  if (typeof value === 'number' || typeof value === 'bigint') {
    return { ok: false, problem: `version ${String(value)} is a number, not a string: quote it as the lock tool writes it (a number loses how it was written: 1.10 reads as 1.1)` };
  }
  if (typeof value !== 'string') return { ok: false, problem: 'version should be a string' };
  const version = value.trim();
  if (version === '') return { ok: true, version: null };
  if (!isValidVersion(version)) return { ok: false, problem: notAVersion(version) };
  return { ok: true, version };
}

function notAVersion(version: string): string {
  return `version ${JSON.stringify(version.slice(0, QUOTED_VERSION_CHARS))} is not a PEP 440 version`;
}

export type LockedEntry = { ok: true; dependency: Dependency } | { ok: false; error: string };

/**
 * The `locked` dependency: the exact version is the specifier, `url` and `hashes` only when present.
 * Every lock reader builds its entries here, so this is where a version that is not one exact
 * PEP 440 version is stopped whichever reader let it through (see lockedVersion): the entry is
 * then an error naming the package, never a pin that matches nothing.
 */
export function lockedDependency(fields: LockedFields, file: string, line: number | null): LockedEntry {
  if (fields.version !== null && !isValidVersion(fields.version)) return { ok: false, error: `package ${fields.name}: ${notAVersion(fields.version)}` };
  const dependency: Dependency = {
    name: fields.name,
    version: fields.version,
    specifier: fields.version === null ? '' : `==${fields.version}`,
    extras: fields.extras,
    marker: fields.marker,
    source: fields.source,
    editable: fields.editable,
    kind: 'locked',
    group: fields.group,
    direct: fields.direct,
    file,
    line,
  };
  const written = fields.writtenName === undefined ? undefined : writtenNameOf(fields.writtenName, fields.name);
  if (written !== undefined) dependency.writtenName = written;
  if (fields.url !== null) dependency.url = fields.url;
  if (fields.hashes.length > 0) dependency.hashes = fields.hashes;
  return { ok: true, dependency };
}

/** Index URLs named by entries, each reported once (on the first entry that uses it). */
export class IndexOptions {
  readonly options: ManifestOption[] = [];
  readonly #seen = new Set<string>();

  constructor(readonly optionName: 'index-url' | 'extra-index-url' | 'uv-index') {}

  add(url: string | null, line: number | null): void {
    if (url === null || this.#seen.has(url)) return;
    this.#seen.add(url);
    this.options.push({ name: this.optionName, value: url, line });
  }
}
