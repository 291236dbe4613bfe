/**
 * Jupyter's checkpoints (`.ipynb_checkpoints/train-checkpoint.ipynb`, the autosave of `train.ipynb`):
 * nothing runs them, so no code rule is reported in them; a secret they share with the file they
 * copy is one finding, in that file, saying the checkpoint holds it too; a secret only a checkpoint
 * holds is reported there, saying what the file is; the committed folder is one file finding.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointOriginal, isJupyterCheckpointPath } from '../../src/scan/paths.js';
import { scanTree } from '../../src/scan/scan.js';
import { directoryScanSource } from '../../src/scan/source.js';
import type { ScanResult } from '../../src/scan/types.js';
import { KEY, scanFiles } from './helpers.js';

const TOKEN = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';
const OLD_TOKEN = 'ghp_' + 'An0th3rT0k3nV4lu3abcdefGHIJKLmnopqrS';

/** A notebook as Jupyter saves it (`json.dump(indent=1)`), one code cell per source. */
function notebook(...cells: string[]): string {
  const nb = {
    cells: cells.map((source) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: source.split(/(?<=\n)/) })),
    metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' }, language_info: { name: 'python' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return JSON.stringify(nb, null, 1) + '\n';
}

const TRAIN = notebook('import pickle\n', `GITHUB_TOKEN = "${TOKEN}"\nwith open("model.pkl", "rb") as f:\n    model = pickle.load(f)\n`);

const listed = (result: ScanResult, list: 'findings' | 'ignored' = 'findings') => result[list].map((f) => `${f.rule} ${f.file}`).sort();

describe('which paths are checkpoints, and of what', () => {
  it('a file in a .ipynb_checkpoints folder is a checkpoint; its original is the name without -checkpoint, in the folder above', () => {
    expect(checkpointOriginal('notebooks/.ipynb_checkpoints/train-checkpoint.ipynb')).toBe('notebooks/train.ipynb');
    expect(checkpointOriginal('.ipynb_checkpoints/train-checkpoint.ipynb')).toBe('train.ipynb');
    expect(checkpointOriginal('src/.ipynb_checkpoints/util-checkpoint.py')).toBe('src/util.py');
    // os.path.splitext: the last extension only, none for a name without one or that is all extension.
    expect(checkpointOriginal('.ipynb_checkpoints/model.v2-checkpoint.ipynb')).toBe('model.v2.ipynb');
    expect(checkpointOriginal('.ipynb_checkpoints/Dockerfile-checkpoint')).toBe('Dockerfile');
    expect(checkpointOriginal('.ipynb_checkpoints/.env-checkpoint')).toBe('.env');
    expect(checkpointOriginal('a/.ipynb_checkpoints/my-checkpoint-notes-checkpoint.ipynb')).toBe('a/my-checkpoint-notes.ipynb');
    // Not a name Jupyter writes, or not in the folder itself.
    expect(checkpointOriginal('.ipynb_checkpoints/train.ipynb')).toBeNull();
    expect(checkpointOriginal('.ipynb_checkpoints/sub/train-checkpoint.ipynb')).toBeNull();
    expect(checkpointOriginal('notebooks/train-checkpoint.ipynb')).toBeNull();
    expect(isJupyterCheckpointPath('.ipynb_checkpoints/train.ipynb')).toBe(true);
    expect(isJupyterCheckpointPath('x.ipynb_checkpoints/train-checkpoint.ipynb')).toBe(false);
    expect(isJupyterCheckpointPath('notebooks/train.ipynb')).toBe(false);
  });
});

