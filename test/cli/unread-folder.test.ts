/**
 * Fail closed on a folder the audit could not read: services/billing/ pins a vulnerable django, the
 * rest of the checkout is clean, and the folder cannot be listed. The audit must not pass (exit 0)
 * on the part it saw: it is partial (exit 2) and every format names the folder.
 *
 * Root reads through mode 000, so the folder's listing is made to fail through the walk's listing
 * seam (directoryWalk's second argument), as a folder without read permission fails for anyone else.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { beforeAll, expect, it, vi } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

const UNREADABLE = `${sep}services${sep}billing`;

vi.mock('../../src/python/directory-walk.js', async (original) => {
  const real = await original<typeof import('../../src/python/directory-walk.js')>();
  return {
    ...real,
    directoryWalk: (root: string) =>
      real.directoryWalk(root, (dir) => {
        if (dir.endsWith(UNREADABLE)) throw Object.assign(new Error(`EACCES: permission denied, scandir '${dir}'`), { code: 'EACCES' });
        return readdirSync(dir, { withFileTypes: true });
      }),
  };
});

let dataDir: string;

const cli = () => inProcessCli({ env: { DEPWATCH_DB: join(dataDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });

const checkout = () =>
  writeTree('depwatch-unread-folder-', { 'requirements.txt': 'attrs==23.1.0\n', 'services/billing/requirements.txt': 'django==2.1.5\n', 'app/main.py': 'print(1)\n' });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'depwatch-unread-folder-db-'));
  expect(await cli().run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});

it('an audit that could not list a folder is partial (exit 2), and JSON says which folder and why', async () => {
  const c = cli();
  expect(await c.run('audit', '--offline', '--json', '--fail-on', 'never', checkout())).toBe(2);
  const json = JSON.parse(c.out.stdout);
  expect(json.partial).toBe(true);
  expect(json.findings.some((f: { package?: string }) => f.package === 'django')).toBe(false);
  expect(json.partial_reasons).toContainEqual({ kind: 'unread', file: 'services/billing', line: null, message: 'folder could not be listed (EACCES: permission denied); nothing in it was read' });
  expect(json.partial_reasons).toContainEqual(expect.objectContaining({ kind: 'unscanned', file: 'services/billing' }));
  // What tells the reports that the audit's reason and the scan's are one folder is not in the contract.
  expect(json.errors).toContainEqual({ file: 'services/billing', line: null, message: 'folder could not be listed (EACCES: permission denied); nothing in it was read' });
  expect(JSON.stringify(json)).not.toContain('unlistedBecause');
  expect(c.out.stderr).toMatch(/^depwatch: PARTIAL: services\/billing not read completely: folder could not be listed/m);
});

it('says so in text, above a summary that does not read as all clear', async () => {
  const c = cli();
  expect(await c.run('audit', '--offline', checkout())).toBe(2);
  expect(c.out.stdout).toContain('PARTIAL RESULT: not everything was read or checked');
  // The audit and the scan share one walk: the folder is one line, saying what both could not do.
  const said = c.out.stdout.split('\n').filter((line) => line.startsWith('  - ') && line.includes('services/billing'));
  expect(said).toEqual(['  - services/billing not read completely: folder could not be listed (EACCES: permission denied); nothing in it was read or scanned']);
});

it('says the folder once in Markdown and on stderr too, and twice in JSON, where each reason keeps its kind', async () => {
  const markdown = cli();
  expect(await markdown.run('audit', '--offline', '--markdown', checkout())).toBe(2);
  expect(markdown.out.stdout.split('\n').filter((line) => line.startsWith('> - ') && line.includes('services/billing'))).toHaveLength(1);
  expect(markdown.out.stdout).toContain('nothing in it was read or scanned');
  const json = cli();
  expect(await json.run('audit', '--offline', '--json', checkout())).toBe(2);
  expect(json.out.stderr.split('\n').filter((line) => line.includes('services/billing'))).toEqual([
    'depwatch: PARTIAL: services/billing not read completely: folder could not be listed (EACCES: permission denied); nothing in it was read or scanned',
  ]);
  expect(JSON.parse(json.out.stdout).partial_reasons.filter((r: { file?: string }) => r.file === 'services/billing').map((r: { kind: string }) => r.kind)).toEqual(['unread', 'unscanned']);
});

it('depwatch scan says the folder was not scanned (exit 2)', async () => {
  const c = cli();
  expect(await c.run('scan', '--json', checkout())).toBe(2);
  const json = JSON.parse(c.out.stdout);
  expect(json.partial).toBe(true);
  expect(json.skipped).toContainEqual(expect.objectContaining({ path: 'services/billing', reason: 'unreadable', partial: true }));
});

it('depwatch deps says its list may be incomplete (exit 2)', async () => {
  const c = cli();
  expect(await c.run('deps', '--json', checkout())).toBe(2);
  const json = JSON.parse(c.out.stdout);
  expect(json.partial_reasons).toContainEqual({ kind: 'unread', file: 'services/billing', line: null, message: 'folder could not be listed (EACCES: permission denied); nothing in it was read' });
  expect(json.errors).toContainEqual({ file: 'services/billing', line: null, message: 'folder could not be listed (EACCES: permission denied); nothing in it was read' });
  expect(JSON.stringify(json)).not.toContain('unlistedBecause');
});

it('a folder that could not be listed under a path .depwatch.yml excludes is no reason: nothing there was to be read (exit 0), and the exclusion is said', async () => {
  const dir = writeTree('depwatch-unread-folder-', {
    'requirements.txt': 'attrs==23.1.0\n',
    'services/billing/requirements.txt': 'django==2.1.5\n',
    'app/main.py': 'print(1)\n',
    '.gitignore': '.env\n*.env\n',
    '.depwatch.yml': 'exclude:\n  - path: services/billing/\n    reason: a retired service kept for reference\n',
  });
  const c = cli();
  expect(await c.run('audit', '--offline', '--json', '--fail-on', 'never', dir)).toBe(0);
  const json = JSON.parse(c.out.stdout);
  expect(json.partial).toBe(false);
  expect(json.partial_reasons).toEqual([]);
  expect(c.out.stderr).not.toContain('PARTIAL');
  // Its files could not be listed, so none was counted: the entry kept nothing out that was seen.
  expect(json.excluded).toEqual([]);
});
