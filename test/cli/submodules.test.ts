/**
 * Git submodules in a checkout audited as a directory: one not checked out (an empty folder, or none,
 * that `.gitmodules` names) is another repository whose files were not read, said in one notice
 * (not partial), and a manifest that includes a file inside one is told why that file is not read
 * (partial, as any include not read); one checked out is read as the tree's own files, as before.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

let dataDir: string;
const cli = () => inProcessCli({ env: { DEPWATCH_DB: join(dataDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'depwatch-submodules-db-'));
  expect(await cli().run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});

interface Doc {
  partial: boolean;
  notices: string[];
  errors: { file: string; message: string }[];
  findings: { kind: string; package: string | null; file: string }[];
}

/** A checkout whose `.gitmodules` names `vendor/lib` (an empty folder) and `tools/lint` (no folder at all). */
function checkout(files: Record<string, string>, gitmodules = '[submodule "lib"]\n\tpath = vendor/lib\n\turl = https://example.com/lib.git\n[submodule "lint"]\n\tpath = tools/lint\n\turl = ../lint.git\n'): string {
  const dir = writeTree('depwatch-submodules-', { '.gitmodules': gitmodules, ...files });
  mkdirSync(join(dir, 'vendor/lib'), { recursive: true });
  return dir;
}

async function audit(dir: string, ...flags: string[]) {
  const c = cli();
  const code = await c.run('audit', '--offline', '--no-code', ...flags, dir);
  return { code, stdout: c.out.stdout };
}

const NOTICE =
  'vendor/lib, tools/lint: git submodules that are not checked out, other repositories whose files were not audited (run `git submodule update --init --recursive` and audit again, or audit those repositories on their own)';

