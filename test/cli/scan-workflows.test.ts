/** `depwatch scan DIR` on a repository with GitHub Actions workflows: JSON and SARIF name the workflow rules; the gate and partial results as for other files. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import type { CliIO } from '../../src/cli/io.js';
import { writeTree } from '../helpers/cli-in-process.js';

async function scan(files: Record<string, string>, args: string[] = []) {
  const root = writeTree('depwatch-scan-workflows-', { '.gitignore': '.env\n*.env\n', 'app/main.py': 'print("hello")\n', ...files });
  const out = { stdout: '', stderr: '' };
  const io: CliIO = { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), isTTY: false, cwd: root, env: {} };
  const code = await runCli(['scan', ...args, '.'], io);
  return { code, ...out };
}

const TRIAGE = [
  'on:',
  '  pull_request_target:',
  '  issues:',
  'jobs:',
  '  triage:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '        with:',
  '          ref: ${{ github.event.pull_request.head.sha }}', // 10
  '      - uses: acme/labeler@v2', // 11
  '      - run: |',
  '          echo "Triaging ${{ github.event.issue.title }}"', // 13
  '',
].join('\n');

describe('depwatch scan: GitHub Actions workflows', () => {
  it('JSON carries the workflow rules as runtime findings at their lines, and high ones fail the default gate', async () => {
    const { code, stdout } = await scan({ '.github/workflows/triage.yml': TRIAGE }, ['--json']);
    expect(code).toBe(1);
    const json = JSON.parse(stdout);
    expect(json.findings.map((f: { kind: string; rule: string; file: string; line: number; severity: string }) => `${f.kind} ${f.rule} ${f.file}:${f.line} ${f.severity}`)).toEqual([
      'runtime gha-script-injection .github/workflows/triage.yml:13 high',
      'runtime gha-untrusted-checkout .github/workflows/triage.yml:10 high',
      'runtime gha-unpinned-action .github/workflows/triage.yml:11 low',
    ]);
    expect(json.partial).toBe(false);
  });

  it("a /test comment's workflow that checks out the pull request, and a composite action of the repository, are reported where they are written", async () => {
    const chatops = [
      'on: issue_comment',
      'jobs:',
      '  test:',
      "    if: github.event.issue.pull_request && github.event.comment.body == '/test'",
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '        with:',
      '          ref: refs/pull/${{ github.event.issue.number }}/merge', // 9
      '      - run: gh pr checkout ${{ github.event.issue.number }} && make test', // 10
      '      - uses: ./.github/actions/build',
      '',
    ].join('\n');
    const action = ['runs:', '  using: composite', '  steps:', '    - run: echo "${{ github.event.comment.body }}"', '      shell: bash', ''].join('\n');
    const { code, stdout } = await scan({ '.github/workflows/chatops.yml': chatops, '.github/actions/build/action.yml': action }, ['--json']);
    expect(code).toBe(1);
    const json = JSON.parse(stdout);
    expect(json.findings.map((f: { rule: string; file: string; line: number }) => `${f.rule} ${f.file}:${f.line}`).sort()).toEqual([
      'gha-script-injection .github/actions/build/action.yml:4',
      'gha-untrusted-checkout .github/workflows/chatops.yml:10',
      'gha-untrusted-checkout .github/workflows/chatops.yml:9',
    ]);
    expect(json.partial).toBe(false);
  });

  it('an untrusted field passed through env: but read back as ${{ env.NAME }} is reported at that line, naming both', async () => {
    const workflow = [
      'on: issues',
      'jobs:',
      '  greet:',
      '    runs-on: ubuntu-latest',
      '    env:',
      '      TITLE: ${{ github.event.issue.title }}',
      '    steps:',
      '      - run: echo "$TITLE"',
      '      - run: echo "${{ env.TITLE }}"', // 9
      '',
    ].join('\n');
    const { code, stdout } = await scan({ '.github/workflows/greet.yml': workflow }, ['--json']);
    expect(code).toBe(1);
    const json = JSON.parse(stdout);
    expect(json.findings.map((f: { rule: string; file: string; line: number }) => `${f.rule} ${f.file}:${f.line}`)).toEqual(['gha-script-injection .github/workflows/greet.yml:9']);
    expect(json.findings[0].message).toContain("${{ env.TITLE }}, which the job's env: sets from github.event.issue.title");
    expect(json.partial).toBe(false);
  });

  it('SARIF lists the rules and places the results in the workflow', async () => {
    const { code, stdout } = await scan({ '.github/workflows/triage.yml': TRIAGE }, ['--sarif']);
    expect(code).toBe(1);
    const run = JSON.parse(stdout).runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id).sort()).toEqual(['gha-script-injection', 'gha-unpinned-action', 'gha-untrusted-checkout']);
    const at = run.results.map((r: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }) => {
      const loc = r.locations[0]!.physicalLocation;
      return `${r.ruleId} ${loc.artifactLocation.uri}:${loc.region.startLine}`;
    });
    expect(at.sort()).toEqual(['gha-script-injection .github/workflows/triage.yml:13', 'gha-unpinned-action .github/workflows/triage.yml:11', 'gha-untrusted-checkout .github/workflows/triage.yml:10']);
  });

  it('an unpinned action alone is under the default gate (exit 0) and fails --fail-on low', async () => {
    const ci = 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/setup-tool@v1\n';
    expect((await scan({ '.github/workflows/ci.yaml': ci })).code).toBe(0);
    expect((await scan({ '.github/workflows/ci.yaml': ci }, ['--fail-on', 'low'])).code).toBe(1);
  });

  it('a workflow that is not valid YAML makes the scan partial: exit 2, the file named', async () => {
    const { code, stdout, stderr } = await scan({ '.github/workflows/ci.yml': 'on: push\njobs:\n  test:\n    steps: [ { run: "echo ${{ github.head_ref }}" \n' });
    expect(code).toBe(2);
    expect(stderr).toBe('depwatch scan: PARTIAL: 1 file checked only in part; see the lists above\n');
    expect(stdout).toMatch(/\.github\/workflows\/ci\.yml: not valid YAML \([^\n]*\); workflow rules not applied to it/);
  });
});
