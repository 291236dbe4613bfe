/**
 * GitignoreChain (src/scan/files/gitignore.ts): git's .gitignore rules on the linear glob matcher,
 * each rule on its own, the limits (fail closed: not ignored, and a note), and the same answers
 * as the `ignore` package (case-sensitive, as git on Linux) on thousands of random small files.
 */
import ignore from 'ignore';
import { describe, expect, it } from 'vitest';
import { GitignoreChain, MAX_PATTERN_CHARS, MAX_PATTERNS_PER_FILE, parseLines } from '../../src/scan/files/gitignore.js';
import type { TreeView } from '../../src/scan/tree-rule.js';
import { scanFiles } from './helpers.js';

function treeOf(files: Record<string, string>): TreeView {
  return { paths: Object.keys(files), workingTree: true, readText: async (p) => files[p] ?? null };
}

async function chainOf(files: Record<string, string>): Promise<GitignoreChain> {
  return GitignoreChain.load(treeOf(files));
}

describe('GitignoreChain', () => {
  it.each([
    // Blank lines and comments are nothing; `\#` and `\!` are literal.
    ['\n# .env\n', '.env', false],
    ['\\#x\n', '#x', true],
    ['\\!x\n', '!x', true],
    ['!x\n', '!x', false],
    // Trailing spaces dropped, unless escaped; CRLF and a BOM read as git does.
    ['.env   \n', '.env', true],
    ['a\\ \n', 'a ', true],
    ['a\\ \n', 'a', false],
    ['.env\r\n', '.env', true],
    ['\uFEFF.env\n', '.env', true],
    // Negation, last match wins.
    ['*.env\n!prod.env\n', 'prod.env', false],
    ['!prod.env\n*.env\n', 'prod.env', true],
    ['!#a\n#a\n', '#a', false],
    // Anchored (a `/` at the start or in the middle) or at any depth.
    ['/config/secret*.py\n', 'config/secrets.py', true],
    ['/config/secret*.py\n', 'app/config/secrets.py', false],
    ['config/secret*.py\n', 'app/config/secrets.py', false],
    ['secret*.py\n', 'app/config/secrets.py', true],
    ['**/config/secret*.py\n', 'app/config/secrets.py', true],
    // A trailing `/`: folders only, and everything in them.
    ['.env/\n', '.env', false],
    ['.env/\n', '.env/', true],
    ['config/\n', 'app/config/secrets.py', true],
    // A file in an excluded folder cannot be taken back; the folder's contents can.
    ['build/\n!build/keep.env\n', 'build/keep.env', true],
    ['build\n!build/keep.env\n', 'build/keep.env', true],
    ['build/*\n!build/keep.env\n', 'build/keep.env', false],
    ['*\n!*/\n!*.py\n', 'a/b/c.py', false],
    ['*\n!*/\n!*.py\n', 'a/b/c.env', true],
    // A negation that takes a folder back does not take back what an earlier pattern excludes in it.
    ['*\n!app\n', 'app/x.env', true],
    ['*\n!app\n', 'app/', false],
    // Case-sensitive, as git on Linux and GitHub.
    ['.ENV\n', '.env', false],
  ])('%j and %s: ignored %s', async (text, path, expected) => {
    expect((await chainOf({ '.gitignore': text })).ignores(path)).toBe(expected);
  });

  it('deeper files override shallower ones, relative to their own folder', async () => {
    const chain = await chainOf({
      '.gitignore': '*.env\n/top.txt\n',
      'app/.gitignore': '!prod.env\n/local/\ntop.txt\n',
      'app/local/.gitignore': '!*\n',
    });
    expect(chain.ignores('prod.env')).toBe(true);
    expect(chain.ignores('app/prod.env')).toBe(false);
    expect(chain.ignores('app/dev.env')).toBe(true);
    expect(chain.ignores('app/sub/prod.env')).toBe(false);
    expect(chain.ignores('top.txt')).toBe(true);
    expect(chain.ignores('sub/top.txt')).toBe(false);
    expect(chain.ignores('app/top.txt')).toBe(true);
    // app/local/ is excluded by app/.gitignore: its own .gitignore cannot take anything back.
    expect(chain.ignores('app/local/x.py')).toBe(true);
    expect(chain.ignores('local/x.py')).toBe(false);
    // A folder's own .gitignore does not apply to the folder itself.
    expect((await chainOf({ 'app/.gitignore': 'app\n' })).ignores('app/x')).toBe(false);
    // Nor can a deeper file take back a file whose folder a shallower file excludes.
    expect((await chainOf({ '.gitignore': 'secret/\n', 'secret/.gitignore': '!x.env\n' })).ignores('secret/x.env')).toBe(true);
  });

  it('hasRootFile', async () => {
    expect((await chainOf({ '.gitignore': '' })).hasRootFile).toBe(true);
    expect((await chainOf({ 'app/.gitignore': '.env\n' })).hasRootFile).toBe(false);
  });

  it('parses lines as git does', () => {
    expect(parseLines('a\n\n  \n# c\n\\#d\n!e\n!!f\n! \nx\\  \n/g/\n')).toEqual([
      { glob: 'a', negated: false },
      { glob: '\\#d', negated: false },
      { glob: 'e', negated: true },
      { glob: '\\!f', negated: true },
      { glob: 'x\\ ', negated: false },
      { glob: '/g/', negated: false },
    ]);
  });
});

