/**
 * `.gitmodules` as git reads it (its config syntax), from a repository's own text: the submodule
 * paths it names, never one that leaves the root, and one line for what was not understood.
 */
import { describe, expect, it } from 'vitest';
import { parseGitmodules, submodulesNotice } from '../src/python/submodules.js';

describe('parseGitmodules', () => {
  it('reads the paths of [submodule "name"] sections: quotes, escapes, comments, continuation lines, the old [submodule.name] form, other sections ignored', () => {
    const text = [
      '# written by git',
      '[submodule "lib"]',
      '\tpath = vendor/lib',
      '\turl = https://example.com/lib.git',
      '[submodule "odd \\"name\\""] ; a comment',
      '  PATH = "third party/x"   # spaces kept inside quotes',
      '[submodule.old]',
      'path = tools/\\',
      'old',
      '[core]',
      '\tpath = not/a/submodule',
      '[submodule "trailing"]',
      '\tpath = docs/theme/',
      '\tupdate',
    ].join('\r\n');
    expect(parseGitmodules(text)).toEqual({ paths: ['vendor/lib', 'third party/x', 'tools/old', 'docs/theme'], problem: null });
  });

  it('keeps the last path a submodule gives, and each folder once', () => {
    expect(parseGitmodules('[submodule "a"]\npath = x\npath = y\n[submodule "b"]\npath = ./y\n').paths).toEqual(['y']);
  });

  it('never returns a path that is absolute, a drive, climbs out of the root or holds a backslash or NUL, and says how many there were', () => {
    const entries = ['../x', 'a/../../x', '/etc', 'C:/x', 'c:x', 'a\\\\..\\\\..\\\\x', '..', '.', ''];
    const text = entries.map((path, i) => `[submodule "s${i}"]\n\tpath = "${path}"\n`).join('') + '[submodule "nul"]\n\tpath = a\u0000b\n[submodule "ok"]\n\tpath = a/./b/../c\n';
    const { paths, problem } = parseGitmodules(text);
    expect(paths).toEqual(['a/c']);
    expect(problem).toBe('.gitmodules: 10 submodule paths that are absolute or outside the repository, ignored; a submodule it names there that is not checked out may not be named here');
  });

  it('says the lines it does not understand in one line, naming the first three, and reads the rest', () => {
    const text = '[submodule "a"]\npath = "open\n= x\n[broken\n[submodule "b"]\npath = b\n\tpath = bad \\q escape\n}\n';
    const { paths, problem } = parseGitmodules(text);
    expect(paths).toEqual(['b']);
    expect(problem).toBe('.gitmodules: 5 lines not understood (line 2, 3, 4, …); a submodule it names there that is not checked out may not be named here');
  });

  it('reads a huge hostile text in one pass', () => {
    const runs = ['[submodule "'.repeat(200_000), `[submodule "x"]\npath = ${'\\\n'.repeat(200_000)}a\n`, `${'"'.repeat(400_000)}\n`, '[submodule "x"]\n' + 'path = y\n'.repeat(100_000)];
    for (const text of runs) {
      const started = performance.now();
      const { problem } = parseGitmodules(text);
      expect(typeof problem === 'string' || problem === null).toBe(true);
      expect(performance.now() - started).toBeLessThan(2_000);
    }
  });
});

describe('submodulesNotice', () => {
  it('names the first five, then how many more, with the short commit when the tree gives one', () => {
    const many = Array.from({ length: 7 }, (_, i) => ({ path: `m${i}`, commit: `${i}`.repeat(40) }));
    expect(submodulesNotice(many, 'github')).toMatch(/^m0 \(at 0000000\), m1 \(at 1111111\), m2 \(at 2222222\), m3 \(at 3333333\), m4 \(at 4444444\) and 2 more: git submodules, /);
    expect(submodulesNotice([], 'checkout')).toBeNull();
  });
});
