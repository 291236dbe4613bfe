/**
 * Facts about one audited tree that several rules need: which exact releases are installed, which
 * requirements a lockfile covers, what the registry and the advisories say. Built once per audit.
 */
import type { EntryRewriter } from '../fix/entry-text.js';
import { posix } from 'node:path';
import type { AdvisoryGroup } from '../advisories/aliases.js';
import type { OsvRecord } from '../advisories/types.js';
import type { LoadedManifest } from '../python/load.js';
import type { ProjectInfo } from '../python/releases.js';
import type { Dependency } from '../python/types.js';
import type { TyposquatChecker } from '../packages/typosquat/check.js';
import { compareText } from '../text-order.js';
import { isArchiveLocation } from '../python/archive-name.js';
import { isUvLockPath } from '../python/formats/paths.js';
import { isDockerfilePath } from '../scan/paths.js';

export const LOCK_FORMATS = new Set(['poetry-lock', 'pipfile-lock', 'uv-lock', 'pdm-lock', 'pylock']);

/** One installed release (name, exact version) and every place that pins or locks it. */
export interface PackageUse {
  name: string;
  version: string;
  /** Where to point the user: a direct pin if there is one, else the lockfile entry. */
  primary: Dependency;
  entries: Dependency[];
  direct: boolean;
  /**
   * Whether an entry installs it from a registry. The others (a VCS checkout, a URL, a local archive:
   * isRatedRelease) are matched against advisories, but PyPI's facts (outdated, yanked, on the index,
   * typosquat) are not about what they install. Absent counts as true (the bot's stored form).
   */
  fromRegistry?: boolean;
}

export interface AuditContext {
  now: Date;
  /** What `depwatch fix` writes for a TOML entry (src/fix/entry-text.ts), made by the audit when a Pipfile or pyproject.toml was read; absent otherwise. */
  entryRewriter?: EntryRewriter;
  manifests: LoadedManifest[];
  dependencies: Dependency[];
  packages: PackageUse[];
  /** Direct requirements nothing pins (see unpinnedRequirements). */
  unpinned: Dependency[];
  /** PyPI facts per package name; null when the registry was not consulted (offline) or failed. */
  registry: Map<string, ProjectInfo | null> | null;
  /**
   * Whether a registry was asked (online), so a package absent from `registry` had its release list
   * not read (a failure, or a first stage before PyPI answered) rather than not asked for (offline).
   */
  registryAsked?: boolean;
  /** Advisories hitting each installed release, keyed `${name}@${version}`. */
  hits: Map<string, OsvRecord[]>;
  /** `groupHits(hits)`, made once with them: one finding per group. The two must agree (built together by every caller). */
  hitGroups: Map<string, AdvisoryGroup[]>;
  /** Records named as aliases by unrated advisories, by id: where their rating comes from (alias-severity.ts). */
  aliasRecords?: ReadonlyMap<string, OsvRecord>;
  /** Every advisory known for a package (fetched for vulnerable and unpinned packages only). */
  packageAdvisories: Map<string, OsvRecord[]>;
  contextFiles: { path: string; text: string }[];
  /**
   * What the python-eol rule reads interpreter pins and end-of-life dates with (python/interpreter.ts),
   * loaded by the audit whenever that rule has something to read (rules/python-eol.ts, pythonEolReads).
   */
  interpreter?: Pick<typeof import('../python/interpreter.js'), 'detectPythonVersions' | 'eolStatus' | 'lowestAllowedPython'>;
  /** The typosquat check with the names the caller knows (rules/typosquat.ts); the shipped names alone when absent. */
  typosquat?: TyposquatChecker;
}

const dirOf = (file: string) => posix.dirname(file);

/** Whether `dir` is `ancestor` or inside it. */
const within = (dir: string, ancestor: string) => ancestor === '.' || dir === ancestor || dir.startsWith(ancestor + '/');

const ENTRY_PREFERENCE: Record<Dependency['kind'], number> = { requirement: 0, locked: 1, constraint: 2 };