describe('git submodules of a checkout', () => {
  it('names those not checked out in one notice, not partial, in JSON, text, Markdown and SARIF', async () => {
    const dir = checkout({ 'requirements.txt': 'six==1.16.0\n' });
    const json = await audit(dir, '--json');
    const doc = JSON.parse(json.stdout) as Doc;
    expect(json.code).toBe(0);
    expect(doc.partial).toBe(false);
    expect(doc.notices.filter((n) => n.includes('submodule'))).toEqual([NOTICE]);
    expect((await audit(dir)).stdout).toContain(`note: ${NOTICE}\n`);
    expect((await audit(dir, '--markdown')).stdout).toContain(`- ${NOTICE}\n`);
    const sarif = JSON.parse((await audit(dir, '--sarif')).stdout) as { runs: { invocations: { toolExecutionNotifications: { level: string; message: { text: string } }[] }[] }[] };
    expect(sarif.runs[0]!.invocations[0]!.toolExecutionNotifications).toContainEqual(expect.objectContaining({ level: 'note', message: { text: NOTICE } }));
  });

  it('says them when they are all there is: no manifests is partial (exit 2) and the notice still names the submodules, in every format', async () => {
    const dir = checkout({ 'README.md': 'the code is in the submodules\n' });
    const json = await audit(dir, '--json');
    const doc = JSON.parse(json.stdout) as Doc & { partial_reasons: { kind: string }[] };
    expect(json.code).toBe(2);
    expect(doc.partial).toBe(true);
    expect(doc.partial_reasons.map((r) => r.kind)).toEqual(['no-manifests']);
    expect(doc.notices.filter((n) => n.includes('submodule'))).toEqual([NOTICE]);
    const text = await audit(dir);
    expect(text.code).toBe(2);
    expect(text.stdout).toContain(`note: ${NOTICE}\n`);
    expect(text.stdout).toContain('PARTIAL RESULT');
    expect((await audit(dir, '--markdown')).stdout).toContain(`- ${NOTICE}\n`);
    const sarif = JSON.parse((await audit(dir, '--sarif')).stdout) as { runs: { invocations: { toolExecutionNotifications: { level: string; message: { text: string } }[] }[] }[] };
    const notifications = sarif.runs[0]!.invocations[0]!.toolExecutionNotifications;
    expect(notifications).toContainEqual(expect.objectContaining({ level: 'note', message: { text: NOTICE } }));
    expect(notifications).toContainEqual(expect.objectContaining({ level: 'error', descriptor: { id: 'depwatch/partial/no-manifests' } }));
  });

  it('refuses an include of a file inside one saying it is in a submodule not checked out, not "file not found": partial', async () => {
    const dir = checkout({ 'requirements.txt': 'six==1.16.0\n-r vendor/lib/requirements.txt\n' });
    const { code, stdout } = await audit(dir, '--json');
    const doc = JSON.parse(stdout) as Doc;
    expect(code).toBe(2);
    expect(doc.partial).toBe(true);
    expect(doc.errors.map((e) => `${e.file}: ${e.message}`)).toEqual([
      'vendor/lib/requirements.txt: is in vendor/lib, a git submodule that is not checked out (another repository; run `git submodule update --init --recursive`); not read (included by requirements.txt:2)',
    ]);
  });

  it('reads a checked-out submodule as the tree it is on disk, and says nothing of it', async () => {
    const dir = checkout({ 'requirements.txt': '-r vendor/lib/requirements.txt\n', 'vendor/lib/.git': 'gitdir: ../../.git/modules/lib\n', 'vendor/lib/requirements.txt': 'django==2.1.5\n', 'tools/lint/.git': 'gitdir: ../../.git/modules/lint\n' });
    const { code, stdout } = await audit(dir, '--json');
    const doc = JSON.parse(stdout) as Doc;
    expect(code).toBe(1);
    expect(doc.partial).toBe(false);
    expect(doc.notices.filter((n) => n.includes('submodule'))).toEqual([]);
    expect(doc.findings.some((f) => f.kind === 'vulnerability' && f.package === 'django' && f.file === 'vendor/lib/requirements.txt')).toBe(true);
  });

  it('names a submodule of a checked-out submodule that is not checked out (an init without --recursive), and refuses an include into it', async () => {
    const dir = checkout({
      'requirements.txt': 'six==1.16.0\n-r vendor/lib/third/api/requirements.txt\n',
      'vendor/lib/.git': 'gitdir: ../../.git/modules/lib\n',
      'vendor/lib/.gitmodules': '[submodule "api"]\n\tpath = third/api\n\turl = ../api.git\n',
      'tools/lint/.git': 'gitdir: ../../.git/modules/lint\n',
    });
    const { code, stdout } = await audit(dir, '--json');
    const doc = JSON.parse(stdout) as Doc;
    expect(code).toBe(2);
    expect(doc.notices.filter((n) => n.includes('submodule'))).toEqual([
      'vendor/lib/third/api: a git submodule that is not checked out, another repository whose files were not audited (run `git submodule update --init --recursive` and audit again, or audit that repository on its own)',
    ]);
    expect(doc.errors.map((e) => `${e.file}: ${e.message}`)).toEqual([
      'vendor/lib/third/api/requirements.txt: is in vendor/lib/third/api, a git submodule that is not checked out (another repository; run `git submodule update --init --recursive`); not read (included by requirements.txt:2)',
    ]);
  });

  it('leaves out a submodule exclude: keeps out, and says one in the singular', async () => {
    const dir = checkout({ 'requirements.txt': 'six==1.16.0\n', '.depwatch.yml': 'exclude:\n  - path: tools/\n    reason: linters\n' });
    const doc = JSON.parse((await audit(dir, '--json')).stdout) as Doc;
    expect(doc.notices.filter((n) => n.includes('submodule'))).toEqual([
      'vendor/lib: a git submodule that is not checked out, another repository whose files were not audited (run `git submodule update --init --recursive` and audit again, or audit that repository on its own)',
    ]);
  });

  it('says a .gitmodules it cannot read whole in one line, never leaving the root, and names what it could read', async () => {
    const hostile = [
      '[submodule "out"]\n\tpath = ../../etc\n',
      '[submodule "abs"]\n\tpath = /etc\n',
      '[submodule "odd \\"quoted\\" name"]\n\tpath = "vendor/lib" # a comment\n',
      'this is not a config line\n',
      '[submodule "open"]\n\tpath = "never closed\n',
    ].join('');
    const dir = checkout({ 'requirements.txt': 'six==1.16.0\n' }, hostile);
    const { code, stdout } = await audit(dir, '--json');
    const doc = JSON.parse(stdout) as Doc;
    expect(code).toBe(0);
    expect(doc.partial).toBe(false);
    expect(doc.notices.filter((n) => n.includes('submodule'))).toEqual([
      'vendor/lib: a git submodule that is not checked out, another repository whose files were not audited (run `git submodule update --init --recursive` and audit again, or audit that repository on its own)',
      '.gitmodules: 2 lines not understood (line 7, 9); 2 submodule paths that are absolute or outside the repository, ignored; a submodule it names there that is not checked out may not be named here',
    ]);
  });

  it('says a .gitmodules too large to read in one line, and audits the rest', async () => {
    const dir = checkout({ 'requirements.txt': 'six==1.16.0\n' }, `[submodule "x"]\n\tpath = ${'a'.repeat(2 * 1024 * 1024)}\n`);
    const doc = JSON.parse((await audit(dir, '--json')).stdout) as Doc;
    expect(doc.partial).toBe(false);
    expect(doc.notices.filter((n) => n.includes('gitmodules'))).toEqual([
      '.gitmodules: file is 2.0 MB, over the 1 MB limit for it; not read, so a submodule that is not checked out may not be named here',
    ]);
  });
});
