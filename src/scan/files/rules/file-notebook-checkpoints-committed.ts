/**
 * Jupyter's `.ipynb_checkpoints/` folders committed: autosaves of the notebooks (and other files)
 * edited in Jupyter, which nothing runs but which keep what each file held when last saved, outputs
 * and credentials removed from it since included. One finding for the tree, however many folders,
 * as one `.gitignore` line and one `git rm` fix them all. As for a `.env` (committed.ts): in an
 * archive every file was committed; in a checkout, checkpoints `.gitignore` excludes are the setup
 * this rule recommends, and those it does not are said as what git would do.
 */
import { plural, someNames } from '../../../plural.js';
import { checkpointsOutOfGit } from '../../jupyter-checkpoints.js';
import { isJupyterCheckpointPath } from '../../paths.js';
import type { TreeRule } from '../../tree-rule.js';
import { compareCodeUnits } from '../../../text-order.js';
import { committedOrNotIgnored } from '../committed.js';

export const rule: TreeRule = {
  info: {
    id: 'file-notebook-checkpoints-committed',
    kind: 'file',
    severity: 'low',
    confidence: 'high',
    title: 'Jupyter checkpoints committed',
    help: 'Jupyter autosaves each file it edits into a .ipynb_checkpoints/ folder beside it. Nothing runs these copies, but committed they give everyone who can read the repository an older version of each notebook, with any output or credential removed from it since. Remove the folders from git and add .ipynb_checkpoints/ to .gitignore.',
  },
  async check(tree) {
    const files = await committedOrNotIgnored(tree, tree.paths.filter(isJupyterCheckpointPath));
    if (files.length === 0) return [];
    const folders = [...new Set(files.map(checkpointFolder))].sort(compareCodeUnits);
    const held = `${plural(files.length, 'file')} in ${folders.length === 1 ? folders[0] : `${folders.length} folders: ${someNames(folders)}`}`;
    return [
      {
        file: [...files].sort(compareCodeUnits)[0]!,
        line: null,
        column: null,
        message: tree.workingTree
          ? `Jupyter's checkpoints (${held}) are not ignored by .gitignore, so git would commit them (git ls-files tells whether it already has): autosaves that keep what each file held when last saved.`
          : `Jupyter's checkpoints are committed (${held}): autosaves that keep what each file held when last saved, for everyone who can read the repository.`,
        fix: `${capitalised(checkpointsOutOfGit(tree.workingTree))}.`,
      },
    ];
  },
};

/** The outermost `.ipynb_checkpoints/` folder on the path, with its trailing `/`. */
function checkpointFolder(path: string): string {
  const end = (path.startsWith(FOLDER) ? 0 : path.indexOf(`/${FOLDER}`) + 1) + FOLDER.length;
  return path.slice(0, end);
}

const FOLDER = '.ipynb_checkpoints/';

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
