/**
 * A package's health as the weekly digest follows it: the verdict of what the index alone says
 * (project status, releases, yanks, ownership; two cached requests, no GitHub, no advisories: the
 * digest runs over every package the watched repositories use) and who owns it. The verdict rules
 * are the card's (verdict.ts), so "worsened" means what a card would show.
 *
 * Fail closed: a package whose index answers could not be read has no snapshot (null), never an
 * `ok` one: the digest says it could not check it rather than that nothing changed.
 */
import { ownershipSignals } from './health/people.js';
import { releaseSignals } from './health/releases.js';
import type { PypiSource } from './sources/pypi.js';
import { decideVerdict, type Verdict } from './verdict.js';

export interface HealthSnapshot {
  package: string;
  verdict: Verdict;
  /** The verdict's reasons, worst first. */
  reasons: string[];
  /** PyPI users with the Owner role, sorted; null when the index does not publish ownership. */
  owners: string[] | null;
}

const NO_SQUAT = (name: string) => ({ name, normalized: name, suspect: false, similarTo: [] });

export async function healthSnapshot(name: string, pypi: PypiSource, now: Date): Promise<HealthSnapshot | null> {
  let simple;
  let release;
  try {
    [simple, release] = await Promise.all([pypi.simple(name), pypi.release(name, null)]);
  } catch {
    return null;
  }
  if (simple.value === null || release.value === null) return null;
  const signals = {
    ...releaseSignals({ ok: true, value: simple.value }, { ok: true, value: release.value }, now),
    ...ownershipSignals({ ok: true, value: release.value.ownership }),
  };
  const { verdict, reasons, partial } = decideVerdict({ name, version: release.value.version, exists: true, versionExists: true, signals, typosquat: NO_SQUAT(name) });
  if (partial) return null;
  const ownership = release.value.ownership;
  return {
    package: name,
    verdict,
    reasons: reasons.map((r) => r.text),
    owners: ownership ? ownership.roles.filter((r) => r.role === 'Owner').map((r) => r.user).sort() : null,
  };
}
