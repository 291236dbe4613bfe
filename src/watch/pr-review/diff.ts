/**
 * What a pull request changes in the dependencies: the manifests and lockfiles it touches, read at
 * the base and at the head, compared package by package. Pure (texts in, changes out), so the
 * sweep's part only has to fetch the texts, and tests need no GitHub.
 *
 * - added / removed: a package present on one side only (pinned, locked or declared);
 * - upgraded / downgraded: its installed (exact) version moved, by PEP 440 order; `changed` when
 *   either side is not PEP 440 or is a set of versions, or one side is a range;
 * - range: neither side installs an exact version and the requirement changed (`>=2.2.5` → `>=0.1`,
 *   or to no specifier at all): what pip may install changed although no version did, which is
 *   exactly what a lowered or dropped floor looks like (GitHub's dependency review lists it too);
 * - source: it moved between the index and a VCS, URL or path source (`requests==2.31.0` →
 *   `requests @ git+https://…`): still installed, from elsewhere, so one change, not "removed"
 *   beside a new source;
 * - new non-registry sources (VCS, URL, path) and new index URLs: supply-chain changes worth a human
 *   look whatever the advisories say.
 * A file that does not parse on one side is reported (errors), never read as "everything removed":
 * the packages the other side has in it are left out of the comparison on the grounds that this
 * side's entries are unknown (all of them when the file was not read at all, those that vanish
 * when only some lines were not, and any named on a line that was not), and the errors say which.
 * Each side is what it installs: the changed files and what they include (ChangedFiles.included).
 */
import { installedPackages, isRatedRelease, registryPackages } from '../../audit/context.js';
import { formatForPath } from '../../python/discover.js';
import { memorySource } from '../../python/files.js';
import { packageSourceKind, type PackageSourceKind } from '../../python/index-options.js';
import { isFileNotFound, loadManifests, type LoadResult } from '../../python/load.js';
import { normalizeName } from '../../python/names.js';
import { compareVersions, isValidVersion } from '../../python/pep440.js';
import { stripUrlCredentials } from '../../python/urls.js';

export type ChangeKind = 'added' | 'removed' | 'upgraded' | 'downgraded' | 'changed' | 'range' | 'source';

/** How a reader sees the kind of a change (`range changed`, `source changed`); the other kinds read as their names. */
export function changeKindLabel(kind: ChangeKind): string {
  return kind === 'range' || kind === 'source' ? `${kind} changed` : kind;
}

export interface DependencyChange {
  name: string;
  kind: ChangeKind;
  /** Installed version(s) at the base, comma-joined; null when absent or only declared (a range). */
  from: string | null;
  to: string | null;
  /** A file at the head (or, for removals, the base) that names it. */
  file: string;
  /**
   * The requirement as written (normalised: `<1`, `>=2.2.5,<4`; `''` for no specifier at all) on a
   * side that installs no exact version of it, one per distinct requirement; absent on a side that
   * pins or locks it, or does not name it. What pip may install there is whatever these admit.
   */
  fromRange?: string[];
  toRange?: string[];
  /**
   * What changed besides the version, when the version did not (`extras added: socks`, `hashes
   * changed`): an extra installs more, other hashes are other files; absent otherwise.
   */
  detail?: string;
  /** For a `source` change: the VCS, URL or path source on the side that installs from one (credentials removed). */
  fromSource?: string;
  toSource?: string;
  /**
   * For a `source` change to a VCS, URL or path source: the exact version it installs when that is
   * known (isRatedRelease: a lock's version, a wheel's file name), which its advisories are matched
   * by, as the audit matches them; absent when not known.
   */
  toSourceVersion?: string;
}

/** One side of a change as a reader should see it: the version(s), else the requirement as written, else null (not there). */
export function shownSide(change: DependencyChange, side: 'from' | 'to'): string | null {
  const version = change[side];
  if (version !== null) return version;
  const ranges = side === 'from' ? change.fromRange : change.toRange;
  if (ranges?.length) return ranges.map((r) => r || 'any version').join(' or ');
  return (side === 'from' ? change.fromSource : change.toSource) ?? null;
}

