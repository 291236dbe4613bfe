/**
 * pip installs in a Dockerfile end to end, through the CLI (in-process, offline, a real mirror):
 * `deps` lists them, `audit` reports a vulnerable pin at its RUN line in JSON and SARIF, and `fix`
 * says plainly that the Dockerfile's pin is changed by hand (exit 1: still vulnerable), writing
 * nothing into the Dockerfile.
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

  it('fix leaves the Dockerfile pin to the user, saying what to change, writes nothing and exits 1', async () => {
    const dir = writeTree('depwatch-dockerfile-', { Dockerfile: DOCKERFILE });
    const c = cli();
    expect(await c.run('fix', '--offline', '--json', dir)).toBe(1);
    const json = JSON.parse(c.out.stdout);
    expect(json.left_alone).toEqual([
      expect.objectContaining({
        kind: 'unsupported-format',
        package: 'django',
        version: '2.1.5',
        file: 'Dockerfile',
        line: 3,
        reason: expect.stringMatching(/^a pip install in a RUN instruction of Dockerfile is not rewritten by depwatch fix; change django==2\.1\.5 to django==[\d.]+ there by hand$/),
      }),
    ]);
    expect(json.still_vulnerable).toBe(1);
    expect(json.written).toEqual([]);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(DOCKERFILE);
  });

  it('fix still moves the same pin in the requirements file beside it: the image installs on its own', async () => {
    const dir = writeTree('depwatch-dockerfile-', { Dockerfile: DOCKERFILE, 'requirements.txt': 'django==2.1.5\n' });
    const c = cli();
    expect(await c.run('fix', '--offline', '--json', dir)).toBe(1);
    const json = JSON.parse(c.out.stdout);
    expect(json.written).toEqual(['requirements.txt']);
    expect(json.left_alone.map((l: { kind: string; file: string }) => [l.kind, l.file])).toEqual([['unsupported-format', 'Dockerfile']]);
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).toMatch(/^django==(?!2\.1\.5\n)[\d.]+\n$/);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(DOCKERFILE);
  });
});
