/**
 * A requirements file that lists nothing (empty, or only comments and blank lines): the audit says
 * so, naming the file, in every format, as a notice (the file was read: not partial). "0
 * dependencies" alone would read as a project with nothing to check.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

let dataDir: string;
const cli = () => inProcessCli({ env: { DEPWATCH_DB: join(dataDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'depwatch-empty-db-'));
  expect(await cli().run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});

async function audit(files: Record<string, string>, ...flags: string[]) {
  const c = cli();
  const code = await c.run('audit', '--offline', '--no-code', ...flags, writeTree('depwatch-empty-', files));
  return { code, stdout: c.out.stdout };
}

const EMPTY = 'requirements.txt: lists no requirements (it is empty or holds only comments and options), so nothing in it was checked';

describe('a requirements file that lists no requirements', () => {
  it('an empty requirements.txt: a notice naming it in JSON, not a partial reason', async () => {
    const { code, stdout } = await audit({ 'requirements.txt': '' }, '--json');
    const doc = JSON.parse(stdout) as { dependencies: number; notices: string[]; partial: boolean };
    expect(code).toBe(0);
    expect(doc.dependencies).toBe(0);
    expect(doc.partial).toBe(false);
    expect(doc.notices).toContain(EMPTY);
  });

  it('only comments and blank lines: the same, in text, Markdown and SARIF', async () => {
    const files = { 'requirements.txt': '# pinned by hand\n\n   # nothing yet\n' };
    expect((await audit(files)).stdout).toContain(`note: ${EMPTY}\n`);
    expect((await audit(files, '--markdown')).stdout).toContain(`- ${EMPTY}\n`);
    const sarif = JSON.parse((await audit(files, '--sarif')).stdout) as { runs: { invocations: { toolExecutionNotifications: { level: string; message: { text: string } }[] }[] }[] };
    expect(sarif.runs[0]!.invocations[0]!.toolExecutionNotifications).toContainEqual(expect.objectContaining({ level: 'note', message: { text: EMPTY } }));
  });

  it('names every such file in one notice', async () => {
    const { stdout } = await audit({ 'requirements.txt': 'idna==3.7\n', 'requirements-dev.txt': '\n', 'requirements/test.txt': '# later\n' }, '--json');
    const notices = (JSON.parse(stdout) as { notices: string[] }).notices.filter((n) => n.includes('no requirements'));
    expect(notices).toEqual(['requirements-dev.txt, requirements/test.txt: list no requirements (each is empty or holds only comments and options), so nothing in them was checked']);
  });

  it('says nothing of a file that lists nothing itself but includes another (-r), nor of one that lists requirements', async () => {
    const { stdout } = await audit({ 'requirements.txt': '# see base\n-r base.txt\n', 'base.txt': 'idna==3.7\n' }, '--json');
    const doc = JSON.parse(stdout) as { dependencies: number; notices: string[] };
    expect(doc.dependencies).toBe(1);
    expect(doc.notices.filter((n) => n.includes('no requirements'))).toEqual([]);
  });
});
