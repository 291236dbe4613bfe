/**
 * Dependencies a pyproject.toml or setup.cfg leaves to the build backend, end to end: those it
 * names a requirements file for are listed, audited and fixed in that file; the rest make the
 * result partial, never "0 dependencies, complete".
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

let dbDir: string;

const cli = () => inProcessCli({ env: { DEPWATCH_DB: join(dbDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });

const project = (files: Record<string, string>) => writeTree('depwatch-dynamic-', files);

const setuptoolsProject = (files: string) => `[project]\nname = "x"\nversion = "1"\ndynamic = ["dependencies"]\n[tool.setuptools.dynamic]\ndependencies = {file = [${files}]}\n`;

interface AuditJson {
  partial: boolean;
  partial_reasons: { kind: string; file?: string; line?: number | null; message: string }[];
  findings: { kind: string; package?: string; file?: string; line?: number | null }[];
}

async function audit(dir: string): Promise<{ code: number; json: AuditJson }> {
  const c = cli();
  const code = await c.run('audit', '--offline', '--json', '--no-code', '--fail-on', 'never', dir);
  return { code, json: JSON.parse(c.out.stdout) as AuditJson };
}

beforeAll(async () => {
  dbDir = mkdtempSync(join(tmpdir(), 'depwatch-dynamic-db-'));
  expect(await cli().run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});

describe("setuptools' dynamic dependencies file", () => {
  it('deps lists the pins of the named file, which discovery alone would not find', async () => {
    const dir = project({ 'pyproject.toml': setuptoolsProject('"reqs/base.txt"'), 'reqs/base.txt': 'requests==2.19.0\n' });
    const c = cli();
    expect(await c.run('deps', dir)).toBe(0);
    expect(c.out.stdout).toContain('reqs/base.txt (requirements, 1 dependency)');
    expect(c.out.stdout).toMatch(/1 dependency in 2 files\n$/);
  });

  it('audit finds a vulnerable pin in the named file, at its line, and the result is complete', async () => {
    const dir = project({ 'pyproject.toml': setuptoolsProject('"reqs/base.txt"'), 'reqs/base.txt': '# web\ndjango==2.1.5\n' });
    const { code, json } = await audit(dir);
    expect(code).toBe(0);
    expect(json.partial_reasons).toEqual([]);
    expect(json.findings).toContainEqual(expect.objectContaining({ kind: 'vulnerability', package: 'django', file: 'reqs/base.txt', line: 2 }));
  });

  it('a missing named file, or one outside the folder, makes the audit partial naming it', async () => {
    const dir = project({ 'pyproject.toml': setuptoolsProject('"reqs/gone.txt", "../outside.txt"') });
    const { code, json } = await audit(dir);
    expect(code).toBe(2);
    expect(json.partial).toBe(true);
    expect(json.partial_reasons).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'unread', file: 'reqs/gone.txt', message: expect.stringContaining('file not found') }),
        expect.objectContaining({ kind: 'unread', file: 'pyproject.toml', line: 6, message: expect.stringContaining('../outside.txt: leaves the scanned root') }),
      ]),
    );
  });

  it('fix rewrites the pin in the named file', async () => {
    const dir = project({ 'pyproject.toml': setuptoolsProject('"reqs/base.txt"'), 'reqs/base.txt': 'django==2.1.5\nsix==1.16.0\n' });
    const c = cli();
    expect(await c.run('fix', '--offline', dir)).toBe(0);
    expect(c.out.stdout).toMatch(/Written: reqs\/base\.txt\n$/);
    expect(readFileSync(join(dir, 'reqs/base.txt'), 'utf8')).toMatch(/^django==(?!2\.1\.5\n)[\d.]+\nsix==1\.16\.0\n$/);
  });
});

describe('other dynamic dependencies', () => {
  it('audit is partial, saying the build backend computes them and they were not read', async () => {
    const dir = project({ 'pyproject.toml': '[project]\nname = "x"\nversion = "1"\ndynamic = ["dependencies"]\n' });
    const { code, json } = await audit(dir);
    expect(code).toBe(2);
    expect(json.partial_reasons).toContainEqual(expect.objectContaining({ kind: 'unread', file: 'pyproject.toml', line: 4, message: expect.stringContaining('computes them when it builds') }));
  });
});

describe('setup.cfg install_requires = file:', () => {
  it('audit reads the file and finds its vulnerable pin', async () => {
    const dir = project({ 'setup.cfg': '[options]\ninstall_requires = file: deps/prod.txt\n', 'deps/prod.txt': 'django==2.1.5\n' });
    const { code, json } = await audit(dir);
    expect(code).toBe(0);
    expect(json.partial_reasons).toEqual([]);
    expect(json.findings).toContainEqual(expect.objectContaining({ kind: 'vulnerability', package: 'django', file: 'deps/prod.txt', line: 1 }));
  });
});
