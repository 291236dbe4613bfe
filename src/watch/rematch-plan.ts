/**
 * What a sweep must re-match for a repository whose HEAD did not move: everything, only the
 * packages whose advisories changed since its last match, or nothing at all.
 *
 * A repository remembers a mark with its findings (repo_state.advisories_mark): the advisory
 * source's change mark when it was matched, a fingerprint of the ignore rules then in force, and
 * when it was last matched in full. The plan is "everything" whenever anything else could change
 * the result and nobody can tell what: no mark, a source without a change log (the OSV API), a mark
 * the source does not know (another source, another replica's mirror, a replaced database),
 * different ignores in force (one was added, removed or expired), or a full match older than
 * FULL_REMATCH_MS (PyPI's view of a fix release, say, is not in the advisory change log; a daily
 * full match bounds how stale it gets).
 */
import { createHash } from 'node:crypto';
import type { AdvisorySource } from '../advisories/types.js';
import { isExpired, type IgnoreRule } from '../audit/ignores.js';
import { normalizeName } from '../python/names.js';

/** A repository is re-matched in full at least this often, whatever the change log says. */
export const FULL_REMATCH_MS = 24 * 60 * 60 * 1000;

export type RematchPlan =
  | { kind: 'full' }
  /** PEP 503 names: only the stored packages of these names, and only their findings may close. */
  | { kind: 'packages'; names: ReadonlySet<string> }
  | { kind: 'none' };

interface StoredMark {
  /** The advisory source's change mark. */
  advisories: string;
  /** Fingerprint of the ignore rules in force. */
  ignores: string;
  /** When the repository was last matched in full (ISO). */
  fullAt: string;
}

/** The source's change mark now, or null when it keeps no change log (then every sweep re-matches all). */
export function currentAdvisoryMark(source: AdvisorySource): string | null {
  return source.changeMark?.() ?? null;
}

/** The ignore rules that decide a match today: expired ones are out, order does not matter. */
export function ignoresFingerprint(rules: IgnoreRule[], now: Date): string {
  const active = rules
    .filter((r) => !isExpired(r, now))
    .map((r) => JSON.stringify([r.id.toUpperCase(), r.package ?? null, r.path ?? null]))
    .sort();
  return createHash('sha256').update(active.join('\n')).digest('base64url').slice(0, 22);
}

export function encodeMark(mark: StoredMark): string {
  return JSON.stringify(mark);
}

function decodeMark(text: string | null): StoredMark | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Partial<StoredMark>;
    if (typeof value.advisories !== 'string' || typeof value.ignores !== 'string' || typeof value.fullAt !== 'string') return null;
    if (Number.isNaN(Date.parse(value.fullAt))) return null;
    return { advisories: value.advisories, ignores: value.ignores, fullAt: value.fullAt };
  } catch {
    return null;
  }
}

/** When the stored mark says the repository was last matched in full (to carry over after a partial match). */
export function lastFullMatch(text: string | null): string | null {
  return decodeMark(text)?.fullAt ?? null;
}

/** `changedSince`: the advisory source's (see AdvisorySource.changedSince), memoised by the caller if it likes. */
export function planRematch(input: { stored: string | null; changedSince: (mark: string) => ReadonlySet<string> | null; ignores: string; now: Date }): RematchPlan {
  const mark = decodeMark(input.stored);
  if (mark === null || mark.ignores !== input.ignores) return { kind: 'full' };
  const fullAt = Date.parse(mark.fullAt);
  if (fullAt > input.now.getTime() || input.now.getTime() - fullAt >= FULL_REMATCH_MS) return { kind: 'full' };
  const changed = input.changedSince(mark.advisories);
  if (changed === null) return { kind: 'full' };
  if (changed.size === 0) return { kind: 'none' };
  return { kind: 'packages', names: changed };
}

/** Whether a stored package is among the plan's packages. */
export function inPlan(plan: Extract<RematchPlan, { kind: 'packages' }>, name: string): boolean {
  return plan.names.has(normalizeName(name));
}
