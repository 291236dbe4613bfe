/**
 * `depwatch audit DIR` scans code and configuration too: code findings appear beside dependency
 * findings in text, JSON, Markdown and SARIF; a secret is shown by kind and fingerprint, never by
 * value; a file the scan could not check makes the result partial; `--no-code` skips the scan.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

// Built at run time so this file itself does not read as a leaked token.
const TOKEN = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';

let dataDir: string;

const cli = (cwd: string, env: Record<string, string> = {}) =>
  inProcessCli({ cwd, env: { DEPWATCH_DB: join(dataDir, 'depwatch.db'), ...UNREACHABLE_SERVICES, ...env } });

const project = (files: Record<string, string | Buffer>) => writeTree('depwatch-audit-code-', files);

async function audit(dir: string, ...flags: string[]) {
  const c = cli(dir);
  const code = await c.run('audit', '--offline', ...flags, '.');
  return { code, stdout: c.out.stdout, stderr: c.out.stderr };
}

/** A small web app with one vulnerable pin and one of each kind of code finding. */
const RISKY = {
  'requirements.txt': 'urllib3==1.24.1\n',
  'app/views.py': 'def search(request):\n    return eval(request.GET["q"])\n',
  'app/settings.py': `GITHUB_TOKEN = "${TOKEN}"\n`,
  '.env': 'DEBUG=1\n',
  '.gitignore': '*.pyc\n',
  Dockerfile: 'FROM python:3.12-slim@sha256:' + 'a'.repeat(64) + '\nRUN pip install -r requirements.txt\n',
};

/** The traps bandit-like scanners fall into; none of them is a finding. */
const SAFE = {
  'requirements.txt': 'attrs==23.1.0\n',
  '.gitignore': '.env\n*.env\nconfig/secret*.py\n',
  'tests/test_math.py': 'def test_sum():\n    assert eval("1+1") == 2\n',
  'app/load.py': [
    'import subprocess',
    'import yaml',
    'import defusedxml.ElementTree as ET',
    '',
    'API_KEY = "changeme"',
    '',
    'def read(f, cursor, user_id):',
    '    data = yaml.load(f, Loader=yaml.SafeLoader)',
    '    subprocess.run(["ls", "-l"], check=True)',
    '    cursor.execute("SELECT * FROM users WHERE id = %s", (user_id,))',
    '    return data, ET.parse("feed.xml")',
    '',
  ].join('\n'),
};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'depwatch-audit-code-db-'));
  expect(await cli(dataDir).run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});