describe('GitignoreChain limits: past one, not ignored (so reported), and a note', () => {
  it(`a .gitignore of more than ${MAX_PATTERNS_PER_FILE} patterns is not read`, async () => {
    const big = `${'x\n'.repeat(MAX_PATTERNS_PER_FILE)}.env\n*.env\n`;
    const tree = treeOf({ '.gitignore': '.env\n*.env\n', 'app/.gitignore': big });
    const chain = await GitignoreChain.load(tree);
    expect(chain.ignores('.env')).toBe(true);
    expect(chain.ignores('app/.env')).toBe(false);
    expect(await GitignoreChain.limitNote(tree)).toContain('app/.gitignore');

    const result = await scanFiles({ '.gitignore': big, 'app/config/settings.py': 'X = 1\n' });
    expect(result.findings.map((f) => f.rule).sort()).toEqual(['file-gitignore-env', 'file-gitignore-secret-config']);
    // Not "does not exclude": it was not read, and says so.
    expect(result.findings.find((f) => f.rule === 'file-gitignore-env')!.message).toMatch(/^\.gitignore is over Depwatch's limits and was not read, so whether it excludes .* could not be checked/);
    expect(result.notes).toContainEqual({ kind: 'incomplete', message: expect.stringContaining(`over the limit of ${MAX_PATTERNS_PER_FILE}`) });
    expect(result.partial).toBe(true);
  });

  it(`past ${MAX_PATTERN_CHARS} pattern characters in a tree, the deeper files are not read`, async () => {
    const half = `${'y'.repeat(MAX_PATTERN_CHARS / 2)}\n.env\n`;
    const tree = treeOf({ '.gitignore': half, 'a/.gitignore': half, 'a/b/.gitignore': '.env\n' });
    const chain = await GitignoreChain.load(tree);
    expect(chain.ignores('.env')).toBe(true);
    // a/.gitignore went over: under a/, nothing counts as ignored (even what the root excludes).
    expect(chain.ignores('a/.env')).toBe(false);
    expect(chain.ignores('a/b/.env')).toBe(false);
    expect(await GitignoreChain.limitNote(tree)).toContain('a/.gitignore');
  });

  it('the work of matching is bounded per tree, even within one pattern', async () => {
    // Stars and `a`s against a long name of `a`s: each `a` read wakes one more state, so a run
    // costs about min(path, pattern) × path steps: many patterns, or one long one.
    const cases: Array<[string, number]> = [
      [`${`${'*a'.repeat(499)}*\n`.repeat(200)}`, 2_000],
      [`${'*a'.repeat(90_000)}*\n`, 20_000],
    ];
    for (const [text, length] of cases) {
      const tree = treeOf({ '.gitignore': text });
      const chain = await GitignoreChain.load(tree);
      const path = `${'a'.repeat(length)}.env`;
      expect(chain.ignores(path)).toBe(false);
      expect(await GitignoreChain.limitNote(tree)).toContain('steps per tree');
      expect(chain.ignores('.env')).toBe(false); // from then on, every answer
    }
  });

  it('a tree within the limits has no note', async () => {
    const tree = treeOf({ '.gitignore': '.env\n' });
    (await GitignoreChain.load(tree)).ignores('.env');
    expect(await GitignoreChain.limitNote(tree)).toBeNull();
  });
});

describe('GitignoreChain answers as the ignore package (case-sensitive) on one random .gitignore', () => {
  it('on thousands of small files and paths', async () => {
    const parts = ['a', 'b', 'B', '/', '*', '**', '?', '.', '[ab]', '[!a]', '\\*', ' ', '\\ '];
    const starts = ['', '', '', '!', '#', '\\#', '\\!', '/'];
    const names = ['a', 'b', 'B', 'ab', '.a', 'a b', 'a '];
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const differ: string[] = [];
    let compared = 0;
    for (let k = 0; k < 3_000; k++) {
      const lines: string[] = [];
      for (let l = 1 + rnd(4); l > 0; l--) {
        let line = starts[rnd(starts.length)]!;
        for (let i = 1 + rnd(4); i > 0; i--) line += parts[rnd(parts.length)];
        lines.push(line);
      }
      const text = `${lines.join(rnd(3) === 0 ? '\r\n' : '\n')}\n`;
      const theirs = ignore({ ignorecase: false }).add(text);
      const chain = await chainOf({ '.gitignore': text });
      for (let j = 0; j < 10; j++) {
        const segments: string[] = [];
        for (let i = 1 + rnd(4); i > 0; i--) segments.push(names[rnd(names.length)]!);
        const path = `${segments.join('/')}${rnd(4) === 0 ? '/' : ''}`;
        compared++;
        if (theirs.ignores(path) !== chain.ignores(path)) differ.push(`${JSON.stringify(text)} ${JSON.stringify(path)}`);
      }
    }
    expect(compared).toBeGreaterThan(20_000);
    expect(differ).toEqual([]);
  });
});
