/**
 * What a version range lets pip install, and which known advisories hit it: the releases a
 * specifier admits and the advisories (not withdrawn) that hit at least one of them. Pure, and one
 * place for it: the audit's `unpinned` rule says how many advisories a direct range admits, and a
 * pull request's review rates a requirement that becomes a range by it (src/watch/pr-review/).
 */
import { filterVersions } from '../python/pep440.js';
import { affects } from './match.js';
import type { OsvRecord } from './types.js';

export interface RangeAdmission {
  /** The releases the specifier admits, in the order given (oldest first). */
  allowed: string[];
  /** The newest of them (what pip installs today), null when none is admitted. */
  newest: string | null;
  /** Each advisory hitting an admitted release, with those releases; null when the advisories are not known. */
  admitted: { record: OsvRecord; releases: string[] }[] | null;
}

/**
 * `releases`: the project's installable releases (yanked ones left out, as pip leaves them out of a
 * range), oldest first by PEP 440; `advisories`: every record naming the package, null when they
 * could not be read (then nothing is claimed about them).
 */
export function rangeAdmission(
  name: string,
  specifier: string,
  releases: string[],
  advisories: readonly OsvRecord[] | null,
  /** False: which advisories, not which of their releases (`releases` then holds the first hit only): each record stops at its first hit. */
  everyRelease = true,
): RangeAdmission {
  const allowed = filterVersions(specifier, releases);
  const admitted =
    advisories === null
      ? null
      : advisories.flatMap((record) => {
          if (record.withdrawn) return [];
          if (!everyRelease) {
            const first = allowed.find((v) => affects(record, name, v));
            return first === undefined ? [] : [{ record, releases: [first] }];
          }
          const hit = allowed.filter((v) => affects(record, name, v));
          return hit.length > 0 ? [{ record, releases: hit }] : [];
        });
  return { allowed, newest: allowed.at(-1) ?? null, admitted };
}