describe('depwatch audit of a directory reports code findings beside dependency findings', () => {
  it('text: vulnerable packages, then code and configuration with file:line:column, rule and fix; the secret by kind and fingerprint', async () => {
    const { code, stdout } = await audit(project(RISKY));
    expect(code).toBe(1);
    expect(stdout).toContain('VULNERABLE PACKAGES');
    expect(stdout).toMatch(/CODE AND CONFIGURATION \(\d+\)/);
    expect(stdout).toMatch(/app\/views\.py:2:\d+ {2}py-eval-exec \(\w+ confidence\)/);
    expect(stdout).toMatch(/GitHub token, fingerprint [0-9a-f]{16}/);
    expect(stdout).toContain('file-env-committed');
    expect(stdout).toContain('docker-root-user');
    expect(stdout).toMatch(/^\.: 1 dependency, .*, \d+ code findings \(\d+ critical/m);
    expect(stdout).not.toContain(TOKEN);
  });

  it('JSON: `code.findings` with kind, rule, file, line, column, severity and confidence, next to the vulnerable packages', async () => {
    const { stdout } = await audit(project(RISKY), '--json');
    expect(stdout).not.toContain(TOKEN);
    const json = JSON.parse(stdout);
    expect(json.vulnerable_packages.map((p: { package: string }) => p.package)).toContain('urllib3');
    const kinds = new Set(json.code.findings.map((f: { kind: string }) => f.kind));
    expect(kinds).toEqual(new Set(['code', 'secret', 'file', 'runtime']));
    expect(json.code.findings.find((f: { rule: string }) => f.rule === 'py-eval-exec')).toMatchObject({
      kind: 'code',
      file: 'app/views.py',
      line: 2,
      column: expect.any(Number),
      severity: expect.stringMatching(/^(critical|high)$/),
      confidence: expect.stringMatching(/^(high|medium|low)$/),
      fix: expect.any(String),
    });
    expect(json.code.findings.find((f: { kind: string }) => f.kind === 'secret').secret).toEqual({ kind: 'GitHub token', fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(json.code.fingerprint_scope).toBe('run');
    expect(json.partial).toBe(false);
  });

  it('Markdown: a code and configuration table', async () => {
    const { stdout } = await audit(project(RISKY), '--markdown');
    expect(stdout).toContain('### Vulnerable packages');
    expect(stdout).toMatch(/### Code and configuration \(\d+\)/);
    expect(stdout).toMatch(/\| 🔴 Critical \(\w+ confidence\) \| `py-eval-exec` [^|]+\| `app\/views\.py:2` col \d+ \|/);
    expect(stdout).not.toContain(TOKEN);
  });

  it('SARIF: each scan rule once with its help, results with line and column, a file-level finding without a region', async () => {
    const { stdout } = await audit(project(RISKY), '--sarif');
    expect(stdout).not.toContain(TOKEN);
    const run = JSON.parse(stdout).runs[0];
    const rule = run.tool.driver.rules.find((r: { id: string }) => r.id === 'py-eval-exec');
    expect(rule).toMatchObject({ shortDescription: { text: expect.any(String) }, help: { text: expect.stringMatching(/^.{40,}$/), markdown: expect.any(String) }, properties: { 'security-severity': expect.any(String), precision: expect.any(String) } });
    const evalResult = run.results.find((r: { ruleId: string }) => r.ruleId === 'py-eval-exec');
    expect(evalResult.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'app/views.py', uriBaseId: '%SRCROOT%' }, region: { startLine: 2, startColumn: expect.any(Number) } });
    const envResult = run.results.find((r: { ruleId: string }) => r.ruleId === 'file-env-committed');
    expect(envResult.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: '.env', uriBaseId: '%SRCROOT%' } });
    expect(run.results.some((r: { ruleId: string }) => r.ruleId.startsWith('GHSA-') || r.ruleId.startsWith('PYSEC-'))).toBe(true);
    expect(run.invocations[0].executionSuccessful).toBe(true);
  });

  it('SARIF: a secret has a stable partial fingerprint only with DEPWATCH_FINGERPRINT_KEY; without it none, and the run says why', async () => {
    const dir = project(RISKY);
    const secretOf = (stdout: string) => JSON.parse(stdout).runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'secret-github-token');
    const runs = [await audit(dir, '--sarif'), await audit(dir, '--sarif')];
    for (const { stdout } of runs) {
      expect(secretOf(stdout).partialFingerprints).toBeUndefined();
      expect(JSON.parse(stdout).runs[0].properties).toMatchObject({ fingerprintScope: 'run', fingerprintNote: expect.stringContaining('DEPWATCH_FINGERPRINT_KEY') });
      // Nothing taken from the token's text in clear, anywhere in the SARIF.
      for (let i = 0; i + 8 <= TOKEN.length; i++) expect(stdout).not.toContain(TOKEN.slice(i, i + 8));
    }
    const keyed = async () => {
      const c = cli(dir, { DEPWATCH_FINGERPRINT_KEY: 'k'.repeat(40) });
      await c.run('audit', '--offline', '--sarif', '.');
      return c.out.stdout;
    };
    const [first, second] = [await keyed(), await keyed()];
    expect(secretOf(first).partialFingerprints.depwatchCode).toMatch(/^secret-github-token\|app\/settings\.py\|[0-9a-f]{16}$/);
    expect(secretOf(second).partialFingerprints).toEqual(secretOf(first).partialFingerprints);
    expect(JSON.parse(first).runs[0].properties).toEqual({ fingerprintScope: 'installation' });
  });

  it('an invalid .depwatch.yml, read by the audit and the scan alike, is noted once in every format', async () => {
    const dir = project({ 'requirements.txt': 'attrs==23.1.0\n', '.depwatch.yml': 'ignore: [[[\n  - x: {\n' });
    const note = /\.depwatch\.yml: not valid YAML/g;
    expect((await audit(dir)).stdout.match(note)).toHaveLength(1);
    expect((await audit(dir, '--markdown')).stdout.match(note)).toHaveLength(1);
    const json = JSON.parse((await audit(dir, '--json')).stdout);
    expect(JSON.stringify([json.notes, json.code.notes]).match(note)).toHaveLength(1);
    expect(json.notes).toEqual([{ kind: 'invalid', message: expect.stringMatching(note) }]);
    // Alone, the scan still says it.
    const scan = cli(dir);
    await scan.run('scan', '.');
    expect(scan.out.stdout.match(note)).toHaveLength(1);
  });

  it('--no-code audits the dependencies only', async () => {
    const dir = project(RISKY);
    const json = JSON.parse((await audit(dir, '--json', '--no-code')).stdout);
    expect(json.code).toBeNull();
    const text = (await audit(dir, '--no-code')).stdout;
    expect(text).not.toContain('CODE AND CONFIGURATION');
    expect(text).not.toContain('code finding');
  });

  it('stays quiet on the false-positive traps: a literal eval in a test, SafeLoader, a shell-less list, parameterised SQL, defusedxml, a placeholder key', async () => {
    const { code, stdout } = await audit(project(SAFE), '--json');
    const json = JSON.parse(stdout);
    expect(json.code.findings).toEqual([]);
    expect(code).toBe(0);
  });
});

