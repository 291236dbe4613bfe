/**
 * What a version range lets pip install, and which known advisories hit it: the releases a
 * specifier admits and the advisories (not withdrawn) that hit at least one of them. Pure, and one
 * place for it: the audit's `unpinned` rule says how many advisories a direct range admits, and a
 * pull request's review rates a requirement that becomes a range by it (src/watch/pr-review/).
 */
import { filterVersions, isValidSpecifier } from '../python/pep440.js';
import { isUnion, UNION_SEPARATOR } from '../python/poetry-constraint.js';
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
  const alternatives = specifierAlternatives(specifier) ?? [specifier];
  const allowed = alternatives.length === 1 ? filterVersions(specifier, releases) : unionOf(alternatives, releases);
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

/**
 * The alternatives of a declared constraint: one PEP 440 specifier set, or the alternatives of a
 * Poetry union (`2.10 || 2.11.2` is read as `==2.10 || ==2.11.2`, src/python/poetry-constraint.ts),
 * each a PEP 440 specifier set; null when one of them is not PEP 440 (the constraint was not
 * understood: never to be read as "any version").
 */
export function specifierAlternatives(specifier: string): string[] | null {
  const alternatives = isUnion(specifier) ? specifier.split(UNION_SEPARATOR) : [specifier];
  return alternatives.every((alternative) => isValidSpecifier(alternative)) ? alternatives : null;
}

/** The releases any alternative admits, each as that alternative admits it (pre-releases included), in the order given: one pass per alternative. */
function unionOf(alternatives: readonly string[], releases: string[]): string[] {
  const admitted = new Set<string>();
  for (const alternative of alternatives) for (const version of filterVersions(alternative, releases)) admitted.add(version);
  return releases.filter((version) => admitted.has(version));
}
