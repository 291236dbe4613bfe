/**
 * Every parser of untrusted text takes time linear in its input: each format, and the PEP 508,
 * PEP 440 and Poetry parsers below them, fed long runs of blanks, quotes, brackets and separators
 * where they read names, values, keys and comments. A run ten times longer may cost at most thirty
 * times as much (plus a few milliseconds): generous for a loaded two-core machine, and still far
 * below the hundredfold of a quadratic pattern or the thousandfold of a cubic one. A generous
 * absolute bound catches a stall that is slow at both sizes.
 */
import { describe, expect, it } from 'vitest';
import { parseIgnoreFile } from '../../src/audit/ignore-file.js';
import { requirementLines } from '../../src/python/formats/setuptools-lines.js';
import { bestCpuMsTurnAbout } from '../helpers/cpu-time.js';
import { extractAs, FORMAT_TEMPLATES, FORMATS, RUN_UNITS, TEXT_PARSERS, TEXT_TEMPLATES, withRun } from '../fixtures/hostile.js';

const SMALL = 10_000;
const LARGE = 100_000;
const ALLOWED_GROWTH = (LARGE / SMALL) * 3;
const FLOOR_MS = 10;
const NEVER_MS = 2_000;

/** A description of the growth when it is not linear, else null; measured again, longer, before saying so. */
function nonLinearGrowth(parse: (text: string) => unknown, template: (r: string) => string, unit: string): string | null {
  return nonLinearGrowthOf(parse, withRun(template, unit, SMALL), withRun(template, unit, LARGE), `${JSON.stringify(template('…'))} with ${JSON.stringify(unit)}`);
}

/**
 * The same, for a small text and one ten times larger made the same way. CPU time, not wall time
 * (test/helpers/cpu-time.ts), the best of many runs taken turn about on both texts, after a run
 * that leaves first-use loading and most compiling out of the measure.
 */