export interface NewSource {
  name: string;
  url: string;
  kind: 'vcs' | 'url' | 'path';
  file: string;
  line: number | null;
  /** The exact version it installs when that is known (isRatedRelease), which its advisories are matched by; absent otherwise. */
  version?: string;
}

export interface NewIndexUrl {
  url: string;
  file: string;
  line: number | null;
  /**
   * For pip's `--find-links`, what it adds (packageSourceKind): a page on the web, a local folder,
   * or `unknown` for a `${VAR}` the environment fills in; absent for an index.
   */
  findLinks?: Exclude<PackageSourceKind, 'index'>;
  /** pip's `--trusted-host` (`url` is the host): not an index, but what is installed from it is not checked (the audit's extra-index-url rule says it too). */
  trustedHost?: true;
  /** A credential is written into the URL as the pull request has it (stripUrlCredentialsNoting): a secret committed, which the review rates avoid. */
  credentials?: true;
}

export interface DependencyDiff {
  changes: DependencyChange[];
  newSources: NewSource[];
  newIndexUrls: NewIndexUrl[];
  /** One line per file that could not be read on either side. */
  errors: string[];
}

export interface ChangedFiles {
  /**
   * path → text of the files the pull request changes (where the diff starts), read in the format
   * their names say, or as requirements files when their names say none (a file a manifest
   * includes, `ci/base.txt`); a path missing on a side did not exist there.
   */
  base: Record<string, string>;
  head: Record<string, string>;
  /**
   * Per side, the files that those include and the pull request does not change (`-r ci/base.txt`,
   * a pyproject.toml's dynamic dependencies file): read only where something includes them, so each
   * side is what it installs. `unread`: included files that could not be read, which the caller
   * says why; the loader then does not call them missing.
   */
  included?: Partial<Record<'base' | 'head', { texts: Record<string, string>; unread?: readonly string[] }>>;
}

/** A package on one side: its installed versions (exact), empty when only declared, and its requirements as written. */
interface SidePackage {
  versions: Set<string>;
  ranges: Set<string>;
  file: string;
  /** Every file naming it. */
  files: Set<string>;
  /** The extras any entry asks for, and the hashes any entry gives. */
  extras: Set<string>;
  hashes: Set<string>;
}

/**
 * What a side could not read: `whole` for a file nothing was read from (it does not parse, is not
 * found, or the caller could not fetch it), `lines` for one only some of whose entries were read.
 */
interface Unread {
  files: Map<string, 'whole' | 'lines'>;
  /** Names that start a line that could not be read (`idna=====3.0 ;;`): their entries on this side are unknown. */
  names: Set<string>;
}

interface Side {
  packages: Map<string, SidePackage>;
  sources: NewSource[];
  indexes: NewIndexUrl[];
  errors: string[];
  unread: Unread;
}

/**
 * What a side installs, read as the audit's loader reads it: `roots` (the changed files) each in its
 * own format, or as a requirements file when its name says none, and whatever they include.
 */
export async function loadSide(roots: Record<string, string>, included: Record<string, string> = {}, unread: readonly string[] = []): Promise<LoadResult> {
  const source = memorySource({ ...included, ...roots });
  const named = Object.keys(roots).filter((path) => formatForPath(path) !== null);
  const first = await loadManifests(source, { paths: named });
  const read = new Set(first.manifests.map((m) => m.path));
  // Only what the named roots did not reach already: an included file is read once.
  const unnamed = Object.keys(roots).filter((path) => formatForPath(path) === null && !read.has(path));
  const second = unnamed.length > 0 ? await loadManifests(source, { paths: unnamed, format: 'requirements' }) : { manifests: [], errors: [] };
  const seen = new Set<string>();
  const notMissing = new Set(unread);
  const errors = [...first.errors, ...second.errors].filter((e) => {
    const key = `${e.file}\u0000${e.line}\u0000${e.message}`;
    if (seen.has(key) || (notMissing.has(e.file) && isFileNotFound(e))) return false;
    seen.add(key);
    return true;
  });
  return { manifests: [...first.manifests, ...second.manifests.filter((m) => !read.has(m.path))], errors };
}

