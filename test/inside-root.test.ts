/**
 * A scan stays inside the folder it was given: symbolic links are followed only where they land
 * inside it, for the first file, every include and the listing alike. The "outside" here is a
 * folder next to the checkout holding a passwd-like file and a requirements file, standing in for
 * /etc/passwd and any other file a hostile repository could point at.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, openSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { auditFileSource } from '../src/audit/run.js';
import { directorySource, UnreadableFileError } from '../src/python/files.js';
import { CheckoutRoot } from '../src/python/inside-root.js';
import { scanTree } from '../src/scan/scan.js';
import { scanSourceFromFiles } from '../src/scan/source.js';
import { loadManifests } from '../src/python/load.js';
import { AdvisoryMirror } from '../src/advisories/mirror.js';
import { openDb } from '../src/store/db.js';
import { realMirror } from './audit/helpers.js';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n';
const OUTSIDE_REQUIREMENTS = 'outsider-package==6.6.6\n';

const base = mkdtempSync(join(tmpdir(), 'depwatch-inside-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

let outside: string;
let repo: string;
let n = 0;
beforeEach(() => {
  const dir = join(base, String(++n));
  outside = join(dir, 'etc');
  repo = join(dir, 'repo');
  mkdirSync(outside, { recursive: true });
  mkdirSync(repo);
  writeFileSync(join(outside, 'passwd'), PASSWD);
  writeFileSync(join(outside, 'requirements.txt'), OUTSIDE_REQUIREMENTS);
});

const write = (path: string, text: string) => {
  mkdirSync(join(repo, path, '..'), { recursive: true });
  writeFileSync(join(repo, path), text);
};
const link = (path: string, target: string) => {
  mkdirSync(join(repo, path, '..'), { recursive: true });
  symlinkSync(target, join(repo, path));
};

async function deps(...argv: string[]) {
  const out = { stdout: '', stderr: '' };
  const code = await runCli(['deps', ...argv], {
    stdout: (t) => void (out.stdout += t),
    stderr: (t) => void (out.stderr += t),
    isTTY: false,
    cwd: repo,
    env: { TZ: 'UTC' },
  });
  return { code, ...out, all: out.stdout + out.stderr };
}

const names = (result: Awaited<ReturnType<typeof loadManifests>>) => result.manifests.flatMap((m) => m.dependencies.map((d) => d.name));

describe('a symbolic link that leads out of the scanned folder', () => {
  it('is not followed by an include through a linked folder: `-r etcdir/passwd` names the link and reads nothing', async () => {
    link('etcdir', outside);
    write('requirements.txt', 'flask==3.0.0\n-r etcdir/passwd\n');
    const { code, all } = await deps('.');
    // The include was not read, so the list may be incomplete: a partial result (exit 2), and says why.
    expect(code).toBe(2);
    expect(all).toContain('flask');
    expect(all).toContain('etcdir/passwd: etcdir is a symbolic link that leads outside the scanned folder; not followed');
    expect(all).not.toMatch(/root|daemon|nologin/);
  });

  it('is not followed by an include of a file in a linked folder (`-r out/x.txt`), nor by a linked include file', async () => {
    link('out', outside);
    link('base.txt', join(outside, 'requirements.txt'));
    write('requirements.txt', '-r out/requirements.txt\n-r base.txt\nflask==3.0.0\n');
    const result = await loadManifests(directorySource(repo));
    expect(names(result)).toEqual(['flask']);
    expect(result.errors).toEqual([
      // The listing passed over the linked folder too (what it holds was not read either).
      { file: 'out', line: null, message: 'out is a symbolic link that leads outside the scanned folder; not followed' },
      // Each include refused names the line that includes it.
      { file: 'out/requirements.txt', line: null, message: 'out is a symbolic link that leads outside the scanned folder; not followed (included by requirements.txt:1)', includedBy: { file: 'requirements.txt', line: 1 } },
      { file: 'base.txt', line: null, message: 'base.txt is a symbolic link that leads outside the scanned folder; not followed (included by requirements.txt:2)', includedBy: { file: 'requirements.txt', line: 2 } },
    ]);
  });

  it('is not followed when it is the first file, named on the command line or found in the folder', async () => {
    link('requirements.txt', join(outside, 'requirements.txt'));
    link('dev-requirements.txt', join(outside, 'passwd'));
    const listed = await deps('.');
    expect(listed.all).toContain('requirements.txt: requirements.txt is a symbolic link that leads outside the scanned folder; not followed');
    expect(listed.all).toContain('dev-requirements.txt: dev-requirements.txt is a symbolic link that leads outside the scanned folder; not followed');
    const named = await deps('dev-requirements.txt');
    expect(named.all).toContain('dev-requirements.txt is a symbolic link that leads outside the scanned folder');
    expect(listed.all + named.all).not.toMatch(/outsider|root|daemon/);
  });

  it('is named when it is a folder the listing passed over: a link not followed makes the list partial (exit 2)', async () => {
    write('requirements.txt', 'flask==3.0.0\n');
    link('vendor', outside); // holds a requirements.txt the audit never reads
    const result = await loadManifests(directorySource(repo));
    expect(names(result)).toEqual(['flask']);
    expect(result.errors).toEqual([{ file: 'vendor', line: null, message: 'vendor is a symbolic link that leads outside the scanned folder; not followed' }]);
    const { code, stdout, all } = await deps('--json', '.');
    expect(code).toBe(2);
    expect(JSON.parse(stdout).partial_reasons).toEqual([
      { kind: 'unread', file: 'vendor', line: null, message: 'vendor is a symbolic link that leads outside the scanned folder; not followed' },
    ]);
    expect(all).not.toMatch(/outsider/);
  });

  it('is not named when it is a folder the product skips anyway (a virtual environment)', async () => {
    write('requirements.txt', 'flask==3.0.0\n');
    link('.venv', outside);
    expect((await loadManifests(directorySource(repo))).errors).toEqual([]);
  });

  it('makes an interpreter file that leads out a problem line, not text for the audit', async () => {
    write('requirements.txt', 'flask==3.0.0\n');
    link('.python-version', join(outside, 'passwd'));
    const emptyMirror = new AdvisoryMirror(openDb(':memory:'));
    const result = await auditFileSource(directorySource(repo), { target: '.', advisories: emptyMirror, registry: null, now: new Date() });
    expect(result.warnings).toEqual([]);
    expect(result.errors).toContainEqual({ file: '.python-version', line: null, message: '.python-version is a symbolic link that leads outside the scanned folder; not followed' });
  });

  it('names a dangling link and a link loop instead of calling the file missing', async () => {
    link('requirements.txt', join(repo, 'nowhere.txt'));
    link('a.txt', 'b.txt');
    link('b.txt', 'a.txt');
    write('requirements-dev.txt', '-r a.txt\n');
    const result = await loadManifests(directorySource(repo));
    expect(result.errors).toEqual(
      expect.arrayContaining([
        { file: 'requirements.txt', line: null, message: 'requirements.txt is a symbolic link to something that does not exist; not followed' },
        { file: 'a.txt', line: null, message: 'a.txt is a symbolic link in a loop; not followed (included by requirements-dev.txt:1)', includedBy: { file: 'requirements-dev.txt', line: 1 } },
      ]),
    );
  });
});

describe('a symbolic link that stays inside the scanned folder', () => {
  it('is followed, as the file it names and through a linked folder; a file found at two paths is read once, at its own', async () => {
    write('requirements/prod.txt', 'django==4.2.1\n');
    write('common/base.txt', 'requests==2.31.0\n');
    link('requirements.txt', 'requirements/prod.txt');
    link('shared', 'common');
    write('requirements-dev.txt', '-r shared/base.txt\npytest==8.0.0\n');
    const result = await loadManifests(directorySource(repo));
    expect(result.errors).toEqual([]);
    const byPath = Object.fromEntries(result.manifests.map((m) => [m.path, m.dependencies.map((d) => d.name)]));
    // requirements.txt is requirements/prod.txt: read there only (it was read at both paths, every finding twice).
    expect(byPath).toEqual({
      'requirements-dev.txt': ['pytest'],
      'requirements/prod.txt': ['django'],
      'shared/base.txt': ['requests'],
    });
  });

  it('is read once, under the first link\'s path, when the file the links name is not found as a manifest itself', async () => {
    write('pins/prod.lst', 'django==4.2.1\n');
    link('requirements.txt', 'pins/prod.lst');
    link('requirements-prod.txt', 'pins/prod.lst');
    const result = await loadManifests(directorySource(repo));
    expect(result.errors).toEqual([]);
    expect(result.manifests.map((m) => [m.path, m.dependencies.map((d) => d.name)])).toEqual([['requirements-prod.txt', ['django']]]);
  });

  it('leaves the audit one finding per advisory, at the file, not one at each path', async () => {
    write('requirements/prod.txt', 'django==2.1.5\n');
    link('requirements.txt', 'requirements/prod.txt');
    const result = await auditFileSource(directorySource(repo), { target: 'repo', advisories: await realMirror(), registry: null, now: new Date('2026-11-28T12:00:00Z') });
    const vulnerable = result.findings.filter((f) => f.kind === 'vulnerability');
    expect(vulnerable.length).toBeGreaterThan(5);
    expect(new Set(vulnerable.map((f) => f.id)).size).toBe(vulnerable.length);
    expect(new Set(vulnerable.map((f) => `${f.file}:${f.line}`))).toEqual(new Set(['requirements/prod.txt:1']));
    expect(vulnerable[0]!.details?.locations).toEqual(['requirements/prod.txt:1']);
    expect(result.findings.filter((f) => f.kind === 'no-hashes').map((f) => f.file)).toEqual(['requirements/prod.txt']);
  });

  it('also when the scanned folder itself is reached through a link', async () => {
    write('requirements.txt', 'flask==3.0.0\n-r sub/more.txt\n');
    write('sub/more.txt', 'click==8.1.7\n');
    const alias = join(repo, '..', 'alias');
    symlinkSync(repo, alias);
    const result = await loadManifests(directorySource(alias));
    expect(result.errors).toEqual([]);
    expect(names(result)).toEqual(['flask', 'click']);
  });
});

describe('listing a folder', () => {
  it('never enters a linked folder, in or out, so link cycles cannot trap it', async () => {
    write('requirements.txt', 'flask==3.0.0\n');
    write('pkg/requirements.txt', 'click==8.1.7\n');
    link('pkg/loop', '..');
    link('self', '.');
    link('etcdir', outside);
    const paths = await directorySource(repo).list();
    expect(paths).toEqual(['pkg/requirements.txt', 'requirements.txt']);
  });

  it('does not hang on a FIFO behind a link (it is not a regular file)', async () => {
    execFileSync('mkfifo', [join(repo, 'pipe')]);
    link('requirements.txt', 'pipe');
    const result = await loadManifests(directorySource(repo));
    expect(result.errors).toEqual([{ file: 'requirements.txt', line: null, message: 'not a regular file (a pipe, socket, device or folder); not read' }]);
  });

  it('says a manifest that is itself a pipe is not a regular file, rather than finding no manifest', async () => {
    execFileSync('mkfifo', [join(repo, 'requirements.txt')]);
    write('requirements-dev.txt', 'flask==3.0.0\n');
    const result = await loadManifests(directorySource(repo));
    expect(result.errors).toEqual([{ file: 'requirements.txt', line: null, message: 'not a regular file (a pipe, socket, device or folder); not read' }]);
    expect(names(result)).toEqual(['flask']);
  });

  it('says a manifest that is a socket is not a regular file (a socket cannot even be opened)', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(repo, 'app.sock'), resolve));
    try {
      link('requirements.txt', 'app.sock');
      const result = await loadManifests(directorySource(repo));
      expect(result.errors).toEqual([{ file: 'requirements.txt', line: null, message: 'not a regular file (a pipe, socket, device or folder); not read' }]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reads a file whose path passes through more than 40 links inside the folder (the kernel alone would call it a loop)', async () => {
    write('d/requirements.txt', 'click==8.1.7\n');
    link('d/up', '../d');
    write('requirements.txt', `-r d/${'up/'.repeat(45)}requirements.txt\n`);
    const result = await loadManifests(directorySource(repo));
    expect(result.errors).toEqual([]);
    const included = result.manifests.find((m) => m.path.startsWith('d/up/'));
    expect(included?.dependencies.map((d) => d.name)).toEqual(['click']);
  });

  it('says an included path that is a folder is not a regular file, and reads the rest', async () => {
    write('requirements.txt', '-r base\nflask==3.0.0\n');
    mkdirSync(join(repo, 'base'));
    const result = await loadManifests(directorySource(repo));
    expect(result.errors).toEqual([
      { file: 'base', line: null, message: 'not a regular file (a pipe, socket, device or folder); not read (included by requirements.txt:1)', includedBy: { file: 'requirements.txt', line: 1 } },
    ]);
    expect(result.manifests.flatMap((m) => m.dependencies.map((d) => d.name))).toEqual(['flask']);
  });
});

/**
 * A file that is there but may not be read (mode 000 for anyone but root, who reads through it):
 * said with the system's reason, never as "file not found" for a file `ls` shows. The suite runs as
 * root in CI, so the open is made to fail as it fails for other users.
 */
