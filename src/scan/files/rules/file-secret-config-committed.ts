/** `config/secret*.py` committed: the place projects keep credentials out of settings. */
import type { TreeRule } from '../../tree-rule.js';
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
    return tree.paths.filter(isSecretConfigFile).map((path) => ({
      file: path,
      line: null,
      column: null,
      message: `${path} is committed; a secrets module in the repository gives its credentials to everyone who can read it.`,
      fix: 'git rm --cached the file, add config/secret*.py to .gitignore, rotate the credentials, and read them from the environment (os.environ) instead.',
    }));
  },
};
