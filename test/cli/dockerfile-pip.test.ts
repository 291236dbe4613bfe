/**
 * pip installs in a Dockerfile end to end, through the CLI (in-process, offline, a real mirror):
 * `deps` lists them, `audit` reports a vulnerable pin at its RUN line in JSON and SARIF, and `fix`
 * rewrites the pin where it is written, or says plainly that one it cannot find as written (set
 * through ENV) is changed by hand (exit 1: still vulnerable).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

let dbDir: string;

const cli = () => inProcessCli({ env: { DEPWATCH_DB: join(dbDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });

const DOCKERFILE = ['FROM python:3.12-slim', 'WORKDIR /app', 'RUN pip install --no-cache-dir \\', '    django==2.1.5 \\', "    'requests>=2'", ''].join('\n');

beforeAll(async () => {
  dbDir = mkdtempSync(join(tmpdir(), 'depwatch-dockerfile-pip-db-'));
  expect(await cli().run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});

describe('pip installs in a Dockerfile through the CLI', () => {
  it('deps lists them as the dockerfile format, at the RUN line', async () => {
    const c = cli();
    expect(await c.run('deps', '--json', writeTree('depwatch-dockerfile-', { Dockerfile: DOCKERFILE }))).toBe(0);
    const json = JSON.parse(c.out.stdout);
    expect(json.partial).toBe(false);
    expect(json.manifests).toEqual([expect.objectContaining({ path: 'Dockerfile', format: 'dockerfile' })]);
    expect(json.manifests[0].dependencies.map((d: { name: string; specifier: string; line: number }) => [d.name, d.specifier, d.line])).toEqual([
      ['django', '==2.1.5', 3],
      ['requests', '>=2', 3],
    ]);
  });

  it('audit reports the vulnerable pin and the unpinned one in JSON and SARIF', async () => {
    const dir = writeTree('depwatch-dockerfile-', { Dockerfile: DOCKERFILE });
    const c = cli();
    expect(await c.run('audit', '--offline', '--json', '--no-code', dir)).toBe(1);
    const json = JSON.parse(c.out.stdout);
    expect(json.findings).toContainEqual(expect.objectContaining({ kind: 'vulnerability', package: 'django', file: 'Dockerfile', line: 3 }));
    expect(json.findings).toContainEqual(expect.objectContaining({ kind: 'unpinned', package: 'requests', file: 'Dockerfile', line: 3 }));
    const s = cli();
    await s.run('audit', '--offline', '--sarif', '--no-code', dir);
    const sarif = JSON.parse(s.out.stdout);
    const locations = sarif.runs[0].results.map((r: { locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }) => r.locations[0]!.physicalLocation);
    expect(locations).toContainEqual(expect.objectContaining({ artifactLocation: expect.objectContaining({ uri: 'Dockerfile' }), region: expect.objectContaining({ startLine: 3 }) }));
  });

  it('fix rewrites the Dockerfile pin in place, keeping every other character, and exits 0', async () => {
    const dir = writeTree('depwatch-dockerfile-', { Dockerfile: DOCKERFILE });
    const c = cli();
    expect(await c.run('fix', '--offline', '--json', dir)).toBe(0);
    const json = JSON.parse(c.out.stdout);
    expect(json.written).toEqual(['Dockerfile']);
    expect(json.changes).toEqual([expect.objectContaining({ file: 'Dockerfile', line: 3, lines: { first: 4, last: 4 }, package: 'django', from: '==2.1.5' })]);
    const to = json.changes[0].to_version as string;
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(DOCKERFILE.replace('django==2.1.5', `django==${to}`));
  });

  it('fix leaves a pin set through ENV to the user, saying so, writes nothing and exits 1; the requirements file beside it is still fixed', async () => {
    const text = 'FROM python:3.12\nENV DJANGO_VERSION=2.1.5\nRUN pip install "django==$DJANGO_VERSION"\n';
    const dir = writeTree('depwatch-dockerfile-', { Dockerfile: text, 'requirements.txt': 'django==2.1.5\n' });
    const c = cli();
    expect(await c.run('fix', '--offline', '--json', dir)).toBe(1);
    const json = JSON.parse(c.out.stdout);
    expect(json.written).toEqual(['requirements.txt']);
    expect(json.left_alone).toEqual([
      expect.objectContaining({ kind: 'not-understood', package: 'django', file: 'Dockerfile', line: 3, reason: expect.stringContaining('set through ENV') }),
    ]);
    expect(json.still_vulnerable).toBe(1);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(text);
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).toMatch(/^django==(?!2\.1\.5\n)[\d.]+\n$/);
  });
});
