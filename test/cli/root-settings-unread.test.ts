/**
 * A subfolder audited or scanned inside a git work tree (`depwatch audit services/api` in a
 * monorepo's CI) reads its settings from that folder only: the repository root's `.depwatch.yml` is
 * not read. Documented, and fail closed (its ignores hide nothing), but a user who wrote it believes
 * it applies: every output says once that it was not read, why, and how to apply it. Not partial:
 * nothing is hidden by it.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

const made: string[] = [];
let db: string;

beforeAll(async () => {
  const data = mkdtempSync(join(tmpdir(), 'depwatch-root-settings-db-'));
  made.push(data);
  db = join(data, 'depwatch.db');
  expect(await inProcessCli({ env: { DEPWATCH_DB: db } }).run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const IGNORE = 'ignore:\n  - id: py-os-system\n    reason: input is a trusted operator command\n';

/** A repository (a `.git` folder) with settings at its root and a service in a subfolder. */
const monorepo = ({ git = true, name = '.depwatch.yml' } = {}) => {
  const dir = writeTree('depwatch-root-settings-', {
    [name]: IGNORE,
    'services/api/requirements.txt': 'six==1.16.0\n',
    'services/api/app.py': 'import os\nos.system(input())\n',
  });
  if (git) mkdirSync(join(dir, '.git'));
  made.push(dir);
  return dir;
};

async function depwatch(cwd: string, ...argv: string[]) {
  const c = inProcessCli({ cwd, env: { DEPWATCH_DB: db, ...UNREACHABLE_SERVICES } });
  const code = await c.run(...argv);
  return { code, ...c.out };
}

const note = (file: string, command: 'audit' | 'scan') =>
  `${file} (the repository root's) not read: a subfolder ${command} reads settings from that folder only; copy it there, or ${command} the root with exclude: for the rest`;
const AUDIT_NOTE = note('../../.depwatch.yml', 'audit');

type Notes = { kind: string; message: string }[];

describe('an audit of a subfolder of a work tree whose root has a settings file', () => {
  it('JSON: one invalid note in notes[], not in code.notes[]; not partial; the root file\'s ignore is not applied', async () => {
    const { code, stdout } = await depwatch(monorepo(), 'audit', '--offline', '--json', '--fail-on', 'never', 'services/api');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { partial: boolean; notes: Notes; code: { notes: Notes; findings: { rule: string }[] } };
    expect(result.notes.filter((n) => n.message === AUDIT_NOTE)).toEqual([expect.objectContaining({ kind: 'invalid', message: AUDIT_NOTE })]);
    expect(result.code.notes.map((n) => n.message)).not.toContain(AUDIT_NOTE);
    expect(result.partial).toBe(false);
    expect(result.code.findings.map((f) => f.rule)).toContain('py-os-system');
  });

  it('text and SARIF (a settings notification) say it too, and --no-code does', async () => {
    const dir = monorepo();
    expect((await depwatch(dir, 'audit', '--offline', '--fail-on', 'never', 'services/api')).stdout).toContain(`note: ${AUDIT_NOTE}`);
    const sarif = await depwatch(dir, 'audit', '--offline', '--sarif', '--fail-on', 'never', 'services/api');
    const [invocation] = (JSON.parse(sarif.stdout) as { runs: { invocations: { toolExecutionNotifications: { message: { text: string }; descriptor: { id: string } }[] }[] }[] }).runs[0]!.invocations;
    expect(invocation!.toolExecutionNotifications.filter((n) => n.message.text === AUDIT_NOTE).map((n) => n.descriptor.id)).toEqual(['depwatch/settings']);
    const noCode = JSON.parse((await depwatch(dir, 'audit', '--offline', '--json', '--no-code', 'services/api')).stdout) as { notes: Notes };
    expect(noCode.notes.map((n) => n.message)).toContain(AUDIT_NOTE);
  });

  it('names .depwatch.yaml when that is the root\'s settings file', async () => {
    const { stdout } = await depwatch(monorepo({ name: '.depwatch.yaml' }), 'audit', '--offline', '--json', '--no-code', 'services/api');
    expect((JSON.parse(stdout) as { notes: Notes }).notes.map((n) => n.message)).toContain(note('../../.depwatch.yaml', 'audit'));
  });

  it('an audit of a manifest in the subfolder says it as well (its folder is the audited one)', async () => {
    const { stdout } = await depwatch(monorepo(), 'audit', '--offline', '--json', 'services/api/requirements.txt');
    expect((JSON.parse(stdout) as { notes: Notes }).notes.map((n) => n.message)).toContain(AUDIT_NOTE);
  });

  it('says nothing when the root itself is audited (its settings are read), nor outside a work tree', async () => {
    const root = await depwatch(monorepo(), 'audit', '--offline', '--json', '--fail-on', 'never', '.');
    expect(root.stdout).not.toContain("(the repository root's) not read");
    const noGit = await depwatch(monorepo({ git: false }), 'audit', '--offline', '--json', '--fail-on', 'never', 'services/api');
    expect(noGit.stdout).not.toContain("(the repository root's) not read");
  });
});

describe('a scan of a subfolder of a work tree whose root has a settings file', () => {
  it('one invalid note, not partial', async () => {
    const { code, stdout } = await depwatch(monorepo(), 'scan', '--json', '--fail-on', 'never', 'services/api');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { partial: boolean; notes: Notes };
    expect(result.notes.filter((n) => n.message === note('../../.depwatch.yml', 'scan'))).toEqual([{ kind: 'invalid', message: note('../../.depwatch.yml', 'scan') }]);
    expect(result.partial).toBe(false);
  });

  it('in text too', async () => {
    expect((await depwatch(monorepo(), 'scan', '--fail-on', 'never', 'services/api')).stdout).toContain(note('../../.depwatch.yml', 'scan'));
  });
});
