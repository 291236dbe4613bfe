/** GitHub Actions workflows: script injection, privileged checkouts of a pull request's code, unpinned third-party actions. */
import { describe, expect, it } from 'vitest';
import { injectedInputs } from '../../src/scan/runtime/gha-expressions.js';
import { followLocalActions, MAX_PASSES } from '../../src/scan/runtime/gha-local-actions.js';
import { scanRuntime } from '../../src/scan/runtime/scan-runtime.js';
import { isActionPath, isRuntimeFile, isWorkflowPath } from '../../src/scan/paths.js';
import { bestCpuMs } from '../helpers/cpu-time.js';
import { hits, scanFiles } from './helpers.js';

const SHA = '8e5e7e5ab8b370d6c329ec480221332ada57f0ab';
const WORKFLOW = '.github/workflows/ci.yml';

/** `rule@line` of a workflow's findings, in line order. */
function findings(text: string, rule?: string, path = WORKFLOW): string[] {
  return scanRuntime(path, text)
    .findings.filter((f) => !rule || f.info.id === rule)
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
    .map((f) => `${f.info.id}@${f.line}`);
}

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('which files are workflows', () => {
  it('.github/workflows/*.yml and *.yaml at the root, where GitHub runs them from; not subfolders, not elsewhere', () => {
    expect(isWorkflowPath('.github/workflows/ci.yml')).toBe(true);
    expect(isWorkflowPath('.github/workflows/release.yaml')).toBe(true);
    expect(isWorkflowPath('.github/workflows/old/ci.yml')).toBe(false);
    expect(isWorkflowPath('vendor/lib/.github/workflows/ci.yml')).toBe(false);
    expect(isWorkflowPath('.github/dependabot.yml')).toBe(false);
    expect(isRuntimeFile('.github/workflows/ci.yml', 'on: push\n')).toBe(true);
  });
});

describe('gha-script-injection', () => {
  it('reports untrusted text expanded into run:, at the line and column of its ${{, however it is wrapped or spaced', () => {
    const text = lines(
      'on: [issues, pull_request_target, issue_comment]',
      'jobs:',
      '  triage:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo "${{ github.event.issue.title }}"', // 6
      '      - run: |',
      '          echo start',
      '          echo "${{toJSON(github.event.issue.body)}}"', // 9
      '          git switch ${{   github.head_ref   }}', // 10
      '          echo "${{ github.event.pull_request.head.ref }}" "${{ github.event.comment.body }}"', // 11 (twice)
      "          echo '${{ github.event['review']['body'] }}'", // 12
      '          echo "${{ join(github.event.commits.*.message, \' \') }} ${{ github.event.commits[0].author.email }}"', // 13 (twice)
      '          echo "${{ github.event.issue.title || \'untitled\' }}"', // 14
      '          echo "${{ format(\'{0}\', github.event.discussion.body) }}"', // 15
      '          echo "${{ github.event.workflow_run.head_branch }} ${{ github.event.pages[0].page_name }}"', // 16 (twice)
      '          echo "${{ toJSON(github.event) }}"', // 17: the whole event holds them all
      '          echo "${{ github.event.review_comment.body }} ${{ github.event.head_commit.author.name }}"', // 18 (twice)
    );
    expect(findings(text, 'gha-script-injection')).toEqual([6, 9, 10, 11, 11, 12, 13, 13, 14, 15, 16, 16, 17, 18, 18].map((n) => `gha-script-injection@${n}`));
    const first = scanRuntime(WORKFLOW, text).findings[0]!;
    expect(first).toMatchObject({ line: 6, column: 20 });
    expect(first.info).toMatchObject({ severity: 'high', kind: 'runtime' });
    expect(first.message).toBe("Job triage: the run: script expands github.event.issue.title (text anyone can set) with ${{ }}, so that text becomes part of the shell script and runs with the job's token and secrets.");
    expect(first.fix).toBe('Pass it through env: (env: ISSUE_TITLE: ${{ github.event.issue.title }}) and use "$ISSUE_TITLE", quoted, in the script.');
    const whole = scanRuntime(WORKFLOW, text).findings.find((f) => f.line === 17)!;
    expect(whole.message).toContain('github.event, which holds github.event.issue.title');
    expect(whole.fix).toContain('${{ toJSON(github.event) }}');
  });

  it('is quiet for a value passed through env:, for fields nobody outside sets, for comparisons and tests, and outside scripts', () => {
    const text = lines(
      'on: pull_request_target',
      'jobs:',
      '  greet:',
      '    if: contains(github.event.pull_request.title, \'[bot]\')',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - env:',
      '          TITLE: ${{ github.event.pull_request.title }}',
      '          BODY: ${{ github.event.pull_request.body }}',
      '        run: |',
      '          echo "$TITLE"',
      '          echo "PR #${{ github.event.pull_request.number }} at ${{ github.event.pull_request.head.sha }} by ${{ github.actor }}"',
      '          echo "${{ github.head_ref == \'main\' }} ${{ contains(github.event.pull_request.body, \'x\') }} ${{ !github.event.issue.title }}"',
      '          echo "${{ github.event_name }} ${{ github.event.pull_request.head.repo.fork }} ${{ matrix.title }}"',
      '      - uses: some/labeler@' + SHA,
      '        with:',
      '          title: ${{ github.event.pull_request.title }}',
    );
    expect(findings(text, 'gha-script-injection')).toEqual([]);
  });

  it("reports actions/github-script's script:, with the fix in JavaScript's terms; other actions' inputs are theirs to quote", () => {
    const text = lines(
      'on: issue_comment',
      'jobs:',
      '  reply:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/github-script@v7',
      '        with:',
      '          script: |',
      '            const body = `${{ github.event.comment.body }}`', // 9
      '            console.log(process.env.BODY)',
    );
    const [f, ...rest] = scanRuntime(WORKFLOW, text).findings.filter((x) => x.info.id === 'gha-script-injection');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ line: 9, column: 27 });
    expect(f!.message).toContain('the github-script script expands github.event.comment.body');
    expect(f!.fix).toBe('Pass it through env: (env: COMMENT_BODY: ${{ github.event.comment.body }}) and read process.env.COMMENT_BODY in the script.');
  });

  it('a script given to several steps by an alias is reported once, at the anchor', () => {
    const text = lines(
      'on: issues',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: &say echo "${{ github.event.issue.title }}"', // 6
      '  b:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: *say',
      '      - run: *say',
    );
    expect(findings(text, 'gha-script-injection')).toEqual(['gha-script-injection@6']);
  });

  it('reports ${{ env.NAME }} in a script when NAME, as the step sees it, is set from an untrusted field: step, job and workflow env:', () => {
    const text = lines(
      'on: [issues, pull_request_target]',
      'env:',
      '  BODY: ${{ github.event.issue.body }}',
      'jobs:',
      '  triage:',
      '    runs-on: ubuntu-latest',
      '    env:',
      '      BRANCH: "refs/heads/${{ github.head_ref }}"',
      '    steps:',
      '      - env:',
      '          TITLE: ${{ github.event.issue.title }}',
      '        run: echo "${{ env.TITLE }}"', // 12
      '      - run: |',
      '          git switch "${{ env.branch }}"', // 14: any case
      "          echo \"${{ env['Body'] }}\"", // 15: index syntax
      '      - uses: actions/github-script@v7',
      '        with:',
      '          script: console.log(`${{ env.BODY }}`)', // 18
    );
    expect(findings(text, 'gha-script-injection')).toEqual([12, 14, 15, 18].map((n) => `gha-script-injection@${n}`));
    const [step, job, workflow, script] = scanRuntime(WORKFLOW, text).findings.filter((f) => f.info.id === 'gha-script-injection');
    expect(step).toMatchObject({ line: 12, column: 20 });
    expect(step!.message).toBe(
      "Job triage: the run: script expands ${{ env.TITLE }}, which the step's env: sets from github.event.issue.title (text anyone can set); GitHub substitutes it before the script runs, so that text becomes part of the shell script and runs with the job's token and secrets.",
    );
    expect(step!.fix).toBe('Use "$TITLE", quoted, in the script instead of ${{ env.TITLE }}: the shell then reads the variable as data.');
    expect(job!.message).toContain("${{ env.BRANCH }}, which the job's env: sets from github.head_ref");
    expect(workflow!.message).toContain("${{ env.BODY }}, which the workflow's env: sets from github.event.issue.body");
    expect(script!.message).toContain('the github-script script expands ${{ env.BODY }}');
    expect(script!.fix).toBe('Read process.env.BODY in the script instead of ${{ env.BODY }}: the script then reads the variable as data.');
  });

  it('is quiet for "$NAME", for env: of constants and trusted fields, for a variable another step sets, and where a nearer env: overrides it with a constant', () => {
    const text = lines(
      'on: pull_request_target',
      'env:',
      '  TITLE: ${{ github.event.pull_request.title }}',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    env:',
      '      TITLE: fixed', // overrides the workflow's for every step of the job
      '      NUMBER: ${{ github.event.pull_request.number }}',
      '      BRANCH: ${{ github.head_ref }}',
      '    steps:',
      '      - env: { BRANCH: main }', // overrides the job's for this step
      '        run: git switch "${{ env.BRANCH }}"',
      '      - env:',
      '          BODY: ${{ github.event.pull_request.body }}',
      '          SHA: ${{ github.sha }}',
      '          MODE: release',
      '        run: |',
      '          echo "$BODY" "${{ env.SHA }}" "${{ env.MODE }}" "${{ env.NUMBER }}" "${{ env.TITLE }}"',
      "          echo \"${{ contains(env.BODY, 'x') }} ${{ env.BODY == '' }}\"",
      '      - run: echo "${{ env.LATER }}" "${{ env.BODY }}"', // LATER and BODY are other steps' own
      '      - env:',
      '          LATER: ${{ github.event.pull_request.head.ref }}',
      '        run: echo "$LATER"',
    );
    expect(findings(text, 'gha-script-injection')).toEqual([]);
  });

  it('a script given to several steps by an alias is reported for ${{ env.* }} where any of them sets it from an untrusted field, once', () => {
    const text = lines(
      'on: issues',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: &say echo "${{ env.TITLE }}"', // 6
      '  b:',
      '    runs-on: ubuntu-latest',
      '    env: { TITLE: "${{ github.event.issue.title }}" }',
      '    steps:',
      '      - run: *say',
      '      - run: *say',
    );
    expect(findings(text, 'gha-script-injection')).toEqual(['gha-script-injection@6']);
  });

  it('past its look-up budget (a script and an env: map aliased into thousands of jobs with env: of their own), says what was left unchecked: partial, not quadratic', () => {
    const names = 4_000;
    const script = Array.from({ length: names }, (_, i) => `\${{ env.V${i} }}`).join(' ');
    let text = `on: push\nx: &e\n${Array.from({ length: names }, (_, i) => `  V${i}: constant`).join('\n')}\njobs:\n  j0:\n    runs-on: x\n    steps:\n      - run: &s echo "${script}"\n`;
    for (let j = 1; j < 4_000; j++) text += `  j${j}:\n    env:\n      B${j}: c\n    steps:\n      - env: *e\n        run: *s\n`;
    let outcome: ReturnType<typeof scanRuntime> | undefined;
    const ms = bestCpuMs(() => void (outcome = scanRuntime(WORKFLOW, text)), 0);
    expect(outcome!.findings.filter((f) => f.info.id === 'gha-script-injection')).toEqual([]);
    expect(outcome!.unchecked).toEqual([expect.stringMatching(/^gha-script-injection: following where its \$\{\{ \}\} values come from \(env:, step and job outputs\) needs more than 1,000,000 look-ups .+, so those left were not checked$/)]);
    expect(ms).toBeLessThan(3_000);
  });

  it('reads references as GitHub does: any case, index syntax; a string literal is not a reference', () => {
    expect(injectedInputs(' GitHub.Event.Issue.Title ').map((i) => i.input)).toEqual(['github.event.issue.title']);
    expect(injectedInputs("github['head_ref']").map((i) => i.input)).toEqual(['github.head_ref']);
    expect(injectedInputs("'github.event.issue.title'")).toEqual([]);
    expect(injectedInputs('github.event.issue.number')).toEqual([]);
    expect(injectedInputs('startsWith(github.head_ref, \'release/\') && github.head_ref').map((i) => i.input)).toEqual(['github.head_ref']);
  });
});

