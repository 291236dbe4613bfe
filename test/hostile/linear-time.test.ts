/**
 * Every parser of untrusted text takes time linear in its input: each format, and the PEP 508,
 * PEP 440 and Poetry parsers below them, fed long runs of blanks, quotes, brackets and separators
 * where they read names, values, keys and comments. A run ten times longer may cost at most thirty
 * times as much (plus a few milliseconds): generous for a loaded two-core machine, and still far
 * below the hundredfold of a quadratic pattern or the thousandfold of a cubic one. A generous
 * absolute bound catches a stall that is slow at both sizes.
 */
import { describe, expect, it } from 'vitest';
import { bestCpuMs } from '../helpers/cpu-time.js';
import { extractAs, FORMAT_TEMPLATES, FORMATS, RUN_UNITS, TEXT_PARSERS, TEXT_TEMPLATES, withRun } from '../fixtures/hostile.js';

const SMALL = 10_000;
const LARGE = 100_000;
const ALLOWED_GROWTH = (LARGE / SMALL) * 3;
const FLOOR_MS = 10;
const NEVER_MS = 2_000;

/** Best of a few runs, in CPU time (see test/helpers/cpu-time.ts): the least disturbed by other work. */
const bestMs = (parse: (text: string) => unknown, text: string, budgetMs: number): number => bestCpuMs(() => void parse(text), budgetMs);

/** A description of the growth when it is not linear, else null; measured again, longer, before saying so. */
function nonLinearGrowth(parse: (text: string) => unknown, template: (r: string) => string, unit: string): string | null {
  const small = withRun(template, unit, SMALL);
  const large = withRun(template, unit, LARGE);
  let verdict = '';
  // Longer and longer windows: on a machine loaded ten times over, the collector's threads and
  // other processes can spoil every short window (a CI run at load 10 once read 0.4 ms and 25 ms).
  for (const budgetMs of [0, 50, 200, 1_000]) {
    const smallMs = bestMs(parse, small, budgetMs);
    const largeMs = bestMs(parse, large, budgetMs);
    if (largeMs <= ALLOWED_GROWTH * smallMs + FLOOR_MS && largeMs < NEVER_MS) return null;
    verdict = `${JSON.stringify(template('…'))} with ${JSON.stringify(unit)}: ${smallMs.toFixed(1)} ms at ${SMALL}, ${largeMs.toFixed(1)} ms at ${LARGE}`;
  }
  return verdict;
}

function checkAll(parse: (text: string) => unknown, templates: Array<(r: string) => string>): string[] {
  const problems: string[] = [];
  for (const template of templates) {
    for (const unit of RUN_UNITS) {
      const problem = nonLinearGrowth(parse, template, unit);
      if (problem !== null) problems.push(problem);
    }
  }
  return problems;
}

describe('parsers take time linear in their input', () => {
  for (const format of FORMATS) {
    it(`${format}: runs of blanks, quotes, brackets and separators at 10k and 100k characters`, () => {
      expect(checkAll((text) => extractAs(format, text), FORMAT_TEMPLATES[format])).toEqual([]);
    });
  }

  for (const [name, parse] of Object.entries(TEXT_PARSERS)) {
    it(`${name}: the same runs`, () => {
      expect(checkAll(parse, TEXT_TEMPLATES[name]!)).toEqual([]);
    });
  }

  it('the measure itself tells quadratic work from linear work', () => {
    const pairs = (text: string) => {
      // (n / 10)² steps: 10⁸ at 100k characters, about a tenth of a second.
      const n = Math.floor(text.length / 10);
      let sum = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sum += i ^ j;
      return sum;
    };
    const oneByOne = (text: string) => {
      let sum = 0;
      for (let i = 0; i < text.length * 100; i++) sum += i & 7;
      return sum;
    };
    expect(nonLinearGrowth(pairs, (r) => r, ' ')).not.toBeNull();
    expect(nonLinearGrowth(oneByOne, (r) => r, ' ')).toBeNull();
  });
});
