/**
 * One line of a requirements file whose bytes are not UTF-8 (a Latin-1 comment saved by a Windows
 * editor) or that holds a NUL byte costs that line at most, never the file: bytes only in a comment
 * cost nothing (pip drops the comment), bytes elsewhere make that line one error (partial), and
 * every other pin is read and audited.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

let dataDir: string;
const cli = () => inProcessCli({ env: { DEPWATCH_DB: join(dataDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'depwatch-undecodable-db-'));
  expect(await cli().run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});

const latin1 = (text: string) => Buffer.from(text, 'latin1');
const project = (requirements: Buffer) => writeTree('depwatch-undecodable-', { 'requirements.txt': requirements });

interface DepsJson {
  manifests: { path: string; dependencies: { name: string; version: string | null; line: number }[] }[];
  errors: { file: string; line: number | null; message: string }[];
  partial: boolean;
}
interface AuditJson {
  dependencies: number;
  partial: boolean;
  partial_reasons: { kind: string; file?: string; line?: number | null; message: string }[];
  findings: { kind: string; package?: string }[];
}

async function deps(dir: string) {
  const c = cli();
  const code = await c.run('deps', '--json', dir);
  return { code, json: JSON.parse(c.out.stdout) as DepsJson, stderr: c.out.stderr };
}

async function audit(dir: string) {
  const c = cli();
  const code = await c.run('audit', '--offline', '--no-code', '--json', '--fail-on', 'never', dir);
  return { code, json: JSON.parse(c.out.stdout) as AuditJson, stderr: c.out.stderr };
}

const pins = (json: DepsJson) => json.manifests.flatMap((m) => m.dependencies.map((d) => `${d.name}==${d.version ?? '*'}@${d.line}`));

describe('a requirements file with bytes that are not UTF-8', () => {
  const commentOnly = latin1('requests==2.19.0\nflask>=0.12\n# caf\xe9 (a Latin-1 comment saved by a Windows editor)\ndjango==2.1.5  # r\xe9sum\xe9\n');

  it('bytes only in comments: every pin read, no error, complete (deps)', async () => {
    const { code, json } = await deps(project(commentOnly));
    expect(json.errors).toEqual([]);
    expect(json.partial).toBe(false);
    expect(pins(json)).toEqual(['requests==2.19.0@1', 'flask==*@2', 'django==2.1.5@4']);
    expect(code).toBe(0);
  });

  it('bytes only in comments: the audit is complete and rates every pin', async () => {
    const { code, json } = await audit(project(commentOnly));
    expect(json.partial_reasons).toEqual([]);
    expect(json.partial).toBe(false);
    expect(json.dependencies).toBe(3);
    expect(json.findings.some((f) => f.kind === 'vulnerability')).toBe(true);
    expect(code).toBe(0);
  });

  it('bytes in a requirement line: that line is one error naming it, the result partial, every other pin read', async () => {
    const dir = project(latin1('requests==2.19.0\nflask>=0.12\ncaf\xe9==1.0\ndjango==2.1.5\n'));
    const { code, json, stderr } = await deps(dir);
    expect(pins(json)).toEqual(['requests==2.19.0@1', 'flask==*@2', 'django==2.1.5@4']);
    expect(json.errors).toEqual([{ file: 'requirements.txt', line: 3, message: 'not valid UTF-8; not read' }]);
    expect(json.partial).toBe(true);
    expect(code).toBe(2);
    expect(stderr).toContain('requirements.txt');

    const audited = await audit(dir);
    expect(audited.json.partial).toBe(true);
    expect(audited.json.partial_reasons).toEqual([{ kind: 'unread', file: 'requirements.txt', line: 3, message: 'not valid UTF-8; not read' }]);
    expect(audited.json.dependencies).toBe(3);
    expect(audited.code).toBe(2);
  });

  it('fix: the pins it now reads are left alone with why (the file cannot be written back byte for byte), and the file is untouched', async () => {
    const dir = project(commentOnly);
    const c = cli();
    expect(await c.run('fix', '--offline', '--json', dir)).toBe(1);
    const json = JSON.parse(c.out.stdout) as { left_alone: { kind: string; package: string; reason: string }[]; written: string[] };
    expect(json.written).toEqual([]);
    expect(json.left_alone.map((l) => [l.package, l.kind])).toEqual([
      ['django', 'unsupported-format'],
      ['requests', 'unsupported-format'],
    ]);
    expect(json.left_alone[0]!.reason).toContain('(it is not valid UTF-8)');
    expect(readFileSync(join(dir, 'requirements.txt')).equals(commentOnly)).toBe(true);
  });

  it('a NUL byte on one line of a text file: that line only, said as such', async () => {
    const dir = project(Buffer.from('requests==2.19.0\nflask>=0.12\ndjan\0go==2.1.5\nurllib3==1.24.1\n# a NUL \0 in a comment costs nothing\n'));
    const { json } = await deps(dir);
    expect(pins(json)).toEqual(['requests==2.19.0@1', 'flask==*@2', 'urllib3==1.24.1@4']);
    expect(json.errors).toEqual([{ file: 'requirements.txt', line: 3, message: 'holds a NUL byte; not read' }]);
    const audited = await audit(dir);
    expect(audited.json.partial).toBe(true);
    expect(audited.json.dependencies).toBe(3);
  });

  it('a one-line file whose only NUL is in its comment: its pin read, complete, not a binary file', async () => {
    const dir = project(Buffer.from('requests==2.19.0  # \0\n'));
    const { code, json } = await deps(dir);
    expect(pins(json)).toEqual(['requests==2.19.0@1']);
    expect(json.errors).toEqual([]);
    expect(json.partial).toBe(false);
    expect(code).toBe(0);
    const audited = await audit(dir);
    expect(audited.json.partial_reasons).toEqual([]);
    expect(audited.json.dependencies).toBe(1);
    expect(audited.code).toBe(0);
  });
});
