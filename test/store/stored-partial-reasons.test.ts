/**
 * What repo_state keeps of an audit's partial reasons (storedPartialReasons): all of them when they
 * fit, else the ones that decide a re-check first and a count per kind left out. The number of
 * reasons is the repository's to choose (one per unreadable file), and the cut runs on the bot's
 * main thread, so it must take time linear in their number.
 */
import { describe, expect, it } from 'vitest';
import { MAX_STORED_REASONS, storedPartialReasons, type RepoPartialReason } from '../../src/store/watches.js';
import { bestCpuMsTurnAbout } from '../helpers/cpu-time.js';

const unread = (n: number): RepoPartialReason[] => Array.from({ length: n }, (_, i) => ({ kind: 'unread', text: `requirements.txt:${i + 1}: not read` }));
const NOT_KEPT = `more not kept (only ${MAX_STORED_REASONS} reasons are stored)`;

describe('storedPartialReasons', () => {
  it('keeps every reason when they fit', () => {
    const reasons = unread(MAX_STORED_REASONS);
    expect(storedPartialReasons(reasons)).toEqual(reasons);
  });

  it('keeps the first reasons of one kind and counts the rest in one reason', () => {
    const reasons = unread(MAX_STORED_REASONS + 5);
    expect(storedPartialReasons(reasons)).toEqual([...reasons.slice(0, MAX_STORED_REASONS - 1), { kind: 'unread', text: `6 ${NOT_KEPT}`, transient: false, omitted: 6 }]);
  });

  it('keeps a transient and a data-source reason given last, ahead of the unread lines, in the order given', () => {
    const registry: RepoPartialReason = { kind: 'data-source', text: 'package registry unavailable', transient: true };
    const advisories: RepoPartialReason = { kind: 'advisories', text: 'OSV answered 500' };
    const reasons = [...unread(30), advisories, registry];
    expect(storedPartialReasons(reasons)).toEqual([...reasons.slice(0, MAX_STORED_REASONS - 3), advisories, registry, { kind: 'unread', text: `13 ${NOT_KEPT}`, transient: false, omitted: 13 }]);
  });

  it('gives each kind left out its own count, adding up counts already stored; a transient one is kept', () => {
    const scanned: RepoPartialReason[] = [
      { kind: 'unscanned', text: 'a.py: not UTF-8' },
      { kind: 'unscanned', text: '40 more not kept', omitted: 40 },
      { kind: 'unscanned', text: 'code archive not downloaded', transient: true },
    ];
    const reasons = [...unread(25), ...scanned];
    expect(storedPartialReasons(reasons)).toEqual([
      ...reasons.slice(0, MAX_STORED_REASONS - 3),
      scanned[2],
      { kind: 'unread', text: `8 ${NOT_KEPT}`, transient: false, omitted: 8 },
      { kind: 'unscanned', text: `41 ${NOT_KEPT}`, transient: false, omitted: 41 },
    ]);
  });

  it('takes time linear in the number of reasons (100,000 at most thirty times 10,000)', { timeout: 120_000 }, () => {
    const small = [...unread(10_000), { kind: 'unscanned', text: 'x.py' } satisfies RepoPartialReason];
    const large = [...unread(100_000), { kind: 'unscanned', text: 'x.py' } satisfies RepoPartialReason];
    expect(storedPartialReasons(large)).toHaveLength(MAX_STORED_REASONS);
    // CPU time, best of runs taken turn about, in longer windows until linear (see test/hostile/linear-time.test.ts).
    const best = { smallMs: Infinity, largeMs: Infinity };
    const linear = () => best.largeMs <= 30 * best.smallMs + 10 && best.largeMs < 2_000;
    for (const budgetMs of [0, 50, 200, 1_000]) {
      bestCpuMsTurnAbout(() => void storedPartialReasons(small), () => void storedPartialReasons(large), budgetMs, best);
      if (linear()) break;
    }
    expect(best, `${best.smallMs.toFixed(1)} ms for 10,000, ${best.largeMs.toFixed(1)} ms for 100,000`).toSatisfy(linear);
  });
});
