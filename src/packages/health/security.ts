/**
 * Security signals: the package's advisory history (local mirror or OSV), the advisories that hit
 * the release asked about, and any malicious-package (MAL) record, which settles the verdict alone.
 */
import type { AdvisoryFacts } from '../sources/advisories.js';
import { severityWord } from '../../audit/findings.js';
import { known, plural, unknownSignal, type Signals, type SignalSource } from './signal.js';

/** One advisory of "Advisories for this release" (its value's entry), as the signal's text says it. */
export function releaseAdvisoryText(a: { id: string; severity: string; fixed_versions: readonly string[] }): string {
  return `${a.id} (${severityWord(a.severity)}${a.fixed_versions.length ? `, fixed in ${a.fixed_versions.join(', ')}` : ', no fix'})`;
}

type Read<T> = { ok: true; value: T } | { ok: false; why: string; failed: boolean };

export function securitySignals(facts: Read<AdvisoryFacts>, version: string | null): Signals {
  const f = 'security' as const;
  if (!facts.ok) {
    const source = { name: 'OSV advisories' };
    return {
      malicious: unknownSignal(f, 'Malicious-package records', source, facts.why, facts.failed),
      affecting_release: unknownSignal(f, 'Advisories for this release', source, facts.why, facts.failed),
      past_advisories: unknownSignal(f, 'Past advisories', source, facts.why, facts.failed),
    };
  }
  const source: SignalSource = { name: facts.value.origin === 'mirror' ? 'local advisory mirror (OSV data)' : 'OSV API' };
  const all = facts.value.advisories;
  const malicious = all.filter((a) => a.malicious).map((a) => a.id);
  const hitting = all.filter((a) => a.affectsRelease === true && !a.malicious);
  const signals: Signals = {
    malicious: known(f, 'Malicious-package records', malicious, malicious.length ? `${malicious.join(', ')}: reported as malicious` : 'none', source),
    past_advisories: known(
      f,
      'Past advisories',
      { count: all.filter((a) => !a.malicious).length, ids: all.filter((a) => !a.malicious).map((a) => a.id) },
      plural(all.filter((a) => !a.malicious).length, 'advisory', 'advisories') + ' in all releases',
      source,
    ),
  };
  signals.affecting_release =
    version === null
      ? unknownSignal(f, 'Advisories for this release', source, 'no release to look at', false)
      : known(
          f,
          'Advisories for this release',
          hitting.map((a) => ({ id: a.id, severity: a.severity, fixed_versions: a.fixedVersions })),
          hitting.length === 0 ? 'none known' : hitting.map((a) => releaseAdvisoryText({ id: a.id, severity: a.severity, fixed_versions: a.fixedVersions })).join('; '),
          source,
        );
  return signals;
}
