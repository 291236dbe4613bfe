/**
 * A directory is walked once however many readers list it: an audit's manifest listing and its code
 * scan (and a large scan's parts) share one walk, each reading it in its own terms.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { directoryWalk } from '../src/python/directory-walk.js';
import { directorySource } from '../src/python/files.js';
import { directoryScanSource } from '../src/scan/source.js';
import { scanDirectoryInParallel } from '../src/workers/parallel-scan.js';

function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), 'depwatch-walk-'));
  for (const [path, text] of Object.entries({ 'requirements.txt': 'django==2.1.5\n', 'app/main.py': 'import os\n', 'node_modules/x/requirements.txt': 'flask==0.1\n' })) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  symlinkSync(join(root, 'app'), join(root, 'app-link')); // a linked folder: never entered
  symlinkSync('/etc/passwd', join(root, 'passwd.txt')); // a linked file: listed, never followed
  execFileSync('mkfifo', [join(root, 'requirements-dev.txt')]); // a pipe: listed as what it is
  return root;
}

it('lists every file, link and special file once, in path order, without entering skipped or linked folders', () => {
  const entries = directoryWalk(checkout())();
  expect(entries).toEqual([
    { path: 'app-link', type: 'symlink' },
    { path: 'app/main.py', type: 'file' },
    { path: 'passwd.txt', type: 'symlink' },
    { path: 'requirements-dev.txt', type: 'other' },
    { path: 'requirements.txt', type: 'file' },
  ]);
});

it('walks on the first request only: the manifest listing and the scan see the same tree', async () => {
  const root = checkout();
  const walk = directoryWalk(root);
  const manifests = await directorySource(root, walk).list();
  writeFileSync(join(root, 'late.py'), 'print(1)\n'); // written after the walk: no reader lists it
  const scanned = await directoryScanSource(root, walk).entries();
  // The loader leaves out a link to a folder (reading decides the rest); the scan notes every link.
  expect(manifests).toEqual(['app/main.py', 'passwd.txt', 'requirements-dev.txt', 'requirements.txt']);
  expect(scanned.map((e) => e.path)).toEqual(['app-link', 'app/main.py', 'passwd.txt', 'requirements-dev.txt', 'requirements.txt']);
});

it('a directory scan lists its files from the walk it is given', async () => {
  const root = checkout();
  writeFileSync(join(root, 'app', 'shell.py'), 'import subprocess\nsubprocess.run(cmd, shell=True)\n');
  const walk = directoryWalk(root);
  walk();
  writeFileSync(join(root, 'app', 'later.py'), 'import subprocess\nsubprocess.run(cmd, shell=True)\n');
  const result = await scanDirectoryInParallel(root, { walk, workers: 0 });
  const files = new Set(result.findings.map((f) => f.file));
  expect(files.has('app/shell.py')).toBe(true);
  expect(files.has('app/later.py')).toBe(false);
});
