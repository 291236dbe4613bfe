/**
 * A repository's .gitignore files and the paths the scan asks them about both come from the
 * repository. The `ignore` package compiled each line into a backtracking RegExp: the line below
 * made `depwatch scan` exponential in the depth of a `…/config/settings.py` (0.5 s at depth 30,
 * ×1.25 per folder, minutes at 60). GitignoreChain now matches with the linear glob NFA. Measured
 * as in globs.test.ts: CPU time (not wall time); an input ten times deeper may cost at most thirty
 * times as much, plus a few milliseconds, and a generous absolute bound catches a stall that is
 * slow at both sizes.
 */
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../src/python/files.js';
import { GitignoreChain } from '../../src/scan/files/gitignore.js';
import { scanTree } from '../../src/scan/scan.js';
import { scanSourceFromFiles } from '../../src/scan/source.js';
import type { TreeView } from '../../src/scan/tree-rule.js';
import { bestCpuMs, bestCpuMsAsync } from '../helpers/cpu-time.js';

const GROWTH = 10;
const ALLOWED_GROWTH = GROWTH * 3;
const FLOOR_MS = 10;
const NEVER_MS = 2_000;
/** Each measurement of the chain alone repeats the question, so that the shallow path takes a measurable time. */
const REPEAT = 200;

/** The line the reviewer measured. */
const NESTED = `${'**/*/'.repeat(8)}z`;
const SMALL = 6;
const LARGE = SMALL * GROWTH;
const deepDir = (depth: number) => 'a/'.repeat(depth);

function verdict(smallMs: number, largeMs: number): string | null {
  if (largeMs <= ALLOWED_GROWTH * smallMs + FLOOR_MS && largeMs < NEVER_MS) return null;
  return `${smallMs.toFixed(1)} ms at depth ${SMALL}, ${largeMs.toFixed(1)} ms at depth ${LARGE}`;
}

describe('.gitignore matching takes time linear in the path, whatever the patterns', () => {
  it(`${NESTED} in a .gitignore: GitignoreChain.ignores on paths ${SMALL} and ${LARGE} folders deep alike`, async () => {
    const files: Record<string, string> = { '.gitignore': `${NESTED}\n!keep\n.env\n` };
    const tree: TreeView = { paths: Object.keys(files), workingTree: true, readText: async (p) => files[p] ?? null };
    const chain = await GitignoreChain.load(tree);
    const probe = (depth: number) => `${deepDir(depth)}config/secrets.py`;
    expect(chain.ignores(probe(LARGE))).toBe(false);
    expect(chain.ignores(`${deepDir(20)}z`)).toBe(true);
    expect(chain.ignores(`${deepDir(LARGE)}.env`)).toBe(true);
    const run = (path: string) => () => {
      for (let i = 0; i < REPEAT; i++) chain.ignores(path);
    };
    let last: string | null = null;
    for (const budgetMs of [0, 50, 200, 1_000]) {
      last = verdict(bestCpuMs(run(probe(SMALL)), budgetMs), bestCpuMs(run(probe(LARGE)), budgetMs));
      if (last === null) break;
    }
    expect(last).toBeNull();
    expect(await GitignoreChain.limitNote(tree)).toBeNull();
  });

  it(`${NESTED} in a .gitignore: a whole scanTree of a tree ${SMALL} and ${LARGE} folders deep alike`, async () => {
    const treeAt = (depth: number) => ({
      '.gitignore': `${NESTED}\n`,
      [`${deepDir(depth)}config/settings.py`]: 'DEBUG = False\n',
      [`${deepDir(depth)}.env`]: 'X=\n',
    });
    // As `depwatch scan DIR` reads a checkout: file-env-committed asks the chain too.
    const scan = (depth: number) => scanTree({ ...scanSourceFromFiles(memorySource(treeAt(depth))), workingTree: true }, { fingerprintKey: 'k'.repeat(32) });
    const rules = (await scan(LARGE)).findings.map((f) => f.rule).sort();
    expect(rules).toEqual(['file-env-committed', 'file-gitignore-env', 'file-gitignore-secret-config']);
    let last: string | null = null;
    for (const budgetMs of [0, 200, 1_000]) {
      last = verdict(await bestCpuMsAsync(() => scan(SMALL), budgetMs), await bestCpuMsAsync(() => scan(LARGE), budgetMs));
      if (last === null) break;
    }
    expect(last).toBeNull();
  });

  it('the measure itself tells exponential work from linear work: the ignore package on the same line', async () => {
    const { default: ignore } = await import('ignore');
    const small = `${deepDir(4)}config/secrets.py`;
    const large = `${deepDir(24)}config/secrets.py`;
    // A new instance each time: the package keeps each answer, and would not match again.
    const run = (path: string) => () => ignore({ ignorecase: false }).add(`${NESTED}\n`).ignores(path);
    expect(verdict(bestCpuMs(run(small), 50), bestCpuMs(run(large), 50))).not.toBeNull();
  });
});

describe('asking the chain costs what the path is deep, not how many .gitignore files the tree holds', () => {
  it('the same questions against trees of 1,000 and 10,000 folders, each with a .gitignore', async () => {
    const chainOf = async (folders: number) => {
      const files: Record<string, string> = {};
      for (let i = 0; i < folders; i++) files[`f${i}/.gitignore`] = '# nothing\n.env\n';
      const tree: TreeView = { paths: Object.keys(files), workingTree: true, readText: async (p) => files[p] ?? null };
      return GitignoreChain.load(tree);
    };
    const [small, large] = [await chainOf(1_000), await chainOf(10_000)];
    expect(large.ignores('f9999/.env')).toBe(true);
    expect(large.ignores('f9999/app.py')).toBe(false);
    // The same paths asked of both: a tree ten times larger must not make each question cost ten times more.
    const ask = (chain: GitignoreChain) => () => {
      for (let i = 0; i < 10_000; i++) chain.ignores(`f${i % 1_000}/.env`);
    };
    let last: string | null = null;
    for (const budgetMs of [0, 50, 200, 1_000]) {
      const [s, l] = [bestCpuMs(ask(small), budgetMs), bestCpuMs(ask(large), budgetMs)];
      last = l <= 3 * s + FLOOR_MS ? null : `${s.toFixed(1)} ms with 1,000 .gitignore files, ${l.toFixed(1)} ms with 10,000`;
      if (last === null) break;
    }
    expect(last).toBeNull();
  });
});
