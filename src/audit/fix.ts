/**
 * The smallest single upgrade that clears every advisory of a package (as pip-audit computes it):
 * take the highest of the earliest fixes, re-check that version against every advisory, repeat.
 * When the registry's releases are known, the answer is always a real, non-yanked release.
 */
import { fixedVersions, matcherFor } from '../advisories/match.js';
import type { OsvRecord } from '../advisories/types.js';
import { compareVersions, isPrerelease, isValidVersion } from '../python/pep440.js';

export interface ReleaseRef {
  version: string;
  yanked: boolean;
}

export type FixResult =
  | { ok: true; version: string }
  | { ok: false; reason: string; blockingId?: string };

const MAX_ROUNDS = 20;

/**
 * @param records every known advisory for the package (not only those hitting `version`), so a
 *   candidate that is itself vulnerable to another advisory is stepped over.
 * @param releases the package's releases, when known; candidates are rounded up to a real release.
 */
export function smallestFix(name: string, version: string, records: OsvRecord[], releases: ReleaseRef[] | null): FixResult {
  if (!isValidVersion(version)) return { ok: false, reason: `${version} is not a PEP 440 version, so no upgrade can be computed` };
  const live = records.filter((r) => !r.withdrawn).map((record) => ({ record, affects: matcherFor(record, name) }));
  const allowPre = isPrerelease(version);
  const candidates = releases
    ?.filter((r) => !r.yanked && isValidVersion(r.version) && (allowPre || !isPrerelease(r.version)))
    .map((r) => r.version)
    .sort(compareVersions);

  let current = version;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const hitting = live.filter((r) => r.affects(current)).map((r) => r.record);
    if (hitting.length === 0) return current === version ? { ok: false, reason: 'not affected' } : { ok: true, version: current };

    let target: string | null = null;
    for (const record of hitting) {
      const earliest = fixedVersions(record, name).find((v) => compareVersions(v, current) > 0);
      if (!earliest) return { ok: false, reason: `no fixed release of ${name} for ${record.id} yet`, blockingId: record.id };
      if (target === null || compareVersions(earliest, target) > 0) target = earliest;
    }
    if (candidates) {
      const real = candidates.find((v) => compareVersions(v, target!) >= 0);
      if (!real) return { ok: false, reason: `${name} ${target} fixes it but is not released (or was yanked)` };
      target = real;
    }
    current = target!;
  }
  return { ok: false, reason: `no single upgrade of ${name} clears every advisory` };
}