describe('a checkpoint that copies its notebook', () => {
  it('adds nothing: the pickle.load and the token are reported once, in the notebook, which says the checkpoint holds the token too', async () => {
    const result = await scanFiles({ 'notebooks/train.ipynb': TRAIN, 'notebooks/.ipynb_checkpoints/train-checkpoint.ipynb': TRAIN, '.gitignore': '.env\n*.env\n' });
    expect(listed(result).filter((f) => !f.startsWith('file-'))).toEqual(['py-unsafe-deserialization notebooks/train.ipynb', 'secret-github-token notebooks/train.ipynb']);
    const secret = result.findings.find((f) => f.rule === 'secret-github-token')!;
    expect(secret.message).toMatch(/ Jupyter's checkpoint notebooks\/\.ipynb_checkpoints\/train-checkpoint\.ipynb holds it too\.$/);
    expect(secret.fix).toMatch(/`git rm -r --cached` the \.ipynb_checkpoints folder and add `\.ipynb_checkpoints\/` to \.gitignore\.$/);
    expect(result.partial).toBe(false);
    expect(result.stats.pythonFiles).toBe(1);
  });

  it('a token the notebook suppresses in its cell is not reported from the checkpoint, marker or not', async () => {
    const suppressed = notebook(`GITHUB_TOKEN = "${TOKEN}"  # depwatch: ignore[secret-github-token] revoked\n`);
    const older = notebook(`GITHUB_TOKEN = "${TOKEN}"\n`);
    const result = await scanFiles({ 'nb.ipynb': suppressed, '.ipynb_checkpoints/nb-checkpoint.ipynb': older });
    expect(result.findings.filter((f) => f.kind === 'secret')).toEqual([]);
    expect(listed(result, 'ignored')).toEqual(['secret-github-token nb.ipynb']);
  });

  it('a checkpoint that is not a notebook Jupyter could open, or whose cell does not parse, leaves the scan complete: its code is not checked anyway', async () => {
    const result = await scanFiles({
      'nb.ipynb': notebook('x = 1\n'),
      '.ipynb_checkpoints/nb-checkpoint.ipynb': '{"cells": [',
      'other/.ipynb_checkpoints/b-checkpoint.ipynb': notebook('def f(:\n'),
      'other/.ipynb_checkpoints/c-checkpoint.ipynb': notebook('x = (\n'),
    });
    expect(result.notes.filter((n) => n.kind === 'incomplete' || n.kind === 'syntax')).toEqual([]);
    expect(result.skipped).toEqual([]);
    expect(result.partial).toBe(false);
  });
});

describe('a checkpoint holding what its notebook no longer does', () => {
  it('its code is not reported (nothing runs it); its old token is, at the checkpoint, saying what the file is and to take it out of git', async () => {
    const old = notebook('import pickle, os\n', `GITHUB_TOKEN = "${OLD_TOKEN}"\nos.system(input())\nmodel = pickle.load(open("m.pkl", "rb"))\n`);
    const now = notebook('import os\n', 'GITHUB_TOKEN = os.environ["GITHUB_TOKEN"]\n');
    const result = await scanFiles({ 'nb.ipynb': now, '.ipynb_checkpoints/nb-checkpoint.ipynb': old });
    expect(result.findings.filter((f) => f.kind === 'code')).toEqual([]);
    const secret = result.findings.find((f) => f.kind === 'secret')!;
    // Its usual severity: a secret in a checkpoint is as usable as anywhere.
    expect(secret).toMatchObject({ rule: 'secret-github-token', file: '.ipynb_checkpoints/nb-checkpoint.ipynb', severity: 'critical' });
    expect(secret.message).toMatch(/This is Jupyter's checkpoint copy of nb\.ipynb: an autosave that nothing runs, .*a secret removed from the file since is still here and committed\.$/);
    expect(secret.fix).toMatch(/^Revoke .* Then `git rm -r --cached` the \.ipynb_checkpoints folder and add `\.ipynb_checkpoints\/` to \.gitignore\.$/s);
    expect(JSON.stringify(result)).not.toContain(OLD_TOKEN);
  });

  it('a token that is elsewhere in the tree too, but not in the notebook it copies, is still reported at the checkpoint', async () => {
    const result = await scanFiles({ 'nb.ipynb': notebook('x = 1\n'), '.ipynb_checkpoints/nb-checkpoint.ipynb': notebook(`T = "${TOKEN}"\n`), 'app/settings.py': `T = "${TOKEN}"\n` });
    expect(listed(result).filter((f) => f.startsWith('secret-'))).toEqual(['secret-github-token .ipynb_checkpoints/nb-checkpoint.ipynb', 'secret-github-token app/settings.py']);
  });

  it('a marker in the checkpoint’s own cell covers its secret, as in a notebook', async () => {
    const old = notebook('x = 1\n', `headers = {  # depwatch: ignore[secret-github-token] revoked in 2024\n    "Authorization": "${OLD_TOKEN}",\n}\n`);
    const result = await scanFiles({ 'nb.ipynb': notebook('x = 1\n'), '.ipynb_checkpoints/nb-checkpoint.ipynb': old });
    expect(result.findings.filter((f) => f.kind === 'secret')).toEqual([]);
    expect(result.ignored.map((f) => `${f.rule} ${f.ignoredBy?.reason}`)).toEqual(['secret-github-token # depwatch: ignore in cell 2, line 1']);
  });

  it('any file JupyterLab checkpoints: a .py copy gets no code rule, its secret folded into the module’s; a Dockerfile copy gets no runtime rule', async () => {
    const util = `import os\nTOKEN = "${TOKEN}"\n\ndef run(cmd):\n    os.system(cmd)\n`;
    const result = await scanFiles({ 'src/util.py': util, 'src/.ipynb_checkpoints/util-checkpoint.py': util, 'src/.ipynb_checkpoints/Dockerfile-checkpoint': 'FROM python:latest\n', '.gitignore': '.env\n*.env\n' });
    expect(listed(result).filter((f) => !f.startsWith('file-'))).toEqual(['py-os-system src/util.py', 'secret-github-token src/util.py']);
    expect(result.stats.pythonFiles).toBe(1);
  });
});

describe('the committed checkpoint folders: one file finding', () => {
  it('in an archive, every checkpoint is committed: one low finding for all the folders, at the first checkpoint', async () => {
    const result = await scanFiles({
      '.gitignore': '.env\n*.env\n',
      'a/nb.ipynb': notebook('x = 1\n'),
      'a/.ipynb_checkpoints/nb-checkpoint.ipynb': notebook('x = 1\n'),
      'b/.ipynb_checkpoints/nb-checkpoint.ipynb': notebook('x = 1\n'),
      'b/.ipynb_checkpoints/data-checkpoint.csv': 'a,b\n',
    });
    const found = result.findings.filter((f) => f.rule === 'file-notebook-checkpoints-committed');
    expect(found).toEqual([
      expect.objectContaining({
        kind: 'file',
        severity: 'low',
        file: 'a/.ipynb_checkpoints/nb-checkpoint.ipynb',
        line: null,
        message: "Jupyter's checkpoints are committed (3 files in 2 folders: a/.ipynb_checkpoints/ and b/.ipynb_checkpoints/): autosaves that keep what each file held when last saved, for everyone who can read the repository.",
        fix: '`git rm -r --cached` the .ipynb_checkpoints folder and add `.ipynb_checkpoints/` to .gitignore.',
      }),
    ]);
  });

  it('no checkpoint, no finding', async () => {
    const result = await scanFiles({ '.gitignore': '.env\n*.env\n', 'nb.ipynb': notebook('x = 1\n') });
    expect(result.findings.filter((f) => f.rule === 'file-notebook-checkpoints-committed')).toEqual([]);
  });

  it('in a checkout, checkpoints .gitignore keeps out are not reported as committed; their secrets still are, folded the same', async () => {
    const root = mkdtempSync(join(tmpdir(), 'depwatch-checkpoints-'));
    const write = (files: Record<string, string>) => {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(join(root, path, '..'), { recursive: true });
        writeFileSync(join(root, path), text);
      }
    };
    write({ 'nb.ipynb': TRAIN, '.ipynb_checkpoints/nb-checkpoint.ipynb': TRAIN, 'old/.ipynb_checkpoints/gone-checkpoint.ipynb': notebook(`T = "${OLD_TOKEN}"\n`), '.gitignore': '.env\n*.env\n' });
    const open = await scanTree(directoryScanSource(root), { fingerprintKey: KEY });
    expect(open.findings.find((f) => f.rule === 'file-notebook-checkpoints-committed')?.message).toBe(
      "Jupyter's checkpoints (2 files in 2 folders: .ipynb_checkpoints/ and old/.ipynb_checkpoints/) are not ignored by .gitignore, so git would commit them (git ls-files tells whether it already has): autosaves that keep what each file held when last saved.",
    );
    const old = open.findings.find((f) => f.file === 'old/.ipynb_checkpoints/gone-checkpoint.ipynb')!;
    expect(old.message).toMatch(/This is Jupyter's checkpoint copy of gone\.ipynb: .* is still here\.$/);
    expect(old.fix).toMatch(/ Then add `\.ipynb_checkpoints\/` to \.gitignore \(and `git rm -r --cached` the folder if git already tracks it\)\.$/);

    write({ '.gitignore': '.env\n*.env\n.ipynb_checkpoints/\n' });
    const ignored = await scanTree(directoryScanSource(root), { fingerprintKey: KEY });
    expect(listed(ignored)).toEqual(['py-unsafe-deserialization nb.ipynb', 'secret-github-token nb.ipynb', 'secret-github-token old/.ipynb_checkpoints/gone-checkpoint.ipynb']);
  });
});
