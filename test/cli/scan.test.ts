/** `depwatch scan DIR` as CI runs it: the contract JSON, text output, exit status 0 / 1 / 2. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import type { CliIO } from '../../src/cli/io.js';
import { partialCauses, scanText } from '../../src/cli/scan.js';
import type { ScanResult } from '../../src/scan/types.js';
import { writeTree } from '../helpers/cli-in-process.js';

const TOKEN = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';

const tree = (files: Record<string, string>) => writeTree('depwatch-scan-cli-', files);

async function scan(root: string, args: string[] = [], env: Record<string, string> = {}) {
  const out = { stdout: '', stderr: '' };
  const io: CliIO = { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), isTTY: false, cwd: root, env };
  const code = await runCli(['scan', ...args, '.'], io);
  return { code, ...out };
}

const CLEAN = { '.gitignore': '.env\n*.env\n', 'app/main.py': 'import subprocess\nsubprocess.run(["ls", "-l"], check=True)\n' };

describe('depwatch scan', () => {
  it('prints the contract JSON: kind, rule, file, line, column, severity, confidence, message, fix; never a secret', async () => {
    const root = tree({ ...CLEAN, 'app/main.py': `import yaml\n\ndef load(f):\n    return yaml.load(f)\n\nGITHUB_TOKEN = "${TOKEN}"\n`, Dockerfile: 'FROM python:3.12-slim\nUSER app\n', '.env.local': 'DATABASE_URL=postgres://db.internal/app\n' });
    // (`.env.local`: CLEAN's .gitignore has `.env` and `*.env`, so git would commit this one, not a `.env`.)
    const { code, stdout } = await scan(root, ['--json']);
    expect(code).toBe(1);
    expect(stdout).not.toContain(TOKEN);
    const json = JSON.parse(stdout);
    expect(json.findings.map((f: { kind: string; rule: string }) => `${f.kind}/${f.rule}`)).toEqual(['secret/secret-github-token', 'file/file-env-committed', 'code/py-yaml-load']);
    expect(json.findings[2]).toEqual({
      kind: 'code',
      rule: 'py-yaml-load',
      severity: 'high',
      confidence: 'high',
      file: 'app/main.py',
      line: 4,
      column: 12,
      message: expect.stringContaining('yaml.load()'),
      fix: expect.stringContaining('safe_load'),
    });
    expect(json.findings[0].secret).toEqual({ kind: 'GitHub token', fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(json).toMatchObject({ target: '.', partial: false, skipped: [], fingerprint_scope: 'run', stats: { files: 4, python_files: 1 } });
  });

  it('fingerprints compare across runs with DEPWATCH_FINGERPRINT_KEY, and differ per run without it', async () => {
    const root = tree({ ...CLEAN, 'ci.yml': `token: ${TOKEN}\n` });
    const key = { DEPWATCH_FINGERPRINT_KEY: 'k'.repeat(64) };
    const fp = async (env = {}) => JSON.parse((await scan(root, ['--json'], env)).stdout).findings[0].secret.fingerprint as string;
    expect(await fp(key)).toBe(await fp(key));
    expect(await fp()).not.toBe(await fp());
  });

  it('exit 0 when nothing is at or above --fail-on (default high), 1 when something is', async () => {
    const root = tree({ ...CLEAN, 'app/net.py': 'import requests\nrequests.get("https://example.com")\n' });
    expect((await scan(root)).code).toBe(0); // a medium finding only
    expect((await scan(root, ['--fail-on', 'medium'])).code).toBe(1);
    expect((await scan(tree(CLEAN))).code).toBe(0);
  });

  it('a file not scanned makes the result partial: exit 2, unless findings already give 1', async () => {
    const big = 'x = 1\n'.repeat(1_000_000); // 6 MB, over the 5 MiB limit
    const partial = await scan(tree({ ...CLEAN, 'app/generated.py': big }));
    expect(partial.code).toBe(2);
    expect(partial.stdout).toContain('app/generated.py: 5.7 MB, over the 5.0 MB limit; not scanned');
    expect(partial.stderr).toBe('depwatch scan: PARTIAL: 1 file not scanned; see the lists above\n');
    expect(partial.stdout).toMatch(/\. PARTIAL: 1 file not scanned \(see above\)\.\n$/);
    const both = await scan(tree({ ...CLEAN, 'app/generated.py': big, 'app/run.py': 'import os\nos.system(input())\n' }), ['--json']);
    expect(both.code).toBe(1);
    expect(JSON.parse(both.stdout).partial).toBe(true);
  });

  it('more findings in one file than it may list: the worst are kept for the gate, and the rest make the scan partial', async () => {
    const flood = ['from flask import request', 'import requests', ...Array.from({ length: 201 }, () => 'requests.get(url)')];
    const withEval = await scan(tree({ ...CLEAN, 'app/fetch.py': [...flood, 'eval(request.args["q"])', ''].join('\n') }), ['--json']);
    expect(withEval.code).toBe(1);
    const json = JSON.parse(withEval.stdout);
    expect(json.findings[0]).toMatchObject({ rule: 'py-eval-exec', file: 'app/fetch.py', line: 204 });
    expect(json.partial).toBe(true);
    expect(withEval.stderr).toBe('depwatch scan: PARTIAL: 1 file with more findings than it lists; see "notes"\n');
    // Only medium findings, under the default threshold: what was not listed still keeps the gate from passing.
    const mediumOnly = await scan(tree({ ...CLEAN, 'app/fetch.py': [...flood, ''].join('\n') }));
    expect(mediumOnly.code).toBe(2);
    expect(mediumOnly.stdout).toContain('app/fetch.py: 201 findings, over the limit of 200 per file: the 200 worst are listed, 1 is not (1 medium)');
  });

  it('says what made the scan partial, from its reasons: a Dockerfile read only in part is not "0 files not scanned"', async () => {
    const root = tree({ ...CLEAN, Dockerfile: 'FROM python:3.12-slim@sha256:' + 'a'.repeat(64) + '\nRUN cat <<EOF > /etc/motd\nhello\nUSER app\n' });
    const text = await scan(root);
    expect(text.code).toBe(2);
    expect(text.stderr).toBe('depwatch scan: PARTIAL: 1 file checked only in part; see the lists above\n');
    expect(text.stdout).toContain('Dockerfile: line 2: the here-document <<EOF is never closed');
    expect(text.stdout).toMatch(/\. PARTIAL: 1 file checked only in part \(see above\)\.\n$/);
    expect((await scan(root, ['--json'])).stderr).toBe('depwatch scan: PARTIAL: 1 file checked only in part; see "notes"\n');
  });

  it('a Kubernetes manifest that is not valid YAML (and no template) makes the scan partial: exit 2, one file checked only in part', async () => {
    const root = tree({ ...CLEAN, 'k8s/api.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: "acme/api:2.0\n' });
    const json = await scan(root, ['--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).partial).toBe(true);
    expect(json.stderr).toBe('depwatch scan: PARTIAL: 1 file checked only in part; see "notes"\n');
    expect((await scan(root)).stdout).toContain('k8s/api.yaml: not valid YAML (Missing closing "quote at line 11, column 1); runtime rules not applied to it');
  });

  it('counts the files scanned, not the files listed: two over the size limit are "0 of 2 files scanned", in text and JSON', async () => {
    const big = 'x = 1\n'.repeat(900_000); // 5.4 MB, over the 5 MB limit
    const root = tree({ 'big.py': big, 'big.txt': big });
    const text = await scan(root);
    expect(text.stdout).toMatch(/; 0 of 2 files scanned \(0 Python; 2 not scanned\)\. PARTIAL: 2 files not scanned \(see above\)\.\n$/);
    const json = JSON.parse((await scan(root, ['--json'])).stdout) as { stats: Record<string, number> };
    expect(json.stats).toMatchObject({ files: 2, scanned_files: 0, not_scanned_files: 2, text_files: 0, python_files: 0 });
  });

  it('a binary file listed is not scanned either, and the summary says how many were binary', () => {
    const result: ScanResult = { findings: [], ignored: [], skipped: [], notes: [], stats: { files: 3, textFiles: 2, pythonFiles: 1, binaryFiles: 1, bytes: 10 }, fingerprintScope: 'run', rules: [], partial: false };
    expect(scanText(result, false)).toMatch(/\n0 findings; 2 of 3 files scanned \(1 Python; 1 not scanned, 1 of them binary\)\.\n$/);
  });

  it('a rule that failed is counted as such in the summary', () => {
    const result: ScanResult = {
      findings: [],
      ignored: [],
      skipped: [{ path: 'big.py', reason: 'too-large', partial: true, message: 'big.py: 6.0 MB, over the 5.0 MB limit; not scanned' }],
      notes: [
        { kind: 'error', message: 'app/a.py: rule py-eval-exec: boom' },
        { kind: 'error', message: 'app/b.py: rule py-eval-exec: boom' },
      ],
      stats: { files: 3, textFiles: 2, pythonFiles: 2, binaryFiles: 0, bytes: 10 },
      fingerprintScope: 'run',
      rules: [],
      partial: true,
    };
    expect(partialCauses(result)).toBe('1 file not scanned, 2 rules failed');
    expect(scanText(result, false)).toMatch(/\. PARTIAL: 1 file not scanned, 2 rules failed \(see above\)\.\n$/);
  });

  it('a folder that could not be listed is counted as a folder, so the partial line agrees with not_scanned_files (files only)', () => {
    const result: ScanResult = {
      findings: [],
      ignored: [],
      skipped: [
        { path: 'private', reason: 'unreadable', partial: true, message: 'private: folder could not be listed (EACCES: permission denied); nothing in it was scanned', unlistedBecause: 'EACCES: permission denied' },
        { path: 'secret.txt', reason: 'unreadable', partial: true, message: 'secret.txt: could not be read (EACCES: permission denied)' },
      ],
      notes: [],
      stats: { files: 2, textFiles: 1, pythonFiles: 0, binaryFiles: 0, bytes: 10 },
      fingerprintScope: 'run',
      rules: [],
      partial: true,
    };
    expect(partialCauses(result)).toBe('1 folder not listed, 1 file not scanned');
  });

  it('text output: one block per finding with where, why and fix; ignored ones on request', async () => {
    const root = tree({ ...CLEAN, 'app/run.py': 'import os\nos.system(input())\nos.system(input())  # nosec\n' });
    const { stdout } = await scan(root, ['--show-ignored']);
    expect(stdout).toContain('CRITICAL app/run.py:2:1  py-os-system (high confidence)');
    expect(stdout).toContain('fix: Use subprocess.run');
    expect(stdout).toContain('ignored by inline: # nosec on line 3');
    expect(stdout).toMatch(/\n1 finding \(1 critical\), 1 ignored; 3 files scanned \(2 Python\)\.\n$/);
  });

  it('notes a .depwatch.yml ignore whose id names no scan rule (a typo, a bandit id, a wildcard): it ignores nothing, and says so', async () => {
    const settings = [
      'ignore:',
      '  - id: py-eval-exce',
      '    reason: typo',
      '  - id: B307',
      '    reason: a bandit id',
      '  - id: "*"',
      '    reason: everything',
      '  - id: GHSA-xxxx-yyyy-zzzz',
      '    reason: an advisory, for depwatch audit',
      '  - id: py-eval-exec',
      '    path: legacy/',
      '    reason: old code',
    ].join('\n');
    const root = tree({ ...CLEAN, '.depwatch.yml': settings + '\n', 'app/run.py': 'def f(q):\n    return eval(q)\n' });
    const { code, stdout } = await scan(root, ['--json']);
    expect(code).toBe(1); // eval still reported: nothing was ignored
    const notes = JSON.parse(stdout).notes as { kind: string; message: string }[];
    expect(notes.filter((n) => n.kind === 'invalid').map((n) => n.message)).toEqual([
      expect.stringMatching(/^ignore of py-eval-exce in \.depwatch\.yml.* names no rule of depwatch scan \(a rule id such as py-eval-exec.*; it ignores nothing$/),
      expect.stringMatching(/^ignore of B307 in \.depwatch\.yml.* names no rule of depwatch scan \(a bandit test id: those apply in `# nosec` comments/),
      expect.stringMatching(/^ignore of \* in \.depwatch\.yml.* names no rule of depwatch scan/),
    ]);
    // The advisory is the audit's to apply; the real rule id with a path that matches nothing is stale, as before.
    expect(notes.map((n) => n.kind)).not.toContain('error');
    expect(notes.filter((n) => n.kind === 'stale').map((n) => n.message)).toEqual(['ignore of py-eval-exec (path legacy/) in .depwatch.yml matches nothing; remove it']);
    expect(JSON.parse(stdout).partial).toBe(false);
  });

  it('usage errors exit 2 with one line', async () => {
    const out = { stdout: '', stderr: '' };
    const io: CliIO = { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), isTTY: false, cwd: tmpdir(), env: {} };
    expect(await runCli(['scan', 'no/such/dir'], io)).toBe(2);
    expect(out.stderr).toBe('depwatch scan: no/such/dir: no such directory\n');
    const file = join(mkdtempSync(join(tmpdir(), 'depwatch-scan-file-')), 'app.py');
    writeFileSync(file, 'print(1)\n');
    out.stderr = '';
    expect(await runCli(['scan', file], io)).toBe(2);
    expect(out.stderr).toBe(`depwatch scan: ${file}: not a directory\n`);
  });
});

describe('depwatch scan --sarif: a secrets gate for any repository, Python or not', () => {
  type Run = {
    tool: { driver: { name: string; rules: { id: string }[] } };
    invocations: { executionSuccessful: boolean; toolExecutionNotifications: { level: string; descriptor: { id: string }; message: { text: string } }[] }[];
    results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[]; partialFingerprints?: { depwatchCode: string } }[];
    properties: Record<string, unknown>;
  };
  const sarifOf = (stdout: string): Run => {
    const sarif = JSON.parse(stdout);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
    return sarif.runs[0];
  };

  it('a JavaScript repository (no Python manifest) with a token: the SARIF the audit writes, the secret by kind and fingerprint, exit 1', async () => {
    const root = tree({ '.gitignore': '.env\n*.env\n', 'package.json': '{"name": "web"}\n', 'src/index.js': `const t = "${TOKEN}";\n` });
    const { code, stdout, stderr } = await scan(root, ['--sarif'], { DEPWATCH_FINGERPRINT_KEY: 'k'.repeat(64) });
    expect(code).toBe(1);
    expect(stderr).toBe('');
    expect(stdout).not.toContain(TOKEN);
    const run = sarifOf(stdout);
    expect(run.tool.driver.name).toBe('depwatch');
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(['secret-github-token']);
    expect(run.results.map((r) => [r.ruleId, r.level, r.locations[0]!.physicalLocation.artifactLocation])).toEqual([['secret-github-token', 'error', { uri: 'src/index.js', uriBaseId: '%SRCROOT%' }]]);
    expect(run.results[0]!.partialFingerprints!.depwatchCode).toMatch(/^secret-github-token\|src\/index\.js\|[0-9a-f]{16}$/);
    expect(run.properties).toEqual({ fingerprintScope: 'installation' });
    expect(run.invocations[0]).toEqual({ executionSuccessful: true, toolExecutionNotifications: [] });
  });

  it('a clean tree: no results, a successful run, exit 0; --fail-on as for text and JSON', async () => {
    const clean = await scan(tree(CLEAN), ['--sarif']);
    expect(clean.code).toBe(0);
    expect(sarifOf(clean.stdout).results).toEqual([]);
    const medium = tree({ ...CLEAN, 'app/net.py': 'import requests\nrequests.get(url)\n' });
    expect((await scan(medium, ['--sarif'])).code).toBe((await scan(medium, ['--json'])).code);
    expect((await scan(medium, ['--sarif', '--fail-on', 'low'])).code).toBe(1);
  });

  it('a file not scanned makes the SARIF partial (a notification, executionSuccessful false) and exits 2', async () => {
    const { code, stdout, stderr } = await scan(tree({ ...CLEAN, 'app/generated.py': 'x = 1\n'.repeat(1_000_000) }), ['--sarif']);
    expect(code).toBe(2);
    const run = sarifOf(stdout);
    expect(run.invocations[0]!.executionSuccessful).toBe(false);
    expect(run.invocations[0]!.toolExecutionNotifications.filter((n) => n.level === 'error').map((n) => [n.descriptor.id, n.message.text])).toEqual([
      ['depwatch/partial/unscanned', 'app/generated.py: 5.7 MB, over the 5.0 MB limit; not scanned'],
    ]);
    expect(stderr).toBe("depwatch scan: PARTIAL: 1 file not scanned; see the SARIF's toolExecutionNotifications\n");
  });

  it('takes one of --json and --sarif', async () => {
    const { code, stderr } = await scan(tree(CLEAN), ['--json', '--sarif']);
    expect(code).toBe(2);
    expect(stderr).toBe('depwatch scan: choose one of --json, --sarif\n');
  });
});