/** The files the roots include, at any depth, that are among neither the roots nor `included`: to be read next. */
export async function includesToRead(roots: Record<string, string>, included: Record<string, string>): Promise<string[]> {
  const load = await loadSide(roots, included);
  return [...new Set(load.manifests.flatMap((m) => m.includes))].filter((path) => !(path in roots) && !(path in included));
}

async function readSide(files: Record<string, string>, label: string, included?: { texts: Record<string, string>; unread?: readonly string[] }): Promise<Side> {
  const load = await loadSide(files, included?.texts, included?.unread);
  const dependencies = load.manifests.flatMap((m) => m.dependencies);
  const packages: Side['packages'] = new Map();
  for (const d of dependencies) {
    if (!d.name || d.source !== 'registry') continue;
    if (!packages.has(d.name)) packages.set(d.name, { versions: new Set(), ranges: new Set(), file: d.file, files: new Set(), extras: new Set(), hashes: new Set() });
    const p = packages.get(d.name)!;
    p.ranges.add(d.specifier);
    p.files.add(d.file);
    for (const extra of d.extras) p.extras.add(extra);
    for (const hash of d.hashes ?? []) p.hashes.add(hash);
  }
  // The index's versions of the index's packages: a VCS, URL or path source is a `source` change and a new source (below).
  for (const p of registryPackages(installedPackages(dependencies))) packages.get(p.name)?.versions.add(p.version);
  const sources = dependencies
    .filter((d) => d.source !== 'registry' && d.url)
    .map((d): NewSource => ({ name: d.name, url: stripUrlCredentials(d.url!), kind: d.source as NewSource['kind'], file: d.file, line: d.line, ...(isRatedRelease(d) ? { version: d.version! } : {}) }));
  // Which options add an index or page, and what a --find-links value is, as the audit reads them (src/python/index-options.ts).
  const indexes = load.manifests.flatMap((m) =>
    m.options.flatMap((o): NewIndexUrl[] => {
      if (o.name === 'trusted-host') return [{ url: o.value, file: m.path, line: o.line, trustedHost: true }];
      const kind = packageSourceKind(o);
      if (kind === null) return [];
      return [{ url: stripUrlCredentials(o.value), file: m.path, line: o.line, ...(kind === 'index' ? {} : { findLinks: kind }), ...(o.credentials === true ? { credentials: true as const } : {}) }];
    }),
  );
  const errors = load.errors.map((e) => `${label}: ${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}`);
  return { packages, sources, indexes, errors, unread: unreadOf(load, { ...included?.texts, ...files }, included?.unread ?? []) };
}