describe('code findings and the gate', () => {
  // yaml.load without a safe loader: a high finding, and nothing else in the tree.
  const onlyCode = { 'requirements.txt': 'attrs==23.1.0\n', '.gitignore': '.env\n*.env\nconfig/secret*.py\n', 'app/load.py': 'import yaml\n\ndef load(f):\n    return yaml.load(f)\n' };

  it('fails by default on a code finding at high or above, even with no vulnerability', async () => {
    expect((await audit(project(onlyCode))).code).toBe(1);
  });

  it('applies --fail-on to code findings as to dependency findings', async () => {
    const dir = project(onlyCode);
    expect((await audit(dir, '--fail-on', 'critical')).code).toBe(0);
    expect((await audit(dir, '--fail-on', 'medium')).code).toBe(1);
    expect((await audit(dir, '--fail-on', 'never')).code).toBe(0);
  });

  it('a Python file the scan cannot read makes the audit partial: exit 2, a reason in JSON, SARIF and text', async () => {
    const dir = project({ 'requirements.txt': 'attrs==23.1.0\n', '.gitignore': '.env\n*.env\nconfig/secret*.py\n', 'legacy.py': Buffer.from('print("caf\xe9")\n', 'latin1') });
    const json = await audit(dir, '--json');
    expect(json.code).toBe(2);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.partial).toBe(true);
    expect(parsed.partial_reasons).toEqual([expect.objectContaining({ kind: 'unscanned', file: 'legacy.py', message: expect.stringContaining('not UTF-8') })]);
    expect(JSON.parse((await audit(dir, '--sarif')).stdout).runs[0].invocations[0].executionSuccessful).toBe(false);
    const text = await audit(dir);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/PARTIAL RESULT[\s\S]*legacy\.py: not UTF-8/);
  });

  it('a symbolic link leading out of the tree is said once in text and Markdown: the audit\'s problem, not also the scan\'s note', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'depwatch-audit-code-outside-'));
    mkdirSync(join(outside, 'vendor'));
    writeFileSync(join(outside, 'vendor', 'requirements.txt'), 'django==2.1.5\n');
    writeFileSync(join(outside, 'requirements.txt'), 'django==2.1.5\n');
    const dir = project({ 'requirements.txt': 'attrs==23.1.0\n', '.gitignore': '.env\n*.env\nconfig/secret*.py\n' });
    symlinkSync(join(outside, 'vendor'), join(dir, 'vendor')); // a linked folder leading out
    symlinkSync(join(outside, 'requirements.txt'), join(dir, 'requirements-dev.txt')); // a linked manifest leading out
    const text = await audit(dir);
    expect(text.code).toBe(2);
    for (const link of ['vendor', 'requirements-dev.txt']) {
      expect(text.stdout).toContain(`problem: ${link}: ${link} is a symbolic link that leads outside the scanned folder; not followed`);
      expect(text.stdout).toContain(`  - ${link} not read completely: ${link} is a symbolic link that leads outside the scanned folder; not followed`);
      expect(text.stdout).not.toContain(`note: ${link}: symbolic link, not followed`);
    }
    const markdown = await audit(dir, '--markdown');
    expect(markdown.stdout).toContain('- problem in `vendor`:');
    expect(markdown.stdout).not.toContain('vendor: symbolic link, not followed');
    // JSON keeps each part's own record: the audit's problem and partial reason once each, and the scan's list of what it passed over.
    const json = JSON.parse((await audit(dir, '--json')).stdout);
    expect(json.partial_reasons.map((r: { file: string }) => r.file)).toEqual(['vendor', 'requirements-dev.txt']);
    expect(json.code.skipped).toEqual([
      expect.objectContaining({ path: 'requirements-dev.txt', reason: 'symlink', partial: false }),
      expect.objectContaining({ path: 'vendor', reason: 'symlink', partial: false }),
    ]);
  });

  it('a symbolic link the audit did not report keeps the scan\'s note', async () => {
    const dir = project({ 'requirements.txt': 'attrs==23.1.0\n', '.gitignore': '.env\n*.env\nconfig/secret*.py\n', 'docs/readme.txt': 'hello\n' });
    symlinkSync('docs/readme.txt', join(dir, 'README.txt')); // inside the tree, not a manifest
    const { code, stdout } = await audit(dir);
    expect(code).toBe(0);
    expect(stdout).toContain('note: README.txt: symbolic link, not followed');
  });

  it('a compose file that is not valid YAML makes the audit partial (exit 2), with one reason naming it in JSON, SARIF and text; a Helm template does not', async () => {
    const dir = project({
      'requirements.txt': 'attrs==23.1.0\n',
      '.gitignore': '.env\n*.env\nconfig/secret*.py\n',
      'compose.yaml': 'services:\n  web:\n    image: ghcr.io/acme/web:1.4.2\n    privileged: true\n    command: [python, app.py\n',
    });
    const json = await audit(dir, '--json');
    expect(json.code).toBe(2);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.partial).toBe(true);
    expect(parsed.partial_reasons).toEqual([{ kind: 'unscanned', file: 'compose.yaml', line: null, message: expect.stringMatching(/^compose\.yaml: not valid YAML \(.+\); runtime rules not applied to it$/) }]);
    const sarif = JSON.parse((await audit(dir, '--sarif')).stdout).runs[0].invocations[0];
    expect(sarif.executionSuccessful).toBe(false);
    // Then the notes of an offline audit (the mirror's age, PyPI not asked), which are no partial reasons.
    expect(sarif.toolExecutionNotifications.map((n: { descriptor: { id: string } }) => n.descriptor.id)).toEqual(['depwatch/partial/unscanned', 'depwatch/notice', 'depwatch/notice']);
    const text = await audit(dir);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/PARTIAL RESULT[^\n]*\n {2}- compose\.yaml: not valid YAML/);

    const chart = project({
      'requirements.txt': 'attrs==23.1.0\n',
      '.gitignore': '.env\n*.env\nconfig/secret*.py\n',
      'chart/templates/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {{ .Values.replicas }}\n  {{- with .Values.x }}\n',
    });
    const helm = await audit(chart, '--json');
    expect(helm.code).toBe(0);
    expect(JSON.parse(helm.stdout).partial).toBe(false);
  });

  it('a file with more findings than it may list keeps its worst for the gate and makes the audit partial: a reason in JSON and SARIF', async () => {
    const flood = ['from flask import request', 'import requests', ...Array.from({ length: 201 }, () => 'requests.get(url)'), 'eval(request.args["q"])', ''].join('\n');
    const dir = project({ 'requirements.txt': 'attrs==23.1.0\n', '.gitignore': '.env\n*.env\nconfig/secret*.py\n', 'app/fetch.py': flood });
    const json = await audit(dir, '--json');
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.code.findings[0]).toMatchObject({ rule: 'py-eval-exec', line: 204 });
    expect(parsed.partial).toBe(true);
    expect(parsed.partial_reasons).toEqual([{ kind: 'unscanned', file: 'app/fetch.py', line: null, message: expect.stringContaining('the 200 worst are listed, 2 are not (2 medium)') }]);
    const sarif = JSON.parse((await audit(dir, '--sarif')).stdout).runs[0].invocations[0];
    expect(sarif.executionSuccessful).toBe(false);
    // Then the notes of an offline audit (the mirror's age, PyPI not asked), which are no partial reasons.
    expect(sarif.toolExecutionNotifications.map((n: { descriptor: { id: string } }) => n.descriptor.id)).toEqual(['depwatch/partial/unscanned', 'depwatch/notice', 'depwatch/notice']);
  });
});

