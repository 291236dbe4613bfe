/**
 * A repository archive read for the scanner: GitHub's top folder removed, links listed and never
 * followed, escaping paths refused, the folders a directory scan skips passed over (and no others),
 * and every limit (a tarball bomb, too many files, a huge file, garbage) said as a partial result, nothing else lost.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { archivePath, DEFAULT_ARCHIVE_LIMITS, readTarball } from '../../src/scan/tarball-source.js';
import { scanTree } from '../../src/scan/scan.js';
import { directoryScanSource } from '../../src/scan/source.js';
import type { ScanResult } from '../../src/scan/types.js';
import { runArchiveScan } from '../../src/workers/jobs/scan-archive.js';
import { makeTarball, tarballOf } from '../helpers/tarball.js';

const TOKEN = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';

describe('archive paths', () => {
  it('drops the top folder and refuses what climbs out or starts at the root, saying which', () => {
    expect(archivePath('octo-app-0123abc/app/main.py')).toBe('app/main.py');
    expect(archivePath('octo-app-0123abc/')).toBe('');
    expect(archivePath('octo-app-0123abc/../../etc/passwd')).toEqual({ refused: expect.stringContaining('climbs out') });
    expect(archivePath('/etc/passwd')).toEqual({ refused: 'is an absolute path' });
  });

  it('keeps a backslash as the ordinary character it is in a git or tar name', () => {
    expect(archivePath('octo-app-0123abc/conf\\prod.py')).toBe('conf\\prod.py');
    expect(archivePath('octo-app-0123abc/a\\..\\b')).toBe('a\\..\\b');
  });
});

describe('readTarball', () => {
  it('lists the tree without its top folder, and the scanner finds what is in it', async () => {
    const tree = await readTarball(await tarballOf({ 'app/settings.py': `TOKEN = "${TOKEN}"\n`, 'app/views.py': 'def f(q):\n    return eval(q)\n', '.gitignore': '.env\n*.env\n' }));
    expect((await tree.source.entries()).map((e) => e.path)).toEqual(['.gitignore', 'app/settings.py', 'app/views.py']);
    const result = await scanTree(tree.source);
    expect(result.findings.map((f) => `${f.rule} ${f.file}`)).toEqual(expect.arrayContaining(['secret-github-token app/settings.py', 'py-eval-exec app/views.py']));
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(result.partial).toBe(false);
  });

  it('lists a symbolic link without following it, and refuses a path that escapes the archive', async () => {
    const archive = await makeTarball([
      { name: 'app/main.py', content: 'print(1)\n' },
      { name: 'app/link.py', symlinkTo: '/etc/passwd' },
      { name: '../../outside.py', content: 'eval(input())\n' },
    ]);
    const tree = await readTarball(archive);
    expect(await tree.source.entries()).toEqual([
      { path: 'app/link.py', type: 'symlink' },
      { path: 'app/main.py', type: 'file' },
    ]);
    // Not scanned, so partial; named without the archive's top folder, as every other path.
    expect(tree.skipped).toEqual([{ path: '../../outside.py', reason: 'unreadable', partial: true, message: '../../outside.py: the name climbs out of the archive with `..`; refused, not scanned' }]);
    expect(await tree.source.read('app/link.py', 1000)).toBeNull();
  });

  it('scans a committed file whose name holds a backslash, as the directory scan does', async () => {
    const AWS_SECRET = 'q8Xr3Lk9Vt2Wb7Nz0Pm5' + 'Yc1Hd6Jf4Gs8Ka2Ub9Qe';
    const files = { '.gitignore': '.env\n*.env\n', 'app.py': 'x = 1\n', 'conf\\prod.py': `AWS_SECRET_ACCESS_KEY = "${AWS_SECRET}"\nTOKEN = "${TOKEN}"\n` };
    const result = await runArchiveScan({ archive: await tarballOf(files), fingerprintKey: 'k', today: new Date('2026-11-28T12:00:00Z') });
    expect(result.findings.map((f) => `${f.file}:${f.line} ${f.rule}`).sort()).toEqual(['conf\\prod.py:1 secret-aws-secret-access-key', 'conf\\prod.py:2 secret-github-token']);
    expect(result.skipped).toEqual([]);
    expect(result.partial).toBe(false);
  });

  it('an archive scan with a refused entry is partial, in the bot as in the report', async () => {
    const archive = await makeTarball([{ name: 'app/main.py', content: 'x = 1\n' }, { name: '.gitignore', content: '.env\n*.env\n' }, { name: '../evil.py', content: `TOKEN = "${TOKEN}"\n` }]);
    const result = await runArchiveScan({ archive, fingerprintKey: 'k', today: new Date('2026-11-28T12:00:00Z') });
    expect(result.partial).toBe(true);
    expect(result.skipped).toEqual([expect.objectContaining({ path: '../evil.py', partial: true })]);
  });

  it('passes over the folders a directory scan never enters, and nothing else', async () => {
    const tree = await readTarball(await tarballOf({ 'app/main.py': 'x = 1\n', 'node_modules/a/index.js': 'x', '.venv/lib/site.py': 'eval(input())\n', 'build/lib/app.py': 'x', 'app/migrations/0001_initial.py': 'x', 'dist/app.py': 'x' }));
    expect((await tree.source.entries()).map((e) => e.path)).toEqual(['app/main.py', 'app/migrations/0001_initial.py', 'build/lib/app.py', 'dist/app.py']);
    expect(tree.vendored).toBe(2);
  });

  it('names the committed files it passed over by folder name in a note that says they were not scanned, not even for secrets; not partial, as the directory scan', async () => {
    const result = await runArchiveScan({ archive: await tarballOf({ 'app/main.py': 'x = 1\n', '.gitignore': '.env\n*.env\n', 'venv/bin/postactivate': `export GITHUB_TOKEN=${TOKEN}\n`, 'node_modules/x/.npmrc': '//registry.npmjs.org/:_authToken=npm_' + 'a'.repeat(36) + '\n', 'node_modules/x/index.js': 'x' }), fingerprintKey: 'k', today: new Date('2026-11-28T12:00:00Z') });
    expect(result.partial).toBe(false);
    expect(result.notes.filter((n) => n.kind === 'skipped-folders').map((n) => n.message)).toEqual(['3 committed files in 2 folders every scan skips by name (dependencies, virtual environments, caches) were not scanned, not even for secrets: node_modules/, venv/']);
  });

  it('an archive scan reports what the directory scan of the same tree reports (build/, dist/ and migrations/ included)', async () => {
    const files: Record<string, string> = {
      '.gitignore': '.env\n*.env\n',
      'build/docker/Dockerfile': `FROM python:3.12-slim\nENV GITHUB_TOKEN=${TOKEN}\nUSER app\n`,
      'app/migrations/0002_seed.py': `import os\nTOKEN = "${TOKEN}"\n\ndef seed(c):\n    os.system(c)\n`,
      'dist/tool.py': 'import sys\neval(sys.argv[1])\n',
      'node_modules/x/index.js': `const t = "${TOKEN}";\n`,
      '.venv/lib/site.py': 'eval(input())\n',
      'app/main.py': 'x = 1\n',
    };
    const root = mkdtempSync(join(tmpdir(), 'depwatch-parity-'));
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    const options = { fingerprintKey: 'k', today: new Date('2026-11-28T12:00:00Z') };
    const fromDirectory = await scanTree(directoryScanSource(root), options);
    const fromArchive = await runArchiveScan({ archive: await tarballOf(files), fingerprintKey: 'k', today: options.today });
    const seen = (r: ScanResult) => r.findings.map((f) => `${f.rule} ${f.file}:${f.line}`).sort();
    expect(seen(fromArchive)).toEqual(expect.arrayContaining(['secret-github-token build/docker/Dockerfile:2', 'secret-github-token app/migrations/0002_seed.py:2', 'py-os-system app/migrations/0002_seed.py:5', 'py-eval-exec dist/tool.py:2']));
    expect(seen(fromArchive)).toEqual(seen(fromDirectory));
    expect(fromArchive.skipped).toEqual(fromDirectory.skipped);
    expect(fromArchive.stats).toEqual(fromDirectory.stats);
    expect(fromArchive.partial).toBe(false);
  });

  it('stops at a tarball bomb: partial, with what was read before it kept', async () => {
    const archive = await tarballOf({ 'a.py': 'eval(input())\n', 'b.bin': Buffer.alloc(4 * 1024 * 1024), 'c.py': 'x = 1\n' });
    expect(archive.length).toBeLessThan(64 * 1024); // four megabytes of zeros pack very small
    const tree = await readTarball(archive, { ...DEFAULT_ARCHIVE_LIMITS, maxTotalBytes: 1024 * 1024 });
    expect(tree.skipped).toEqual([expect.objectContaining({ path: '(archive)', partial: true, message: expect.stringContaining('expands to more than 1 MB') })]);
    const result = await scanTree(tree.source);
    expect(result.findings.map((f) => f.rule)).toContain('py-eval-exec');
  });

  it('lists a file over the size limit as too large, and stops past the file count', async () => {
    const big = await readTarball(await tarballOf({ 'big.py': 'x = 1\n'.repeat(1000), 'small.py': 'x = 1\n' }), { ...DEFAULT_ARCHIVE_LIMITS, maxFileBytes: 1000 });
    expect(await big.source.read('big.py', 1_000_000)).toEqual({ tooLarge: 6000, head: Buffer.from('x = 1\n'.repeat(1000)) });
    const result = await scanTree(big.source, { maxFileBytes: 1000 });
    expect(result.skipped).toEqual([expect.objectContaining({ path: 'big.py', reason: 'too-large', partial: true })]);

    const many = await readTarball(await tarballOf(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`m${i}.py`, 'x = 1\n']))), { ...DEFAULT_ARCHIVE_LIMITS, maxFiles: 5 });
    expect(await many.source.entries()).toHaveLength(5);
    expect(many.skipped[0]).toMatchObject({ path: '(archive)', partial: true, message: expect.stringContaining('more than 5 files') });
  });

  it('keeps the first 8 KB of a file over the size limit, so a large image or model is binary (not partial) and large text too large (partial)', async () => {
    const tree = await readTarball(await tarballOf({ 'logo.png': Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(3_000), Buffer.alloc(60_000, 7)]), 'model.bin': Buffer.alloc(50_000), 'dump.sql': `-- ${TOKEN}\n`.repeat(2000), 'app/main.py': 'x = 1\n' }), { ...DEFAULT_ARCHIVE_LIMITS, maxFileBytes: 10_000 });
    expect(await tree.source.read('model.bin', 10_000)).toEqual({ tooLarge: 50_000, head: Buffer.alloc(8192) });
    const result = await scanTree(tree.source, { maxFileBytes: 10_000 });
    expect(result.skipped.map((s) => `${s.path} ${s.reason}`)).toEqual(['dump.sql too-large']);
    expect(result.stats.binaryFiles).toBe(2);
  });

  it('says so when the archive is not a gzipped tarball at all', async () => {
    for (const garbage of [Buffer.from('<html>rate limited</html>'), gzipSync(Buffer.from('not a tar archive, just text '.repeat(40)))]) {
      const tree = await readTarball(garbage);
      expect(tree.skipped).toEqual([expect.objectContaining({ path: '(archive)', partial: true, message: expect.stringContaining('could not be read') })]);
    }
  });
});