function nonLinearGrowthOf(parse: (text: string) => unknown, small: string, large: string, label: string, floorMs = FLOOR_MS): string | null {
  parse(small);
  const best = { smallMs: Infinity, largeMs: Infinity };
  let verdict = '';
  // Longer and longer windows, each adding to the best so far: on a machine loaded ten times over,
  // the collector's threads and other processes can spoil every short window (a CI run at load 10
  // once read 0.4 ms and 25 ms).
  for (const budgetMs of [0, 50, 200, 1_000]) {
    const { smallMs, largeMs } = bestCpuMsTurnAbout(() => void parse(small), () => void parse(large), budgetMs, best);
    if (largeMs <= ALLOWED_GROWTH * smallMs + floorMs && largeMs < NEVER_MS) return null;
    verdict = `${label}: ${smallMs.toFixed(1)} ms at ${small.length}, ${largeMs.toFixed(1)} ms at ${large.length}`;
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

// What is compared is CPU time; wall time is whatever the machine leaves this file: setup.py's 100
// pairs of texts take about 10 s of CPU, and 87 s of wall time at a load of 16 on two cores (past the
// 30 s default). A parser that stalls still fails on NEVER_MS, in CPU time.
const WALL_MS = 300_000;

describe('parsers take time linear in their input', { timeout: WALL_MS }, () => {
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

  /**
   * setup.py's values are evaluated, not only scanned: a list reused by many calls, strings joined
   * part by part, lines joined by backslashes. Each shape is built at about 10k and 100k characters.
   */
  const SETUP_PY_SHAPES: Record<string, (size: number) => string> = {
    'one list given to many setup() calls': (size) => {
      const n = Math.floor(size / 40);
      const list = Array.from({ length: n }, (_, i) => `"p${i}"`).join(', ');
      return `R = [${list}]\nif x:\n${'    setup(install_requires=R)\n'.repeat(n)}`;
    },
    'one list given to many extras that trim to one name': (size) => {
      const n = Math.floor(size / 30);
      const list = Array.from({ length: n }, (_, i) => `"p${i}"`).join(', ');
      return `R = [${list}]\nsetup(extras_require={${Array.from({ length: n }, (_, i) => `"a${' '.repeat(i % 5)}": R`).join(', ')}})\n`;
    },
    'one dict of lists given to many setup() calls': (size) => {
      const n = Math.floor(size / 50);
      const list = Array.from({ length: n }, (_, i) => `"p${i}"`).join(', ');
      return `E = {"a": [${list}]}\n${'setup(extras_require=E)\n'.repeat(n)}`;
    },
    'one long string listed anew in many calls': (size) => {
      const n = Math.floor(size / 60);
      return `S = "${'a\\n'.repeat(n)}"\n${'setup(install_requires=[S])\n'.repeat(n)}`;
    },
    'one list reached through a helper by many extras': (size) => {
      const n = Math.floor(size / 30);
      const list = Array.from({ length: n }, (_, i) => `"p${i}"`).join(', ');
      return `R = [${list}]\nsetup(extras_require={${Array.from({ length: n }, (_, i) => `"e${i}": g(R)`).join(', ')}})\n`;
    },
    'implicitly joined strings, a newline in each': (size) => `setup(install_requires=${'"a\\n" '.repeat(Math.floor(size / 6))})\n`,
    'list items joined by backslashes': (size) => `setup(install_requires=[${'"ab \\\\", '.repeat(Math.floor(size / 9))}"c"])\n`,
  };
  for (const [shape, make] of Object.entries(SETUP_PY_SHAPES)) {
    it(`setup-py: ${shape}, at 10k and 100k characters`, () => {
      expect(nonLinearGrowthOf((text) => extractAs('setup-py', text), make(SMALL), make(LARGE), shape)).toBeNull();
    });
  }

  it('setup-py: continued lines joined one after the other (`"ab \\"` lines), at 100k and 1M characters', () => {
    // V8 hides a copy of the joined line per step below a few hundred kilobytes (the setup.py shape
    // above stays within the bounds either way), so the joining itself is measured, ten times larger.
    const join = (text: string) => requirementLines([text.split('\n').map((line) => ({ text: line, line: 1 }))]);
    // Ten times the usual sizes, so five times the usual floor: the collector's pauses over a million
    // characters of pieces (85 ms against 2.3 ms, a 37-fold growth, on a busy run) are not the
    // copying this catches, which costs seconds at 1M and is stopped by NEVER_MS as well.
    expect(nonLinearGrowthOf(join, 'ab \\\n'.repeat(LARGE / 5), 'ab \\\n'.repeat((LARGE * 10) / 5), 'continued lines', 5 * FLOOR_MS)).toBeNull();
  });

  // Each duplicate key and unknown tag in .depwatch.yml is a problem placed on its entry: placing
  // them walked the whole list once per problem (28 s of CPU for 1.5 MB of duplicates, 1.9 s for
  // plain entries). The YAML library alone costs over a second a megabyte, so growth at 10k and
  // 100k hides the walk; a file of problems is compared with a file of plain entries as large.
  it('.depwatch.yml: entries with a key given twice, or an unknown tag, cost about what plain entries do (500k characters)', () => {
    const file = (entry: string) => `ignore:\n${entry.repeat(Math.floor((5 * LARGE) / entry.length))}`;
    const plain = file('  - {id: a, ic: b}\n');
    for (const entry of ['  - {id: a, id: b}\n', '  - !x {id: a}\n']) {
      const problems = file(entry);
      parseIgnoreFile(plain);
      parseIgnoreFile(problems);
      const { smallMs: plainMs, largeMs: problemsMs } = bestCpuMsTurnAbout(() => void parseIgnoreFile(plain), () => void parseIgnoreFile(problems), 1_000);
      expect(problemsMs, `${JSON.stringify(entry)}: ${problemsMs.toFixed(0)} ms against ${plainMs.toFixed(0)} ms for plain entries`).toBeLessThan(2.5 * plainMs + FLOOR_MS);
    }
  });

  // tree-sitter's query spends time on each child of an ERROR node in proportion to its siblings, so
  // a file of unbalanced brackets or operators (`[` × 50,000) took 8 s to search, and any repository
  // could hold a few. A stretch that wide is not searched (the file is partial, said so); the
  // parse, which is linear, still runs. Python files of 5k and 50k pieces of such runs.
  it('the Python code scan: runs of unbalanced brackets and operators, at 5k and 50k pieces', async () => {
    const { createPythonScanner } = await import('../../src/scan/python/scan-python.js');
    const scanner = await createPythonScanner({ parseTimeoutMs: 60_000 });
    try {
      const scan = (text: string) => scanner.scan('app/broken.py', text, false);
      const problems: string[] = [];
      for (const unit of ['[', '(', '{', '+ ', '[{', 'x = (']) {
        const text = (n: number) => `import os\nos.system(cmd)\n${unit.repeat(n)}\n`;
        const problem = nonLinearGrowthOf(scan, text(5_000), text(50_000), `${JSON.stringify(unit)} runs`);
        if (problem !== null) problems.push(problem);
      }
      expect(problems).toEqual([]);
    } finally {
      scanner.close();
    }
  });

  describe('the measure itself', () => {
    const pairs = (text: string) => {
      // (n / 10)² steps: 10⁸ at 100k characters, about a tenth of a second; 10⁶ at 10k, under a
      // millisecond, so thirty times the small side's cost is the floor's 10 ms and a little more.
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

    it('tells quadratic work from linear work', () => {
      expect(nonLinearGrowth(pairs, (r) => r, ' ')).not.toBeNull();
      expect(nonLinearGrowth(oneByOne, (r) => r, ' ')).toBeNull();
    });

    it('still sees quadratic work when a burst of other work slows its first runs on the small text', () => {
      // What a loaded machine does to a sub-millisecond measure (another process, this one's
      // compiler threads): read at 5 ms, the small side lets thirty times as much pass, and the
      // quadratic with it. Two slowed runs were all a first window measured of the small side.
      expect(nonLinearGrowth(slowedAtFirst(pairs, 2, 5), (r) => r, ' ')).not.toBeNull();
      expect(nonLinearGrowth(slowedAtFirst(oneByOne, 2, 5), (r) => r, ' ')).toBeNull();
    });
  });
});

/** `work`, its first `count` calls on the small text each `extraMs` of CPU time slower. */
function slowedAtFirst(work: (text: string) => unknown, count: number, extraMs: number): (text: string) => unknown {
  let slowed = 0;
  return (text) => {
    if (text.length <= SMALL && slowed++ < count) {
      const start = process.cpuUsage();
      for (;;) {
        const { user, system } = process.cpuUsage(start);
        if ((user + system) / 1000 >= extraMs) break;
      }
    }
    return work(text);
  };
}