describe('a file that is there but cannot be read', () => {
  const deniedFor = (...denied: string[]) => (path: string, flags: number) => {
    if (denied.some((name) => path.endsWith(`/${name}`))) throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES', errno: -13, syscall: 'open', path });
    return openSync(path, flags);
  };

  it('is refused with the reason by the checkout, not taken for missing', async () => {
    write('requirements.txt', 'jinja2==2.10\n');
    const read = new CheckoutRoot(repo, deniedFor('requirements.txt')).read('requirements.txt');
    await expect(read).rejects.toThrow(UnreadableFileError);
    await expect(read).rejects.toThrow(/^could not be read \(EACCES: permission denied\)$/);
    await expect(new CheckoutRoot(repo).read('missing.txt')).resolves.toBeNull();
  });

  it('is one problem line with the reason, for a manifest found and for an include, and the rest is read', async () => {
    write('requirements.txt', '-r base.txt\nflask==3.0.0\n');
    write('base.txt', 'jinja2==2.10\n');
    write('sub/requirements.txt', 'jinja2==2.10\n');
    const result = await loadManifests(directorySource(repo, undefined, deniedFor('base.txt', 'sub/requirements.txt')));
    expect(result.errors).toEqual([
      { file: 'sub/requirements.txt', line: null, message: 'could not be read (EACCES: permission denied)' },
      { file: 'base.txt', line: null, message: 'could not be read (EACCES: permission denied) (included by requirements.txt:1)', includedBy: { file: 'requirements.txt', line: 1 } },
    ]);
    expect(names(result)).toEqual(['flask']);
  });

  it('is skipped by the scan with the same reason (partial)', async () => {
    write('app.py', 'print(1)\n');
    const result = await scanTree(scanSourceFromFiles(directorySource(repo, undefined, deniedFor('app.py'))));
    expect(result.skipped).toEqual([{ path: 'app.py', reason: 'unreadable', partial: true, message: 'app.py: could not be read (EACCES: permission denied)' }]);
    expect(result.partial).toBe(true);
  });

  it.skipIf(process.getuid?.() === 0)('is said so by `depwatch deps` for a real mode-000 file (not as root, who reads it anyway)', async () => {
    write('requirements.txt', 'jinja2==2.10\n');
    chmodSync(join(repo, 'requirements.txt'), 0o000);
    const { code, stderr } = await deps('--json', '.');
    expect(code).toBe(2);
    expect(stderr).toContain('requirements.txt not read completely: could not be read (EACCES: permission denied)');
  });
});
