/**
 * The .gitignore-syntax matcher of `.depwatch.yml` globs (src/audit/glob.ts): the semantics the
 * docs promise, each on its own, then the same answers as the `ignore` package (case-sensitive, as
 * git on Linux) on thousands of small random globs and paths.
 */
import ignore from 'ignore';
import { describe, expect, it } from 'vitest';
import { compileGlob } from '../../src/audit/glob.js';

describe('compileGlob', () => {
  it.each([
    // A name with no `/` but a trailing one: at any depth, file or folder, and a folder covers what is in it.
    ['fixtures', 'fixtures', true],
    ['fixtures', 'tests/fixtures', true],
    ['fixtures', 'tests/fixtures/a/b.txt', true],
    ['*.ipynb', 'docs/x/a.ipynb', true],
    ['*.ipynb', 'a.ipynb/b', true],
    // A trailing `/`: folders only.
    ['fixtures/', 'tests/fixtures', false],
    ['fixtures/', 'tests/fixtures/', true],
    ['fixtures/', 'tests/fixtures/a.txt', true],
    // A `/` at the start or in the middle anchors it to the root.
    ['/examples/', 'examples/requirements.txt', true],
    ['/examples/', 'src/examples/requirements.txt', false],
    ['docs/*.py', 'docs/a.py', true],
    ['docs/*.py', 'src/docs/a.py', false],
    ['docs/*.py', 'docs/sub/a.py', false],
    // `**`.
    ['**/x', 'x', true],
    ['**/x', 'a/b/x', true],
    ['a/**', 'a', false],
    ['a/**', 'a/b', true],
    ['a/**', 'a/b/c', true],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a/**/b', 'a/xb', false],
    ['a**b', 'axxb', true],
    ['a**b', 'ax/xb', false],
    ['tests/**/poetry.lock', 'tests/a/b/poetry.lock', true],
    // `?`, classes, escapes, a `[` with no `]`.
    ['a?c', 'abc', true],
    ['a?c', 'a/c', false],
    ['[a-c]x', 'bx', true],
    ['[!a-c]x', 'bx', false],
    ['[^a-c]x', 'dx', true],
    ['[!a]', '/', false],
    ['[]]', ']', true],
    ['[[:digit:]]x', '7x', true],
    ['a\\*', 'a*', true],
    ['a\\*', 'ab', false],
    ['a[b', 'a[b', true],
    ['a[b', 'ab', false],
    // Case-sensitive, as git on Linux and GitHub.
    ['Tests/', 'tests/a.txt', false],
    ['tests/', 'Tests/a.txt', false],
    ['[A-Z]*', 'readme', false],
    // Nothing to match: a negation, a comment, an empty glob; and paths that are not relative.
    ['!a', 'a', false],
    ['#a', '#a', false],
    ['', 'a', false],
    ['a', '/a', false],
    ['a', './a', false],
  ])('%s against %s: %s', (glob, path, expected) => {
    expect(compileGlob(glob)(path)).toBe(expected);
  });

  it('answers as the ignore package (case-sensitive) on random small globs and paths', () => {
    const globParts = ['a', 'b', 'B', '/', '*', '**', '***', '?', '.', '-', ']', '[ab]', '[!a]', '[^b]', '[a-b]', '[]a]', '[A-Z]', '[[:alpha:]]', '\\*', '\\a'];
    const pathParts = ['a', 'b', 'B', '/', '.', '*', '-', ']', '['];
    let seed = 1;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const differ: string[] = [];
    for (let k = 0; k < 5_000; k++) {
      let glob = '';
      for (let i = 1 + rnd(6); i > 0; i--) glob += globParts[rnd(globParts.length)];
      const theirs = ignore({ ignorecase: false }).add(glob);
      const ours = compileGlob(glob);
      for (let j = 0; j < 10; j++) {
        let path = '';
        for (let i = 1 + rnd(7); i > 0; i--) path += pathParts[rnd(pathParts.length)];
        path = path.replace(/\/+/g, '/').replace(/^\//, '');
        if (path === '' || path === '.' || path === '..' || path.startsWith('./') || path.startsWith('../')) continue;
        // A `[` with no `]` is a literal here; the ignore package matches nothing after it.
        if (/\[(?![^\]]*\])/.test(glob.replace(/\[[^\]]*\]/g, ''))) continue;
        if (theirs.ignores(path) !== ours(path)) differ.push(`${glob} ${path}`);
      }
    }
    expect(differ).toEqual([]);
  });
});
