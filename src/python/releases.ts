/**
 * A project's releases as the audit, the digests and the package cards read them (what PyPIClient
 * returns), and pure questions over them: the newest stable release, how far a pin is behind, what
 * kind of upgrade a move is. Apart from the client so the audit's rules load no HTTP client or
 * validator: an offline audit never asks PyPI.
 */
import { arbitraryEqual, compareVersions, isPrerelease, isValidVersion, parseVersion, versionPinMatches } from './pep440.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export type ProjectStatus = 'active' | 'archived' | 'quarantined' | 'deprecated';

export interface ReleaseInfo {
  version: string;
  /** Earliest upload of any of its files (ISO 8601); null when no file says. Releases without files are not listed. */
  uploadTime: string | null;
  /** Every one of its files yanked. */
  yanked: boolean;
  yankedReason: string | null;
  requiresPython: string | null;
}

export interface ProjectInfo {
  name: string;
  /** `info.version`: what PyPI calls the latest release (newest non-prerelease, unless only prereleases exist). */
  latestVersion: string;
  /** Releases with files (something to install), PEP 440 order, oldest first; versions that are not valid PEP 440 come first, in PyPI's order. */
  releases: ReleaseInfo[];
  requiresPython: string | null;
  projectUrls: Record<string, string>;
  summary: string | null;
  /** From the Simple API: null unless `project(name, { status: true })` or `projectStatus` asked for it. */
  status: ProjectStatus | null;
  statusReason: string | null;
}

export interface StatusInfo {
  status: ProjectStatus | null;
  reason: string | null;
}

/** The two operators that pin one release (`name==1.0`, `name===1.0`). */
export type PinOperator = '==' | '===';

/**
 * Whether release `candidate` is one that `operator version` lets pip install: `===` compares the
 * text (case-insensitively, nothing normalised: `===1.0` is not `1.0.0`); `==` compares PEP 440
 * versions, ignoring the candidate's local label when the pin has none (`==2.0` is met by `2.0.0`
 * and by `2.0+cpu`, which an extra index such as PyTorch's serves; `==2.0+cpu` by itself only). A
 * version that is not PEP 440 is met by its own spelling only.
 */
export function pinAdmits(operator: PinOperator, version: string, candidate: string): boolean {
  if (operator === '===') return arbitraryEqual(version, candidate);
  return candidate === version || versionPinMatches(version, candidate);
}

/**
 * Whether `latest` is newer than what `operator version` installs (null: a locked version, that one
 * release): a later PEP 440 version the pin does not admit (`2.0+cu118` is not newer than `==2.0`,
 * which installs it). False when `version` is not PEP 440 (no order to compare by).
 */
export function newerThanPinned(latest: string, version: string, operator: PinOperator | null): boolean {
  return isValidVersion(version) && compareVersions(latest, version) > 0 && (operator === null || !pinAdmits(operator, version, latest));
}

/** Every release with files that the pin admits (pinAdmits), in the index's order. */
export function releasesPinned(info: Pick<ProjectInfo, 'releases'>, version: string, operator: PinOperator = '=='): ReleaseInfo[] {
  return info.releases.filter((r) => pinAdmits(operator, version, r.version));
}

/**
 * The release an exact version names: its own spelling first, else a PEP 440 equal one (`1.0` is
 * `1.0.0`; `2.0` is not `2.0+cpu`); undefined when the index lists no release with files for it.
 * For a locked version, which is that one release; pinnedRelease answers for a pin, which pip may
 * meet with another.
 */
export function findRelease(info: Pick<ProjectInfo, 'releases'>, version: string): ReleaseInfo | undefined {
  return (
    info.releases.find((r) => r.version === version) ??
    (isValidVersion(version) ? info.releases.find((r) => isValidVersion(r.version) && compareVersions(r.version, version) === 0) : undefined)
  );
}

