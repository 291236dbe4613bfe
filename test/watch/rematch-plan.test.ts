/** What a sweep re-matches for an unchanged repository: everything, only what changed, or nothing. */
import { describe, expect, it } from 'vitest';
import type { IgnoreRule } from '../../src/audit/ignores.js';
import { encodeMark, FULL_REMATCH_MS, ignoresFingerprint, planRematch } from '../../src/watch/rematch-plan.js';

const NOW = new Date('2025-01-06T12:00:00Z');
const rule = (id: string, until: string | null = null): IgnoreRule => ({ id, reason: 'accepted', until, package: null, source: '.depwatch.yml' });
const changes: Record<string, ReadonlySet<string> | null> = { 'mirror:5': new Set(), 'mirror:4': new Set(['requests']) };
const changedSince = (mark: string) => (mark in changes ? changes[mark]! : null);
const stored = (advisories: string, ignores = ignoresFingerprint([], NOW), fullAt = new Date(NOW.getTime() - 3_600_000)) =>
  encodeMark({ advisories, ignores, fullAt: fullAt.toISOString() });
const plan = (mark: string | null, ignores = ignoresFingerprint([], NOW)) => planRematch({ stored: mark, changedSince, ignores, now: NOW });

describe('planning a re-match', () => {
  it('re-matches nothing when no advisory changed since the last match', () => {
    expect(plan(stored('mirror:5'))).toEqual({ kind: 'none' });
  });

  it('re-matches only the packages whose advisories changed', () => {
    expect(plan(stored('mirror:4'))).toEqual({ kind: 'packages', names: new Set(['requests']) });
  });

  it('re-matches everything when it cannot tell: no mark, a damaged mark, a mark the source does not know', () => {
    expect(plan(null)).toEqual({ kind: 'full' });
    expect(plan('{not json')).toEqual({ kind: 'full' });
    expect(plan(stored('mirror:77'))).toEqual({ kind: 'full' });
  });

  it('re-matches everything when the ignores in force changed, including one that expired', () => {
    const before = ignoresFingerprint([rule('PYSEC-2099-1', '2025-01-05')], new Date('2025-01-05T12:00:00Z'));
    expect(plan(stored('mirror:5', before), ignoresFingerprint([rule('PYSEC-2099-1', '2025-01-05')], NOW))).toEqual({ kind: 'full' });
    expect(plan(stored('mirror:5'), ignoresFingerprint([rule('PYSEC-2099-2')], NOW))).toEqual({ kind: 'full' });
  });

  it('re-matches everything once a day whatever the change log says', () => {
    expect(plan(stored('mirror:5', undefined, new Date(NOW.getTime() - FULL_REMATCH_MS)))).toEqual({ kind: 'full' });
  });
});
