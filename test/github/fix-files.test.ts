/**
 * planFixPullRequest: a fix pull request's files are planned on the real blobs (credentials in URLs
 * and the BOM kept), downloaded fresh and never cached, and refused when what GitHub serves now is
 * not what the audit read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BlobCache } from '../../src/github/blob-cache.js';
import { planFixPullRequest } from '../../src/github/fix-files.js';
import { FixPullRequestError, openFixPullRequest } from '../../src/github/fix-pull-request.js';
import { takeSnapshot } from '../../src/github/snapshot.js';
import { executable, fileBytes, gitBlobShaOf, ROUTES, symlinkTo, type FakeFile } from '../fakes/github.js';
import { djangoPinFinding, startWorld, TOKEN, type World } from './helpers.js';

const REQUIREMENTS = '\uFEFF--index-url https://${PIP_USER}:${PIP_TOKEN}@pypi.corp/simple\r\nprivate-lib @ git+https://deploy:t0ps3cret@git.corp/lib.git\r\ndjango==2.1.5  # pinned\r\nsix==1.16.0\r\n';
const finding = djangoPinFinding(3);
const result = { findings: [finding], ignored: [] };

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function snapshotOf(files: Record<string, FakeFile>) {
  world = await startWorld({ repos: [{ owner: 'acme', name: 'web', files }], writeTokens: [TOKEN] });
  const snapshot = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'web' });
  return { w: world, snapshot };
}

describe('planFixPullRequest', () => {
  it('rewrites the real bytes: credentials and BOM as they are, only the pin moved; the body’s plan stays masked', async () => {
    const { w, snapshot } = await snapshotOf({ 'requirements.txt': REQUIREMENTS });
    const cachedBefore = new BlobCache(w.db).count();
    w.fake.resetCounts();

    const { plan, files } = await planFixPullRequest(w.octokit, snapshot, result);

    expect(files.get('requirements.txt')).toEqual({ bytes: Buffer.from(REQUIREMENTS.replace('django==2.1.5', 'django==2.1.11'), 'utf8'), mode: '100644', auditedBlob: expect.any(String) });
    expect(JSON.stringify(plan)).not.toContain('t0ps3cret');
    expect(JSON.stringify(plan)).not.toContain('PIP_TOKEN');
    // One fresh download of the one file rewritten, and nothing new in the cache.
    expect(w.fake.count(ROUTES.blob)).toBe(1);
    expect(new BlobCache(w.db).count()).toBe(cachedBefore);
    expect(JSON.stringify(w.db.prepare('SELECT text FROM github_blob_cache').all())).not.toContain('t0ps3cret');
  });

  it('rewrites no file that exclude: kept out of the audit, though it pins the same vulnerable release', async () => {
    const files = { 'requirements.txt': 'django==2.1.5\n', 'tests/fixtures/old/requirements.txt': 'django==2.1.5\n' };
    const pin = { findings: [djangoPinFinding(1)], ignored: [] };
    // Without the exclusion (an audit from before it), every file pinning the release is rewritten.
    const { snapshot } = await snapshotOf(files);
    expect([...(await planFixPullRequest(world!.octokit, snapshot, pin)).files.keys()].sort()).toEqual(['requirements.txt', 'tests/fixtures/old/requirements.txt']);
    const excluded = { ...pin, exclusions: [{ path: 'tests/fixtures/', reason: 'test data', source: '.depwatch.yml', manifests: 1 }] };
    expect([...(await planFixPullRequest(world!.octokit, snapshot, excluded)).files.keys()]).toEqual(['requirements.txt']);
  });

  it('plans beside a setup.py pinning the same release: neither moved (a release moves everywhere in a project or nowhere), setup.py named for the user', async () => {
    const setupPy = 'from setuptools import setup\nsetup(name="web", install_requires=["django==2.1.5"])\n';
    const { snapshot } = await snapshotOf({ 'requirements.txt': 'django==2.1.5\n', 'setup.py': setupPy });
    const pins = { findings: [djangoPinFinding(1), { ...djangoPinFinding(2), file: 'setup.py' }], ignored: [] };
    const { plan, files } = await planFixPullRequest(world!.octokit, snapshot, pins);
    // Moving requirements.txt alone would leave `pip install . -r requirements.txt` unable to install.
    expect([...files.keys()]).toEqual([]);
    expect(plan.leftAlone).toEqual([
      expect.objectContaining({ kind: 'unsupported-format', package: 'django', file: 'setup.py', line: 2 }),
      expect.objectContaining({ package: 'django', file: 'requirements.txt', line: 1, reason: expect.stringContaining('setup.py:2 still excludes it') }),
    ]);
  });

  it('downloads nothing when nothing is to be rewritten', async () => {
    const { w, snapshot } = await snapshotOf({ 'requirements.txt': 'six==1.16.0\n' });
    w.fake.resetCounts();
    const { files } = await planFixPullRequest(w.octokit, snapshot, result);
    expect(files.size).toBe(0);
    expect(w.fake.count(ROUTES.blob)).toBe(0);
  });

  it('refuses when the cached text the audit read is not the blob on GitHub', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'web', files: { 'requirements.txt': REQUIREMENTS } }] });
    // A cache row under the blob's sha that is not that blob (a bug, or a database edited by hand).
    new BlobCache(world.db).put({ sha: gitBlobShaOf(REQUIREMENTS), size: 10, text: 'django==2.1.5  # pinned\nsix==1.16.0\n' });
    const snapshot = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'web' });

    const error = await planFixPullRequest(world.octokit, snapshot, result).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(FixPullRequestError);
    expect(error).toMatchObject({ problem: 'not-as-audited' });
    expect((error as Error).message).toContain('requirements.txt on acme/web is not the file Depwatch audited');
  });

  it('refuses content that does not match the audited blob sha', async () => {
    const { w, snapshot } = await snapshotOf({ 'requirements.txt': REQUIREMENTS });
    const other = Buffer.from('django==2.1.5\n').toString('base64');
    w.fake.failRequests({ route: ROUTES.blob, status: 200, times: 1, body: { sha: snapshot.files[0]!.sha, content: other, encoding: 'base64' } });

    const error = await planFixPullRequest(w.octokit, snapshot, result).catch((e: unknown) => e);

    expect(error).toMatchObject({ problem: 'not-as-audited' });
    expect((error as Error).message).toContain('does not match the audited blob');
  });

  it('rewrites a manifest saved as UTF-16 (PowerShell 5 writes it) into UTF-16 bytes, its mark and CRLF kept', async () => {
    const text = '# web\r\n# pins\r\ndjango==2.1.5  # pinned\r\n';
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const { w, snapshot } = await snapshotOf({ 'requirements.txt': fileBytes(utf16) });
    expect(snapshot.errors).toEqual([]);

    const { plan, files } = await planFixPullRequest(w.octokit, snapshot, result);

    expect(plan.changes).toEqual([expect.objectContaining({ file: 'requirements.txt', line: 3, package: 'django', after: '==2.1.11' })]);
    expect(files.get('requirements.txt')).toEqual({ bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace('2.1.5', '2.1.11'), 'utf16le')]), mode: '100644', auditedBlob: expect.any(String) });
  });

  it('a manifest that starts like UTF-16 but cannot be read back exactly is reported by the audit, and nothing of it is committed', async () => {
    const cut = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('django==2.1.5\r\n', 'utf16le'), Buffer.from([0x0a])]);
    const { w, snapshot } = await snapshotOf({ 'requirements.txt': fileBytes(cut) });
    expect(snapshot.errors).toEqual([{ path: 'requirements.txt', message: 'is not a text file' }]);
    w.fake.resetCounts();

    const { plan, files } = await planFixPullRequest(w.octokit, snapshot, result);

    expect(files.size).toBe(0);
    expect(plan.changes).toEqual([]);
    expect(w.fake.count(ROUTES.blob)).toBe(0);
  });

  it('rewrites a requirements file in the codec its coding line declares, as the audit read it: every other byte kept', async () => {
    const bytes = Buffer.from('# -*- coding: cp1252 -*-\n# caf\xe9 \x80 \x93pinned\x94\ndjango==2.1.5\n', 'latin1');
    const { snapshot } = await snapshotOf({ 'requirements.txt': fileBytes(bytes) });
    const { files } = await planFixPullRequest(world!.octokit, snapshot, { findings: [djangoPinFinding(3)], ignored: [] });
    expect(files.get('requirements.txt')?.bytes).toEqual(Buffer.from('# -*- coding: cp1252 -*-\n# caf\xe9 \x80 \x93pinned\x94\ndjango==2.1.11\n', 'latin1'));
  });

  it('says the file could not be read again when GitHub fails, without a status dump', async () => {
    const { w, snapshot } = await snapshotOf({ 'requirements.txt': REQUIREMENTS });
    w.fake.failRequests({ route: ROUTES.blob, status: 502, times: 10 });

    const error = await planFixPullRequest(w.octokit, snapshot, result).catch((e: unknown) => e);

    expect(error).toMatchObject({ problem: 'unreadable' });
    expect((error as Error).message).toBe('GitHub did not give Depwatch requirements.txt of acme/web again (502), so no pull request was opened. Try the button again later.');
  });
});

describe('a fix pull request commits each file where and as it is', () => {
  /** Plans on a snapshot of `files` and opens the pull request; the fix branch's files (as text and as bytes) and modes. */
  async function committed(files: Record<string, FakeFile>) {
    const { w, snapshot } = await snapshotOf(files);
    const planned = await planFixPullRequest(w.octokit, snapshot, result);
    const input = { owner: 'acme', repo: 'web', base: 'main', auditedSha: snapshot.sha, branch: 'depwatch/fix', title: 't', body: 'b', files: planned.files };
    await openFixPullRequest(w.octokit, input);
    return { files: w.fake.branchFiles('acme', 'web', 'depwatch/fix')!, bytes: w.fake.branchBytes('acme', 'web', 'depwatch/fix')!, modes: w.fake.branchModes('acme', 'web', 'depwatch/fix')! };
  }

  it('writes the file a symbolic link names, and the link stays a link', async () => {
    const { files, modes } = await committed({ 'requirements.txt': symlinkTo('shared/pins'), 'shared/pins': 'django==2.1.5\n' });
    expect(modes['requirements.txt']).toBe('120000');
    expect(files['requirements.txt']).toBe('shared/pins');
    expect(files['shared/pins']).toBe('django==2.1.11\n');
    expect(modes['shared/pins']).toBe('100644');
  });

  it('keeps an executable file executable', async () => {
    const { files, modes } = await committed({ 'requirements.txt': executable('django==2.1.5\n') });
    expect(files['requirements.txt']).toBe('django==2.1.11\n');
    expect(modes['requirements.txt']).toBe('100755');
  });

  it('writes a file once when it is read both through a link and by its own name', async () => {
    const { files, modes } = await committed({ 'requirements.txt': symlinkTo('requirements/base.txt'), 'requirements/base.txt': 'django==2.1.5\n' });
    expect(files['requirements/base.txt']).toBe('django==2.1.11\n');
    expect(modes['requirements.txt']).toBe('120000');
  });

  it('commits a UTF-16 file as UTF-16 bytes (sent as base64, never as a UTF-8 string): mark, encoding and every other byte kept', async () => {
    const le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = (text: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
    const text = '# pins\r\ndjango==2.1.5  # pinned\r\nsix==1.16.0\r\n';
    const { bytes, modes } = await committed({ 'requirements.txt': fileBytes(le(text)), 'constraints.txt': fileBytes(be('django==2.1.5\n')), 'README.md': '# app\n' });
    const written = bytes['requirements.txt']!;
    expect(written.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
    expect(written.includes(Buffer.from('django==2.1.11', 'utf16le'))).toBe(true);
    expect(written).toEqual(le(text.replace('django==2.1.5', 'django==2.1.11')));
    expect(bytes['constraints.txt']).toEqual(be('django==2.1.11\n'));
    expect(bytes['README.md']).toEqual(Buffer.from('# app\n'));
    expect(modes['requirements.txt']).toBe('100644');
  });
});
