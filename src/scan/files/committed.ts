/**
 * Whether a file of the scanned tree is committed, and how to say it. In an archive from GitHub
 * every file was committed. In a checkout on disk the tree only tells whether the `.gitignore`
 * files exclude it: one they exclude is the setup the file rules recommend, not a committed file;
 * one they do not may not be tracked yet (git is not run), so it is said as what git would do.
 * Every rule about a file that should not be committed (file-env-committed,
 * file-secret-config-committed) asks here, so they agree.
 */
import { GitignoreChain } from './gitignore.js';
import type { TreeView } from '../tree-rule.js';

/** Of `paths`, those git committed (an archive) or would commit (a checkout: no .gitignore excludes them). */
export async function committedOrNotIgnored(tree: TreeView, paths: readonly string[]): Promise<string[]> {
  if (!tree.workingTree || paths.length === 0) return [...paths];
  const gitignore = await GitignoreChain.load(tree);
  return paths.filter((path) => !gitignore.ignores(path));
}

/** "config/secrets.py is committed", or in a checkout "… is not ignored by .gitignore, so git would commit it (…)". */
export function committedClause(path: string, workingTree: boolean): string {
  return workingTree ? `${path} is not ignored by .gitignore, so git would commit it (git ls-files tells whether it already has)` : `${path} is committed`;
}

/**
 * The first step of the fix: take the file out of git, and keep it out with `ignore` (a .gitignore
 * pattern, or "it"). In a checkout git may not track it yet, so ignoring it comes first.
 */
export function stopCommittingStep(ignore: string, workingTree: boolean): string {
  return workingTree ? `Add ${ignore} to .gitignore (and git rm --cached the file if git already tracks it)` : `git rm --cached the file, add ${ignore} to .gitignore`;
}