/**
 * Whether an entry installs a release the advisories can be rated against: its name and exact
 * version are known, and it is not the project's own code. The one decision the audit, the bot's
 * stored packages and the pull-request review share (through installedPackages).
 *
 * A registry pin or lock entry is. So is a VCS checkout, a URL or a local wheel or sdist whose
 * version the lock or the file's name gives: what is installed is that package at that version
 * (OSV-Scanner queries them by name and version, pip-audit audits the installed wheel), and leaving
 * it unrated passed a vulnerable release silently. That it comes from outside the index is said by
 * the non-registry-source rule. Not the project's own code: an editable install or a local folder
 * (uv's `editable` / `virtual` / `directory`, Poetry's `directory`, `-e .`), whose name may well be
 * a PyPI project's that it is not.
 */
export function isRatedRelease(d: Dependency): boolean {
  if (d.version === null || !d.name) return false;
  if (d.source !== 'path') return true;
  return !d.editable && isArchiveLocation(d.url);
}

/** A uv constraint or override (pyproject.toml `[tool.uv]`), as opposed to a pip `-c` file's pin. */
const isUvConstraint = (d: Dependency) => d.section === 'tool.uv.constraint-dependencies' || d.section === 'tool.uv.override-dependencies';

/**
 * Exact installed releases (isRatedRelease): every exact pin and lock entry, and an exact constraint
 * pin (pip's `-c`, uv's `constraint-dependencies` / `override-dependencies`) when the package may be
 * installed at that version.
 *
 * A constraint installs nothing by itself; it decides the version of a package something else
 * brings in. When the tree asks for the package (or a lock lists it), the pin is that version. When
 * nothing in the files asks for it, it may still come in transitively (a constraints file is often
 * the whole resolved tree, as pip-compile writes it), and without a lock the files cannot tell: the
 * pin is rated as pip-audit rates what the resolver installs. If it carries no advisory nothing is
 * said (nothing wrong either way); if it does, the finding points at the constraint, the version
 * that would be installed.
 *
 * Only the lock of the tool that reads the constraint tells otherwise: uv's lists are read from the
 * workspace root, and the uv.lock beside that pyproject.toml lists everything uv installs, so a
 * package it does not list is not installed and its constraint is not rated. A pip `-c` file is read
 * by `pip install -r`, which no poetry.lock, uv.lock or other lock in the folders above governs (a
 * docs project's poetry.lock at the root says nothing of what services/api installs): its pins are
 * always rated (fail closed).
 */
export function installedPackages(dependencies: Dependency[]): PackageUse[] {
  const required = new Set(dependencies.filter((d) => d.kind !== 'constraint').map((d) => d.name));
  const uvLockDirs = new Set(dependencies.filter((d) => d.kind === 'locked' && isUvLockPath(d.file)).map((d) => dirOf(d.file)));
  const lockedByUv = (d: Dependency) => isUvConstraint(d) && uvLockDirs.has(dirOf(d.file));
  const byKey = new Map<string, Dependency[]>();
  for (const d of dependencies) {
    if (!isRatedRelease(d)) continue;
    if (d.kind === 'constraint' && !required.has(d.name) && lockedByUv(d)) continue;
    const key = `${d.name}@${d.version}`;
    // push, not a copy per entry: 100,000 locked entries of one release made the copies quadratic (400 s).
    const same = byKey.get(key);
    if (same === undefined) byKey.set(key, [d]);
    else same.push(d);
  }
  return [...byKey.values()].map((entries) => {
    // Files as localeCompare ordered them (text-order.ts): the same primary entry as ever, on every machine.
    const sorted = [...entries].sort((a, b) => ENTRY_PREFERENCE[a.kind] - ENTRY_PREFERENCE[b.kind] || compareText(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0));
    const primary = sorted[0]!;
    return {
      name: primary.name,
      version: primary.version!,
      primary,
      entries: sorted,
      direct: entries.some((e) => e.direct && e.kind !== 'constraint'),
      fromRegistry: entries.some((e) => e.source === 'registry'),
    };
  });
}