/** A requirement's name at the start of a line (after indentation or a TOML string's quote), PEP 503; null when the line starts with none. */
function nameStarting(line: string): string | null {
  const match = /^[\s"']*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line);
  return match ? normalizeName(match[1]!) : null;
}

function unreadOf(load: LoadResult, texts: Record<string, string>, notFetched: readonly string[]): Unread {
  const files: Unread['files'] = new Map(notFetched.map((f) => [f, 'whole']));
  const names = new Set<string>();
  const withEntries = new Set(load.manifests.flatMap((m) => m.dependencies.map((d) => d.file)));
  // Each file split once, however many of its lines failed: linear in the text.
  const lines = new Map<string, string[]>();
  for (const e of load.errors) {
    // A note: the content was still read whole (an include cycle).
    if (e.note) continue;
    if (!withEntries.has(e.file)) files.set(e.file, 'whole');
    else if (!files.has(e.file)) files.set(e.file, 'lines');
    const text = texts[e.file];
    if (e.line !== null && text !== undefined) {
      if (!lines.has(e.file)) lines.set(e.file, text.split('\n'));
      const name = nameStarting(lines.get(e.file)![e.line - 1] ?? '');
      if (name !== null) names.add(name);
    }
  }
  return { files, names };
}

/**
 * Whether a package's comparison would rest on entries one side could not read: named on a line
 * that side could not read, or named by the other side in a file this side read none of, or only
 * some of and it is not there. Then which file, for the errors; null when it can be compared.
 */
function notComparable(name: string, side: Side, other: Side): string | null {
  const here = side.packages.get(name);
  const there = other.packages.get(name);
  if (side.unread.names.has(name)) return there?.file ?? here?.file ?? null;
  for (const file of there?.files ?? []) {
    const unread = side.unread.files.get(file);
    if (unread === 'whole' || (unread === 'lines' && !here)) return file;
  }
  return null;
}

const joined = (versions: Set<string>) => (versions.size ? [...versions].sort().join(', ') : null);

/** The requirements as written, on a side that installs no exact version (see DependencyChange.fromRange). */
const rangesOf = (p: SidePackage) => (p.versions.size ? undefined : [...p.ranges].sort());
const withRanges = (from: SidePackage | undefined, to: SidePackage | undefined) => {
  const fromRange = from ? rangesOf(from) : undefined;
  const toRange = to ? rangesOf(to) : undefined;
  return { ...(fromRange ? { fromRange } : {}), ...(toRange ? { toRange } : {}) };
};

const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((v) => b.has(v));

function kindOf(before: SidePackage, now: SidePackage): ChangeKind | null {
  const from = before.versions;
  const to = now.versions;
  // Both sides ranges: the requirement as written is what pip installs from.
  if (from.size === 0 && to.size === 0) return sameSet(before.ranges, now.ranges) ? null : 'range';
  if (sameSet(from, to)) return null;
  if (from.size === 1 && to.size === 1) {
    const [a] = from;
    const [b] = to;
    if (isValidVersion(a!) && isValidVersion(b!)) {
      const order = compareVersions(b!, a!);
      if (order > 0) return 'upgraded';
      if (order < 0) return 'downgraded';
      return null;
    }
  }
  return 'changed';
}

/** What changed at the same version (or range): extras asked for, hashes given; null when nothing did. */
function sameVersionDetail(before: SidePackage, now: SidePackage): string | null {
  const added = [...now.extras].filter((e) => !before.extras.has(e)).sort();
  const dropped = [...before.extras].filter((e) => !now.extras.has(e)).sort();
  const parts = [...(added.length ? [`extras added: ${added.join(', ')}`] : []), ...(dropped.length ? [`extras dropped: ${dropped.join(', ')}`] : [])];
  if (!sameSet(before.hashes, now.hashes)) {
    // Dropped hashes matter most: pip no longer checks what it downloads against them.
    parts.push(now.hashes.size === 0 ? 'hashes dropped' : before.hashes.size === 0 ? 'hashes added' : 'hashes changed');
  }
  return parts.length ? parts.join('; ') : null;
}

/** How many names a "left out" line lists before "and N more". */
const MAX_LEFT_OUT_NAMED = 10;

/** One line per side and file: `head: poetry.lock not read: idna, six left out of the comparison`. */
function leftOutLines(leftOut: Map<string, string>): string[] {
  const byPlace = new Map<string, string[]>();
  for (const [name, place] of leftOut) byPlace.set(place, [...(byPlace.get(place) ?? []), name]);
  return [...byPlace].map(([place, names]) => {
    const sorted = names.sort();
    const shown = sorted.slice(0, MAX_LEFT_OUT_NAMED).join(', ') + (sorted.length > MAX_LEFT_OUT_NAMED ? ` and ${sorted.length - MAX_LEFT_OUT_NAMED} more` : '');
    return `${place} not read in full: ${shown} left out of the comparison`;
  });
}

export async function diffDependencies(files: ChangedFiles): Promise<DependencyDiff> {
  const [base, head] = await Promise.all([readSide(files.base, 'base', files.included?.base), readSide(files.head, 'head', files.included?.head)]);
  // Fail closed: what one side could not read is neither removed nor added, but left out and said.
  const leftOut = new Map<string, string>();
  for (const [label, side, other] of [['base', base, head], ['head', head, base]] as const) {
    for (const name of new Set([...side.packages.keys(), ...other.packages.keys()])) {
      const file = leftOut.has(name) ? null : notComparable(name, side, other);
      if (file !== null) leftOut.set(name, `${label}: ${file}`);
    }
  }
  const changes: DependencyChange[] = [];
  // A package that moved between the index and another source is one change, not a removal and an
  // addition (nor a new source beside it: the change says where from).
  const baseSource = new Map(base.sources.map((src) => [src.name, src]));
  const headSource = new Map(head.sources.map((src) => [src.name, src]));
  const movedSource = new Set<NewSource>();
  for (const [name, now] of head.packages) {
    if (leftOut.has(name)) continue;
    const before = base.packages.get(name);
    const was = baseSource.get(name);
    if (!before && was && !headSource.has(name)) {
      changes.push({ name, kind: 'source', from: null, to: joined(now.versions), file: now.file, fromSource: was.url, ...withRanges(undefined, now) });
      continue;
    }
    if (!before) {
      changes.push({ name, kind: 'added', from: null, to: joined(now.versions), file: now.file, ...withRanges(undefined, now) });
      continue;
    }
    const kind = kindOf(before, now);
    const detail = kind === null ? sameVersionDetail(before, now) : null;
    if (kind || detail) changes.push({ name, kind: kind ?? 'changed', from: joined(before.versions), to: joined(now.versions), file: now.file, ...withRanges(before, now), ...(detail ? { detail } : {}) });
  }
  for (const [name, before] of base.packages) {
    if (head.packages.has(name) || leftOut.has(name)) continue;
    const now = headSource.get(name);
    if (now && !baseSource.has(name)) {
      movedSource.add(now);
      changes.push({ name, kind: 'source', from: joined(before.versions), to: null, file: now.file, ...withRanges(before, undefined), toSource: now.url, ...(now.version !== undefined ? { toSourceVersion: now.version } : {}) });
      continue;
    }
    changes.push({ name, kind: 'removed', from: joined(before.versions), to: null, file: before.file, ...withRanges(before, undefined) });
  }
  changes.sort((a, b) => a.name.localeCompare(b.name));
  // By version too: another release from the same place (a lock's git entry moved on) is a new one to rate.
  const sourceKey = (s: NewSource) => `${s.name} ${s.url} ${s.version ?? ''}`;
  const knownSources = new Set(base.sources.map(sourceKey));
  // By what the option adds as well as its text: a host trusted at the base does not make a
  // --find-links folder of the same name known, nor an index a --find-links page at its address.
  // A credential written into a URL the base had without one is new too: the secret is what the pull request adds.
  const indexKey = (i: NewIndexUrl) => `${i.trustedHost ? 'trusted-host' : (i.findLinks ?? 'index')}\n${i.url}${i.credentials ? '\ncredentials' : ''}`;
  const knownIndexes = new Set(base.indexes.map(indexKey));
  return {
    changes,
    newSources: head.sources.filter((s) => !knownSources.has(sourceKey(s)) && !movedSource.has(s)),
    newIndexUrls: head.indexes.filter((i) => !knownIndexes.has(indexKey(i))),
    errors: [...base.errors, ...head.errors, ...leftOutLines(leftOut)],
  };
}
