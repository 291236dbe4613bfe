/**
 * Jupyter's checkpoints: `.ipynb_checkpoints/train-checkpoint.ipynb` is the autosave Jupyter keeps
 * of `train.ipynb` (and of any text file edited in JupyterLab: `util-checkpoint.py`), committed
 * whenever `git add .` meets a folder no `.gitignore` keeps out. Read as any file, every finding of
 * the notebook was reported twice. What the scan does instead:
 *
 * - Code and runtime rules are not run on a checkpoint (scan.ts): nothing runs or imports it, so a
 *   `pickle.load` in it is the notebook's own finding, or one the notebook no longer has.
 * - Secrets are looked for, as a checkpoint may hold one the notebook no longer does: a real leak.
 *   The same secret (by its keyed fingerprint, as `--history` reports each secret once) reported in
 *   the file the checkpoint copies is one finding, there, saying the checkpoint holds it too
 *   (foldCheckpointCopies); a secret only the checkpoint holds is reported at the checkpoint, saying
 *   what the file is and to take the folder out of git (checkpointSecretWording).
 * - The folder itself, committed, is `file-notebook-checkpoints-committed` (files/rules).
 *
 * What others do: nbQA (EXCLUDES in nbqa/__main__.py) and black (DEFAULT_EXCLUDES) leave
 * `.ipynb_checkpoints/` out of directory walks; gitleaks and detect-secrets have no rule for it and
 * report each copy as a file of its own (gitleaks' fingerprint is commit:file:rule:line); bandit does
 * not read notebooks, and reads a checkpoint `.py` as any other (its default excludes are VCS
 * folders, `__pycache__`, `.tox`, `.eggs`). Leaving the folder out would lose the leaks only a
 * checkpoint holds, so its secrets are read and only its duplicates folded.
 */
import { baseName, checkpointOriginal } from './paths.js';
import type { CodeFinding } from './types.js';

/**
 * How to keep checkpoints out of git, as committed.ts's stopCommittingStep says it for one file: in
 * an archive they are committed; in a checkout git may not track them yet, so ignoring comes first.
 */
export function checkpointsOutOfGit(workingTree: boolean): string {
  return workingTree
    ? 'add `.ipynb_checkpoints/` to .gitignore (and `git rm -r --cached` the folder if git already tracks it)'
    : '`git rm -r --cached` the .ipynb_checkpoints folder and add `.ipynb_checkpoints/` to .gitignore';
}

/** What a secret found in a checkpoint says besides the rule's own message and fix. */
export function checkpointSecretWording(path: string, workingTree: boolean): { message: string; fix: string } {
  const original = checkpointOriginal(path);
  const what = original === null ? "a file in Jupyter's checkpoint folder" : `Jupyter's checkpoint copy of ${baseName(original)}`;
  return {
    message: `This is ${what}: an autosave that nothing runs, holding what the file held when it was last saved, so a secret removed from the file since is still here${workingTree ? '' : ' and committed'}.`,
    fix: `Then ${checkpointsOutOfGit(workingTree)}.`,
  };
}

/**
 * Secrets found both in a checkpoint and in the file it copies, as one finding: the checkpoint's is
 * left out, and the file's (counted or ignored, as its own suppression or ignore decided) says the
 * checkpoint holds it too. Only a finding of the file the checkpoint copies counts, so a secret
 * that is elsewhere in the tree too is still reported in the checkpoint. Safe to apply again to
 * results that were folded already (each part of a split scan, then their merge): a checkpoint's
 * finding left is one whose file had no such finding. Linear: one map of the copied files' secrets.
 */
export function foldCheckpointCopies(findings: CodeFinding[], ignored: CodeFinding[], workingTree: boolean): { findings: CodeFinding[]; ignored: CodeFinding[] } {
  const copies = [...findings, ...ignored].filter((f) => f.secret !== undefined && checkpointOriginal(f.file) !== null);
  if (copies.length === 0) return { findings, ignored };
  const originals = new Set(copies.map((f) => checkpointOriginal(f.file)!));
  const key = (file: string, fingerprint: string) => `${file}\0${fingerprint}`;
  const inOriginals = new Map<string, CodeFinding[]>();
  for (const f of [...findings, ...ignored]) {
    if (f.secret === undefined || !originals.has(f.file)) continue;
    const k = key(f.file, f.secret.fingerprint);
    const same = inOriginals.get(k);
    if (same) same.push(f);
    else inOriginals.set(k, [f]);
  }
  const folded = new Set<CodeFinding>();
  const holders = new Map<CodeFinding, string>();
  for (const copy of copies) {
    const same = inOriginals.get(key(checkpointOriginal(copy.file)!, copy.secret!.fingerprint));
    if (same === undefined) continue;
    folded.add(copy);
    for (const f of same) holders.set(f, copy.file);
  }
  const fold = (list: CodeFinding[]) =>
    list
      .filter((f) => !folded.has(f))
      .map((f) => {
        const checkpoint = holders.get(f);
        if (checkpoint === undefined) return f;
        return {
          ...f,
          message: `${f.message} Jupyter's checkpoint ${checkpoint} holds it too.`,
          fix: `${f.fix} The checkpoint keeps it after the file is cleaned: ${checkpointsOutOfGit(workingTree)}.`,
        };
      });
  return { findings: fold(findings), ignored: fold(ignored) };
}
