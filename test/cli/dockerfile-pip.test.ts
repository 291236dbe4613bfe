/**
 * pip installs in a Dockerfile end to end, through the CLI (in-process, offline, a real mirror):
 * `deps` lists them, `audit` reports a vulnerable pin at the line it is written on in JSON and
 * SARIF, and `fix` rewrites the pin where it is written, reporting that same line, or says plainly
 * that one it cannot find as written (set through ENV) is changed by hand (exit 1: still vulnerable).
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
  it('deps lists them as the dockerfile format, each at the line of its requirement', async () => {
    const c = cli();
    expect(await c.run('deps', '--json', writeTree('depwatch-dockerfile-', { Dockerfile: DOCKERFILE }))).toBe(0);
    const json = JSON.parse(c.out.stdout);
    expect(json.partial).toBe(false);
    expect(json.manifests).toEqual([expect.objectContaining({ path: 'Dockerfile', format: 'dockerfile' })]);
    expect(json.manifests[0].dependencies.map((d: { name: string; specifier: string; line: number }) => [d.name, d.specifier, d.line])).toEqual([
      ['django', '==2.1.5', 4],
      ['requests', '>=2', 5],
    ]);
  });

  it('audit reports the vulnerable pin and the unpinned one in JSON and SARIF', async () => {
    const dir = writeTree('depwatch-dockerfile-', { Dockerfile: DOCKERFILE });
    const c = cli();
    expect(await c.run('audit', '--offline', '--json', '--no-code', dir)).toBe(1);
    const json = JSON.parse(c.out.stdout);
    expect(json.findings).toContainEqual(expect.objectContaining({ kind: 'vulnerability', package: 'django', file: 'Dockerfile', line: 4 }));
    expect(json.findings).toContainEqual(expect.objectContaining({ kind: 'unpinned', package: 'requests', file: 'Dockerfile', line: 5 }));
    const s = cli();
    await s.run('audit', '--offline', '--sarif', '--no-code', dir);
    const sarif = JSON.parse(s.out.stdout);
    const locations = sarif.runs[0].results.map((r: { locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }) => r.locations[0]!.physicalLocation);
    expect(locations).toContainEqual(expect.objectContaining({ artifactLocation: expect.objectContaining({ uri: 'Dockerfile' }), region: expect.objectContaining({ startLine: 4 }) }));
    expect(locations).toContainEqual(expect.objectContaining({ artifactLocation: expect.objectContaining({ uri: 'Dockerfile' }), region: expect.objectContaining({ startLine: 5 }) }));
    expect(locations).not.toContainEqual(expect.objectContaining({ region: expect.objectContaining({ startLine: 3 }) }));
  });

  it('fix rewrites the Dockerfile pin in place, keeping every other character, and exits 0', async () => {
    const dir = writeTree('depwatch-dockerfile-', { Dockerfile: DOCKERFILE });
    const c = cli();
    expect(await c.run('fix', '--offline', '--json', dir)).toBe(0);
    const json = JSON.parse(c.out.stdout);
    expect(json.written).toEqual(['Dockerfile']);
    expect(json.changes).toEqual([expect.objectContaining({ file: 'Dockerfile', line: 4, lines: { first: 4, last: 4 }, package: 'django', from: '==2.1.5' })]);
    const to = json.changes[0].to_version as string;
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(DOCKERFILE.replace('django==2.1.5', `django==${to}`));
  });

  it('deps, audit and fix agree on the line of each pin: continuation lines, ONBUILD RUN, pipx, a bash -c script, a here-document', async () => {
    const rewritable = [
      'FROM python:3.12-slim', // 1
      'RUN pip install \\', // 2
      '    requests==2.19.1 \\', // 3
      '    "django==2.1.5"', // 4
      'ONBUILD RUN pipx install \\', // 5
      '    django==2.1.5', // 6
      '',
    ].join('\n');
    const byHand = [
      'FROM python:3.12-slim', // 1
      'RUN bash -c "pip install django==2.1.5"', // 2
      'RUN <<EOF', // 3
      'set -e', // 4
      'pip install django==2.1.5', // 5
      'EOF', // 6
      '',
    ].join('\n');
    // Each Dockerfile is a project of its own: a pin left to the user in one holds back none of the other.
    const dir = writeTree('depwatch-dockerfile-', { Dockerfile: rewritable, 'worker/Dockerfile': byHand });
    const d = cli();
    expect(await d.run('deps', '--json', dir)).toBe(0);
    const deps = JSON.parse(d.out.stdout).manifests.flatMap((m: { path: string; dependencies: { name: string; line: number }[] }) => m.dependencies.map((x) => [m.path, x.name, x.line]));
    expect(deps).toEqual([
      ['Dockerfile', 'requests', 3],
      ['Dockerfile', 'django', 4],
      ['Dockerfile', 'django', 6],
      ['worker/Dockerfile', 'django', 2],
      ['worker/Dockerfile', 'django', 5],
    ]);
    const a = cli();
    expect(await a.run('audit', '--offline', '--json', '--no-code', dir)).toBe(1);
    // One finding per advisory, at the first place, with every place in its locations.
    const django = JSON.parse(a.out.stdout).findings.find((x: { kind: string; package: string }) => x.kind === 'vulnerability' && x.package === 'django');
    expect([django.file, django.line]).toEqual(['Dockerfile', 4]);
    expect(django.locations.map((l: { file: string; line: number }) => [l.file, l.line])).toEqual([
      ['Dockerfile', 4],
      ['Dockerfile', 6],
      ['worker/Dockerfile', 2],
      ['worker/Dockerfile', 5],
    ]);
    const f = cli();
    expect(await f.run('fix', '--offline', '--json', dir)).toBe(1);
    const fixed = JSON.parse(f.out.stdout);
    expect(fixed.changes.map((c: { file: string; package: string; line: number; lines: { first: number } }) => [c.file, c.package, c.line, c.lines.first])).toEqual([
      ['Dockerfile', 'requests', 3, 3],
      ['Dockerfile', 'django', 4, 4],
      ['Dockerfile', 'django', 6, 6],
    ]);
    // What the rewriter cannot change is left to the user at the line the audit gave.
    expect(fixed.left_alone.map((l: { file: string; package: string; line: number; reason: string }) => [l.file, l.package, l.line, l.reason])).toEqual([
      ['worker/Dockerfile', 'django', 2, expect.stringContaining("a shell's -c script")],
      ['worker/Dockerfile', 'django', 5, expect.stringContaining('in a here-document')],
    ]);
    const to = fixed.changes[1].to_version as string;
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(rewritable.replace('requests==2.19.1', `requests==${fixed.changes[0].to_version}`).replaceAll('django==2.1.5', `django==${to}`));
  });

  it("deps, audit (JSON, SARIF) and fix read uv's tools and commands run as another user at each pin's line; an unknown option makes the audit partial", async () => {
    const text = [
      'FROM python:3.12-slim', // 1
      'RUN uv tool install \\', // 2
      '      --with requests==2.19.1 \\', // 3
      '      django==2.1.5', // 4
      'RUN gosu app pip install \\', // 5
      '      django==2.1.5', // 6
      'RUN uv run --with=django==2.1.5 python -c pass', // 7
      '',
    ].join('\n');
    // Each its own project: pins left to the user hold back none of the other files'; uv's name@version is rewritten after its @.
    const byHand = ['FROM python:3.12-slim', "RUN su app -c 'pip install django==2.1.5'", ''].join('\n');
    const tool = ['FROM python:3.12-slim', 'RUN uvx django@2.1.5 check', ''].join('\n');
    const dir = writeTree('depwatch-dockerfile-', { Dockerfile: text, 'worker/Dockerfile': byHand, 'tools/Dockerfile': tool });
    const d = cli();
    expect(await d.run('deps', '--json', dir)).toBe(0);
    const deps = JSON.parse(d.out.stdout);
    expect(deps.partial).toBe(false);
    const listed = deps.manifests.flatMap((m: { path: string; dependencies: { name: string; specifier: string; line: number }[] }) => m.dependencies.map((x) => [m.path, x.name, x.specifier, x.line]));
    expect(listed).toEqual([
      ['Dockerfile', 'django', '==2.1.5', 4],
      ['Dockerfile', 'requests', '==2.19.1', 3],
      ['Dockerfile', 'django', '==2.1.5', 6],
      ['Dockerfile', 'django', '==2.1.5', 7],
      ['tools/Dockerfile', 'django', '==2.1.5', 2],
      ['worker/Dockerfile', 'django', '==2.1.5', 2],
    ]);
    const a = cli();
    expect(await a.run('audit', '--offline', '--json', '--no-code', dir)).toBe(1);
    const django = JSON.parse(a.out.stdout).findings.find((x: { kind: string; package: string }) => x.kind === 'vulnerability' && x.package === 'django');
    expect(django.locations.map((l: { file: string; line: number }) => [l.file, l.line])).toEqual([
      ['Dockerfile', 4],
      ['Dockerfile', 6],
      ['Dockerfile', 7],
      ['tools/Dockerfile', 2],
      ['worker/Dockerfile', 2],
    ]);
    const s = cli();
    await s.run('audit', '--offline', '--sarif', '--no-code', dir);
    const lines = JSON.parse(s.out.stdout).runs[0].results.map((r: { locations: { physicalLocation: { region?: { startLine: number } } }[] }) => r.locations[0]!.physicalLocation.region?.startLine);
    expect(lines).toContain(4);
    expect(lines).toContain(3);
    const f = cli();
    expect(await f.run('fix', '--offline', '--json', dir)).toBe(1);
    const fixed = JSON.parse(f.out.stdout);
    // In the order the parser read them: the tool, then what --with installs beside it.
    expect(fixed.changes.map((c: { package: string; line: number }) => [c.package, c.line])).toEqual([
      ['django', 4],
      ['requests', 3],
      ['django', 6],
      ['django', 7],
      ['django', 2],
    ]);
    expect(fixed.changes[4]).toEqual(expect.objectContaining({ file: 'tools/Dockerfile', from: '@2.1.5', to: `@${fixed.changes[4].to_version}` }));
    expect(readFileSync(join(dir, 'tools/Dockerfile'), 'utf8')).toBe(tool.replace('django@2.1.5', `django@${fixed.changes[4].to_version}`));
    expect(fixed.left_alone.map((l: { file: string; package: string; line: number; reason: string }) => [l.file, l.package, l.line, l.reason])).toEqual([
      ['worker/Dockerfile', 'django', 2, expect.stringContaining("a shell's -c script")],
    ]);

    const unknown = writeTree('depwatch-dockerfile-', { Dockerfile: 'FROM python:3.12\nRUN pip install --new-flag django==2.1.5 attrs==23.1.0\n' });
    const p = cli();
    expect(await p.run('audit', '--offline', '--json', '--no-code', unknown)).toBe(2);
    const partial = JSON.parse(p.out.stdout);
    expect(partial.partial).toBe(true);
    expect(JSON.stringify(partial.partial_reasons)).toContain('--new-flag is not an option Depwatch knows pip to have');
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