describe('SARIF of a directory says where its paths start', () => {
  const uriOf = (run: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: object } }[] }[] }, ruleId: RegExp) =>
    run.results.find((r) => ruleId.test(r.ruleId))!.locations[0]!.physicalLocation.artifactLocation;

  it('inside a git work tree: paths from the work tree root, so GitHub code scanning finds the file in a monorepo', async () => {
    const root = project({ '.git/HEAD': 'ref: refs/heads/main\n', 'svc dir/vuln/requirements.txt': 'urllib3==1.24.1\n', 'svc dir/vuln/app/views.py': RISKY['app/views.py'] });
    const c = cli(root);
    await c.run('audit', '--offline', '--sarif', 'svc dir/vuln');
    const run = JSON.parse(c.out.stdout).runs[0];
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: pathToFileURL(root).href + '/' } });
    expect(uriOf(run, /^(GHSA|PYSEC)-/)).toEqual({ uri: 'svc%20dir/vuln/requirements.txt', uriBaseId: '%SRCROOT%' });
    expect(uriOf(run, /^py-eval-exec$/)).toEqual({ uri: 'svc%20dir/vuln/app/views.py', uriBaseId: '%SRCROOT%' });
  });

  it('a linked work tree (a .git file) counts as one; audited at its root, no prefix', async () => {
    const root = project({ '.git': 'gitdir: /elsewhere/.git/worktrees/x\n', 'requirements.txt': 'urllib3==1.24.1\n' });
    const run = JSON.parse((await audit(root, '--sarif', '--no-code')).stdout).runs[0];
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: pathToFileURL(root).href + '/' } });
    expect(uriOf(run, /^(GHSA|PYSEC)-/)).toEqual({ uri: 'requirements.txt', uriBaseId: '%SRCROOT%' });
  });

  it('outside any work tree: paths from the audited folder, which is the base', async () => {
    const root = project({ 'a b/requirements.txt': 'urllib3==1.24.1\n' });
    const c = cli(root);
    await c.run('audit', '--offline', '--sarif', '--no-code', 'a b');
    const run = JSON.parse(c.out.stdout).runs[0];
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: pathToFileURL(join(root, 'a b')).href + '/' } });
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toContain('/a%20b/');
    expect(uriOf(run, /^(GHSA|PYSEC)-/)).toEqual({ uri: 'requirements.txt', uriBaseId: '%SRCROOT%' });
  });
});
