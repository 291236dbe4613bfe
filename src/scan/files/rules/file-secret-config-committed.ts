/**
 * `config/secret*.py` committed: the place projects keep credentials out of settings. As for a
 * `.env` (file-env-committed, src/scan/files/committed.ts): in an archive every file was committed;
 * in a checkout one that `.gitignore` excludes is the setup this rule recommends, and one it does
 * not exclude is said as what git would do, since git may not track it yet.
 */
import type { TreeRule } from '../../tree-rule.js';
import { committedClause, committedOrNotIgnored, stopCommittingStep } from '../committed.js';
import { isSecretConfigFile } from '../env-files.js';

export const rule: TreeRule = {
  info: {
    id: 'file-secret-config-committed',
    kind: 'file',
    severity: 'high',
    confidence: 'medium',
    title: 'Secret settings module committed',
    help: 'config/secret*.py modules exist to keep credentials out of the shared settings; committed, they share them anyway. Remove the file from git, ignore it, and read the values from the environment.',
  },
  async check(tree) {
    return (await committedOrNotIgnored(tree, tree.paths.filter(isSecretConfigFile))).map((path) => ({
      file: path,
      line: null,
      column: null,
      message: `${committedClause(path, tree.workingTree)}; a secrets module in the repository gives its credentials to everyone who can read it.`,
      fix: `${stopCommittingStep('config/secret*.py', tree.workingTree)}, rotate the credentials${tree.workingTree ? ' if it was ever pushed' : ''}, and read them from the environment (os.environ) instead.`,
    }));
  },
};