/** The installed releases PyPI's facts are about (PackageUse.fromRegistry): what the outdated, yanked, not-on-index and typosquat checks read. */
export const registryPackages = (packages: readonly PackageUse[]): PackageUse[] => packages.filter((p) => p.fromRegistry !== false);

/**
 * Direct registry requirements that nothing fixes to one version: no lockfile, exact pin or constraint
 * of the same package in the same directory or one above it (where pip-compile and lock tools put them).
 * A Dockerfile's `pip install` is its own: the command reads no lockfile or constraints file beside
 * it (only what it names), and its pins go into the image alone, so only a pin of the same
 * Dockerfile fixes one of its ranges, and its pins fix nothing of the project's files.
 */
export function unpinnedRequirements(dependencies: Dependency[]): Dependency[] {
  const fixedIn = new Map<string, Set<string>>();
  const fixedInDockerfile = new Set<string>();
  // Asked once a file: thousands of entries share a few files.
  const dockerfiles = new Map<string, boolean>();
  const isDockerfile = (file: string) => dockerfiles.get(file) ?? dockerfiles.set(file, isDockerfilePath(file)).get(file)!;
  for (const d of dependencies) {
    if (d.version === null) continue;
    if (isDockerfile(d.file)) {
      fixedInDockerfile.add(`${d.file}\u0000${d.name}`);
      continue;
    }
    const dirs = fixedIn.get(d.name) ?? new Set<string>();
    dirs.add(dirOf(d.file));
    fixedIn.set(d.name, dirs);
  }
  const covered = (dep: Dependency) =>
    isDockerfile(dep.file) ? fixedInDockerfile.has(`${dep.file}\u0000${dep.name}`) : [...(fixedIn.get(dep.name) ?? [])].some((dir) => within(dirOf(dep.file), dir));
  return dependencies.filter((d) => d.kind === 'requirement' && d.source === 'registry' && d.version === null && d.name !== '' && !covered(d));
}

/** A package a check of its name alone reads: where it is, and its version when one is installed. */
export interface NamedPackage {
  name: string;
  /** The installed release; null for a name only a range (or nothing) asks for. */
  version: string | null;
  file: string;
  line: number | null;
  direct: boolean;
  entries: readonly Dependency[];
}

/**
 * Every release installed from a registry, then the unpinned requirements (unpinnedRequirements) of names no pinned
 * or locked release installs, the first of each name in file order. The checks of a name alone
 * (typosquat, not-on-index) read both: pip installs a squat, or fails on a missing name, whatever
 * range asks for it.
 */
export function namedPackages(ctx: Pick<AuditContext, 'packages' | 'unpinned'>): NamedPackage[] {
  const installed = registryPackages(ctx.packages);
  const out: NamedPackage[] = installed.map((p) => ({ name: p.name, version: p.version, file: p.primary.file, line: p.primary.line, direct: p.direct, entries: p.entries }));
  const seen = new Set(installed.map((p) => p.name));
  for (const dep of ctx.unpinned) {
    if (seen.has(dep.name)) continue;
    seen.add(dep.name);
    out.push({ name: dep.name, version: null, file: dep.file, line: dep.line, direct: true, entries: [dep] });
  }
  return out;
}

/**
 * A lockfile in requirements format: `requirements.lock` / `requirements-dev.lock`, what `rye lock`
 * writes beside its pyproject.toml (and `uv pip compile -o requirements.lock` names). Its format is
 * `requirements` (it is read, fixed and rated as one); as a lock of its project it counts as the
 * lockfile formats do.
 */
export const isRequirementsLock = (m: Pick<LoadedManifest, 'path' | 'format'>): boolean => m.format === 'requirements' && m.path.endsWith('.lock');

/** Lockfiles (of a lock format, or requirements-format `.lock` files) in the manifest's directory or one above it. */
export function lockfilesCovering(manifest: LoadedManifest, manifests: LoadedManifest[]): LoadedManifest[] {
  const dir = dirOf(manifest.path);
  return manifests.filter((m) => (LOCK_FORMATS.has(m.format) || isRequirementsLock(m)) && m !== manifest && within(dir, dirOf(m.path)));
}
