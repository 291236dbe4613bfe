/**
 * A directory scan split across worker threads gives the same result as the scan on one thread:
 * the same findings (ignored ones included, by the tree's own .depwatch.yml), the same skipped files
 * and notes, the same counts, fingerprints that agree.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parseIgnoreFile } from '../../src/audit/ignore-file.js';
import { scanTree } from '../../src/scan/scan.js';
import { directoryScanSource } from '../../src/scan/source.js';
import { scanDirectoryInParallel } from '../../src/workers/parallel-scan.js';

const TOKEN = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'depwatch-parallel-scan-'));
  const files: Record<string, string | Buffer> = {
    '.gitignore': '*.pyc\n',
    '.env': 'DEBUG=1\n',
    '.depwatch.yml': 'ignore:\n  - id: py-yaml-load\n    reason: trusted config files only\n    path: "config/"\n',
    Dockerfile: 'FROM python:3.12\n',
    'config/load.py': 'import yaml\n\ndef load(f):\n    return yaml.load(f)\n',
    'app/settings.py': `GITHUB_TOKEN = "${TOKEN}"\n`,
    'legacy/old.py': Buffer.from('print "caf\xe9"\n', 'latin1'),
    'py2/print.py': 'print "hello"\n',
    // Notebooks are parsed as Python too, so shared out with the .py files.
    'notebooks/train.ipynb': JSON.stringify({ cells: [{ cell_type: 'code', source: ['%pip install pyyaml\n', 'import pickle\n', 'model = pickle.loads(blob)\n'] }], nbformat: 4 }, null, 1),
  };
  for (let i = 0; i < 12; i++) files[`app/m${i}.py`] = `import subprocess\n\ndef run(cmd):\n    return subprocess.run(cmd, shell=True)\n# ${'x'.repeat(i * 50)}\n`;
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  symlinkSync('/etc/passwd', join(root, 'app', 'link.py'));
  return root;
}

it('scans the Python files in workers with the same result as on one thread', async () => {
  const root = tree();
  const key = 'k'.repeat(64);
  const today = new Date('2026-12-05T00:00:00Z');
  const single = await scanTree(directoryScanSource(root), { fingerprintKey: key, today });
  const parallel = await scanDirectoryInParallel(root, { fingerprintKey: key, today, workers: 2, minFiles: 1 });
  expect(parallel).toEqual({ ...single, notes: expect.arrayContaining(single.notes) });
  expect(parallel.notes).toHaveLength(single.notes.length);
  expect(single.findings.length).toBeGreaterThan(12);
  expect(single.ignored.map((f) => f.rule)).toEqual(['py-yaml-load']);
  expect(single.partial).toBe(true); // the Latin-1 Python file
  expect(parallel.findings.filter((f) => f.file === 'notebooks/train.ipynb').map((f) => `${f.rule} ${f.line}`)).toEqual(['py-unsafe-deserialization 8']);
  expect(JSON.stringify(parallel)).not.toContain(TOKEN);
});

it('every part reads a .depwatch.yml saved as UTF-16 (with its byte order mark) as the single-thread scan does', async () => {
  const root = tree();
  const yml = 'ignore:\r\n  - id: py-yaml-load\r\n    reason: trusted config files only\r\n    path: "config/"\r\n';
  writeFileSync(join(root, '.depwatch.yml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(yml, 'utf16le')]));
  const options = { fingerprintKey: 'k'.repeat(64), today: new Date('2026-12-05T00:00:00Z') };
  const single = await scanTree(directoryScanSource(root), options);
  const parallel = await scanDirectoryInParallel(root, { ...options, workers: 2, minFiles: 1 });
  expect(single.ignored.map((f) => `${f.rule} ${f.file}`)).toEqual(['py-yaml-load config/load.py']);
  expect(parallel.ignored).toEqual(single.ignored);
  expect(parallel.findings).toEqual(single.findings);
});

it('stays on this thread for a small tree', async () => {
  const root = tree();
  const result = await scanDirectoryInParallel(root, { fingerprintKey: 'k'.repeat(64), workers: 2 });
  expect(result.stats.pythonFiles).toBeGreaterThan(10);
});

it('no part reads what exclude: keeps out: the same result as on one thread, no longer partial, the files counted once in a note', async () => {
  const root = tree();
  writeFileSync(join(root, '.depwatch.yml'), 'exclude:\n  - path: legacy/\n    reason: Python 2 code kept for reference\n  - path: py2/\n    reason: Python 2 samples\n');
  const options = { fingerprintKey: 'k'.repeat(64), today: new Date('2026-12-05T00:00:00Z') };
  const single = await scanTree(directoryScanSource(root), options);
  const parallel = await scanDirectoryInParallel(root, { ...options, workers: 2, minFiles: 1 });
  expect(parallel).toEqual({ ...single, notes: expect.arrayContaining(single.notes) });
  expect(parallel.notes).toHaveLength(single.notes.length);
  // The Latin-1 file under legacy/ made the scan partial; excluded, it is not read at all.
  expect(single.partial).toBe(false);
  expect(single.skipped.map((s) => s.path)).toEqual(['app/link.py']);
  expect([...single.findings, ...single.ignored].filter((f) => f.file.startsWith('legacy/') || f.file.startsWith('py2/'))).toEqual([]);
  expect(single.notes.filter((n) => n.kind === 'excluded').map((n) => n.message)).toEqual([
    '1 file under legacy/ was not scanned: excluded by .depwatch.yml (Python 2 code kept for reference)',
    '1 file under py2/ was not scanned: excluded by .depwatch.yml (Python 2 samples)',
  ]);
});

it('handed the parse an audit of the tree made, every part applies it and none reads .depwatch.yml again', async () => {
  const root = tree();
  // On disk: a file that would say otherwise (and be noted as not valid), were it read.
  writeFileSync(join(root, '.depwatch.yml'), 'ignore: [[[\n');
  const settings = parseIgnoreFile('ignore:\n  - id: py-yaml-load\n    reason: trusted config files only\n    path: "config/"\nexclude:\n  - path: legacy/\n    reason: Python 2 code\n', '.depwatch.yml');
  const options = { fingerprintKey: 'k'.repeat(64), today: new Date('2026-12-05T00:00:00Z'), settings };
  const single = await scanTree(directoryScanSource(root), options);
  const parallel = await scanDirectoryInParallel(root, { ...options, workers: 2, minFiles: 1 });
  expect(parallel).toEqual({ ...single, notes: expect.arrayContaining(single.notes) });
  expect(parallel.notes).toHaveLength(single.notes.length);
  expect(parallel.ignored.map((f) => `${f.rule} ${f.file}`)).toEqual(['py-yaml-load config/load.py']);
  expect(parallel.notes.map((n) => n.kind)).toEqual(['excluded']);
});

it('a notebook read in a worker and its Jupyter checkpoint read on this thread: their shared secret is one finding, as on one thread', async () => {
  const root = tree();
  const cell = (source: string[]) => JSON.stringify({ cells: [{ cell_type: 'code', source }], nbformat: 4 }, null, 1);
  const OLD = 'ghp_' + 'An0th3rT0k3nV4lu3abcdefGHIJKLmnopqrS';
  writeFileSync(join(root, 'notebooks/train.ipynb'), cell(['import pickle\n', `TOKEN = "${TOKEN}"\n`, 'model = pickle.loads(blob)\n']));
  mkdirSync(join(root, 'notebooks/.ipynb_checkpoints'));
  writeFileSync(join(root, 'notebooks/.ipynb_checkpoints/train-checkpoint.ipynb'), cell(['import pickle\n', `TOKEN = "${TOKEN}"\n`, `OLD = "${OLD}"\n`, 'model = pickle.loads(blob)\n']));
  const options = { fingerprintKey: 'k'.repeat(64), today: new Date('2026-12-05T00:00:00Z') };
  const single = await scanTree(directoryScanSource(root), options);
  const parallel = await scanDirectoryInParallel(root, { ...options, workers: 2, minFiles: 1 });
  expect(parallel).toEqual({ ...single, notes: expect.arrayContaining(single.notes) });
  expect(parallel.findings.filter((f) => f.file.startsWith('notebooks/')).map((f) => `${f.rule} ${f.file}`)).toEqual([
    'secret-github-token notebooks/.ipynb_checkpoints/train-checkpoint.ipynb',
    'secret-github-token notebooks/train.ipynb',
    'py-unsafe-deserialization notebooks/train.ipynb',
    'file-notebook-checkpoints-committed notebooks/.ipynb_checkpoints/train-checkpoint.ipynb',
  ]);
});
