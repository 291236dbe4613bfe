/**
 * A checkout's submodules that are not checked out, nested ones too: a submodule that is checked out
 * has a `.gitmodules` of its own, and the submodules it names that are not checked out are other
 * repositories whose files were not read, named by their path from the root. Nesting is followed a
 * bounded number of levels, and a nested `.gitmodules` is read as defensively as the root's.
 */
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkoutSubmodules, MAX_SUBMODULE_DEPTH } from '../src/python/checkout-submodules.js';
import { MAX_SUBMODULES } from '../src/python/submodules.js';
import { directoryWalk } from '../src/python/directory-walk.js';
import { CheckoutRoot } from '../src/python/inside-root.js';
import { writeTree } from './helpers/cli-in-process.js';

const gitmodules = (...paths: string[]) => paths.map((path, i) => `[submodule "s${i}"]\n\tpath = ${path}\n\turl = ../s${i}.git\n`).join('');
/** A checked-out submodule: its `.git` file, as git writes it. */
const gitFile = { '.git': 'gitdir: ../.git/modules/x\n' };
const checkedOut = (path: string, files: Record<string, string> = {}) => Object.fromEntries(Object.entries({ ...gitFile, ...files }).map(([name, text]) => [`${path}/${name}`, text]));

async function submodulesOf(dir: string) {
  const { unread, problem } = await checkoutSubmodules(new CheckoutRoot(dir), directoryWalk(dir));
  return { unread: unread.map((s) => s.path), problem };
}

describe('checkoutSubmodules', () => {
  it('names the submodules a checked-out submodule lists that are not checked out, by their path from the root, at every level', async () => {
    const dir = writeTree('depwatch-nested-', {
      '.gitmodules': gitmodules('vendor/lib', 'tools/lint'),
      ...checkedOut('vendor/lib', { '.gitmodules': gitmodules('deps/inner', 'deps/ok'), 'requirements.txt': 'six\n' }),
      ...checkedOut('vendor/lib/deps/ok', { '.gitmodules': gitmodules('third') }),
    });
    expect(await submodulesOf(dir)).toEqual({ unread: ['tools/lint', 'vendor/lib/deps/inner', 'vendor/lib/deps/ok/third'], problem: null });
  });

  it('never leaves the submodule a nested .gitmodules belongs to, and says what it could not understand naming that file', async () => {
    const dir = writeTree('depwatch-nested-', {
      '.gitmodules': gitmodules('vendor/lib'),
      ...checkedOut('vendor/lib', { '.gitmodules': `${gitmodules('../../etc', '/abs', 'inner')}not a config line\n` }),
    });
    expect(await submodulesOf(dir)).toEqual({
      unread: ['vendor/lib/inner'],
      problem:
        'vendor/lib/.gitmodules: a line not understood (line 10); 2 submodule paths that are absolute or outside the repository, ignored; a submodule it names there that is not checked out may not be named here',
    });
  });

  it('does not follow a nested .gitmodules that is a link (one out of the checkout is never read)', async () => {
    const outside = writeTree('depwatch-outside-', { '.gitmodules': gitmodules('secret') });
    const dir = writeTree('depwatch-nested-', { '.gitmodules': gitmodules('vendor/lib'), ...checkedOut('vendor/lib') });
    symlinkSync(join(outside, '.gitmodules'), join(dir, 'vendor/lib/.gitmodules'));
    const { unread, problem } = await submodulesOf(dir);
    expect(unread).toEqual([]);
    expect(problem).toMatch(/^vendor\/lib\/\.gitmodules: .*not read, so a submodule that is not checked out may not be named here$/);
  });

  it(`follows nesting ${MAX_SUBMODULE_DEPTH} levels deep, and says so past that rather than stopping silently`, async () => {
    const files: Record<string, string> = { '.gitmodules': gitmodules('s') };
    let path = 's';
    for (let level = 1; level <= MAX_SUBMODULE_DEPTH + 2; level++) {
      Object.assign(files, checkedOut(path, { '.gitmodules': gitmodules('s') }));
      path = `${path}/s`;
    }
    const { unread, problem } = await submodulesOf(writeTree('depwatch-deep-', files));
    expect(unread).toEqual([]);
    expect(problem).toBe(`submodules nested more than ${MAX_SUBMODULE_DEPTH} deep (below ${Array.from({ length: MAX_SUBMODULE_DEPTH }, () => 's').join('/')}) were not looked at: one not checked out there may not be named here`);
  });

  it(`looks at ${MAX_SUBMODULES} submodules in all, nested ones counted, and says the rest were not looked at`, async () => {
    const many = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
    const dir = writeTree('depwatch-many-', { '.gitmodules': gitmodules('a', ...many('r', 6_000)), ...checkedOut('a', { '.gitmodules': gitmodules(...many('n', 6_000)) }) });
    const started = performance.now();
    const { unread, problem } = await submodulesOf(dir);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(unread).toHaveLength(MAX_SUBMODULES - 1);
    expect(unread.at(-1)).toBe(`a/n${MAX_SUBMODULES - 6_002}`);
    expect(problem).toBe(`more than ${MAX_SUBMODULES} submodules in all; the rest were not looked at, and one not checked out there may not be named here`);
  });

  it('takes a submodule folder holding any file as checked out, and reads the .gitmodules in it', async () => {
    const dir = writeTree('depwatch-nested-', { '.gitmodules': gitmodules('a', 'b'), 'a/.gitmodules': gitmodules('never') });
    expect(await submodulesOf(dir)).toEqual({ unread: ['b', 'a/never'], problem: null });
  });
});
