/**
 * Weight: how many projects the release requires directly (its `requires_dist`, without the ones
 * only an extra pulls in), and which of them is heaviest. "Heaviest" is measured the same way one
 * level down: the requirement with the most direct requirements of its own (latest release, no
 * extras). Reading them costs a request each, so at most WEIGHT_LOOKUPS are read per card (the first
 * ones declared), plus any the cache already knows; the signal says how many were compared.
 */
import { parsePep508 } from '../../python/pep508.js';
import { known, plural, SOURCES, unknownSignal, type Signals } from './signal.js';

export const WEIGHT_LOOKUPS = 3;

/** Direct requirement names (PEP 503, unique, in declared order), leaving out extras-only ones. Pure. */
export function directRequirements(requiresDist: readonly string[]): string[] {
  const names: string[] = [];
  for (const line of requiresDist) {
    const parsed = parsePep508(line);
    if (!parsed.ok) continue;
    if (parsed.requirement.marker !== null && /\bextra\s*[=!]=/.test(parsed.requirement.marker)) continue;
    if (!names.includes(parsed.requirement.normalizedName)) names.push(parsed.requirement.normalizedName);
  }
  return names;
}

/** What is known of a requirement's own weight: its direct requirement count, or why it is not known. */
export type DependencyWeight = { name: string; requirements: number } | { name: string; unknown: string };

type Read<T> = { ok: true; value: T } | { ok: false; why: string; failed: boolean };

export function weightSignals(requiresDist: Read<readonly string[]>, weights: readonly DependencyWeight[]): Signals {
  const f = 'weight' as const;
  if (!requiresDist.ok) {
    return {
      direct_requirements: unknownSignal(f, 'Direct requirements', SOURCES.json, requiresDist.why, requiresDist.failed),
      heaviest_requirement: unknownSignal(f, 'Heaviest requirement', SOURCES.json, requiresDist.why, requiresDist.failed),
    };
  }
  const direct = directRequirements(requiresDist.value);
  // An entry that is not PEP 508 names no project we can tell, but it is a requirement the release
  // declares: counted (so "more than 20" is never undercounted) and said, not dropped.
  const unreadable = requiresDist.value.filter((line) => !parsePep508(line).ok).length;
  const count = direct.length + unreadable;
  const listed = direct.length ? `${count}: ${direct.join(', ')}` : `${count}`;
  const text = unreadable === 0 ? (direct.length ? listed : 'none') : `${listed}${direct.length ? '; ' : ', '}${plural(unreadable, 'entry', 'entries')} not readable as PEP 508`;
  const signals: Signals = {
    direct_requirements: known(f, 'Direct requirements', { count, names: direct, ...(unreadable ? { unreadable } : {}) }, text, SOURCES.json),
  };
  const measured = weights.filter((w): w is { name: string; requirements: number } => 'requirements' in w);
  if (direct.length === 0) {
    signals.heaviest_requirement = known(f, 'Heaviest requirement', { name: null, requirements: 0, compared: 0, of: 0 }, 'no requirements', SOURCES.json);
  } else if (measured.length === 0) {
    const why = weights.find((w): w is { name: string; unknown: string } => 'unknown' in w)?.unknown ?? 'no requirement could be read';
    signals.heaviest_requirement = unknownSignal(f, 'Heaviest requirement', SOURCES.json, why, weights.some((w) => 'unknown' in w));
  } else {
    const heaviest = measured.reduce((a, b) => (b.requirements > a.requirements ? b : a));
    signals.heaviest_requirement = known(
      f,
      'Heaviest requirement',
      { name: heaviest.name, requirements: heaviest.requirements, compared: measured.length, of: direct.length },
      `${heaviest.name} (${plural(heaviest.requirements, 'direct requirement')} of its own)${measured.length < direct.length ? `; ${measured.length} of ${direct.length} compared` : ''}`,
      SOURCES.json,
    );
  }
  return signals;
}