describe('gha-script-injection: where the text comes from (env: chains, step and job outputs)', () => {
  /** The lines of the rule's findings and, by line, their messages. */
  const injections = (text: string) => {
    const found = scanRuntime(WORKFLOW, text).findings.filter((f) => f.info.id === 'gha-script-injection');
    return { lines: found.map((f) => f.line).sort((a, b) => (a ?? 0) - (b ?? 0)), at: (line: number) => found.find((f) => f.line === line)! };
  };

  it('follows env: chains, a variable set from another, in the same map and as the step sees the outer ones; the message goes hop by hop', () => {
    const text = lines(
      'on: [issues, pull_request_target]',
      'env:',
      '  RAW: ${{ github.event.pull_request.body }}',
      'jobs:',
      '  triage:',
      '    runs-on: ubuntu-latest',
      '    env:',
      '      A: ${{ github.event.issue.title }}',
      '      B: ${{ env.A }}',
      '      C: "prefix ${{ env.B }}"',
      '    steps:',
      '      - run: echo "${{ env.B }}" "${{ env.C }}"', // 12 (twice)
      '      - env:',
      '          FROM_JOB: ${{ env.A }}',
      "          FROM_WORKFLOW: ${{ format('{0}', env.RAW) }}",
      '        run: |',
      '          echo "${{ env.FROM_JOB }}"', // 17
      '          echo "${{ env.FROM_WORKFLOW }}"', // 18
    );
    const found = injections(text);
    expect(found.lines).toEqual([12, 12, 17, 18]);
    expect(found.at(12).message).toBe(
      "Job triage: the run: script expands ${{ env.B }}, which the job's env: sets from ${{ env.A }}, which the job's env: sets from github.event.issue.title (text anyone can set); GitHub substitutes it before the script runs, so that text becomes part of the shell script and runs with the job's token and secrets.",
    );
    expect(found.at(12).fix).toBe('Use "$B", quoted, in the script instead of ${{ env.B }}: the shell then reads the variable as data.');
    expect(found.at(17).message).toContain("expands ${{ env.FROM_JOB }}, which the step's env: sets from ${{ env.A }}, which the job's env: sets from github.event.issue.title");
    expect(found.at(18).message).toContain("${{ env.FROM_WORKFLOW }}, which the step's env: sets from ${{ env.RAW }}, which the workflow's env: sets from github.event.pull_request.body");
  });

  it('a chain ends at a constant, a trusted field, a comparison or a cycle; a nearer constant hides the untrusted variable it is named after', () => {
    const text = lines(
      'on: issues',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    env:',
      '      TITLE: ${{ github.event.issue.title }}',
      '      LOOP_A: ${{ env.LOOP_B }}',
      '      LOOP_B: ${{ env.LOOP_A }}',
      '      NUMBER: ${{ github.event.issue.number }}',
      '      SAME: ${{ env.NUMBER }}',
      "      IS_BUG: ${{ env.TITLE == 'bug' }}",
      "      HAS_X: ${{ contains(env.TITLE, 'x') }}",
      '    steps:',
      '      - env:',
      '          TITLE: fixed',
      '          COPY: ${{ env.TITLE }}', // the job's TITLE, as GitHub reads it, but this step's own TITLE is the constant
      '        run: echo "${{ env.LOOP_A }}" "${{ env.SAME }}" "${{ env.IS_BUG }}" "${{ env.HAS_X }}" "${{ env.TITLE }}"',
    );
    expect(injections(text).lines).toEqual([]);
    // COPY reads the job's TITLE (a step's env: sees its job's, not its own): that one is untrusted.
    const copy = text.replace('"${{ env.TITLE }}"', '"${{ env.COPY }}"');
    expect(injections(copy).lines).toEqual([17]);
    expect(injections(copy).at(17).message).toContain("${{ env.COPY }}, which the step's env: sets from ${{ env.TITLE }}, which the job's env: sets from github.event.issue.title");
  });

  it("reports ${{ steps.<id>.outputs.<name> }} read after a step writes untrusted text into that output: $GITHUB_OUTPUT lines, the name<<EOF form, cat <<EOF, set-output", () => {
    const text = lines(
      'on: [issues, pull_request_target]',
      'jobs:',
      '  triage:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - id: t',
      '        env:',
      '          TITLE: ${{ github.event.issue.title }}',
      '          BODY: ${{ github.event.issue.body }}',
      '        run: |',
      '          echo "title=$TITLE" >> "$GITHUB_OUTPUT"', // 11
      '          echo "direct=${{ github.event.pull_request.head.ref }}" >> $GITHUB_OUTPUT', // 12: itself an injection
      '          echo "body<<EOF" >> "$GITHUB_OUTPUT"', // 13
      '          echo "$BODY" >> "$GITHUB_OUTPUT"',
      '          echo "EOF" >> "$GITHUB_OUTPUT"',
      '          echo "branch=${GITHUB_HEAD_REF}" >> "${GITHUB_OUTPUT}"', // 16
      '      - id: heredoc',
      '        env: { TITLE: "${{ github.event.issue.title }}" }',
      '        run: |',
      '          cat <<EOF >> "$GITHUB_OUTPUT"',
      '          safe=1',
      '          title=$TITLE', // 22
      '          EOF',
      '          echo "::set-output name=old::$TITLE"', // 24
      '      - run: |',
      '          echo "${{ steps.t.outputs.title }}"', // 26
      '          echo "${{ steps.t.outputs.direct }}"', // 27
      '          echo "${{ steps.t.outputs.body }}"', // 28
      '          echo "${{ steps.t.outputs.branch }}"', // 29
      '          echo "${{ steps.heredoc.outputs.title }} ${{ steps.heredoc.outputs.old }}"', // 30 (once: one expression each, but two)
    );
    const found = injections(text);
    expect(found.lines).toEqual([12, 26, 27, 28, 29, 30, 30]);
    expect(found.at(26).message).toBe(
      "Job triage: the run: script expands ${{ steps.t.outputs.title }}, which step t writes to $GITHUB_OUTPUT (line 11) from $TITLE, which the step's env: sets from github.event.issue.title (text anyone can set); GitHub substitutes it before the script runs, so that text becomes part of the shell script and runs with the job's token and secrets.",
    );
    expect(found.at(26).fix).toBe('Pass it through env: (env: TITLE: ${{ steps.t.outputs.title }}) and use "$TITLE", quoted, in the script.');
    expect(found.at(27).message).toContain('which step t writes to $GITHUB_OUTPUT (line 12) from github.event.pull_request.head.ref (text anyone can set)');
    expect(found.at(28).message).toContain('which step t writes to $GITHUB_OUTPUT (line 13) from $BODY');
    expect(found.at(29).message).toContain('(line 16) from ${GITHUB_HEAD_REF}, that is github.head_ref (text anyone can set)');
    const heredoc = scanRuntime(WORKFLOW, text).findings.filter((f) => f.line === 30).map((f) => f.message);
    expect(heredoc).toEqual([expect.stringContaining('steps.heredoc.outputs.title }}, which step heredoc writes to $GITHUB_OUTPUT (line 22)'), expect.stringContaining('steps.heredoc.outputs.old }}, which step heredoc writes to $GITHUB_OUTPUT (line 24)')]);
    // A redirection takes a group's every command, else only the last: c goes to the log, not to an output.
    const grouped = lines(
      'on: issues',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - id: g',
      '        env: { T: "${{ github.event.issue.title }}" }',
      '        run: |',
      '          { echo "a=1"; echo "b=$T"; } >> "$GITHUB_OUTPUT"',
      '          echo "c=$T" && echo "d=1" >> "$GITHUB_OUTPUT"',
      '      - run: echo "${{ steps.g.outputs.a }} ${{ steps.g.outputs.c }} ${{ steps.g.outputs.d }}" "${{ steps.g.outputs.b }}"', // 11
    );
    expect(injections(grouped).lines).toEqual([11]);
    expect(injections(grouped).at(11)).toMatchObject({ column: 97, message: expect.stringContaining('${{ steps.g.outputs.b }}, which step g writes to $GITHUB_OUTPUT (line 9)') });
  });

  it("reports what actions/github-script returns (the result output) or sets with core.setOutput from the event's text, read in a run: or another github-script", () => {
    const text = lines(
      'on: issue_comment',
      'jobs:',
      '  reply:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - id: parse',
      '        uses: actions/github-script@v7',
      '        with:',
      '          result-encoding: string',
      '          script: |',
      "            core.setOutput('command', context.payload.comment.body.split(' ')[0])", // 11
      '            return context.payload.issue.title', // 12
      '      - run: ./deploy.sh ${{ steps.parse.outputs.command }}', // 13
      '      - uses: actions/github-script@v7',
      '        with:',
      '          script: console.log(`${{ steps.parse.outputs.result }}`)', // 16
    );
    const found = injections(text);
    expect(found.lines).toEqual([13, 16]);
    expect(found.at(13).message).toContain("${{ steps.parse.outputs.command }}, which step parse sets with core.setOutput (line 11) from context.payload.comment.body, that is github.event.comment.body (text anyone can set)");
    expect(found.at(16).message).toContain("the github-script script expands ${{ steps.parse.outputs.result }}, which step parse's github-script returns (line 12) from context.payload.issue.title");
    expect(found.at(16).fix).toBe('Pass it through env: (env: RESULT: ${{ steps.parse.outputs.result }}) and read process.env.RESULT in the script.');
  });

  it('is quiet for outputs the write does not show to be untrusted, for other outputs and steps, and for reads before the write or in another job', () => {
    const text = lines(
      'on: [issues, pull_request_target]',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo "${{ steps.t.outputs.title }}"', // before t runs: empty
      '      - id: t',
      '        env: { TITLE: "${{ github.event.issue.title }}" }',
      '        run: |',
      '          echo "number=${{ github.event.issue.number }}" >> "$GITHUB_OUTPUT"',
      "          echo 'quoted=$TITLE' >> \"$GITHUB_OUTPUT\"", // single quotes: the text "$TITLE", not the title
      '          echo "sha=$(git rev-parse HEAD)" >> "$GITHUB_OUTPUT"',
      '          T=$(jq -r .issue.title "$GITHUB_EVENT_PATH")', // built in the script: not shown, not followed
      '          echo "computed=$T" >> "$GITHUB_OUTPUT"',
      '          echo "$TITLE"',
      '      - id: files',
      '        uses: tj-actions/changed-files@' + SHA,
      '      - id: js',
      '        uses: actions/github-script@v7',
      '        with:',
      '          script: return context.payload.issue.number',
      '      - run: |',
      '          echo "${{ steps.t.outputs.number }} ${{ steps.t.outputs.quoted }} ${{ steps.t.outputs.sha }} ${{ steps.t.outputs.computed }}"',
      '          echo "${{ steps.t.outputs.other }} ${{ steps.files.outputs.all_changed_files }} ${{ steps.js.outputs.result }}"',
      "          echo \"${{ steps.t.outputs.title == 'x' }} ${{ steps.t.outcome }}\"",
      '  other:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - id: t',
      '        run: echo "title=fixed" >> "$GITHUB_OUTPUT"',
      '      - run: echo "${{ steps.t.outputs.title }}"', // this job's t
    );
    expect(injections(text).lines).toEqual([]);
  });

  it('reports ${{ needs.<job>.outputs.<name> }} in a job that needs a job whose outputs: carry untrusted text, whatever the order of the jobs in the file', () => {
    const text = lines(
      'on: pull_request_target',
      'jobs:',
      '  comment:',
      '    needs: [build]',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo "${{ needs.build.outputs.title }}" "${{ needs.build.outputs.version }}"', // 7
      '  unrelated:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo "${{ needs.build.outputs.title }}"', // not needed: empty
      '  build:',
      '    runs-on: ubuntu-latest',
      '    outputs:',
      '      title: ${{ steps.meta.outputs.title }}', // 15
      '      version: ${{ steps.meta.outputs.version }}',
      '    steps:',
      '      - id: meta',
      '        env: { TITLE: "${{ github.event.pull_request.title }}" }',
      '        run: |',
      '          echo "title=$TITLE" >> "$GITHUB_OUTPUT"', // 21
      '          echo "version=1.2.3" >> "$GITHUB_OUTPUT"',
    );
    const found = injections(text);
    expect(found.lines).toEqual([7]);
    expect(found.at(7).message).toBe(
      "Job comment: the run: script expands ${{ needs.build.outputs.title }}, which job build's outputs: set (line 15) from ${{ steps.meta.outputs.title }}, which step meta writes to $GITHUB_OUTPUT (line 21) from $TITLE, which the step's env: sets from github.event.pull_request.title (text anyone can set); GitHub substitutes it before the script runs, so that text becomes part of the shell script and runs with the job's token and secrets.",
    );
  });

  it('a step output read through env: and then ${{ env.* }} is followed too; a long chain is told to four hops, then its field', () => {
    const text = lines(
      'on: issues',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    env:',
      '      V0: ${{ github.event.issue.body }}',
      ...Array.from({ length: 8 }, (_, k) => `      V${k + 1}: \${{ env.V${k} }}`),
      '    steps:',
      '      - id: t',
      '        run: echo "out=$V8" >> "$GITHUB_OUTPUT"',
      '      - env: { OUT: "${{ steps.t.outputs.out }}" }',
      '        run: echo "${{ env.OUT }}"', // 19
    );
    const found = injections(text);
    expect(found.lines).toEqual([19]);
    expect(found.at(19).message).toContain("expands ${{ env.OUT }}, which the step's env: sets from ${{ steps.t.outputs.out }}, which step t writes to $GITHUB_OUTPUT (line 17) from $V8, which the job's env: sets from ${{ env.V7 }}, which the job's env: sets from … github.event.issue.body (text anyone can set);");
  });
});

