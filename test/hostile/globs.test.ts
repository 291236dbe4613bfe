/**
 * The globs of `.depwatch.yml` (`exclude:` paths, an ignore's `path:`) and the paths they are asked
 * about both come from the audited repository. Matching must cost time linear in the path (times
 * the glob's length, which is capped), never exponential: a RegExp compiled from `**` then `/*`
 * then `/` repeated backtracked for 35 s on one 52-deep path, and `*a*a*a*` within a name is
 * polynomial of the number of stars. Measured as in linear-time.test.ts: CPU time (not wall time),
 * an input ten times longer may cost at most thirty times as much, plus a few milliseconds, and a
 * generous absolute bound catches a stall that is slow at both sizes.
 */
import { describe, expect, it } from 'vitest';
import { excluder } from '../../src/audit/exclude.js';
import { parseIgnoreFile } from '../../src/audit/ignore-file.js';
import { compileGlob } from '../../src/audit/glob.js';
import { pathGlobMatches } from '../../src/audit/ignores.js';
import { bestCpuMs } from '../helpers/cpu-time.js';

const GROWTH = 10;
const ALLOWED_GROWTH = GROWTH * 3;
const FLOOR_MS = 10;
const NEVER_MS = 2_000;
/** Each measurement repeats the match, so that even the small input takes a measurable time. */
const REPEAT = 200;

/** A description of the growth from `small` to `large` when it is not linear, else null; measured again, longer, before saying so. */
function nonLinearGrowth(match: (path: string) => boolean, small: string, large: string): string | null {
  const run = (path: string) => () => {
    for (let i = 0; i < REPEAT; i++) match(path);
  };
  let verdict = '';
  for (const budgetMs of [0, 50, 200, 1_000]) {
    const smallMs = bestCpuMs(run(small), budgetMs);
    const largeMs = bestCpuMs(run(large), budgetMs);
    if (largeMs <= ALLOWED_GROWTH * smallMs + FLOOR_MS && largeMs < NEVER_MS) return null;
    verdict = `${smallMs.toFixed(1)} ms at ${small.length} characters, ${largeMs.toFixed(1)} ms at ${large.length}`;
  }
  return verdict;
}

/** The glob the reviewer measured: passes the refusal check, and backtracked ×1.3 per folder of the path. */
const NESTED = `${'**/*/'.repeat(8)}z`;
const deepPath = (depth: number) => `${'a/'.repeat(depth - 1)}c`;
/** Stars within one name: polynomial in the name's length for a backtracking matcher. */
const STARS = `${'*a'.repeat(8)}*b`;
const longName = (length: number) => `src/${'a'.repeat(length)}`;

describe('glob matching takes time linear in the path, whatever the glob', () => {
  it(`${NESTED} is a valid exclude, and matches a path 6 and 60 folders deep alike`, () => {
    const parsed = parseIgnoreFile(`exclude:\n  - path: "${NESTED}"\n    reason: hostile\n`);
    expect(parsed.notes).toEqual([]);
    const by = excluder(parsed.excludes);
    const match = (path: string) => by(path) !== null;
    expect(match(deepPath(60))).toBe(false);
    expect(match(`${"a/".repeat(20)}z`)).toBe(true);
    expect(nonLinearGrowth(match, deepPath(6), deepPath(60))).toBeNull();
  });

  it(`${NESTED} as an ignore's path: the same matcher, the same time`, () => {
    const match = (path: string) => pathGlobMatches(NESTED, path);
    expect(nonLinearGrowth(match, deepPath(6), deepPath(60))).toBeNull();
  });

  it(`${STARS} against a name of 25 and 250 "a"s`, () => {
    const match = compileGlob(STARS);
    expect(match(longName(250))).toBe(false);
    expect(match(`${longName(250)}b`)).toBe(true);
    expect(nonLinearGrowth(match, longName(25), longName(250))).toBeNull();
    expect(nonLinearGrowth((path) => pathGlobMatches(STARS, path), longName(25), longName(250))).toBeNull();
  });

  it('the measure itself tells exponential work from linear work', () => {
    // A backtracking RegExp of the same shape as NESTED (what the `ignore` package compiled): 2^depth-ish.
    const backtracking = new RegExp(`^(?:.*/)?${'(?:[^/]*/(?:.*/)?)'.repeat(6)}z$`);
    const slow = (path: string) => backtracking.test(path);
    expect(nonLinearGrowth(slow, deepPath(4), deepPath(20))).not.toBeNull();
  });
});
