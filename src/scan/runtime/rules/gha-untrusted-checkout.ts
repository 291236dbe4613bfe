/**
 * The "pwn request": a workflow triggered by `pull_request_target` or `workflow_run` runs in the base
 * repository, with its secrets and a token that can write, even for a pull request from any fork. Its
 * job then checks out the pull request's head (`actions/checkout` with `ref:` the head's branch or
 * commit, or `refs/pull/N/merge`), and the next build, install or test step runs the fork's code
 * (a `setup.py`, a `conftest.py`, a `Makefile`, an npm script) with those secrets. GitHub's
 * "Keeping your GitHub Actions and workflows secure: Preventing pwn requests", zizmor's
 * dangerous-triggers and CodeQL's actions/untrusted-checkout describe it.
 *
 * Under `pull_request` the same checkout is the ordinary CI pattern: that trigger runs a fork's pull
 * request without secrets and with a read-only token, so it is not reported. What the job does after
 * the checkout is not judged: the head's files are the attacker's, and tools run them in ways no
 * rule can list (a linter's plugin, a test runner's config).
 */
import { clipInput } from '../../../quoted-input.js';
import { references } from '../gha-expressions.js';
import type { WorkflowRule } from '../rule.js';
import { actionName, type WorkflowValue } from '../workflow.js';

/** Triggers that run with the base repository's secrets and a write token for code from outside it. */
const PRIVILEGED_TRIGGERS = ['pull_request_target', 'workflow_run'];

/**
 * The references that name the untrusted head: its branch, its commit, its merge commit, its
 * repository (a fork). Beside UNTRUSTED_INPUTS (gha-expressions.ts), which lists the head's text
 * fields for script injection; these are the ones that pick code to check out.
 */
const HEAD_REFERENCES = new Set([
  'github.event.pull_request.head.sha',
  'github.event.pull_request.head.ref',
  'github.event.pull_request.merge_commit_sha',
  'github.event.pull_request.head.repo.full_name',
  'github.head_ref',
  'github.event.workflow_run.head_sha',
  'github.event.workflow_run.head_branch',
  'github.event.workflow_run.head_repository.full_name',
]);

/** `refs/pull/123/merge`, `refs/pull/${{ github.event.number }}/head`: a pull request's code by its ref. */
const PULL_REF = /refs\/pull\/[^/]{1,200}\/(?:merge|head)\b/;

/** What in a checkout input names the head, as written; null when nothing does. */
function headNamed(input: WorkflowValue): string | null {
  for (const expression of input.expressions) {
    for (const ref of references(expression.text)) {
      const path = ref.path.join('.');
      if (HEAD_REFERENCES.has(path)) return `\${{ ${path} }}`;
    }
  }
  const pull = PULL_REF.exec(input.value.length > 2000 ? input.value.slice(0, 2000) : input.value);
  return pull ? pull[0] : null;
}

export const rule: WorkflowRule = {
  info: {
    id: 'gha-untrusted-checkout',
    kind: 'runtime',
    severity: 'high',
    confidence: 'medium',
    title: 'Privileged workflow checks out a pull request\'s code',
    help: 'pull_request_target and workflow_run run with the base repository\'s secrets and a token that can write, for pull requests from any fork. Checking out the pull request\'s head there (actions/checkout with ref: its branch, commit or refs/pull/N/merge) and then building, installing or testing it runs the fork\'s code with those secrets (a "pwn request"). Run untrusted code in a pull_request workflow, which has no secrets, and hand its results to the privileged workflow as an artifact; or keep the default checkout of the base here.',
  },
  check(workflow, report) {
    const trigger = PRIVILEGED_TRIGGERS.find((t) => workflow.triggers.includes(t));
    if (!trigger) return;
    for (const step of workflow.steps) {
      if (!step.uses || actionName(step.uses.value) !== 'actions/checkout') continue;
      for (const input of ['ref', 'repository']) {
        const value = step.with.get(input);
        const head = value ? headNamed(value) : null;
        if (!value || !head) continue;
        report({
          line: value.line,
          column: value.column,
          message: `Job ${clipInput(step.job, 60)} checks out the pull request's code (${input}: ${clipInput(head, 100)}) in a workflow triggered by ${trigger}, which runs with the base repository's secrets and a write token: whatever of that code the job runs, anyone who opens a pull request controls.`,
          fix: `Keep the default checkout (the base) under ${trigger}; build and test the pull request's code in a pull_request workflow, which gets no secrets, and pass its results on as an artifact.`,
        });
        break;
      }
    }
  },
};
