/**
 * A directory is walked once however many readers list it: an audit's manifest listing and its code
 * scan (and a large scan's parts) share one walk, each reading it in its own terms.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync, type Dirent } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { directoryWalk } from '../src/python/directory-walk.js';
import { directorySource } from '../src/python/files.js';
import { loadManifests } from '../src/python/load.js';
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

/**
 * A folder the walk cannot list (here: its listing fails as a folder without read permission does
 * for anyone but root, who reads through mode 000). Whatever is in it is unknown, so every reader
 * must be told, never handed a tree that merely looks smaller.
 */
function unlistable(root: string, folder: string): (dir: string) => Dirent[] {
  return (dir) => {
    if (dir === join(root, folder)) throw Object.assign(new Error(`EACCES: permission denied, scandir '${dir}'`), { code: 'EACCES', syscall: 'scandir', path: dir });
    return readdirSync(dir, { withFileTypes: true });
  };
}

function billingService(): string {
  const root = checkout();
  mkdirSync(join(root, 'services', 'billing'), { recursive: true });
  writeFileSync(join(root, 'services', 'billing', 'requirements.txt'), 'django==2.1.5\n');
  return root;
}

it('lists a folder it could not read as unlisted, with a one-line reason and no absolute path', () => {
  const root = billingService();
  const entries = directoryWalk(root, unlistable(root, 'services/billing'))();
  expect(entries).toContainEqual({ path: 'services/billing', type: 'unlisted', reason: 'EACCES: permission denied' });
  expect(entries.some((e) => e.path.startsWith('services/billing/'))).toBe(false);
});

it('says the root itself could not be read rather than finding an empty tree', () => {
  const root = billingService();
  expect(directoryWalk(root, unlistable(root, ''))()).toEqual([{ path: '.', type: 'unlisted', reason: 'EACCES: permission denied' }]);
});

it.skipIf(process.getuid?.() === 0)('lists a folder without read permission as unlisted (not as root, who reads it anyway)', () => {
  const root = billingService();
  chmodSync(join(root, 'services', 'billing'), 0o000);
  try {
    expect(directoryWalk(root)()).toContainEqual({ path: 'services/billing', type: 'unlisted', reason: expect.stringMatching(/^EACCES/) });
  } finally {
    chmodSync(join(root, 'services', 'billing'), 0o755);
  }
});

it('makes the manifest listing report the unread folder, so the audit is partial', async () => {
  const root = billingService();
  const walk = directoryWalk(root, unlistable(root, 'services/billing'));
  const result = await loadManifests(directorySource(root, walk));
  expect(result.errors).toContainEqual({ file: 'services/billing', line: null, message: 'folder could not be listed (EACCES: permission denied); nothing in it was read', unlistedBecause: 'EACCES: permission denied' });
  expect(result.manifests.map((m) => m.path)).toEqual(['requirements.txt']);
});

it('makes the code scan skip the unread folder as unreadable, so the scan is partial', async () => {
  const root = billingService();
  const result = await scanDirectoryInParallel(root, { walk: directoryWalk(root, unlistable(root, 'services/billing')), workers: 0 });
  expect(result.skipped).toContainEqual({ path: 'services/billing', reason: 'unreadable', partial: true, message: 'services/billing: folder could not be listed (EACCES: permission denied); nothing in it was scanned', unlistedBecause: 'EACCES: permission denied' });
  expect(result.partial).toBe(true);
});
