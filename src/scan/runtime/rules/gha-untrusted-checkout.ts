/**
 * The "pwn request": a workflow triggered by `pull_request_target`, `workflow_run` or `issue_comment`
 * runs in the base repository, with its secrets and a token that can write, whoever opened the pull
 * request (GitHub's "Events that trigger workflows": `issue_comment` runs the default branch's
 * workflow, as `pull_request_target` does, for a comment on any pull request, a fork's included).
 * Its job then checks out the pull request's head, and the next build, install or test step runs the
 * fork's code (a `setup.py`, a `conftest.py`, a `Makefile`, an npm script) with those secrets.
 * The checkout is `actions/checkout` with `ref:` the head's branch or commit, `refs/pull/N/merge|head`
 * (a ChatOps `/test` comment's workflow knows only the issue's number: `refs/pull/${{
 * github.event.issue.number }}/head`), or a step output that a step resolved from the pull request
 * (`gh pr view`, `pulls.get`); or, in a `run:` script, `gh pr checkout`, `git fetch origin
 * pull/N/head`, `git checkout ${{ github.head_ref }}` / `"$GITHUB_HEAD_REF"` / `"$HEAD"` of an
 * `env:` that names it (gha-pr-head.ts), reported at the command's line. GitHub's "Keeping your
 * GitHub Actions and workflows secure: Preventing pwn requests", zizmor's dangerous-triggers and
 * CodeQL's actions/untrusted-checkout describe it.
 *
 * Under `pull_request`, `pull_request_review` and `pull_request_review_comment` the same checkout is
 * the ordinary CI pattern: for a fork's pull request those run without secrets and with a read-only
 * token (GitHub's "Workflows in forked repositories"), so they are not reported. What the job does
 * after the checkout is not judged: the head's files are the attacker's, and tools run them in ways
 * no rule can list (a linter's plugin, a test runner's config). A composite action has no trigger of
 * its own and is not judged here. A head named through another job's outputs (`needs.*.outputs`) is
 * not followed.
 */
import { clipInput } from '../../../quoted-input.js';
import { PullRequestHead, triggerOf } from '../gha-pr-head.js';
import type { WorkflowRule } from '../rule.js';
import { actionName, whereInSource } from '../workflow.js';

/** Triggers that run with the base repository's secrets and a write token for a pull request from outside it. */
const PRIVILEGED_TRIGGERS = ['pull_request_target', 'workflow_run', 'issue_comment'];

/** Why each is dangerous, for the message. */
const WHY: Record<string, string> = {
  pull_request_target: 'pull_request_target, which runs for pull requests from any fork',
  workflow_run: 'workflow_run, which runs after a pull request\'s workflow from any fork',
  issue_comment: 'issue_comment, which anyone can start by commenting on a pull request, a fork\'s included',
};

export const rule: WorkflowRule = {
  info: {
    id: 'gha-untrusted-checkout',
    kind: 'runtime',
    severity: 'high',
    confidence: 'medium',
    title: 'Privileged workflow checks out a pull request\'s code',
    help: 'pull_request_target, workflow_run and issue_comment run with the base repository\'s secrets and a token that can write, for pull requests (and comments on them) from anyone. Checking out the pull request\'s head there (actions/checkout with ref: its branch, commit, refs/pull/N/merge or /head, or a step output that resolved it; gh pr checkout, git fetch origin pull/N/head or git checkout of the head in a run: script) and then building, installing or testing it runs the fork\'s code with those secrets (a "pwn request"). Run untrusted code in a pull_request workflow, which has no secrets, and hand its results to the privileged workflow as an artifact; or keep the default checkout of the base here.',
  },
  check(workflow, report) {
    const first = PRIVILEGED_TRIGGERS.find((t) => workflow.triggers.includes(t));
    if (!first) return;
    const privileged = PRIVILEGED_TRIGGERS.filter((t) => workflow.triggers.includes(t));
    const head = new PullRequestHead(workflow);
    // The trigger named is the one that gives the head its value, when what names it says which.
    const trigger = (named: string) => triggerOf(named, privileged) ?? first;
    const fix = (t: string) => `Keep the default checkout (the base) under ${t}; build and test the pull request's code in a pull_request workflow, which gets no secrets, and pass its results on as an artifact.`;
    for (const step of workflow.steps) {
      if (step.uses && actionName(step.uses.value) === 'actions/checkout') {
        for (const input of ['ref', 'repository']) {
          const value = step.with.get(input);
          const named = value ? head.inValue(value, step) : null;
          if (!value || !named) continue;
          const t = trigger(named);
          report({
            line: value.line,
            column: value.column,
            message: `Job ${clipInput(step.job, 60)} checks out the pull request's code (${input}: ${clipInput(named, 100)}) in a workflow triggered by ${WHY[t]}, with the base repository's secrets and a write token: whatever of that code the job runs, anyone who opens a pull request controls.`,
            fix: fix(t),
          });
          break;
        }
      }
      if (!step.run) continue;
      for (const found of head.commandsIn(step.run, step)) {
        const at = whereInSource(step.run, found.lineInSource, found.offsetInLine);
        const t = trigger(found.head);
        report({
          line: at.line,
          column: at.column,
          message: `Job ${clipInput(step.job, 60)}: the run: script's ${found.command} (${clipInput(found.head, 100)}) brings the pull request's code into a workflow triggered by ${WHY[t]}, with the base repository's secrets and a write token: whatever of that code the job runs, anyone who opens a pull request controls.`,
          fix: fix(t),
        });
      }
    }
  },
};