describe('gha-script-injection: variables written to $GITHUB_ENV', () => {
  const injections = (text: string) => {
    const found = scanRuntime(WORKFLOW, text).findings.filter((f) => f.info.id === 'gha-script-injection');
    return { lines: found.map((f) => f.line).sort((a, b) => (a ?? 0) - (b ?? 0)), at: (line: number) => found.find((f) => f.line === line)! };
  };

  it('reports ${{ env.X }} in a later step of the job after a step writes untrusted text to $GITHUB_ENV: name=value, name<<EOF, cat <<EOF, core.exportVariable', () => {
    const text = lines(
      'on: [issues, pull_request_target]',
      'jobs:',
      '  triage:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - env:',
      '          TITLE: ${{ github.event.issue.title }}',
      '          BODY: ${{ github.event.issue.body }}',
      '        run: |',
      '          echo "T=$TITLE" >> "$GITHUB_ENV"', // 10
      '          echo "HEAD=${{ github.head_ref }}" >> $GITHUB_ENV', // 11: itself an injection
      '          echo "B<<EOF" >> "$GITHUB_ENV"', // 12
      '          echo "$BODY" >> "$GITHUB_ENV"',
      '          echo "EOF" >> "$GITHUB_ENV"',
      '          echo "SAFE=1" >> "$GITHUB_ENV"',
      '      - env: { TITLE: "${{ github.event.issue.title }}" }',
      '        run: |',
      '          cat >> "$GITHUB_ENV" <<EOF',
      '          HD=$TITLE', // 19
      '          EOF',
      '      - uses: actions/github-script@' + SHA,
      '        with:',
      '          script: |',
      "            core.exportVariable('JS', context.payload.issue.body)", // 24
      '      - run: |',
      '          echo "${{ env.T }}"', // 26
      '          echo "${{ env.HEAD }} ${{ env.SAFE }}"', // 27
      '          echo "${{ env.B }}"', // 28
      '          echo "${{ env.HD }} ${{ env.js }}"', // 29 (twice)
      '          echo "$T"',
    );
    const found = injections(text);
    expect(found.lines).toEqual([11, 26, 27, 28, 29, 29]);
    expect(found.at(26).message).toBe(
      "Job triage: the run: script expands ${{ env.T }}, which an earlier step writes to $GITHUB_ENV (line 10) from $TITLE, which the step's env: sets from github.event.issue.title (text anyone can set); GitHub substitutes it before the script runs, so that text becomes part of the shell script and runs with the job's token and secrets.",
    );
    expect(found.at(26).fix).toBe('Use "$T", quoted, in the script instead of ${{ env.T }}: the shell then reads the variable as data.');
    expect(found.at(28).message).toContain('${{ env.B }}, which an earlier step writes to $GITHUB_ENV (line 12) from $BODY');
    const at29 = scanRuntime(WORKFLOW, text).findings.filter((f) => f.line === 29).map((f) => f.message);
    expect(at29).toEqual([expect.stringContaining('${{ env.HD }}, which an earlier step writes to $GITHUB_ENV (line 19)'), expect.stringContaining('${{ env.JS }}, which an earlier step sets with core.exportVariable (line 24) from context.payload.issue.body, that is github.event.issue.body')]);
  });

  it('follows a written variable into env: maps, outputs and later writes, names the step by its id; a step env: of the same name overrides it', () => {
    const text = lines(
      'on: issue_comment',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - id: first',
      '        run: echo "C=${{ github.event.comment.body }}" >> "${GITHUB_ENV}"', // 7
      '      - run: echo "D=$C" >> "$GITHUB_ENV"', // 8: $C from the environment
      '      - id: out',
      '        run: echo "o=$D" >> "$GITHUB_OUTPUT"',
      '      - env: { E: "${{ env.C }}" }',
      '        run: echo "${{ env.E }} ${{ steps.out.outputs.o }}"', // 12 (twice)
      '      - env: { C: constant }',
      '        run: echo "${{ env.C }}"', // 14: the step's own env: wins
    );
    const found = injections(text);
    expect(found.lines).toEqual([7, 12, 12]);
    const at12 = scanRuntime(WORKFLOW, text).findings.filter((f) => f.line === 12).map((f) => f.message);
    expect(at12).toEqual([
      expect.stringContaining("${{ env.E }}, which the step's env: sets from ${{ env.C }}, which step first writes to $GITHUB_ENV (line 7) from github.event.comment.body"),
      expect.stringContaining('${{ steps.out.outputs.o }}, which step out writes to $GITHUB_OUTPUT (line 10) from $D, which an earlier step writes to $GITHUB_ENV (line 8) from $C, which step first writes to $GITHUB_ENV (line 7)'),
    ]);
  });

  it('is quiet for constants and trusted text written there, for reads before the write, in the writing step itself, and in another job', () => {
    const text = lines(
      'on: pull_request_target',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo "${{ env.T }}"', // before the write
      '      - env: { TITLE: "${{ github.event.pull_request.title }}" }',
      '        run: |',
      '          echo "T=$TITLE" >> "$GITHUB_ENV"',
      '          echo "${{ env.T }}"', // the writing step does not see it
      "          echo 'Q=$TITLE' >> \"$GITHUB_ENV\"", // single quotes: the text $TITLE
      '          echo "N=${{ github.event.pull_request.number }}" >> "$GITHUB_ENV"',
      '          echo "T=$TITLE" > notes.txt',
      '      - run: echo "${{ env.Q }} ${{ env.N }}"',
      '  b:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo "${{ env.T }}"',
    );
    expect(injections(text).lines).toEqual([]);
  });
});

describe('gha-github-env-injection', () => {
  const envWrites = (text: string) => findings(text, 'gha-github-env-injection');

  it('reports untrusted text a step writes to $GITHUB_ENV in a privileged workflow, at the write, whatever form, the sanitised form and constants aside', () => {
    const text = lines(
      'on: pull_request_target',
      'jobs:',
      '  label:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - env:',
      '          TITLE: ${{ github.event.pull_request.title }}',
      '          BODY: ${{ github.event.pull_request.body }}',
      '        run: |',
      '          echo "TITLE=$TITLE" >> "$GITHUB_ENV"', // 10
      '          { echo "BODY<<EOF"; echo "$BODY"; echo EOF; } >> $GITHUB_ENV', // 11
      '          echo "REF=${{ github.head_ref }}" >> "$GITHUB_ENV"', // 12 (a script injection too)
      '          CLEAN=$(printf \'%s\' "$BODY" | tr -d \'\\r\\n\')',
      '          echo "CLEAN=$CLEAN" >> "$GITHUB_ENV"', // built first: not followed
      '          echo "NUMBER=${{ github.event.pull_request.number }}" >> "$GITHUB_ENV"',
      '          echo "X=1" >> "$GITHUB_ENV"',
      '      - uses: actions/github-script@' + SHA,
      '        with:',
      '          script: |',
      "            core.exportVariable('HEAD', context.payload.pull_request.head.ref)", // 20
    );
    expect(envWrites(text)).toEqual([10, 11, 12, 20].map((n) => `gha-github-env-injection@${n}`));
    expect(findings(text, 'gha-script-injection')).toEqual(['gha-script-injection@12']);
    const first = scanRuntime(WORKFLOW, text).findings.find((f) => f.info.id === 'gha-github-env-injection')!;
    expect(first.info).toMatchObject({ severity: 'high', kind: 'runtime' });
    expect(first).toMatchObject({ line: 10, column: 11 });
    expect(first.message).toBe(
      "Job label: a step writes TITLE to $GITHUB_ENV from $TITLE, which the step's env: sets from github.event.pull_request.title (text anyone can set), in a workflow triggered by pull_request_target: a line break in that text sets any other variable (BASH_ENV, LD_PRELOAD…) for the job's later steps, which run with its secrets and token.",
    );
    expect(scanRuntime(WORKFLOW, text).findings.find((f) => f.line === 20 && f.info.id === 'gha-github-env-injection')!.message).toContain('a step sets HEAD with core.exportVariable from context.payload.pull_request.head.ref');
  });

  it('reports untrusted text written to $GITHUB_PATH or core.addPath, a directory the later steps look for commands in; constants and outputs aside', () => {
    const text = lines(
      'on: pull_request_target',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - env: { DIR: "${{ github.event.pull_request.head.ref }}" }',
      '        run: |',
      '          echo "$GITHUB_WORKSPACE/$DIR/bin" >> "$GITHUB_PATH"', // 8
      '          echo "$HOME/.local/bin" >> "$GITHUB_PATH"',
      '          echo "${{ github.event.pull_request.title }}" >> $GITHUB_PATH', // 10 (a script injection too)
      '          cat <<EOF >> "$GITHUB_PATH"',
      '          /opt/tool/bin',
      '          $DIR', // 13
      '          EOF',
      '      - id: p',
      '        run: echo "$GITHUB_HEAD_REF" >> "$GITHUB_PATH"', // 16: a path, no output named PATH
      '      - run: echo "${{ steps.p.outputs.PATH }}"',
      '      - uses: actions/github-script@' + SHA,
      '        with:',
      '          script: |',
      "            core.addPath(context.payload.pull_request.head.repo.name)", // 21: not a field anyone sets freely here
      "            core.addPath(context.payload.comment.body)", // 22
    );
    expect(envWrites(text)).toEqual([8, 10, 13, 16, 22].map((n) => `gha-github-env-injection@${n}`));
    expect(findings(text, 'gha-script-injection')).toEqual(['gha-script-injection@10']);
    const first = scanRuntime(WORKFLOW, text).findings.find((f) => f.info.id === 'gha-github-env-injection')!;
    expect(first).toMatchObject({ line: 8, column: 11 });
    expect(first.message).toBe(
      "Job build: a step writes a directory to $GITHUB_PATH from $DIR, which the step's env: sets from github.event.pull_request.head.ref (text anyone can set), in a workflow triggered by pull_request_target: that text chooses the directories the job's later steps, which run with its secrets and token, look for their commands in first (a folder of files the attacker wrote, such as a pull request's checkout or an artifact, runs their git, node, bash…).",
    );
    expect(scanRuntime(WORKFLOW, text).findings.find((f) => f.line === 22)!.message).toContain('a step adds a directory to PATH with core.addPath from context.payload.comment.body');
    // Not under push, which runs without the base repository's secrets for outsiders.
    expect(envWrites(text.replace('on: pull_request_target', 'on: push'))).toEqual([]);
  });

  it('follows the text through env: chains, outputs and earlier $GITHUB_ENV writes; under workflow_run, issue_comment, issues too', () => {
    const text = lines(
      'on:',
      '  issue_comment:',
      '  workflow_run: { workflows: [ci], types: [completed] }',
      'env:',
      '  MSG: ${{ github.event.workflow_run.head_commit.message }}',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - id: c',
      '        run: echo "body=${{ github.event.comment.body }}" >> "$GITHUB_OUTPUT"',
      '      - env: { B: "${{ steps.c.outputs.body }}" }',
      '        run: echo "B=$B" >> "$GITHUB_ENV"', // 13
      '      - run: |',
      '          echo "M=$MSG" >> "$GITHUB_ENV"', // 15
      '          echo "AGAIN=$B" >> "$GITHUB_ENV"', // 16: $B from the earlier write
    );
    expect(envWrites(text)).toEqual([13, 15, 16].map((n) => `gha-github-env-injection@${n}`));
    const messages = scanRuntime(WORKFLOW, text).findings.filter((f) => f.info.id === 'gha-github-env-injection').map((f) => f.message);
    expect(messages[0]).toContain('in a workflow triggered by issue_comment, workflow_run:');
    expect(messages[2]).toContain('writes AGAIN to $GITHUB_ENV from $B, which an earlier step writes to $GITHUB_ENV (line 13)');
    expect(envWrites(text.replace('  issue_comment:\n  workflow_run: { workflows: [ci], types: [completed] }', '  issues:'))).toHaveLength(3);
  });

  it('is quiet where the job has no secrets for outsiders (push, pull_request) and in composite actions, which have no trigger', () => {
    const job = [
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - env: { T: "${{ github.event.pull_request.title }}" }',
      '        run: echo "T=$T" >> "$GITHUB_ENV"',
    ];
    expect(envWrites(lines('on: [push, pull_request]', ...job))).toEqual([]);
    expect(envWrites(lines('on: pull_request_target', ...job))).toEqual(['gha-github-env-injection@7']);
    const action = lines('runs:', '  using: composite', '  steps:', '    - env: { T: "${{ github.event.pull_request.title }}" }', '      shell: bash', '      run: echo "T=$T" >> "$GITHUB_ENV"');
    expect(findings(action, 'gha-github-env-injection', '.github/actions/a/action.yml')).toEqual([]);
  });
});

describe('gha-script-injection: whole contexts in toJSON()', () => {
  it('reports toJSON() of a context that holds untrusted text (the event, env, steps, needs, inputs), not of a field nobody outside sets', () => {
    const text = lines(
      'on: pull_request_target',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    env: { T: "${{ github.event.pull_request.title }}" }',
      '    outputs: { t: "${{ steps.s.outputs.t }}" }',
      '    steps:',
      '      - run: echo \'${{ toJSON(steps) }}\'', // 8: nothing written yet
      '      - id: s',
      '        run: echo "t=$T" >> "$GITHUB_OUTPUT"',
      '      - run: |',
      "          echo '${{ toJSON(github.event.pull_request) }}'", // 12
      "          echo '${{ toJSON(github.event.pull_request.number) }} ${{ toJSON(github.event.pull_request.user) }}'",
      "          echo '${{ toJSON(env) }}'", // 14
      "          echo '${{ toJSON(steps) }}' '${{ toJSON(steps.s.outputs) }}'", // 15 (twice)
      "          echo '${{ toJSON(steps.other) }} ${{ toJSON(runner) }}'",
      '  b:',
      '    needs: a',
      '    runs-on: ubuntu-latest',
      '    steps:',
      "      - run: echo '${{ toJSON(needs) }}'", // 21
    );
    expect(findings(text, 'gha-script-injection')).toEqual([12, 14, 15, 15, 21].map((n) => `gha-script-injection@${n}`));
    const at = (line: number) => scanRuntime(WORKFLOW, text).findings.filter((f) => f.line === line).map((f) => f.message);
    expect(at(14)[0]).toContain("expands env, which holds ${{ env.T }}, which the job's env: sets from github.event.pull_request.title (text anyone can set);");
    expect(at(15)[1]).toContain('expands steps.s.outputs, which holds ${{ steps.s.outputs.t }}, which step s writes to $GITHUB_OUTPUT (line 10)');
    expect(at(21)[0]).toContain("expands needs, which holds ${{ needs.a.outputs.t }}, which job a's outputs: set (line 6)");
  });
});

