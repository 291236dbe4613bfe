/**
 * A privileged workflow (one that runs with the base repository's secrets and a token that can
 * write, for an event anyone can cause) whose step writes text anyone can set into `$GITHUB_ENV`
 * (`echo "TITLE=$TITLE" >> "$GITHUB_ENV"`, the `name<<EOF` form, github-script's
 * `core.exportVariable`). The runner reads that file as `name=value` lines after the step, so a line
 * break in the text (a comment's or an issue's body, a commit message) ends the value and sets any
 * variable the writer likes for every later step of the job: `BASH_ENV` (a file every bash step
 * runs first), `LD_PRELOAD`, `GIT_SSH_COMMAND`, `PYTHONPATH`… which runs the attacker's code with
 * those secrets; a `name<<EOF` value is ended by a line `EOF` in the text the same way. zizmor's
 * github-env audit ("dangerous use of environment file"), CodeQL's actions/envvar-injection and
 * Synacktiv's and GitHub Security Lab's advisories (GHSL-2024-177) describe it.
 *
 * `$GITHUB_PATH` (and github-script's `core.addPath`) the same way: each line of it is a directory
 * the runner puts first on PATH for the later steps, so such text chooses where their `git`, `node`
 * or `bash` is looked for first: a folder of the pull request's checkout, or of an artifact or cache
 * it wrote, runs the attacker's program instead (zizmor's github-env audit and CodeQL's
 * actions/envpath-injection report it too).
 *
 * Its own rule, not part of gha-script-injection, because it is another hole with another fix: the
 * script-injection fix (env: and `"$TITLE"`) is exactly the write this rule reports, nothing is
 * substituted into a script, and it matters only where the job has something to steal, so only
 * under the triggers below (zizmor scopes its audit to such triggers too). A `${{ }}` written there
 * directly is reported by both rules, at the same line, each with its own fix. gha-script-injection
 * also follows the variable into the later steps that expand it with `${{ env.X }}`.
 *
 * What the write holds is judged as the injection rule judges step outputs (gha-flows.ts,
 * gha-outputs.ts): a `${{ }}`, or a shell or `process.env` variable shown on the line to carry the
 * text; a value built first (`T=$(printf '%s' "$TITLE" | tr -d '\r\n')`, the usual sanitising) is not
 * followed, so a write is never reported on a guess (zizmor reports every write that is not a
 * constant). A composite action has no trigger of its own and is not judged.
 */
import { clipInput } from '../../../quoted-input.js';
import { describeOrigin, WorkflowFlows, type Budget } from '../gha-flows.js';
import type { WorkflowRule } from '../rule.js';

/**
 * Triggers that run the default branch's workflow with the repository's secrets and a write token
 * for events anyone can cause: a pull request from a fork (or the workflow it ran), an issue, a
 * comment, a discussion. (`pull_request` and the review events run a fork's workflow without them.)
 */
const PRIVILEGED_TRIGGERS = ['pull_request_target', 'workflow_run', 'issue_comment', 'issues', 'discussion', 'discussion_comment'];

/** Look-ups one file may cost, as in gha-script-injection. */
const LOOKUP_BUDGET = 1_000_000;

export const rule: WorkflowRule = {
  info: {
    id: 'gha-github-env-injection',
    kind: 'runtime',
    severity: 'high',
    confidence: 'medium',
    title: 'Untrusted text written to $GITHUB_ENV or $GITHUB_PATH in a privileged workflow',
    help: 'The runner reads $GITHUB_ENV as name=value lines (or name<<EOF blocks) after the step and sets them for every later step of the job. Text anyone can set that holds a line break (a body, a comment, a commit message) therefore sets any variable its writer chooses, such as BASH_ENV or LD_PRELOAD, and runs their code with the job\'s secrets and token. Give the later steps the value through their own env: (or a step output read through env:) instead; if it must go to $GITHUB_ENV, remove line breaks first and use a random name<<delimiter. Each line of $GITHUB_PATH is a directory put first on PATH for the later steps: text anyone can set there chooses where their commands are found, so write only directories the workflow itself names.',
  },
  check(workflow, report, unchecked, context) {
    const triggers = workflow.triggers.filter((t) => PRIVILEGED_TRIGGERS.includes(t));
    if (workflow.kind !== 'workflow' || triggers.length === 0) return;
    const budget: Budget = { left: LOOKUP_BUDGET };
    const flows = new WorkflowFlows(workflow, context, budget);
    // A script given to several steps by an alias is one write to fix: reported once, at its line.
    const reported = new Set<string>();
    flows.walk((step, scope) => {
      for (const { write, origin } of flows.envFileWrites(step, scope)) {
        const key = `${write.line}\0${write.output.toLowerCase()}`;
        if (reported.has(key)) continue;
        reported.add(key);
        if (write.how === 'GITHUB_PATH' || write.how === 'addPath') {
          report({
            line: write.line,
            column: write.column ?? null,
            message: `Job ${clipInput(step.job, 60)}: a step ${write.how === 'addPath' ? 'adds a directory to PATH with core.addPath' : 'writes a directory to $GITHUB_PATH'} from ${describeOrigin(origin)}, in a workflow triggered by ${triggers.join(', ')}: that text chooses the directories the job's later steps, which run with its secrets and token, look for their commands in first (a folder of files the attacker wrote, such as a pull request's checkout or an artifact, runs their git, node, bash…).`,
            fix: 'Write only a directory the workflow names itself (a constant path under $RUNNER_TEMP or the tool\'s install folder) to $GITHUB_PATH, never one built from text anyone can set.',
          });
          continue;
        }
        const how = write.how === 'exportVariable' ? `sets ${clipInput(write.output, 60)} with core.exportVariable` : `writes ${clipInput(write.output, 60)} to $GITHUB_ENV`;
        report({
          line: write.line,
          column: write.column ?? null,
          message: `Job ${clipInput(step.job, 60)}: a step ${how} from ${describeOrigin(origin)}, in a workflow triggered by ${triggers.join(', ')}: a line break in that text sets any other variable (BASH_ENV, LD_PRELOAD…) for the job's later steps, which run with its secrets and token.`,
          fix: `Give the steps that need it the value through their own env: (env: ${clipInput(write.output, 60).toUpperCase()}: \${{ … }}) instead of $GITHUB_ENV; if it must go there, remove its line breaks first (tr -d '\\r\\n') and use a random name<<delimiter.`,
        });
      }
    });
    if (budget.left <= 0) unchecked(`following where the values written to $GITHUB_ENV and $GITHUB_PATH come from needs more than ${LOOKUP_BUDGET.toLocaleString('en-US')} look-ups, so those left were not checked`);
  },
};
