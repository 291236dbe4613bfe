/**
 * What the package index says about one exact release, for `depwatch check` (the question asked before
 * adding a dependency). An advisory database only knows releases someone reported: a release that was
 * yanked, a version that was never published, a name PyPI does not have (a typo, or dependency
 * confusion waiting to happen) or a project PyPI quarantined as malware all read "no known
 * vulnerabilities" there, so the answer would pass what pip would refuse or should not install.
 */
import { isPrerelease, isValidVersion } from './pep440.js';
import { latestStable, pinnedRelease, type PinOperator, type ProjectInfo, type ProjectStatus } from './releases.js';

/** As the JSON of `check` gives it (`results[].pypi`). */
export interface ReleaseStatus {
  /** The index has the project. */
  on_index: boolean;
  /**
   * The index has a release with files the pin lets pip install: for `==`, equal PEP 440 versions
   * count (`1.16` is `1.16.0`) and so do local versions of the pinned one (`2.0+cpu` for `==2.0`);
   * for `===`, only the same text (case aside).
   */
  release_on_index: boolean;
  /** Every release the pin admits is yanked (PEP 592: pip takes a yanked one only then). */
  yanked: boolean;
  yanked_reason: string | null;
  /** The newest release worth moving to (not yanked, stable unless the release asked about is a prerelease); null when none. */
  latest: string | null;
  /** PEP 792 status (`active` when the index declares none); null when the index did not say. */
  project_status: ProjectStatus | null;
  project_status_reason: string | null;
}

/** What makes a release one not to add: each fails `check` as a vulnerability does. */
export type ReleaseProblem = 'not-on-index' | 'no-such-release' | 'yanked' | 'quarantined';

export function releaseStatus(info: ProjectInfo | null, version: string, operator: PinOperator = '=='): ReleaseStatus {
  if (info === null) {
    return { on_index: false, release_on_index: false, yanked: false, yanked_reason: null, latest: null, project_status: null, project_status_reason: null };
  }
  const release = pinnedRelease(info, version, operator);
  return {
    on_index: true,
    release_on_index: release !== undefined,
    yanked: release?.yanked ?? false,
    yanked_reason: release?.yanked ? release.yankedReason : null,
    latest: latestStable(info, { includePre: isValidVersion(version) && isPrerelease(version) }),
    project_status: info.status,
    project_status_reason: info.statusReason,
  };
}

export function releaseProblems(status: ReleaseStatus): ReleaseProblem[] {
  if (!status.on_index) return ['not-on-index'];
  const problems: ReleaseProblem[] = [];
  // Quarantine first: nothing of the project can be installed, whatever the release.
  if (status.project_status === 'quarantined') problems.push('quarantined');
  if (!status.release_on_index) problems.push('no-such-release');
  else if (status.yanked) problems.push('yanked');
  return problems;
}