describe('gha-untrusted-checkout', () => {
  const checkoutOf = (on: string, ref: string, extra: string[] = []) =>
    lines(
      `on: ${on}`,
      'permissions: { contents: read }',
      'jobs:',
      '  test:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '        with:',
      `          ref: ${ref}`, // 9
      ...extra,
      '      - run: make test',
    );

  it('reports pull_request_target and workflow_run jobs that check out the head: its commit, branch, merge ref', () => {
    expect(findings(checkoutOf('pull_request_target', '${{ github.event.pull_request.head.sha }}'), 'gha-untrusted-checkout')).toEqual(['gha-untrusted-checkout@9']);
    expect(findings(checkoutOf('[pull_request_target]', '${{ github.event.pull_request.head.ref }}'), 'gha-untrusted-checkout')).toEqual(['gha-untrusted-checkout@9']);
    expect(findings(checkoutOf('{ pull_request_target: { types: [opened] } }', '${{ github.head_ref }}'), 'gha-untrusted-checkout')).toEqual(['gha-untrusted-checkout@9']);
    expect(findings(checkoutOf('pull_request_target', 'refs/pull/${{ github.event.number }}/merge'), 'gha-untrusted-checkout')).toEqual(['gha-untrusted-checkout@9']);
    expect(findings(checkoutOf('workflow_run', '${{ github.event.workflow_run.head_sha }}'), 'gha-untrusted-checkout')).toEqual(['gha-untrusted-checkout@9']);
    expect(findings(checkoutOf('workflow_run', '${{ github.event.workflow_run.head_branch }}'), 'gha-untrusted-checkout')).toEqual(['gha-untrusted-checkout@9']);
    const [f] = scanRuntime(WORKFLOW, checkoutOf('pull_request_target', '${{ github.event.pull_request.head.sha }}')).findings.filter((x) => x.info.id === 'gha-untrusted-checkout');
    expect(f!.message).toBe(
      "Job test checks out the pull request's code (ref: ${{ github.event.pull_request.head.sha }}) in a workflow triggered by pull_request_target, which runs for pull requests from any fork, with the base repository's secrets and a write token: whatever of that code the job runs, anyone who opens a pull request controls.",
    );
    expect(f!.info.severity).toBe('high');
  });

  it('is quiet under pull_request (no secrets for forks), and for the default checkout of the base under pull_request_target', () => {
    expect(findings(checkoutOf('pull_request', '${{ github.event.pull_request.head.sha }}'), 'gha-untrusted-checkout')).toEqual([]);
    expect(findings(checkoutOf('[push, pull_request]', '${{ github.head_ref }}'), 'gha-untrusted-checkout')).toEqual([]);
    expect(findings(checkoutOf('pull_request_target', '${{ github.event.pull_request.base.sha }}'), 'gha-untrusted-checkout')).toEqual([]);
    expect(findings(checkoutOf('pull_request_target', 'main'), 'gha-untrusted-checkout')).toEqual([]);
  });

  it("a fork's repository checked out is its code too", () => {
    const text = lines(
      'on: pull_request_target',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '        with:',
      '          repository: ${{ github.event.pull_request.head.repo.full_name }}', // 8
    );
    expect(findings(text, 'gha-untrusted-checkout')).toEqual(['gha-untrusted-checkout@8']);
  });
});

describe('gha-untrusted-checkout: issue_comment (ChatOps) workflows', () => {
  /** A `/test` command: a comment on a pull request runs this, from the default branch, with secrets. */
  const chatops = (checkout: string[], run = 'make test', on = 'issue_comment') =>
    lines(
      `on: ${on}`,
      'jobs:',
      '  test:',
      "    if: github.event.issue.pull_request && startsWith(github.event.comment.body, '/test')",
      '    runs-on: ubuntu-latest',
      '    steps:',
      ...checkout, // from line 7
      `      - run: ${run}`,
    );

  it('reports a checkout of refs/pull/<issue number>/head or /merge, and of the pull request the comment is on', () => {
    for (const ref of ['refs/pull/${{ github.event.issue.number }}/head', 'refs/pull/${{ github.event.issue.number }}/merge', '${{ github.event.issue.pull_request.head.sha }}']) {
      expect(findings(chatops(['      - uses: actions/checkout@v4', '        with:', `          ref: ${ref}`]), 'gha-untrusted-checkout'), ref).toEqual(['gha-untrusted-checkout@9']);
    }
    const [f] = scanRuntime(WORKFLOW, chatops(['      - uses: actions/checkout@v4', '        with:', '          ref: refs/pull/${{ github.event.issue.number }}/head'])).findings;
    expect(f!.message).toBe(
      "Job test checks out the pull request's code (ref: refs/pull/${{ github.event.issue.number }}/head) in a workflow triggered by issue_comment, which anyone can start by commenting on a pull request, a fork's included, with the base repository's secrets and a write token: whatever of that code the job runs, anyone who opens a pull request controls.",
    );
    expect(f!.fix).toContain('Keep the default checkout (the base) under issue_comment');
  });

  it("reports a ref from a step output that resolved the pull request's head: gh pr view, github-script's pulls.get, an action made for it", () => {
    const ghView = [
      '      - id: pr',
      '        env: { GH_TOKEN: "${{ github.token }}" }',
      '        run: echo "sha=$(gh pr view ${{ github.event.issue.number }} --json headRefOid -q .headRefOid)" >> "$GITHUB_OUTPUT"',
      '      - uses: actions/checkout@v4',
      '        with:',
      '          ref: ${{ steps.pr.outputs.sha }}', // 12
    ];
    expect(findings(chatops(ghView), 'gha-untrusted-checkout')).toEqual(['gha-untrusted-checkout@12']);
    const script = [
      '      - id: pr',
      '        uses: actions/github-script@v7',
      '        with:',
      '          script: |',
      '            const { data } = await github.rest.pulls.get({ ...context.repo, pull_number: context.issue.number })',
      "            core.setOutput('head', data.head.sha)",
      '      - uses: actions/checkout@v4',
      '        with:',
      '          ref: ${{ steps.pr.outputs.head }}', // 15
    ];
    expect(findings(chatops(script), 'gha-untrusted-checkout')).toEqual(['gha-untrusted-checkout@15']);
    const branchAction = ['      - uses: xt0rted/pull-request-comment-branch@v3', '        id: branch', '      - uses: actions/checkout@v4', '        with:', '          ref: ${{ steps.branch.outputs.head_sha }}'];
    expect(findings(chatops(branchAction), 'gha-untrusted-checkout')).toEqual(['gha-untrusted-checkout@11']);
  });

  it("is quiet when the job never checks out or runs the pull request's code, checks out the base, or takes an output that is not the head", () => {
    const commentOnly = ['      - run: gh pr comment ${{ github.event.issue.number }} --body "Thanks!"', '        env: { GH_TOKEN: "${{ github.token }}" }'];
    expect(findings(chatops(commentOnly, 'gh pr view "$NUMBER" --json title'), 'gha-untrusted-checkout')).toEqual([]);
    expect(findings(chatops(['      - uses: actions/checkout@v4']), 'gha-untrusted-checkout')).toEqual([]);
    expect(findings(chatops(['      - uses: actions/checkout@v4', '        with:', '          ref: ${{ github.event.repository.default_branch }}']), 'gha-untrusted-checkout')).toEqual([]);
    const baseOutput = ['      - id: pr', '        run: echo "base_ref=$(gh pr view 1 --json baseRefName -q .baseRefName)" >> "$GITHUB_OUTPUT"', '      - uses: actions/checkout@v4', '        with:', '          ref: ${{ steps.pr.outputs.base_ref }}'];
    expect(findings(chatops(baseOutput), 'gha-untrusted-checkout')).toEqual([]);
    const unrelated = ['      - id: version', '        run: echo "v=$(cat VERSION)" >> "$GITHUB_OUTPUT"', '      - uses: actions/checkout@v4', '        with:', '          ref: ${{ steps.version.outputs.v }}'];
    expect(findings(chatops(unrelated), 'gha-untrusted-checkout')).toEqual([]);
  });

  it('pull_request_review and pull_request_review_comment run a fork\'s pull request without secrets, as pull_request does: quiet', () => {
    for (const on of ['pull_request_review', 'pull_request_review_comment', 'pull_request']) {
      expect(findings(chatops(['      - uses: actions/checkout@v4', '        with:', '          ref: ${{ github.event.pull_request.head.sha }}'], 'gh pr checkout ${{ github.event.pull_request.number }}', on), 'gha-untrusted-checkout'), on).toEqual([]);
    }
  });
});

describe('gha-untrusted-checkout: run: scripts that check out the head themselves', () => {
  const job = (on: string, ...steps: string[]) => lines(`on: ${on}`, 'jobs:', '  build:', '    runs-on: ubuntu-latest', '    steps:', ...steps);

  it('reports gh pr checkout, git fetch of pull/N/head, git checkout of the head, each at the line and column of its command', () => {
    const text = job(
      '[pull_request_target, issue_comment]',
      '      - uses: actions/checkout@v4', // 6
      '      - run: gh pr checkout ${{ github.event.issue.number }}', // 7
      '      - env:',
      '          HEAD_SHA: ${{ github.event.pull_request.head.sha }}',
      '        run: |', // 10
      '          set -e',
      '          git fetch origin pull/${{ github.event.number }}/head:pr', // 12
      '          git checkout ${{ github.event.pull_request.head.sha }} && make', // 13
      '          cd app; git switch "$GITHUB_HEAD_REF"', // 14
      '          git -C app reset --hard "$HEAD_SHA"', // 15
      '          git fetch origin \\', // 16: continued on the next line
      '            +refs/pull/*/merge:refs/remotes/origin/pr/*',
      '          # git checkout ${{ github.head_ref }} (a comment)',
      '          echo "git log ${{ github.head_ref == \'x\' }}"',
      '          git checkout ${{ github.event.pull_request.base.sha }}',
      '          git diff ${{ github.event.pull_request.head.sha }}',
    );
    const found = scanRuntime(WORKFLOW, text).findings.filter((f) => f.info.id === 'gha-untrusted-checkout');
    expect(found.map((f) => `${f.line}:${f.column}`)).toEqual(['7:14', '12:11', '13:11', '14:19', '15:11', '16:11']);
    expect(found[0]!.message).toBe(
      "Job build: the run: script's gh pr checkout (${{ github.event.issue.number }}) brings the pull request's code into a workflow triggered by issue_comment, which anyone can start by commenting on a pull request, a fork's included, with the base repository's secrets and a write token: whatever of that code the job runs, anyone who opens a pull request controls.",
    );
    expect(found[0]!.fix).toContain('under issue_comment');
    // The trigger named is the one whose event gives the head: the pull request's fields are pull_request_target's.
    expect(found[2]!.message).toContain("git checkout (${{ github.event.pull_request.head.sha }}) brings the pull request's code into a workflow triggered by pull_request_target, which runs for pull requests from any fork");
    expect(found[4]!.message).toContain('git reset ($HEAD_SHA, set to ${{ github.event.pull_request.head.sha }})');
  });

  it('reports under workflow_run and issue_comment too, and reads a script hidden by quoting at its start', () => {
    expect(findings(job('workflow_run', '      - run: git checkout ${{ github.event.workflow_run.head_sha }}'), 'gha-untrusted-checkout')).toEqual(['gha-untrusted-checkout@6']);
    expect(findings(job('pull_request_target', '      - run: git clone --depth 1 ${{ github.event.pull_request.head.repo.clone_url }} pr'), 'gha-untrusted-checkout')).toEqual(['gha-untrusted-checkout@6']);
    expect(findings(job('issue_comment', '      - run: >-', '          git fetch origin', '          pull/${{ github.event.issue.number }}/head'), 'gha-untrusted-checkout')).toEqual(['gha-untrusted-checkout@6']);
    expect(findings(job('issue_comment', '      - run: "git fetch origin pull/1/head\\ngh pr checkout 1"'), 'gha-untrusted-checkout')).toEqual(['gha-untrusted-checkout@6', 'gha-untrusted-checkout@6']);
  });

  it('is quiet under pull_request, and for scripts that only read the pull request (gh pr view, gh pr diff, git diff, git log)', () => {
    expect(findings(job('pull_request', '      - run: gh pr checkout ${{ github.event.number }} && git checkout ${{ github.head_ref }}'), 'gha-untrusted-checkout')).toEqual([]);
    expect(
      findings(job('issue_comment', '      - run: |', '          gh pr view ${{ github.event.issue.number }} --json files', '          gh pr diff ${{ github.event.issue.number }}', '          git log --oneline -5'), 'gha-untrusted-checkout'),
    ).toEqual([]);
  });
});

