/**
 * A package whose requirement at the head is a range, not one exact version (`flask<1`, `>=0.1`, a
 * new package with no pin), is rated by what the range lets pip install: the releases on PyPI it
 * admits and the known advisories hitting any of them (rangeAdmission, as the audit's `unpinned`
 * rule reads them), and the card of the newest admitted release (what pip installs today). A range
 * admitting a release with a known advisory is never ok, and says which advisories hit which
 * releases. When PyPI's releases or the advisories cannot be read, nothing is guessed: not rated.
 */
import { rangeAdmission } from '../../advisories/range-admission.js';
import type { CardSources, PackageRequest } from '../../packages/card.js';
import { whyFailed } from '../../packages/card.js';
import { releaseHistory } from '../../packages/health/releases.js';
import { compareVersions, isValidSpecifier, isValidVersion } from '../../python/pep440.js';

/** How many releases an advisory names before "…", and how many advisories the reason names before "and N more" (the card lists every id). */
const MAX_RELEASES_SHOWN = 3;
const MAX_ADVISORIES_SHOWN = 5;

export interface AdmittedAdvisory {
  id: string;
  /** The admitted releases it hits, oldest first. */
  releases: string[];
}

export type RangeRating =
  /** Rate the card of `request` (the newest admitted release, or the bare name when PyPI has no such project), with what the range admits. */
  | { request: PackageRequest; admitted: AdmittedAdvisory[]; warnings: string[] }
  /** Why the change is not rated. */
  | { unrated: string };

export async function rateRange(name: string, ranges: readonly string[], sources: CardSources): Promise<RangeRating> {
  const invalid = ranges.find((r) => !isValidSpecifier(r));
  if (invalid !== undefined) return { unrated: `the requirement "${invalid}" cannot be read as PEP 440` };
  let project;
  try {
    project = (await sources.pypi.simple(name)).value;
  } catch (err) {
    return { unrated: `the releases on PyPI could not be read (${whyFailed(err)}), so what the range admits is unknown` };
  }
  // No such project: its card says so (and is never ok).
  if (project === null) return { request: { given: name, name, version: null }, admitted: [], warnings: [] };
  let advisories;
  try {
    advisories = await sources.advisories.recordsFor(name);
  } catch (err) {
    return { unrated: `the advisories could not be read (${whyFailed(err)}), so whether the range admits a vulnerable release is unknown` };
  }
  // As pip reads a range: yanked releases left out; oldest first, so the newest is the last.
  const releases = releaseHistory(project)
    .filter((r) => !r.yanked && isValidVersion(r.version))
    .map((r) => r.version)
    .sort(compareVersions);
  const hits = new Map<string, Set<string>>();
  let newest: string | null = null;
  for (const range of ranges) {
    const admission = rangeAdmission(name, range, releases, advisories.records);
    if (admission.newest !== null && (newest === null || compareVersions(admission.newest, newest) > 0)) newest = admission.newest;
    for (const { record, releases: hit } of admission.admitted ?? []) {
      const seen = hits.get(record.id) ?? new Set<string>();
      for (const v of hit) seen.add(v);
      hits.set(record.id, seen);
    }
  }
  if (newest === null) return { unrated: 'no release on PyPI satisfies it, so pip could not install it' };
  const admitted = [...hits].map(([id, hit]) => ({ id, releases: [...hit].sort(compareVersions) }));
  return { request: { given: name, name, version: newest }, admitted, warnings: advisories.warnings };
}

/** `"<1" admits releases with known advisories: PYSEC-1 (0.12, 0.13, …); GHSA-2 (1.0)`, the range quoted as the audit's `unpinned` rule quotes it. */
export function admittedReason(ranges: readonly string[], admitted: readonly AdmittedAdvisory[]): string {
  const shown = ranges.map((r) => (r ? `"${r}"` : 'any version')).join(' or ');
  const each = admitted.slice(0, MAX_ADVISORIES_SHOWN).map((a) => `${a.id} (${a.releases.slice(0, MAX_RELEASES_SHOWN).join(', ')}${a.releases.length > MAX_RELEASES_SHOWN ? ', …' : ''})`);
  const more = admitted.length > MAX_ADVISORIES_SHOWN ? ` and ${admitted.length - MAX_ADVISORIES_SHOWN} more` : '';
  return `${shown} admits releases with known advisories: ${each.join('; ')}${more}`;
}
