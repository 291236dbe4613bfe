/**
 * A `.env` (or `*.env`) file committed to the repository. In an archive every file was committed;
 * in a checkout on disk, one that `.gitignore` excludes is the setup this rule recommends (a local
 * .env git leaves out), not a committed one, and one it does not exclude is said as such: git would
 * commit it, and may already have. Its credentials are still reported by the secret rules:
 * a file git already tracked stays tracked after it is ignored, which the tree alone cannot tell.
 */
import { loweredPlace } from '../../paths.js';
import { isPlaceholder } from '../../secrets/placeholders.js';
import type { TreeRule } from '../../tree-rule.js';
import { envHasValues, isCommittedEnvFile } from '../env-files.js';
import { committedClause, committedOrNotIgnored, stopCommittingStep } from '../committed.js';

const DEV_CONTAINER = /(?:^|\/)\.devcontainer\//;

export const rule: TreeRule = {
  info: {
    id: 'file-env-committed',
    kind: 'file',
    severity: 'high',
    confidence: 'high',
    title: '.env file committed',
    help: 'A .env file holds the settings and credentials of one machine; committed, it gives them to everyone who can read the repository and its history. Remove it from git (git rm --cached), add .env to .gitignore, rotate what it held, and commit a .env.example with placeholders instead.',
  },
  async check(tree) {
    const out = [];
    for (const path of await committedOrNotIgnored(tree, tree.paths.filter(isCommittedEnvFile))) {
      const text = await tree.readText(path);
      const withValues = text === null || envHasValues(text, isPlaceholder);
      // A test of .env loading needs a .env, and a dev container's env files are committed so every
      // developer's container starts the same (.devcontainer/ is VS Code's and GitHub Codespaces'):
      // settings for development, not one machine's. Any credential in them is reported by the
      // secret rules at its own severity.
      const fixture = loweredPlace(path) === 'test code';
      const devContainer = DEV_CONTAINER.test(path);
      out.push({
        file: path,
        line: null,
        column: null,
        severity: withValues && !fixture && !devContainer ? undefined : ('low' as const),
        message: describe(path, tree.workingTree, fixture ? 'fixture' : devContainer ? 'dev-container' : withValues ? 'values' : 'empty'),
        fix: `${stopCommittingStep('it', tree.workingTree)}, rotate any credential it held${tree.workingTree ? ' if it was ever pushed' : ''}, and commit a .env.example with placeholders instead.`,
      });
    }
    return out;
  },
};

type EnvFileUse = 'fixture' | 'dev-container' | 'values' | 'empty';

/**
 * What is true of the file. In an archive from GitHub it is committed. In a checkout, that .gitignore
 * does not exclude it is all the tree tells: git may not track it yet (an untracked .env of a new
 * project), and `git ls-files` is not run, so the sentence says what git would do.
 */
function describe(path: string, workingTree: boolean, use: EnvFileUse): string {
  if (!workingTree) {
    switch (use) {
      case 'fixture':
        return `${path} is committed in test code, as a fixture of tests that load .env files; keep only made-up values in it (a real credential in it is reported on its own).`;
      case 'dev-container':
        return `${path} is committed as the development container's settings; keep only development values in it (a real credential in it is reported on its own).`;
      case 'values':
        return `${committedClause(path, false)}: the settings and credentials it holds are readable by everyone with access to the repository and its history.`;
      case 'empty':
        return `${path} is committed, with no real values yet; the next person who fills it in will commit their credentials.`;
    }
  }
  switch (use) {
    case 'fixture':
      return `${path} is in test code and not ignored by .gitignore, as a fixture of tests that load .env files; keep only made-up values in it (a real credential in it is reported on its own).`;
    case 'dev-container':
      return `${path} holds the development container's settings and is not ignored by .gitignore; keep only development values in it (a real credential in it is reported on its own).`;
    case 'values':
      return `${committedClause(path, true)}: the settings and credentials it holds would be readable by everyone with access to the repository and its history.`;
    case 'empty':
      return `${path} is not ignored by .gitignore, with no real values yet; once filled in, git would commit the credentials with it.`;
  }
}