describe('composite actions of the repository', () => {
  const composite = (...steps: string[]) => lines('name: Build', 'inputs:', '  title: { required: true }', 'runs:', '  using: composite', '  steps:', ...steps);

  it('action.yml / action.yaml at the root or in a folder under .github/actions/; not elsewhere', () => {
    expect(isActionPath('action.yml')).toBe(true);
    expect(isActionPath('action.yaml')).toBe(true);
    expect(isActionPath('.github/actions/setup/action.yml')).toBe(true);
    expect(isActionPath('.github/actions/deploy/aws/action.yaml')).toBe(true);
    expect(isActionPath('.github/actions/action.yml')).toBe(false);
    expect(isActionPath('tools/action.yml')).toBe(false);
    expect(isActionPath('vendor/x/action.yml')).toBe(false);
    expect(isActionPath('.github/workflows/action.yml')).toBe(false);
    expect(isRuntimeFile('.github/actions/setup/action.yml', 'runs:\n')).toBe(true);
  });

  it("reports untrusted event fields in their run: scripts and unpinned third-party actions; the caller's inputs are not judged", () => {
    const text = composite(
      '    - run: echo "${{ github.event.pull_request.title }}"', // 7
      '      shell: bash',
      '    - run: echo "${{ inputs.title }}"',
      '      shell: bash',
      '    - uses: acme/setup@v1', // 11
      '    - uses: actions/github-script@v7',
      '      with:',
      '        script: console.log(`${{ github.event.comment.body }}`)', // 14
      '    - env:',
      '        TITLE: ${{ github.event.issue.title }}',
      '      run: echo "${{ env.TITLE }}" "$TITLE"', // 17
      '      shell: bash',
    );
    for (const path of ['action.yml', '.github/actions/setup/action.yaml']) {
      expect(findings(text, undefined, path)).toEqual(['gha-script-injection@7', 'gha-unpinned-action@11', 'gha-script-injection@14', 'gha-script-injection@17']);
    }
    expect(scanRuntime('action.yml', text).findings.find((x) => x.line === 17)!.message).toMatch(/^Composite action: the run: script expands \$\{\{ env\.TITLE \}\}, which the step's env: sets from github\.event\.issue\.title/);
    const [f] = scanRuntime('action.yml', text).findings;
    expect(f!.message).toBe("Composite action: the run: script expands github.event.pull_request.title (text anyone can set) with ${{ }}, so that text becomes part of the shell script and runs with the job's token and secrets.");
    expect(scanRuntime('action.yml', text).findings.find((x) => x.line === 11)!.message).toContain('which this action then runs');
  });

  it('actions of other kinds (node, docker) have no steps to read; one that is not YAML makes the scan partial', () => {
    expect(findings(lines('runs:', '  using: node20', '  main: index.js', '  steps:', '    - run: echo "${{ github.event.issue.title }}"'), undefined, 'action.yml')).toEqual([]);
    expect(findings(lines('runs:', '  using: docker', "  image: 'docker://alpine:3'"), undefined, 'action.yml')).toEqual([]);
    expect(scanRuntime('action.yml', 'runs: [\n').unchecked).toEqual([expect.stringMatching(/^not valid YAML \(.*\); workflow rules not applied to it$/)]);
  });
});

describe('gha-script-injection: local composite actions and what their callers give them', () => {
  const greet = lines(
    'name: Greet',
    'inputs:',
    '  name: { required: true }',
    '  count: { required: false }',
    'runs:',
    '  using: composite',
    '  steps:',
    '    - run: echo "Hello ${{ inputs.name }}, visit ${{ inputs.count }}"', // 8
    '      shell: bash',
    '    - env: { NAME: "${{ inputs.name }}" }',
    '      run: echo "Hello $NAME"',
    '      shell: bash',
  );
  const caller = (uses: string, name = '${{ github.event.pull_request.title }}') =>
    lines(
      'on: pull_request_target',
      'jobs:',
      '  greet:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/checkout@v4',
      `      - uses: ${uses}`,
      '        with:',
      `          name: ${name}`, // 9
      '          count: ${{ github.run_number }}',
    );
  const ACTION = '.github/actions/greet/action.yml';

  it("reports the composite's script that expands an input a workflow gives untrusted text, at the script's line, naming the caller; the workflow's with: is the caller's to keep", async () => {
    const result = await scanFiles({ '.gitignore': '.env\n*.env\n', [WORKFLOW]: caller('./.github/actions/greet'), [ACTION]: greet });
    expect(hits(result, 'gha-script-injection')).toEqual(['gha-script-injection@8']);
    const [f] = result.findings.filter((x) => x.rule === 'gha-script-injection');
    expect(f).toMatchObject({ file: ACTION, line: 8, column: 24 });
    expect(f!.message).toBe(
      "Composite action: the run: script expands ${{ inputs.name }}, which .github/workflows/ci.yml gives it at line 9 from github.event.pull_request.title (text anyone can set); GitHub substitutes it before the script runs, so that text becomes part of the shell script and runs with the job's token and secrets.",
    );
    expect(f!.fix).toBe('Pass it through env: (env: NAME: ${{ inputs.name }}) and use "$NAME", quoted, in the script.');
    expect(result.partial).toBe(false);
  });

  it('is quiet when every caller gives constants or trusted fields; one caller that gives untrusted text is enough, and the others are counted', async () => {
    const quiet = await scanFiles({ '.gitignore': '.env\n*.env\n', [WORKFLOW]: caller('./.github/actions/greet', 'world'), '.github/workflows/b.yml': caller('./.github/actions/greet/', '${{ github.actor }}'), [ACTION]: greet });
    expect(hits(quiet, 'gha-script-injection')).toEqual([]);
    const two = await scanFiles({
      '.gitignore': '.env\n*.env\n',
      [WORKFLOW]: caller('./.github/actions/greet', 'world'),
      '.github/workflows/b.yml': caller('./.github/actions/greet', '${{ github.event.issue.title }}'),
      '.github/workflows/c.yml': caller('./.github/actions/../actions/greet', '${{ github.head_ref }}'),
      [ACTION]: greet,
    });
    expect(hits(two, 'gha-script-injection')).toEqual(['gha-script-injection@8']);
    expect(two.findings[0]!.message).toContain('which .github/workflows/b.yml gives it at line 9 (and 1 more step of the repository) from github.event.issue.title');
  });

  it('follows an action from any folder (read as an action though not under .github/actions/), and an input passed on to another local action', async () => {
    const outer = lines('inputs:', '  title: {}', 'runs:', '  using: composite', '  steps:', '    - uses: ./.github/actions/greet', '      with:', '        name: "${{ inputs.title }}"');
    const result = await scanFiles({
      '.gitignore': '.env\n*.env\n',
      [WORKFLOW]: caller('./tools/welcome').replace('name:', 'title:'),
      'tools/welcome/action.yaml': outer,
      [ACTION]: greet,
    });
    expect(result.findings.filter((f) => f.rule === 'gha-script-injection').map((f) => `${f.file}:${f.line}`)).toEqual([`${ACTION}:8`]);
    expect(result.findings[0]!.message).toContain('${{ inputs.name }}, which tools/welcome/action.yaml gives it at line 8 from ${{ inputs.title }}, which .github/workflows/ci.yml gives it at line 9 from github.event.pull_request.title');
    // tools/welcome/action.yaml is read as an action: its own third-party action is judged.
    const pinned = await scanFiles({ '.gitignore': '.env\n*.env\n', [WORKFLOW]: caller('./tools/welcome'), 'tools/welcome/action.yaml': lines('runs:', '  using: composite', '  steps:', '    - uses: acme/setup@v1') });
    expect(pinned.findings.map((f) => `${f.rule}@${f.file}:${f.line}`)).toEqual(['gha-unpinned-action@tools/welcome/action.yaml:4']);
  });

  it('a local action that is not in the tree is a note at its caller, not partial; one that is not YAML makes the scan partial by itself, and neither stops the rest', async () => {
    const missing = await scanFiles({ '.gitignore': '.env\n*.env\n', [WORKFLOW]: caller('./.github/actions/gone') });
    expect(missing.partial).toBe(false);
    expect(missing.notes).toEqual([
      {
        kind: 'unfollowed',
        file: WORKFLOW,
        message:
          '.github/workflows/ci.yml:9: the local action ./.github/actions/gone is given github.event.pull_request.title (text anyone can set) as its input name, but there is no action.yml or action.yaml in .github/actions/gone in what was scanned, so what it does with that text was not checked',
      },
    ]);
    expect((await scanFiles({ '.gitignore': '.env\n*.env\n', [WORKFLOW]: caller('./.github/actions/gone', 'world') })).notes).toEqual([]);
    const withScript = caller('./.github/actions/greet') + '      - run: echo "${{ github.event.pull_request.body }}"\n'; // 11
    const broken = await scanFiles({ '.gitignore': '.env\n*.env\n', [WORKFLOW]: withScript, [ACTION]: 'runs: [\n' });
    expect(broken.partial).toBe(true);
    expect(broken.notes).toEqual([{ kind: 'incomplete', file: ACTION, message: expect.stringMatching(/^\.github\/actions\/greet\/action\.yml: not valid YAML \(.+\); workflow rules not applied to it$/) }]);
    expect(hits(broken, 'gha-script-injection')).toEqual(['gha-script-injection@11']);
  });

  it('a scan given only the action (no caller in the tree) does not judge its inputs', () => {
    expect(findings(greet, 'gha-script-injection', ACTION)).toEqual([]);
  });
});

describe("gha-script-injection: local actions' outputs and input defaults, local reusable workflows", () => {
  const IGNORE = { '.gitignore': '.env\n*.env\n' };
  const ACTION = '.github/actions/title/action.yml';
  /** An action whose outputs carry the event's text (its own read, and an input passed through) and one constant. */
  const titleAction = lines(
    'inputs:',
    '  given: {}',
    'outputs:',
    '  title:',
    '    value: ${{ steps.read.outputs.title }}', // 5
    '  passed:',
    '    value: ${{ inputs.given }}', // 7
    '  fixed:',
    '    value: ${{ steps.read.outputs.fixed }}',
    'runs:',
    '  using: composite',
    '  steps:',
    '    - id: read',
    '      env: { T: "${{ github.event.pull_request.title }}" }',
    '      shell: bash',
    '      run: |',
    '        echo "title=$T" >> "$GITHUB_OUTPUT"', // 17
    '        echo "fixed=1" >> "$GITHUB_OUTPUT"',
  );
  const user = lines(
    'on: pull_request_target',
    'jobs:',
    '  a:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - id: t',
    '        uses: ./.github/actions/title',
    '        with: { given: "${{ github.event.pull_request.body }}" }',
    '      - run: echo "${{ steps.t.outputs.title }}"', // 9
    '      - run: echo "${{ steps.t.outputs.passed }} ${{ steps.t.outputs.fixed }}"', // 10
  );

  it("reports a local composite action's output read by the caller as steps.<id>.outputs.<name> when the action sets it from untrusted text, its own or its caller's", async () => {
    const result = await scanFiles({ ...IGNORE, [WORKFLOW]: user, [ACTION]: titleAction });
    expect(hits(result, 'gha-script-injection').filter((h) => !h.startsWith(ACTION))).toEqual(['gha-script-injection@9', 'gha-script-injection@10']);
    const at9 = result.findings.find((f) => f.file === WORKFLOW && f.line === 9)!;
    expect(at9.message).toBe(
      "Job a: the run: script expands ${{ steps.t.outputs.title }}, which the local action ./.github/actions/title gives as its output title (line 5 of its action.yml) from ${{ steps.read.outputs.title }}, which step read writes to $GITHUB_OUTPUT (line 17) from $T, which the step's env: sets from github.event.pull_request.title (text anyone can set); GitHub substitutes it before the script runs, so that text becomes part of the shell script and runs with the job's token and secrets.",
    );
    expect(result.findings.find((f) => f.file === WORKFLOW && f.line === 10)!.message).toContain('gives as its output passed (line 7 of its action.yml) from ${{ inputs.given }}, which .github/workflows/ci.yml gives it at line 8 from github.event.pull_request.body');
    // Without the caller's untrusted input, the passed-through output is not untrusted; without the action in the tree, none is.
    const constant = await scanFiles({ ...IGNORE, [WORKFLOW]: user.replace('${{ github.event.pull_request.body }}', 'hello'), [ACTION]: titleAction });
    expect(hits(constant, 'gha-script-injection')).toEqual(['gha-script-injection@9']);
    expect(hits(await scanFiles({ ...IGNORE, [WORKFLOW]: user }), 'gha-script-injection')).toEqual([]);
  });

  it('an input whose default: is untrusted text is untrusted in the action, called or scanned alone; a constant default is not', async () => {
    const action = lines(
      'inputs:',
      '  title:',
      '    default: ${{ github.event.pull_request.title }}', // 3
      '  mode:',
      '    default: fast',
      'runs:',
      '  using: composite',
      '  steps:',
      '    - run: echo "${{ inputs.title }} ${{ inputs.mode }}"', // 9
      '      shell: bash',
    );
    const path = '.github/actions/t/action.yml';
    expect(findings(action, 'gha-script-injection', path)).toEqual(['gha-script-injection@9']);
    expect(scanRuntime(path, action).findings[0]!.message).toContain('expands ${{ inputs.title }}, whose default: (line 3) is github.event.pull_request.title (text anyone can set), for a caller that gives it none;');
    expect(findings(action.replace('${{ github.event.pull_request.title }}', '${{ github.event.pull_request.number }}'), 'gha-script-injection', path)).toEqual([]);
  });

  const called = lines(
    'on:',
    '  workflow_call:',
    '    inputs:',
    '      title: { type: string }',
    '      count: { type: number }',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - run: echo "${{ inputs.title }} ${{ inputs.count }}"', // 10
  );
  const callerOf = (uses: string, title: string) =>
    lines(
      'on: issues',
      'jobs:',
      '  first:',
      '    runs-on: ubuntu-latest',
      '    outputs: { t: "${{ steps.s.outputs.t }}" }',
      '    steps:',
      '      - id: s',
      '        run: echo "t=${{ github.event.issue.body }}" >> "$GITHUB_OUTPUT"', // 8 (itself an injection)
      '  call:',
      '    needs: first',
      `    uses: ${uses}`,
      '    with:',
      `      title: ${title}`, // 13
      '      count: 3',
    );
  const CALLED = '.github/workflows/build.yml';

  it("reports a local reusable workflow's ${{ inputs.* }} that a caller gives untrusted text with with:, at the called workflow's line, naming the caller; a constant is quiet", async () => {
    const result = await scanFiles({ ...IGNORE, [WORKFLOW]: callerOf('./.github/workflows/build.yml', '${{ github.event.issue.title }}'), [CALLED]: called });
    expect(result.findings.filter((f) => f.rule === 'gha-script-injection').map((f) => `${f.file}:${f.line}`).sort()).toEqual([`${CALLED}:10`, `${WORKFLOW}:8`]);
    expect(result.findings.find((f) => f.file === CALLED)!.message).toBe(
      "Job build: the run: script expands ${{ inputs.title }}, which .github/workflows/ci.yml gives it at line 13 from github.event.issue.title (text anyone can set); GitHub substitutes it before the script runs, so that text becomes part of the shell script and runs with the job's token and secrets.",
    );
    const needs = await scanFiles({ ...IGNORE, [WORKFLOW]: callerOf('./.github/workflows/build.yml', '${{ needs.first.outputs.t }}'), [CALLED]: called });
    expect(needs.findings.find((f) => f.file === CALLED)!.message).toContain('${{ inputs.title }}, which .github/workflows/ci.yml gives it at line 13 from ${{ needs.first.outputs.t }}, which job first\'s outputs: set (line 5)');
    const quiet = await scanFiles({ ...IGNORE, [WORKFLOW]: callerOf('./.github/workflows/build.yml', 'release'), [CALLED]: called });
    expect(quiet.findings.filter((f) => f.file === CALLED)).toEqual([]);
    // Scanned alone, nobody is known to call it: its inputs are not judged.
    expect(findings(called, 'gha-script-injection', CALLED)).toEqual([]);
  });

  it("reports a local reusable workflow's on.workflow_call.outputs read by the jobs after the calling job as needs.<job>.outputs.<name>, when its job's output carries untrusted text, its own or its caller's", async () => {
    const producer = lines(
      'on:',
      '  workflow_call:',
      '    inputs:',
      '      given: { type: string }',
      '    outputs:',
      '      title:',
      '        value: ${{ jobs.read.outputs.t }}', // 7
      '      passed:',
      '        value: ${{ inputs.given }}', // 9
      '      fixed:',
      '        value: ${{ jobs.read.outputs.f }}',
      'jobs:',
      '  read:',
      '    runs-on: ubuntu-latest',
      '    outputs: { t: "${{ steps.s.outputs.t }}", f: "${{ steps.s.outputs.f }}" }', // 15
      '    steps:',
      '      - id: s',
      '        env: { T: "${{ github.event.issue.title }}" }',
      '        run: |',
      '          echo "t=$T" >> "$GITHUB_OUTPUT"', // 20
      '          echo "f=1" >> "$GITHUB_OUTPUT"',
    );
    const consumer = (given: string) =>
      lines(
        'on: issues',
        'jobs:',
        '  call:',
        '    uses: ./.github/workflows/build.yml',
        `    with: { given: "${given}" }`,
        '  after:',
        '    needs: call',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: echo "${{ needs.call.outputs.title }}"', // 10
        '      - run: echo "${{ needs.call.outputs.passed }} ${{ needs.call.outputs.fixed }}"', // 11
      );
    const result = await scanFiles({ ...IGNORE, [WORKFLOW]: consumer('${{ github.event.issue.body }}'), [CALLED]: producer });
    expect(hits(result, 'gha-script-injection').filter((h) => !h.startsWith(CALLED))).toEqual(['gha-script-injection@10', 'gha-script-injection@11']);
    expect(result.findings.find((f) => f.file === WORKFLOW && f.line === 10)!.message).toBe(
      "Job after: the run: script expands ${{ needs.call.outputs.title }}, which the local workflow ./.github/workflows/build.yml gives as its output title (line 7 of that file) from ${{ jobs.read.outputs.t }}, which job read's outputs: set (line 15) from ${{ steps.s.outputs.t }}, which step s writes to $GITHUB_OUTPUT (line 20) from $T, which the step's env: sets from github.event.issue.title (text anyone can set); GitHub substitutes it before the script runs, so that text becomes part of the shell script and runs with the job's token and secrets.",
    );
    expect(result.findings.find((f) => f.file === WORKFLOW && f.line === 11)!.message).toContain('gives as its output passed (line 9 of that file) from ${{ inputs.given }}, which .github/workflows/ci.yml gives it at line 5 from github.event.issue.body');
    // A constant given: only the output set from the event is untrusted; a job that does not need the caller reads nothing of it; without the called workflow in the tree, nothing is known.
    expect(hits(await scanFiles({ ...IGNORE, [WORKFLOW]: consumer('hello'), [CALLED]: producer }), 'gha-script-injection').filter((h) => !h.startsWith(CALLED))).toEqual(['gha-script-injection@10']);
    expect(hits(await scanFiles({ ...IGNORE, [WORKFLOW]: consumer('hello').replace('    needs: call\n', ''), [CALLED]: producer }), 'gha-script-injection').filter((h) => !h.startsWith(CALLED))).toEqual([]);
    expect(hits(await scanFiles({ ...IGNORE, [WORKFLOW]: consumer('hello') }), 'gha-script-injection')).toEqual([]);
  });

  it("a variable a local action writes to $GITHUB_ENV from untrusted text is untrusted in the caller's later steps, naming the action", async () => {
    const ENVACT = '.github/actions/setenv/action.yml';
    const setEnv = lines(
      'inputs:',
      '  given: {}',
      'runs:',
      '  using: composite',
      '  steps:',
      '    - id: w',
      '      env: { T: "${{ github.event.issue.title }}", G: "${{ inputs.given }}" }',
      '      shell: bash',
      '      run: |',
      '        echo "TITLE=$T" >> "$GITHUB_ENV"', // 10
      '        echo "GIVEN=$G" >> "$GITHUB_ENV"', // 11
      '        echo "FIXED=1" >> "$GITHUB_ENV"',
    );
    const caller = (given: string) =>
      lines(
        'on: issues',
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: echo "${{ env.TITLE }}"', // 6: before the action ran
        '      - uses: ./.github/actions/setenv',
        `        with: { given: "${given}" }`,
        '      - run: echo "${{ env.TITLE }}"', // 9
        '      - run: echo "${{ env.GIVEN }} ${{ env.FIXED }}"', // 10
      );
    const result = await scanFiles({ ...IGNORE, [WORKFLOW]: caller('${{ github.event.issue.body }}'), [ENVACT]: setEnv });
    expect(hits(result, 'gha-script-injection').filter((h) => !h.startsWith(ENVACT))).toEqual(['gha-script-injection@9', 'gha-script-injection@10']);
    expect(result.findings.find((f) => f.file === WORKFLOW && f.line === 9)!.message).toBe(
      "Job a: the run: script expands ${{ env.TITLE }}, which step w of the local action ./.github/actions/setenv writes to $GITHUB_ENV (line 10 of its action.yml) from $T, which the step's env: sets from github.event.issue.title (text anyone can set); GitHub substitutes it before the script runs, so that text becomes part of the shell script and runs with the job's token and secrets.",
    );
    expect(result.findings.find((f) => f.file === WORKFLOW && f.line === 10)!.message).toContain('${{ env.GIVEN }}, which step w of the local action ./.github/actions/setenv writes to $GITHUB_ENV (line 11 of its action.yml) from $G, which the step\'s env: sets from ${{ inputs.given }}, which .github/workflows/ci.yml gives it at line 8');
    const constant = await scanFiles({ ...IGNORE, [WORKFLOW]: caller('hello'), [ENVACT]: setEnv });
    expect(hits(constant, 'gha-script-injection').filter((h) => !h.startsWith(ENVACT))).toEqual(['gha-script-injection@9']);
    expect(hits(await scanFiles({ ...IGNORE, [WORKFLOW]: caller('hello') }), 'gha-script-injection')).toEqual([]);
  });

  it("follows a local action's output handed to another local action's input with with:, reported at the second action's script", async () => {
    const echoAction = lines('inputs:', '  text: {}', 'runs:', '  using: composite', '  steps:', '    - run: echo "${{ inputs.text }}"', '      shell: bash'); // 6
    const ECHO = '.github/actions/echo/action.yml';
    const handing = lines(
      'on: pull_request_target',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - id: t',
      '        uses: ./.github/actions/title',
      '      - uses: ./.github/actions/echo',
      '        with: { text: "${{ steps.t.outputs.title }}" }', // 9
    );
    const result = await scanFiles({ ...IGNORE, [WORKFLOW]: handing, [ACTION]: titleAction, [ECHO]: echoAction });
    expect(result.findings.filter((f) => f.rule === 'gha-script-injection' && f.file === ECHO).map((f) => f.line)).toEqual([6]);
    expect(result.findings.find((f) => f.file === ECHO)!.message).toContain(
      'expands ${{ inputs.text }}, which .github/workflows/ci.yml gives it at line 9 from ${{ steps.t.outputs.title }}, which the local action ./.github/actions/title gives as its output title (line 5 of its action.yml) from',
    );
    expect(result.partial).toBe(false);
    // The constant output handed on is quiet.
    const fixed = await scanFiles({ ...IGNORE, [WORKFLOW]: handing.replace('outputs.title', 'outputs.fixed'), [ACTION]: titleAction, [ECHO]: echoAction });
    expect(fixed.findings.filter((f) => f.file === ECHO)).toEqual([]);
  });

  it("a called workflow's output handed to another called workflow's input is followed too", async () => {
    const producer = lines('on:', '  workflow_call:', '    outputs:', '      t: { value: "${{ jobs.r.outputs.t }}" }', 'jobs:', '  r:', '    outputs: { t: "${{ github.event.issue.title }}" }', '    runs-on: x', '    steps: [{ run: "true" }]');
    const consumer = lines('on:', '  workflow_call:', '    inputs: { t: { type: string } }', 'jobs:', '  e:', '    runs-on: x', '    steps:', '      - run: echo "${{ inputs.t }}"'); // 8
    const caller = lines('on: issues', 'jobs:', '  p:', '    uses: ./.github/workflows/p.yml', '  c:', '    needs: p', '    uses: ./.github/workflows/c.yml', '    with: { t: "${{ needs.p.outputs.t }}" }');
    const result = await scanFiles({ ...IGNORE, [WORKFLOW]: caller, '.github/workflows/p.yml': producer, '.github/workflows/c.yml': consumer });
    expect(hits(result, 'gha-script-injection')).toEqual(['gha-script-injection@8']);
    expect(result.findings[0]!.message).toContain('${{ inputs.t }}, which .github/workflows/ci.yml gives it at line 8 from ${{ needs.p.outputs.t }}, which the local workflow ./.github/workflows/p.yml gives as its output t (line 4 of that file)');
  });

  it(`outputs handed on to inputs through a chain of local actions are followed ${MAX_PASSES - 1} times over; past that the scan is partial, at the action where it stopped`, async () => {
    // Step k uses action c/k, given step k-1's output; c/0 reads the event, each other passes its input on as its output and expands it.
    const chain = (length: number) => {
      const steps = Array.from({ length }, (_, k) => `      - id: s${k}\n        uses: ./c/${k}\n` + (k > 0 ? `        with: { t: "\${{ steps.s${k - 1}.outputs.v }}" }\n` : '')).join('');
      const files: Record<string, string> = { ...IGNORE, [WORKFLOW]: `on: issues\njobs:\n  a:\n    runs-on: x\n    steps:\n${steps}` };
      files['c/0/action.yml'] = 'outputs: { v: { value: "${{ steps.r.outputs.v }}" } }\nruns:\n  using: composite\n  steps:\n    - id: r\n      env: { B: "${{ github.event.issue.body }}" }\n      run: echo "v=$B" >> "$GITHUB_OUTPUT"\n      shell: bash\n';
      for (let k = 1; k < length; k++) files[`c/${k}/action.yml`] = 'inputs: { t: {} }\noutputs: { v: { value: "${{ inputs.t }}" } }\nruns:\n  using: composite\n  steps:\n    - run: echo "${{ inputs.t }}"\n      shell: bash\n';
      return files;
    };
    const expanded = (result: Awaited<ReturnType<typeof scanFiles>>) => result.findings.filter((f) => f.rule === 'gha-script-injection').map((f) => f.file).sort();
    const within = await scanFiles(chain(MAX_PASSES - 1));
    expect(expanded(within)).toEqual(Array.from({ length: MAX_PASSES - 2 }, (_, k) => `c/${k + 1}/action.yml`));
    expect(within.partial).toBe(false);
    const past = await scanFiles(chain(MAX_PASSES + 2));
    expect(expanded(past)).toEqual(Array.from({ length: MAX_PASSES - 1 }, (_, k) => `c/${k + 1}/action.yml`));
    expect(past.partial).toBe(true);
    expect(past.notes.filter((n) => n.kind === 'incomplete')).toEqual([
      { kind: 'incomplete', file: `c/${MAX_PASSES - 1}/action.yml`, message: `c/${MAX_PASSES - 1}/action.yml: its inputs are given untrusted text from local actions' (or workflows') outputs handed on to inputs ${MAX_PASSES - 1} times over, as far as that is followed, so what its outputs carry on into further local actions' inputs, if anything, was not checked` },
    ]);
  });

  it('a called workflow that is not in the tree is an unfollowed note at the caller, not partial', async () => {
    const result = await scanFiles({ ...IGNORE, [WORKFLOW]: callerOf('./.github/workflows/gone.yml', '${{ github.event.issue.title }}') });
    expect(result.partial).toBe(false);
    expect(result.notes).toEqual([
      {
        kind: 'unfollowed',
        file: WORKFLOW,
        message: '.github/workflows/ci.yml:13: the local workflow ./.github/workflows/gone.yml is given github.event.issue.title (text anyone can set) as its input title, but that file is not in what was scanned, so what it does with that text was not checked',
      },
    ]);
  });
});

describe('gha-unpinned-action', () => {
  it('reports third-party actions and reusable workflows by tag, branch or short SHA; low, so under the default gate', () => {
    const text = lines(
      'on: push',
      'jobs:',
      '  call:',
      '    uses: acme/workflows/.github/workflows/ci.yml@main', // 4
      '  build:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: tj-actions/changed-files@v45', // 8
      '      - uses: pypa/gh-action-pypi-publish@release/v1', // 9
      '      - uses: someone/action@8e5e7e5', // 10
      '      - uses: docker://alpine:3.20', // 11
      `      - uses: someone/action@${SHA} # v2`,
      `      - uses: someone/action/sub/dir@${SHA.toUpperCase()}`,
      '      - uses: actions/checkout@v4',
      '      - uses: actions/setup-python@v5',
      '      - uses: github/codeql-action/init@v3',
      '      - uses: ./.github/actions/build',
      `      - uses: docker://alpine@sha256:${'a'.repeat(64)}`,
      '      - run: make',
    );
    expect(findings(text, 'gha-unpinned-action')).toEqual([4, 8, 9, 10, 11].map((n) => `gha-unpinned-action@${n}`));
    const f = scanRuntime(WORKFLOW, text).findings.find((x) => x.line === 8)!;
    expect(f.info.severity).toBe('low');
    expect(f.message).toBe('uses: tj-actions/changed-files@v45 is a tag or branch, not a commit: the action\'s owner (or whoever takes over their account) can move it to other code, which this workflow then runs with its token and secrets.');
    expect(f.fix).toBe('Pin the full commit SHA the tag points at, with the tag in a comment: uses: tj-actions/changed-files@<40-character SHA> # v45 (Dependabot and Renovate keep such pins up to date).');
  });
});

describe('a workflow that is not YAML', () => {
  it('makes the scan partial, one line naming the file, though workflows hold ${{ }}; the secrets in it are still looked for', async () => {
    const result = await scanFiles({
      '.gitignore': '.env\n*.env\n',
      [WORKFLOW]: lines('on: push', 'jobs:', '  a:', '    steps:', '      - run: echo "${{ github.event.issue.title }}', '        with: [a', 'token: ghp_R8kq2ZxV7mT4pLw9NcY3bHs6JdF1aQe0Ug5K'),
    });
    expect(result.partial).toBe(true);
    expect(result.notes).toEqual([{ kind: 'incomplete', file: WORKFLOW, message: expect.stringMatching(/^\.github\/workflows\/ci\.yml: not valid YAML \([^\n]+ at line \d+, column \d+\); workflow rules not applied to it$/) }]);
    expect(result.findings.map((f) => f.rule)).toEqual(['secret-github-token']);
  });

  it('an alias with no anchor is refused as GitHub refuses it; nesting, size or brackets past any workflow are not handed to the parser', () => {
    expect(scanRuntime(WORKFLOW, 'on: push\njobs: *nothing\n').unchecked).toEqual([expect.stringMatching(/^not valid YAML \(Unresolved alias \*nothing .*\); workflow rules not applied to it$/)]);
    expect(scanRuntime(WORKFLOW, `on: push\njobs: ${'['.repeat(5000)}\n`).unchecked).toEqual(['nests deeper than 200 levels, which no workflow does; workflow rules not applied to it']);
    expect(scanRuntime(WORKFLOW, `on: push\njobs: ${']'.repeat(60_000)}\n`).unchecked).toEqual(['holds 60,000 brackets ([ ] { }; the limit is 50,000), which no workflow does; workflow rules not applied to it']);
    expect(scanRuntime(WORKFLOW, `on: push\n#${'x'.repeat(1024 * 1024)}\n`).unchecked).toEqual(['1,048,587 characters, more than the 1,048,576 a workflow is read to; workflow rules not applied to it']);
  });
});

describe('suppressions and ignores', () => {
  it('# depwatch: ignore[…] on the finding\'s line, in a run: script or after uses:, and .depwatch.yml ignores by id', async () => {
    const workflow = lines(
      'on: [issues, pull_request_target]',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: acme/thing@v1 # depwatch: ignore[gha-unpinned-action]', // 6
      '      - uses: acme/other@v1', // 7
      '      - run: |',
      '          echo "${{ github.event.issue.title }}" # depwatch: ignore[gha-script-injection]', // 9
      '          echo "${{ github.event.issue.body }}"', // 10
      '      - uses: actions/checkout@v4',
      '        with:',
      '          ref: ${{ github.event.pull_request.head.sha }} # nosec', // 13
    );
    const result = await scanFiles({ '.gitignore': '.env\n*.env\n', [WORKFLOW]: workflow });
    const at = (list: typeof result.findings) => list.map((f) => `${f.rule}@${f.line}`).sort();
    expect(at(result.findings)).toEqual(['gha-script-injection@10', 'gha-unpinned-action@7']);
    expect(at(result.ignored)).toEqual(['gha-script-injection@9', 'gha-unpinned-action@6', 'gha-untrusted-checkout@13']);
    expect(result.ignored.find((f) => f.line === 9)!.ignoredBy).toMatchObject({ source: 'inline', reason: '# depwatch: ignore on line 9' });

    const settings = lines('ignore:', '  - id: gha-unpinned-action', '    reason: we review third-party actions by hand');
    const ignored = await scanFiles({ '.gitignore': '.env\n*.env\n', '.depwatch.yml': settings, [WORKFLOW]: workflow });
    expect(at(ignored.findings)).toEqual(['gha-script-injection@10']);
  });
});

describe('workflows take time linear in their size', () => {
  const SMALL = 30_000;
  const LARGE = 300_000;
  /** Null when a text ten times longer costs at most thirty times as much (plus a floor), as the Dockerfile tests measure. */
  function nonLinearGrowth(make: (length: number) => string, run: (text: string) => unknown): string | null {
    const small = make(SMALL);
    const large = make(LARGE);
    let verdict = '';
    for (const budgetMs of [0, 50, 200]) {
      const smallMs = bestCpuMs(() => void run(small), budgetMs);
      const largeMs = bestCpuMs(() => void run(large), budgetMs);
      if (largeMs <= 30 * smallMs + 10) return null;
      verdict = `${smallMs.toFixed(1)} ms at ${SMALL} characters, ${largeMs.toFixed(1)} ms at ${LARGE}`;
    }
    return verdict;
  }
  const rules = (text: string) => scanRuntime(WORKFLOW, text).findings.length;
  const head = 'on: pull_request_target\njobs:\n  a:\n    runs-on: x\n    steps:\n';

  it('thousands of steps, each with expressions, checkouts and unpinned actions', () => {
    const step = '      - uses: a/b@v1\n        with: { ref: "${{ github.head_ref }}" }\n      - run: echo "${{ github.event.issue.title }} ${{ toJSON(github.event) }}"\n';
    const many = (length: number) => head + step.repeat(length / step.length);
    expect(rules(many(SMALL))).toBeGreaterThan(100);
    expect(nonLinearGrowth(many, rules)).toBeNull();
  });

  it('one script of ${{ never closed, of expressions by the thousand, of brackets and quotes in one expression', () => {
    const unclosed = (length: number) => `${head}      - run: "${'${{ github.head_ref '.repeat(length / 20)}"\n`;
    expect(nonLinearGrowth(unclosed, rules)).toBeNull();
    const many = (length: number) => `${head}      - run: |\n${'          echo ${{ github.event.issue.title }}\n'.repeat(length / 48)}`;
    expect(rules(many(SMALL))).toBeGreaterThan(500);
    expect(nonLinearGrowth(many, rules)).toBeNull();
    const oneExpression = (length: number) => `${head}      - run: "\${{ ${"format('{0}', (github.event['issue'][0].title) || ".repeat(length / 55)} 1 }}"\n`;
    expect(nonLinearGrowth(oneExpression, rules)).toBeNull();
  });

  it('run: scripts of git and gh commands by the thousand, of one endless word, of variables by the thousand', () => {
    const env = 'on: issue_comment\njobs:\n  a:\n    runs-on: x\n    env: { HEAD: "${{ github.event.issue.pull_request.head.sha }}" }\n    steps:\n';
    const commands = (length: number) => `${env}      - run: |\n${'          gh pr checkout 1; git fetch origin pull/1/head\n'.repeat(length / 60)}`;
    expect(rules(commands(SMALL))).toBeGreaterThan(900);
    expect(nonLinearGrowth(commands, rules)).toBeNull();
    const oneWord = (length: number) => `${env}      - run: git checkout x${'pull/'.repeat(length / 5)}\n`;
    expect(nonLinearGrowth(oneWord, rules)).toBeNull();
    const variables = (length: number) => `${env}      - run: git checkout ${'$NOPE${X}'.repeat(length / 9)} "$HEAD"\n`;
    expect(rules(variables(SMALL))).toBe(1);
    expect(nonLinearGrowth(variables, rules)).toBeNull();
  });

  it('${{ env.* }} by the thousand, in steps by the thousand, under env: of thousands of variables', () => {
    const manyEnv = (length: number) => {
      const count = Math.floor(length / 120);
      const env = Array.from({ length: count }, (_, k) => `  V${k}: \${{ github.event.issue.title }}\n`).join('');
      const steps = Array.from({ length: count }, (_, k) => `      - run: echo "\${{ env.v${k} }}" "\${{ env.NONE }}"\n`).join('');
      return `on: issues\nenv:\n${env}jobs:\n  a:\n    runs-on: x\n    env: { X: y }\n    steps:\n${steps}`;
    };
    for (const length of [SMALL, LARGE]) expect(rules(manyEnv(length))).toBe(Math.floor(length / 120));
    expect(nonLinearGrowth(manyEnv, rules)).toBeNull();
  });

  it('a script of ${{ env.* }} by the thousand given by alias to thousands of steps, with and without env: of their own', () => {
    const refs = (count: number) => Array.from({ length: count }, (_, k) => `\${{ env.N${k} }}`).join(' ');
    const tainted = 'env:\n  N0: ${{ github.event.issue.body }}\n';
    const bare = (length: number) => `on: issues\n${tainted}jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: &s "${refs(length / 30)}"\n${'      - run: *s\n'.repeat(length / 24)}`;
    for (const length of [SMALL, LARGE]) expect(rules(bare(length))).toBe(1);
    expect(nonLinearGrowth(bare, rules)).toBeNull();
    // Block style: a flow map's braces would count towards the bracket bound, past which the file is not read.
    const ownEnv = (length: number) =>
      `on: issues\n${tainted}jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: &s "${refs(length / 30)}"\n${Array.from({ length: length / 50 }, (_, k) => `      - run: *s\n        env:\n          M${k}: x\n`).join('')}`;
    for (const length of [SMALL, LARGE]) expect(rules(ownEnv(length))).toBe(1);
    expect(nonLinearGrowth(ownEnv, rules)).toBeNull();
  });

  it('a step anchored once and aliased thousands of times is read once', () => {
    const aliased = (length: number) => `${head}      - &s { uses: a/b@v1, run: "echo \${{ github.event.issue.body }}" }\n${'      - *s\n'.repeat(length / 11)}`;
    expect(rules(aliased(SMALL))).toBe(2);
    expect(nonLinearGrowth(aliased, rules)).toBeNull();
  });
  it('env: chains thousands long (each variable read from the next) and cycles in one map, each followed once', () => {
    const chain = (length: number) => {
      const count = Math.floor(length / 60);
      const vars = Array.from({ length: count }, (_, k) => `      V${k}: \${{ env.V${k + 1} }}\n      W${k}: \${{ env.W${(k + 1) % count} }}\n`).join('');
      return `on: issues\njobs:\n  a:\n    runs-on: x\n    env:\n${vars}      V${count}: \${{ github.event.issue.title }}\n    steps:\n      - run: echo "\${{ env.V0 }} \${{ env.W0 }}"\n`;
    };
    expect(rules(chain(SMALL))).toBe(1);
    expect(nonLinearGrowth(chain, rules)).toBeNull();
  });

  it('step outputs by the thousand, each written from the one before, and jobs by the thousand, each needing the one before', () => {
    const steps = (length: number) =>
      `on: issues\njobs:\n  a:\n    runs-on: x\n    steps:\n      - id: s0\n        env: { T: "\${{ github.event.issue.title }}" }\n        run: echo "o=$T" >> "$GITHUB_OUTPUT"\n` +
      Array.from({ length: Math.floor(length / 90) }, (_, k) => `      - id: s${k + 1}\n        run: echo "o=\${{ steps.s${k}.outputs.o }}" >> "$GITHUB_OUTPUT"\n`).join('');
    expect(rules(steps(SMALL))).toBe(Math.floor(SMALL / 90));
    expect(nonLinearGrowth(steps, rules)).toBeNull();
    const jobs = (length: number) =>
      `on: issues\njobs:\n  j0:\n    outputs: { o: "\${{ steps.s.outputs.o }}" }\n    steps:\n      - id: s\n        run: echo "o=\${{ github.event.issue.body }}" >> "$GITHUB_OUTPUT"\n` +
      Array.from({ length: Math.floor(length / 150) }, (_, k) => `  j${k + 1}:\n    needs: j${k}\n    outputs: { o: "\${{ steps.s.outputs.o }}" }\n    steps:\n      - id: s\n        run: echo "o=\${{ needs.j${k}.outputs.o }}" >> "$GITHUB_OUTPUT"\n`).reverse().join('');
    expect(rules(jobs(SMALL))).toBe(Math.floor(SMALL / 150) + 1);
    expect(nonLinearGrowth(jobs, rules)).toBeNull();
  });

  it('$GITHUB_ENV writes by the thousand, each from the one before, read by ${{ env.* }} and toJSON(env) in every later step', () => {
    const chain = (length: number) =>
      `on: issues\njobs:\n  a:\n    runs-on: x\n    steps:\n      - env: { T: "\${{ github.event.issue.title }}" }\n        run: echo "V0=$T" >> "$GITHUB_ENV"\n` +
      Array.from({ length: Math.floor(length / 100) }, (_, k) => `      - run: |\n          echo "V${k + 1}=$V${k}" >> "$GITHUB_ENV"\n          echo "\${{ env.V${k} }} \${{ toJSON(env) }}"\n`).join('');
    // Two injections a step, and each write to $GITHUB_ENV under issues (gha-github-env-injection), the first step's too.
    expect(rules(chain(SMALL))).toBe(3 * Math.floor(SMALL / 100) + 1);
    expect(nonLinearGrowth(chain, rules)).toBeNull();
  });

  it('$GITHUB_OUTPUT writes of one endless line, of a here-document never closed, of words that look like its commands', () => {
    const step = (script: string) => `on: issues\njobs:\n  a:\n    runs-on: x\n    env: { T: "\${{ github.event.issue.title }}" }\n    steps:\n      - id: s\n        run: |\n${script}      - run: echo "\${{ steps.s.outputs.o }}"\n`;
    const endless = (length: number) => step(`          echo "o=${'$X${Y:-z}'.repeat(length / 9)} $T" >> "$GITHUB_OUTPUT"\n`);
    expect(rules(endless(SMALL))).toBe(1);
    expect(nonLinearGrowth(endless, rules)).toBeNull();
    const heredoc = (length: number) => step(`          cat <<EOF >> "$GITHUB_OUTPUT"\n          o<<END\n${'          $X text ${{ github.run_id }}\n'.repeat(length / 40)}          $T\n`);
    expect(rules(heredoc(SMALL))).toBe(1);
    expect(nonLinearGrowth(heredoc, rules)).toBeNull();
    const words = (length: number) => step(`          ${'cat tee x=1 o<<E '.repeat(length / 17)} >> "$GITHUB_OUTPUT"\n`);
    expect(nonLinearGrowth(words, rules)).toBeNull();
  });

  it('$GITHUB_PATH writes of one endless line, of a here-document never closed, by the thousand', () => {
    const step = (script: string) => `on: issues\njobs:\n  a:\n    runs-on: x\n    env: { T: "\${{ github.event.issue.title }}" }\n    steps:\n      - run: |\n${script}`;
    // Each reported once (gha-github-env-injection), at its line.
    const endless = (length: number) => step(`          echo "${'$X${Y:-z}/'.repeat(length / 10)}$T" >> "$GITHUB_PATH"\n`);
    expect(rules(endless(SMALL))).toBe(1);
    expect(nonLinearGrowth(endless, rules)).toBeNull();
    const heredoc = (length: number) => step(`          cat <<EOF >> "$GITHUB_PATH"\n${'          /opt/$X/bin\n'.repeat(length / 22)}          $T\n`);
    expect(rules(heredoc(SMALL))).toBe(1);
    expect(nonLinearGrowth(heredoc, rules)).toBeNull();
    const many = (length: number) => step(`          echo "/opt/$T" >> "$GITHUB_PATH"\n`.repeat(length / 42));
    expect(rules(many(SMALL))).toBe(Math.floor(SMALL / 42));
    expect(nonLinearGrowth(many, rules)).toBeNull();
  });

  it("a tree's local actions: workflows of thousands of calls, actions passing their inputs on through more levels than GitHub runs", async () => {
    const tree = (length: number): Record<string, string> => {
      const count = Math.floor(length / 100);
      const calls = Array.from({ length: count }, (_, k) => `      - uses: ./a/${k % 20}\n        with: { name: "\${{ github.event.issue.title }}", n: "\${{ github.run_id }}" }\n`).join('');
      const files: Record<string, string> = { [WORKFLOW]: `on: issues\njobs:\n  a:\n    runs-on: x\n    steps:\n${calls}` };
      // Twenty actions, each passing its input to the next, the last expanding it.
      for (let k = 0; k < 20; k++) {
        const next = k < 19 ? `    - uses: ./a/${k + 1}\n      with: { name: "\${{ inputs.name }}" }\n` : '    - run: echo "${{ inputs.name }}"\n      shell: bash\n';
        files[`a/${k}/action.yml`] = `inputs: { name: {} }\nruns:\n  using: composite\n  steps:\n${next}`;
      }
      return files;
    };
    const followed = async (files: Record<string, string>) => {
      const paths = Object.keys(files);
      const before = process.cpuUsage();
      const actions = await followLocalActions(paths, async (path) => files[path] ?? null);
      const spent = process.cpuUsage(before);
      return { actions, ms: (spent.user + spent.system) / 1000 };
    };
    const small = await followed(tree(SMALL));
    // Every action is called by the workflow: each passes the title on, and the last expands it.
    expect(small.actions.inputsOf('a/19/action.yml').byKey.get('name')).toMatchObject({ kind: 'input', caller: WORKFLOW });
    let verdict: string | null = 'not measured';
    for (let attempt = 0; attempt < 3 && verdict !== null; attempt++) {
      const [s, l] = [(await followed(tree(SMALL))).ms, (await followed(tree(LARGE))).ms];
      verdict = l <= 30 * s + 10 ? null : `${s.toFixed(1)} ms at ${SMALL} characters, ${l.toFixed(1)} ms at ${LARGE}`;
    }
    expect(verdict).toBeNull();
    // Past GitHub's depth a chain is not followed further (its runner refuses it).
    const deep: Record<string, string> = { [WORKFLOW]: 'on: issues\njobs:\n  a:\n    steps:\n      - uses: ./d/0\n        with: { name: "${{ github.event.issue.title }}" }\n' };
    for (let k = 0; k < 12; k++) deep[`d/${k}/action.yml`] = `runs:\n  using: composite\n  steps:\n    - uses: ./d/${k + 1}\n      with: { name: "\${{ inputs.name }}" }\n`;
    const reached = (await followed(deep)).actions;
    expect(Array.from({ length: 12 }, (_, k) => reached.inputsOf(`d/${k}/action.yml`).byKey.size)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    expect(reached.isAction('d/9/action.yml')).toBe(true);
    expect(reached.isAction('d/10/action.yml')).toBe(false);
  });

  it("a local action writing thousands of variables to $GITHUB_ENV, used by thousands of steps that read them", async () => {
    // Half the size in the action's writes, half in the workflow's steps using it and reading the last variable.
    const tree = (length: number): Record<string, string> => {
      const count = Math.floor(length / 100);
      const writes = Array.from({ length: count }, (_, k) => `        echo "V${k}=$T" >> "$GITHUB_ENV"\n`).join('');
      const steps = Array.from({ length: count }, () => `      - uses: ./e\n      - run: echo "\${{ env.V${count - 1} }}"\n`).join('');
      return {
        [WORKFLOW]: `on: issues\njobs:\n  a:\n    runs-on: x\n    steps:\n${steps}`,
        'e/action.yml': `runs:\n  using: composite\n  steps:\n    - env: { T: "\${{ github.event.issue.title }}" }\n      shell: bash\n      run: |\n${writes}`,
      };
    };
    const measured = async (length: number) => {
      const files = tree(length);
      const actions = await followLocalActions(Object.keys(files), async (path) => files[path] ?? null);
      const context = { asAction: false, actionInputs: actions.inputsOf(WORKFLOW), actionOutputs: actions.actionOutputs };
      const run = () => scanRuntime(WORKFLOW, files[WORKFLOW]!, context).findings.length;
      return { found: run(), ms: (budgetMs: number) => bestCpuMs(() => void run(), budgetMs) };
    };
    const [small, large] = [await measured(SMALL), await measured(LARGE)];
    // Each reading step (each after a use of the action) expands the action's variable.
    expect(small.found).toBe(Math.floor(SMALL / 100));
    let verdict: string | null = 'not measured';
    for (const budgetMs of [0, 50, 200]) {
      const [s, l] = [small.ms(budgetMs), large.ms(budgetMs)];
      verdict = l <= 30 * s + 10 ? null : `${s.toFixed(1)} ms at ${SMALL} characters, ${l.toFixed(1)} ms at ${LARGE}`;
      if (verdict === null) break;
    }
    expect(verdict).toBeNull();
  });

  it("a tree's local reusable workflows and actions' outputs: thousands of jobs calling them, workflows' outputs from their inputs, actions whose outputs come from the next one's, handed on to another's input", async () => {
    const tree = (length: number): Record<string, string> => {
      const count = Math.floor(length / 220);
      // Each s job hands the action's output on to another action's input.
      const jobs = Array.from({ length: count }, (_, k) => `  j${k}:\n    uses: ./.github/workflows/w${k % 20}.yml\n    with: { t: "\${{ github.event.issue.title }}" }\n  s${k}:\n    steps: [{ id: o, uses: ./o/0 }, { uses: ./h, with: { t: "\${{ steps.o.outputs.v }}" } }]\n`).join('');
      const files: Record<string, string> = { [WORKFLOW]: `on: issues\njobs:\n${jobs}`, 'h/action.yml': 'runs:\n  using: composite\n  steps:\n    - run: echo "${{ inputs.t }}"\n      shell: bash\n' };
      // Each called workflow's output is its job's, which is its input.
      for (let k = 0; k < 20; k++) files[`.github/workflows/w${k}.yml`] = 'on: { workflow_call: { inputs: { t: { type: string } }, outputs: { o: { value: "${{ jobs.a.outputs.o }}" } } } }\njobs:\n  a:\n    outputs: { o: "${{ inputs.t }}" }\n    steps:\n      - run: echo "${{ inputs.t }}"\n';
      // Each action's output is the next one's, as deep as the runner goes; the last reads the event.
      for (let k = 0; k < 9; k++) {
        const inner = k < 8 ? `    - id: i\n      uses: ./o/${k + 1}\n` : '    - id: i\n      run: echo "v=${{ github.event.issue.body }}" >> "$GITHUB_OUTPUT"\n      shell: bash\n';
        files[`o/${k}/action.yml`] = `outputs: { v: { value: "\${{ steps.i.outputs.v }}" } }\nruns:\n  using: composite\n  steps:\n${inner}`;
      }
      return files;
    };
    const followed = async (files: Record<string, string>) => {
      const before = process.cpuUsage();
      const actions = await followLocalActions(Object.keys(files), async (path) => files[path] ?? null);
      const outputs = actions.actionOutputs('./o/0', 'step');
      const called = Array.from({ length: 20 }, (_, k) => actions.actionOutputs(`./.github/workflows/w${k}.yml`, 'job'));
      const spent = process.cpuUsage(before);
      return { actions, outputs, called, ms: (spent.user + spent.system) / 1000 };
    };
    const small = await followed(tree(SMALL));
    expect(small.actions.inputsOf('.github/workflows/w19.yml').byKey.get('t')).toMatchObject({ kind: 'input', caller: WORKFLOW });
    expect(small.outputs?.outputs.get('v')).toMatchObject({ name: 'v', from: { kind: 'action-output', root: { input: 'github.event.issue.body' } } });
    expect(small.actions.inputsOf('h/action.yml').byKey.get('t')).toMatchObject({ kind: 'input', from: { kind: 'action-output' }, root: { input: 'github.event.issue.body' } });
    for (const outputs of small.called) expect(outputs?.outputs.get('o')).toMatchObject({ name: 'o', from: { kind: 'job-output', spelled: '${{ jobs.a.outputs.o }}', from: { kind: 'input' }, root: { input: 'github.event.issue.title' } } });
    let verdict: string | null = 'not measured';
    for (let attempt = 0; attempt < 3 && verdict !== null; attempt++) {
      const [s, l] = [(await followed(tree(SMALL))).ms, (await followed(tree(LARGE))).ms];
      verdict = l <= 30 * s + 10 ? null : `${s.toFixed(1)} ms at ${SMALL} characters, ${l.toFixed(1)} ms at ${LARGE}`;
    }
    expect(verdict).toBeNull();
  });
});