/**
 * The release pip installs for the pin `operator version`; undefined when the index lists no
 * release with files the pin admits (releasesPinned). PEP 592: a yanked one only when every one
 * the pin admits is yanked; then the newest (`2.0+cpu` before `2.0`, as pip sorts them), its own
 * spelling first among equal ones.
 */
export function pinnedRelease(info: Pick<ProjectInfo, 'releases'>, version: string, operator: PinOperator): ReleaseInfo | undefined {
  const admitted = releasesPinned(info, version, operator);
  const installable = admitted.filter((r) => !r.yanked);
  let best: ReleaseInfo | undefined;
  for (const r of installable.length > 0 ? installable : admitted) {
    if (best === undefined || newerForPin(r, best, version)) best = r;
  }
  return best;
}

/** Whether `r` goes before `best` for the pin: a newer version, or an equal one spelled as the pin. */
function newerForPin(r: ReleaseInfo, best: ReleaseInfo, version: string): boolean {
  const ownSpelling = r.version === version && best.version !== version;
  // Outside PEP 440 order only spellings tell them apart (`===0.1-A` admits `0.1-a` too).
  if (!isValidVersion(r.version) || !isValidVersion(best.version)) return ownSpelling;
  const order = compareVersions(r.version, best.version);
  return order > 0 || (order === 0 && ownSpelling);
}

/**
 * The newest release worth upgrading to: valid PEP 440, not yanked, and not a prerelease unless
 * `includePre`. Null when there is none (e.g. every release yanked).
 */
export function latestStable(info: Pick<ProjectInfo, 'releases'>, options: { includePre?: boolean } = {}): string | null {
  let best: string | null = null;
  for (const r of info.releases) {
    if (r.yanked || !isValidVersion(r.version)) continue;
    if (!options.includePre && isPrerelease(r.version)) continue;
    if (best === null || compareVersions(r.version, best) > 0) best = r.version;
  }
  return best;
}

/**
 * How many releases a pin is behind: releases newer than `from` up to and including `to`, not
 * counting yanked ones or prereleases (unless `to` is itself a prerelease). 0 when either version
 * is not valid PEP 440 or `to` is not newer.
 */
export function releasesBetween(info: Pick<ProjectInfo, 'releases'>, from: string, to: string): number {
  if (!isValidVersion(from) || !isValidVersion(to) || compareVersions(to, from) <= 0) return 0;
  const countPre = isPrerelease(to);
  return info.releases.filter(
    (r) =>
      !r.yanked &&
      isValidVersion(r.version) &&
      (countPre || !isPrerelease(r.version)) &&
      compareVersions(r.version, from) > 0 &&
      compareVersions(r.version, to) <= 0,
  ).length;
}

/**
 * What kind of upgrade `from` → `to` is, by the first release segment that changes (an epoch
 * change counts as major). `other`: not an upgrade, invalid versions, or only pre/post/dev/local
 * parts or a fourth segment differ.
 */
export function classifyBump(from: string, to: string): 'major' | 'minor' | 'patch' | 'other' {
  if (!isValidVersion(from) || !isValidVersion(to) || compareVersions(to, from) <= 0) return 'other';
  const a = parseVersion(from);
  const b = parseVersion(to);
  if (!a || !b) return 'other';
  if (a.epoch !== b.epoch) return 'major';
  const kinds = ['major', 'minor', 'patch'] as const;
  for (let i = 0; i < kinds.length; i++) {
    if ((a.release[i] ?? 0) !== (b.release[i] ?? 0)) return kinds[i]!;
  }
  return 'other';
}

/** Whole days from `from` to `to` (negative when `to` is earlier); strings are ISO 8601. */
export function daysBetween(from: Date | string, to: Date | string): number {
  const a = typeof from === 'string' ? Date.parse(from) : from.getTime();
  const b = typeof to === 'string' ? Date.parse(to) : to.getTime();
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  return Math.trunc((b - a) / DAY_MS);
}
