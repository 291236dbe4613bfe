/** Runs the runtime rules over one file: a Dockerfile, a compose file, a Kubernetes manifest, a GitHub Actions workflow or composite action. */
import { isActionPath, isComposePath, isDockerfilePath, isWorkflowPath } from '../paths.js';
import type { Report, RuleInfo } from '../rule.js';
import { parseDockerfile } from './dockerfile.js';
import { NOTHING_TAINTED, type FlowContext, type Tainted } from './gha-flows.js';
import { CONTAINER_RULES, DOCKERFILE_RULES, WORKFLOW_RULES } from './rules/index.js';
import { parseAction, parseWorkflow } from './workflow.js';
import { composeContainers, kubernetesContainers } from './workloads.js';

export interface RuntimeOutcome {
  findings: (Report & { info: RuleInfo })[];
  /** A template (Helm, any Go template: `{{ }}`) that could not be read as YAML: a note, not partial (see below). */
  errors: string[];
  /**
   * Parts of the file the rules did not see (a Dockerfile here-document never closed, a compose file,
   * Kubernetes manifest or workflow that is not valid YAML), one line per file: the result is partial.
   */
  unchecked: string[];
}

/** What the rest of the tree says about a file (gha-local-actions.ts). */
export interface RuntimeContext {
  /** A composite action that a workflow of the tree uses by a local path (`uses: ./tools/greet`): read as one wherever it is. */
  asAction?: boolean;
  /** Its inputs that a caller in the tree gives untrusted text (a composite action's, or a reusable workflow's that a job of the tree calls with `uses: ./…`). */
  actionInputs?: Tainted;
  /** The outputs carrying untrusted text of the local actions its steps use. */
  actionOutputs?: FlowContext['actionOutputs'];
}

export function scanRuntime(path: string, text: string, context: RuntimeContext = {}): RuntimeOutcome {
  const findings: RuntimeOutcome['findings'] = [];
  if (isDockerfilePath(path)) {
    const df = parseDockerfile(text);
    for (const rule of DOCKERFILE_RULES) rule.check(df, (r) => findings.push({ ...r, info: rule.info }));
    return { findings, errors: [], unchecked: df.problems };
  }
  if (isWorkflowPath(path) || isActionPath(path) || context.asAction) {
    // A workflow's `${{ … }}` is not a template to render: a workflow that is not YAML does not run
    // either, but what it would do was not checked, so it is partial (as a compose file is), never a
    // note. A composite action's steps are read the same way and get the same rules.
    const read = isWorkflowPath(path) ? parseWorkflow(text) : parseAction(text);
    if (read.problem !== null) return { findings, errors: [], unchecked: [`${read.problem}; workflow rules not applied to it`] };
    const unchecked: string[] = [];
    const flowContext: FlowContext = { inputs: context.actionInputs ?? NOTHING_TAINTED, ...(context.actionOutputs ? { actionOutputs: context.actionOutputs } : {}) };
    for (const rule of WORKFLOW_RULES) rule.check(read.workflow, (r) => findings.push({ ...r, info: rule.info }), (why) => unchecked.push(`${rule.info.id}: ${why}`), flowContext);
    return { findings, errors: [], unchecked };
  }
  const parsed = isComposePath(path) ? composeContainers(text) : kubernetesContainers(text);
  for (const c of parsed.containers) {
    for (const rule of CONTAINER_RULES) rule.check(c, (r) => findings.push({ ...r, info: rule.info }));
  }
  const broken = parsed.errors;
  if (!broken.length) return { findings, errors: [], unchecked: [] };
  // A Helm chart's templates (any Go template, `{{ }}`) are not YAML until they are rendered, and
  // this scan does not render them: a note says so, and the result is not partial for every chart.
  if (text.includes('{{')) return { findings, errors: broken.map((why) => `not valid YAML (${why})`), unchecked: [] };
  // Not a template and not YAML: whatever the broken documents say about containers was not
  // checked (fail closed), so it is a partial reason, one line naming the file however many broke.
  const unchecked =
    broken.length === 1 ? `not valid YAML (${broken[0]}); runtime rules not applied to it` : `not valid YAML in ${broken.length} of its documents (first: ${broken[0]}); runtime rules not applied to them`;
  return { findings, errors: [], unchecked: [unchecked] };
}
