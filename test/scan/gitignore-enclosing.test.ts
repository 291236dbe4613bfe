/**
 * `depwatch scan svc/` (or `audit svc/`) inside a repository: git applies the `.gitignore` files of
 * the folders above `svc/`, up to the work tree's root, to its files. They used to be read only from
 * inside the scanned folder, so a monorepo job auditing one service reported the `.env` that the
 * root `.gitignore` keeps out as committed (high) and "There is no .gitignore" (medium).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

const ENV = 'DATABASE_URL=postgres://app:Xk29fLq8Zp3mWv7RtY4u@db.internal/app\n';

async function scanJson(dir: string) {
  const { out, run } = inProcessCli({ env: { ...UNREACHABLE_SERVICES } });
  const status = await run('scan', '--json', dir);
  const doc = JSON.parse(out.stdout) as { findings: { rule: string; file: string; message: string }[]; notes: { kind: string; message: string }[]; partial: boolean };
  return { status, doc };
}

async function scanRules(dir: string): Promise<string[]> {
  return (await scanJson(dir)).doc.findings.map((f) => `${f.rule} ${f.file}`);
}

/** A repository (a `.git` folder at its root) with these files. */
function repository(files: Record<string, string>): string {
  const root = writeTree('depwatch-gitignore-enclosing-', files);
  mkdirSync(join(root, '.git'));
  return root;
}

describe('a subfolder of a repository is scanned with the .gitignore files above it', () => {
  it("does not report the .env the root .gitignore keeps out, nor a missing .gitignore", async () => {
    const root = repository({ '.gitignore': '.env\n*.env\n.env.*\n!.env.example\n', 'services/api/.env': ENV, 'services/api/app.py': 'print(1)\n' });
    const rules = await scanRules(join(root, 'services', 'api'));
    expect(rules.filter((r) => r.startsWith('file-'))).toEqual([]);
  });

  it('still reports them when nothing above ignores .env (the same tree without the root .gitignore)', async () => {
    const root = repository({ 'services/api/.env': ENV, 'services/api/app.py': 'print(1)\n' });
    const rules = await scanRules(join(root, 'services', 'api'));
    expect(rules).toContain('file-env-committed .env');
    // No .gitignore anywhere: the report points at the .env it is about, a file that exists.
    expect(rules).toContain('file-gitignore-env .env');
  });

  it('points at the .gitignore it judged, above the scanned folder, by a path GitHub code scanning resolves', async () => {
    const root = repository({ '.gitignore': '*.pyc\n', 'services/api/x.py': 'print(1)\n', 'services/api/config/settings.py': 'X = 1\n' });
    const { doc } = await scanJson(join(root, 'services', 'api'));
    const gaps = doc.findings.filter((f) => f.rule.startsWith('file-gitignore'));
    expect(gaps.map((f) => `${f.rule} ${f.file}`).sort()).toEqual(['file-gitignore-env ../../.gitignore', 'file-gitignore-secret-config ../../.gitignore']);
    expect(gaps.find((f) => f.rule === 'file-gitignore-env')!.message).toMatch(/^\.\.\/\.\.\/\.gitignore \(above the scanned folder\) does not exclude \.env and \*\.env files/);
    const { out, run } = inProcessCli({ env: { ...UNREACHABLE_SERVICES } });
    await run('scan', '--sarif', join(root, 'services', 'api'));
    const sarif = JSON.parse(out.stdout) as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    const uris = sarif.runs[0]!.results.filter((r) => r.ruleId.startsWith('file-gitignore')).map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(uris).toEqual(['.gitignore', '.gitignore']);
    // The scanned folder's own .gitignore, when it has one, is the one judged.
    const own = repository({ '.gitignore': '*.pyc\n', 'svc/.gitignore': '*.log\n', 'svc/x.py': 'print(1)\n' });
    expect((await scanRules(join(own, 'svc'))).filter((r) => r.startsWith('file-gitignore'))).toEqual(['file-gitignore-env .gitignore']);
  });

  it('applies them as git does: a deeper .gitignore overrides a shallower one', async () => {
    const root = repository({ '.gitignore': '.env\n*.env\n', 'services/.gitignore': '!.env\n', 'services/api/.env': ENV });
    const rules = await scanRules(join(root, 'services', 'api'));
    expect(rules).toContain('file-env-committed .env');
  });

  it('a folder the root .gitignore excludes is excluded whole, as git never adds what is in it', async () => {
    const root = repository({ '.gitignore': 'local/\n', 'local/tools/.env': ENV });
    const rules = await scanRules(join(root, 'local', 'tools'));
    expect(rules.filter((r) => r.startsWith('file-env-committed'))).toEqual([]);
  });

  it('outside any repository, only the tree itself counts (nothing above is read)', async () => {
    const parent = writeTree('depwatch-gitignore-enclosing-', { '.gitignore': '.env\n*.env\n', 'svc/.env': ENV });
    const rules = await scanRules(join(parent, 'svc'));
    expect(rules).toContain('file-env-committed .env');
  });

  it('is found through a symbolic link to the subfolder, as git finds the work tree from the real path', async () => {
    const root = repository({ '.gitignore': '.env\n*.env\n', 'svc/.env': ENV });
    const link = join(mkdtempSync(join(tmpdir(), 'depwatch-gitignore-link-')), 'svc-link');
    symlinkSync(join(root, 'svc'), link);
    expect((await scanRules(link)).filter((r) => r.startsWith('file-'))).toEqual([]);
  });
});

describe('a hostile .gitignore above the scanned folder', () => {
  it('a FIFO is not waited on, and a link to /dev/zero is not followed (git reads neither)', async () => {
    const fifo = repository({ 'svc/app.py': 'x = 1\n' });
    execFileSync('mkfifo', [join(fifo, '.gitignore')]);
    const zero = repository({ 'svc/app.py': 'x = 1\n' });
    symlinkSync('/dev/zero', join(zero, '.gitignore'));
    for (const root of [fifo, zero]) {
      const { doc } = await scanJson(join(root, 'svc'));
      expect(doc.findings.map((f) => f.rule)).toContain('file-gitignore-env'); // as if there were none
    }
  }, 20_000);

  it('one over the size limit is said (partial), and the scan does not claim there is no .gitignore', async () => {
    const root = repository({ 'svc/.env': ENV });
    writeFileSync(join(root, '.gitignore'), '.env\n*.env\n' + '# padding\n'.repeat(120_000));
    const { status, doc } = await scanJson(join(root, 'svc'));
    expect(doc.partial).toBe(true);
    expect(status).toBe(1);
    expect(doc.notes).toContainEqual({ kind: 'incomplete', message: expect.stringMatching(/^\.gitignore \(above the scanned folder\): over 1,048,576 bytes \(1,\d{3},\d{3}\); not read, so no path under the scanned folder counts as ignored by \.gitignore$/) });
    const gap = doc.findings.find((f) => f.rule === 'file-gitignore-env');
    expect(gap?.message).not.toContain('There is no .gitignore');
    expect(gap?.message).toContain('over Depwatch');
  });
});

