/**
 * Where the text of a workflow's values comes from: which `env:` variables, step outputs, job
 * outputs and composite-action inputs carry text anyone can set (an issue title, a branch name), and
 * through what. gha-script-injection reports the scripts that expand them; gha-local-actions.ts asks
 * which inputs a workflow gives its local composite actions. The flows followed are those zizmor's
 * template-injection and CodeQL's code-injection follow, as far as the file itself shows them:
 *
 * - `env:` chains: a variable set from `${{ env.A }}` carries what A carries, A as the step sees it
 *   (its job's env:, else the workflow's), or A of the same map. GitHub gives `env` only to a step's
 *   `env:` (a job's or the workflow's `env:` that reads it is refused, actionlint says so too), and
 *   a step's `env:` reads its job's A, not its own: both are followed anyway, which errs towards
 *   reporting, as this rule does elsewhere. Chains are followed through each map's entries once,
 *   however long, and a cycle (`A: ${{ env.B }}`, `B: ${{ env.A }}`) carries nothing of its own.
 * - Step outputs: what a step with an `id:` writes into an output it names (gha-outputs.ts), read by
 *   the steps after it in its job as `steps.<id>.outputs.<name>`.
 * - `$GITHUB_ENV`: a variable a step writes such text into (the same lines, gha-outputs.ts) is in the
 *   environment of the steps after it in its job, `${{ env.X }}` and `"$X"` alike, under their own
 *   `env:` and over their job's and the workflow's, as the runner merges them.
 * - Job outputs: a job's `outputs:` set from such a value, read by the jobs that `needs:` it.
 * - A composite action's or reusable workflow's `inputs.<name>`, when some caller in the tree gives it
 *   such text (the caller hands them in), and an action's input whose `default:` is such text.
 * - A local composite action's `outputs:` set from such text, read by the caller's later steps as
 *   `steps.<id>.outputs.<name>`, and the variables its steps write such text into with `$GITHUB_ENV`,
 *   which the caller's later steps see as their own earlier steps' writes; a local reusable workflow's `on.workflow_call.outputs` set from
 *   such a job output (`${{ jobs.<job>.outputs.<name> }}`) or input, read by the jobs that need the
 *   calling job as `needs.<calling job>.outputs.<name>` (the caller hands both in, from gha-local-actions.ts).
 *
 * Everything an outside party sets in the file is one of UNTRUSTED_INPUTS (gha-expressions.ts). All
 * of it is one pass in the order GitHub runs it (jobs after the jobs they need, steps in order),
 * under a budget of look-ups a file may cost, shared with the rule that reads the results: past it,
 * nothing more is followed, and the caller says so (the scan is partial).
 */
import { clipInput } from '../../quoted-input.js';
import { injectedInputs, references, untrustedInput } from './gha-expressions.js';
import { outputWrites, type OutputWrite, type WrittenRead } from './gha-outputs.js';
import { actionName, type Env, type Workflow, type WorkflowJob, type WorkflowStep, type WorkflowValue } from './workflow.js';

/** Where a step's environment variable is set: its own `env:`, a `$GITHUB_ENV` write of an earlier step of its job, its job's `env:`, the workflow's. */
export type Level = 'step' | 'github-env' | 'job' | 'workflow';

/** A field anyone can set, as the value reads it (`github.event.issue.title`, `context.payload.issue.title`). */
export interface FieldOrigin {
  kind: 'field';
  /** As read: a reference (`github.event.issue.title`, `github.event.commits.0.message`), a whole object holding one (`github.event`), a variable. */
  reference: string;
  /** The field of UNTRUSTED_INPUTS it is or holds. */
  input: string;
  /** Whether `reference` is an object that holds the field (`toJSON(github.event)`). */
  whole: boolean;
  /** What a reference spelled otherwise is (`$GITHUB_HEAD_REF` is `github.head_ref`), for the message. */
  means?: string;
}

/**
 * Where a value's untrusted text comes from, as its reader names it: a field, or something that
 * carries one (each with `from`, where that got it, and `root`, the field at the end of the chain).
 */
export type Origin =
  | FieldOrigin
  | { kind: 'env'; name: string; spelled: string; level: Level; from: Origin; root: FieldOrigin }
  | { kind: 'step-output'; spelled: string; step: string; how: OutputWrite['how']; line: number; from: Origin; root: FieldOrigin }
  | { kind: 'job-output'; spelled: string; job: string; output: string; line: number; from: Origin; root: FieldOrigin }
  | { kind: 'env-file'; spelled: string; name: string; step: string | null; how: 'GITHUB_ENV' | 'exportVariable'; line: number; from: Origin; root: FieldOrigin; action?: string }
  | { kind: 'input'; spelled: string; caller: string; line: number; callers: number; from: Origin; root: FieldOrigin }
  | { kind: 'holds'; spelled: string; from: Origin; root: FieldOrigin }
  | { kind: 'input-default'; spelled: string; line: number; from: Origin; root: FieldOrigin }
  | { kind: 'action-output'; spelled: string; action: string; output: string; line: number; from: Origin; root: FieldOrigin }
  | { kind: 'workflow-output'; spelled: string; workflow: string; output: string; line: number; from: Origin; root: FieldOrigin };

/** An output of a local composite action (or reusable workflow) that carries untrusted text: its name as written, the line of its `value:` in the action's file, and where the text comes from there. */
export interface ActionOutput {
  name: string;
  line: number;
  from: Origin;
}

/**
 * What a local composite action (or reusable workflow) gives back to its caller that carries
 * untrusted text: its outputs, and (an action) the variables its steps write to $GITHUB_ENV, which
 * the caller's later steps see, as the job's environment file is the same for both.
 */
export interface CalleeOutputs {
  outputs: ReadonlyMap<string, ActionOutput>;
  /** By lower-case name, each carrying an `env-file` origin. */
  env: ReadonlyMap<string, EnvVariable>;
}

/** What the rest of the tree tells the flows of one file. */
export interface FlowContext {
  /** The inputs (`inputs.*`) that callers in the tree give untrusted text: a composite action's, a reusable workflow's. */
  inputs: Tainted;
  /**
   * The outputs carrying untrusted text of the local action a step uses (`uses: ./…`), or of the
   * local reusable workflow a job calls (`by` says which), as the tree's copy of it gives them (gha-local-actions.ts).
   */
  actionOutputs?: (uses: string, by: 'step' | 'job') => CalleeOutputs | undefined;
}

const rootOf = (origin: Origin): FieldOrigin => (origin.kind === 'field' ? origin : origin.root);

/** Hops of a chain a message spells out; the rest is `…` and the field at its end. */
const MESSAGE_HOPS = 4;

/** "${{ env.B }}, which the job's env: sets from ${{ env.A }}, which … from github.event.issue.title (text anyone can set)". */
export function describeOrigin(origin: Origin, hops = 0): string {
  if (origin.kind === 'field') {
    if (origin.means) return `${origin.reference}, that is ${origin.means} (text anyone can set)`;
    return origin.whole ? `${origin.reference}, which holds ${origin.input} (text anyone can set)` : `${origin.reference} (text anyone can set)`;
  }
  const from = hops + 1 >= MESSAGE_HOPS && origin.from.kind !== 'field' ? `… ${describeOrigin(origin.root)}` : describeOrigin(origin.from, hops + 1);
  const spelled = clipInput(origin.spelled, 120);
  switch (origin.kind) {
    case 'env':
      return `${spelled}, which the ${origin.level}'s env: sets from ${from}`;
    case 'step-output': {
      const step = `step ${clipInput(origin.step, 60)}`;
      const how = origin.how === 'return' ? `${step}'s github-script returns` : origin.how === 'setOutput' ? `${step} sets with core.setOutput` : `${step} writes to $GITHUB_OUTPUT`;
      return `${spelled}, which ${how} (line ${origin.line}) from ${from}`;
    }
    case 'env-file': {
      const step = origin.step === null ? 'an earlier step' : `step ${clipInput(origin.step, 60)}`;
      const by = origin.action === undefined ? step : `${origin.step === null ? 'a step' : step} of the local action ${clipInput(origin.action, 120)}`;
      const how = origin.how === 'exportVariable' ? `${by} sets with core.exportVariable` : `${by} writes to $GITHUB_ENV`;
      return `${spelled}, which ${how} (line ${origin.line}${origin.action === undefined ? '' : ' of its action.yml'}) from ${from}`;
    }
    case 'holds':
      return `${spelled}, which holds ${from}`;
    case 'input-default':
      return `${spelled}, whose default: (line ${origin.line}) is ${from}, for a caller that gives it none`;
    case 'action-output':
      return `${spelled}, which the local action ${clipInput(origin.action, 120)} gives as its output ${clipInput(origin.output, 60)} (line ${origin.line} of its action.yml) from ${from}`;
    case 'workflow-output':
      return `${spelled}, which the local workflow ${clipInput(origin.workflow, 120)} gives as its output ${clipInput(origin.output, 60)} (line ${origin.line} of that file) from ${from}`;
    case 'job-output':
      return `${spelled}, which job ${clipInput(origin.job, 60)}'s outputs: set (line ${origin.line}) from ${from}`;
    case 'input': {
      const others = origin.callers > 1 ? ` (and ${origin.callers - 1} more step${origin.callers > 2 ? 's' : ''} of the repository)` : '';
      return `${spelled}, which ${clipInput(origin.caller, 120)} gives it at line ${origin.line}${others} from ${from}`;
    }
  }
}

/** What a file's look-ups may cost; shared by the flows and the rule that reads them. */
export interface Budget {
  left: number;
}

/** Untrusted values of one kind a step can read (`steps.*.outputs.*`, `needs.*.outputs.*`, `inputs.*`), by lower-case key; `id` names the set, 0 when empty. */
export interface Tainted {
  byKey: ReadonlyMap<string, Origin>;
  id: number;
}

export const NOTHING_TAINTED: Tainted = { byKey: new Map(), id: 0 };

/** An `env:` variable and what its value carries. */
export interface EnvVariable {
  /** Its name as written in `env:` (what `"$NAME"` reads). */
  name: string;
  carries: Origin | null;
}

/** An `env:` map as a step sees it, by lower-case name; `id` names the map and what it was resolved against (0: empty). */
export interface EnvIndex {
  byName: ReadonlyMap<string, EnvVariable>;
  untrusted: readonly EnvVariable[];
  id: number;
}

/**
 * What a step can read: its environment (its env:, what earlier steps of its job wrote to
 * $GITHUB_ENV, its job's env:, the workflow's: the first that names a variable sets it, as the
 * runner merges them) and the untrusted values of the other kinds.
 */
export interface Scope {
  env: readonly [step: EnvIndex, written: EnvIndex, job: EnvIndex, workflow: EnvIndex];
  steps: Tainted;
  needs: Tainted;
  inputs: Tainted;
}

const LEVELS: readonly Level[] = ['step', 'github-env', 'job', 'workflow'];
const EMPTY_INDEX: EnvIndex = { byName: new Map(), untrusted: [], id: 0 };

/** A reference that names a value which may carry untrusted text: `env.X`, `steps.<id>.outputs.<name>`, `needs.<job>.outputs.<name>`, `inputs.<name>`. */
export type ReadKind = 'env' | 'steps' | 'needs' | 'inputs';
export interface Read {
  kind: ReadKind;
  /** Lower case: `title`, `<id>.<name>`. */
  key: string;
}

export function readOf(path: readonly string[]): Read | null {
  if ((path[0] === 'env' || path[0] === 'inputs') && path.length === 2) return { kind: path[0], key: path[1]! };
  if ((path[0] === 'steps' || path[0] === 'needs') && path.length === 4 && path[2] === 'outputs') return { kind: path[0], key: `${path[1]}.${path[3]}` };
  return null;
}

/**
 * A reference to a whole context, or a part of one, that holds values a read names: `env`, `inputs`,
 * `steps`, `steps.<id>`, `steps.<id>.outputs`, `needs`… (`toJSON(steps)` puts all their text in the
 * script). `prefix` is what the keys it holds start with (`<id>.`; '' for all).
 */
export interface WholeRead {
  kind: ReadKind;
  prefix: string;
}

export function wholeReadOf(path: readonly string[]): WholeRead | null {
  const [context, id, outputs] = path;
  if ((context === 'env' || context === 'inputs') && path.length === 1) return { kind: context, prefix: '' };
  if (context !== 'steps' && context !== 'needs') return null;
  if (path.length === 1) return { kind: context, prefix: '' };
  if (path.length === 2 || (path.length === 3 && outputs === 'outputs')) return { kind: context, prefix: `${id}.` };
  return null;
}

/**
 * The first value a whole read holds that carries untrusted text, as `scope` reads it, at one unit of
 * budget a value looked at: for `env`, the first of each map's untrusted variables (a nearer
 * constant of the same name is not looked for, which errs towards reporting).
 */
export function wholeOrigin(whole: WholeRead, spelled: string, scope: Scope, budget: Budget): Origin | null {
  let from: Origin | null = null;
  if (whole.kind === 'env') {
    for (let k = 0; k < scope.env.length && !from; k++) {
      const first = scope.env[k]!.untrusted[0];
      budget.left--;
      if (first) from = envOrigin(first, LEVELS[k]!, envExpression(first.name));
    }
  } else {
    for (const [key, origin] of scope[whole.kind].byKey) {
      budget.left--;
      if (budget.left <= 0) break;
      if (key.startsWith(whole.prefix)) {
        from = origin;
        break;
      }
    }
  }
  return from ? { kind: 'holds', spelled, from, root: rootOf(from) } : null;
}

/** An entry of an `env:` map, as written: the field its value expands directly, and what else it reads. */
interface EnvEntry {
  name: string;
  lower: string;
  direct: FieldOrigin | null;
  reads: Read[];
}

/** An `env:` map read once: its entries, which of them read other values, and its resolutions by context. */
interface EnvMap {
  entries: EnvEntry[];
  /** Entries that read `env.<name>`, by that name: followed through the map's own entries. */
  readersOf: Map<string, EnvEntry[]>;
  /** The kinds its entries read: what its resolution depends on. */
  kinds: Set<ReadKind>;
  /** Resolved with its direct fields only: all there is when it reads nothing. */
  base: EnvIndex;
  resolved: Map<string, EnvIndex>;
}

export class WorkflowFlows {
  private readonly maps = new Map<Env, EnvMap>();
  private readonly writes = new Map<WorkflowValue, OutputWrite[]>();
  /** Each job's outputs that carry untrusted text, by lower-case job id, then output name. */
  private readonly jobOutputs = new Map<string, Map<string, Origin>>();
  private ids = 0;
  /** What a composite action's steps wrote to $GITHUB_ENV carrying untrusted text, once `walk` has run. */
  private actionEnv: ReadonlyMap<string, EnvVariable> = new Map();
  private readonly inputs: Tainted;
  private readonly actionOutputs: FlowContext['actionOutputs'];

  constructor(
    private readonly workflow: Workflow,
    context: FlowContext,
    private readonly budget: Budget,
  ) {
    this.actionOutputs = context.actionOutputs;
    this.inputs = withDefaults(workflow, context.inputs);
  }

  /**
   * Calls `visit` for each step, with what it can read, in an order where that is known: jobs after
   * the jobs they need (a cycle, which GitHub refuses, in file order), each job's steps in order;
   * after each step, its outputs are taken in, and after each job, its outputs. `visitJob` sees each
   * job first, with what its own keys (`with:` of a reusable workflow it calls) can read.
   */
  walk(visit: (step: WorkflowStep, scope: Scope) => void, visitJob?: (job: WorkflowJob, scope: Scope) => void): void {
    const stepsOf = new Map<string, WorkflowStep[]>();
    for (const step of this.workflow.steps) {
      const list = stepsOf.get(step.job);
      if (list) list.push(step);
      else stepsOf.set(step.job, [step]);
    }
    const workflowEnv = this.resolve(this.workflow.env, [], NOTHING_TAINTED, NOTHING_TAINTED, 'workflow');
    // A composite action is one job, whose outputs are the action's.
    const jobs: WorkflowJob[] = this.workflow.kind === 'action' ? [{ id: '', at: { line: 1, column: 1 }, uses: null, needs: [], outputs: this.workflow.outputs, env: new Map(), with: new Map() }] : jobOrder(this.workflow.jobs);
    for (const job of jobs) {
      const needs = this.needsOf(job);
      const jobEnv = this.resolve(job.env, [[workflowEnv, 'workflow']], NOTHING_TAINTED, needs, 'job');
      visitJob?.(job, { env: [EMPTY_INDEX, EMPTY_INDEX, EMPTY_INDEX, EMPTY_INDEX], steps: NOTHING_TAINTED, needs, inputs: this.inputs });
      const outputs = new Map<string, Origin>();
      let steps = NOTHING_TAINTED;
      // What the job's steps wrote to $GITHUB_ENV carrying untrusted text: one map that grows, given a new id each time it does (as `outputs`).
      const written = new Map<string, EnvVariable>();
      /** The $GITHUB_ENV writes of local actions the job's steps use, each taken in once. */
      const mergedEnv = new Set<ReadonlyMap<string, EnvVariable>>();
      const writtenList: EnvVariable[] = [];
      let writtenEnv = EMPTY_INDEX;
      for (const step of stepsOf.get(job.id) ?? []) {
        const stepEnv = this.resolve(step.env[0], [[writtenEnv, 'github-env'], [jobEnv, 'job'], [workflowEnv, 'workflow']], steps, needs, 'step');
        const scope: Scope = { env: [stepEnv, writtenEnv, jobEnv, workflowEnv], steps, needs, inputs: this.inputs };
        visit(step, scope);
        const grew = this.takeWrites(step, scope, outputs, written, mergedEnv);
        if (grew.outputs) steps = { byKey: outputs, id: ++this.ids };
        if (grew.env) {
          writtenList.length = 0;
          for (const v of written.values()) writtenList.push(v);
          writtenEnv = { byName: written, untrusted: writtenList, id: ++this.ids };
        }
      }
      this.takeJobOutputs(job, { env: [EMPTY_INDEX, writtenEnv, jobEnv, workflowEnv], steps, needs, inputs: this.inputs });
      if (this.workflow.kind === 'action') this.actionEnv = written;
    }
  }

  /**
   * A composite action's outputs that carry untrusted text, or a reusable workflow's
   * (`on.workflow_call.outputs`, from its jobs' outputs as `jobs.<job>.outputs.<name>`, or its
   * inputs), by lower-case name: known once `walk` has run.
   */
  ownOutputs(): CalleeOutputs {
    const outputs = new Map<string, ActionOutput>();
    if (this.workflow.kind === 'action') {
      for (const [lower, origin] of this.jobOutputs.get('') ?? []) if (origin.kind === 'job-output') outputs.set(lower, { name: origin.output, line: origin.line, from: origin.from });
      return { outputs, env: this.actionEnv };
    }
    const scope: Scope = { env: [EMPTY_INDEX, EMPTY_INDEX, EMPTY_INDEX, EMPTY_INDEX], steps: NOTHING_TAINTED, needs: NOTHING_TAINTED, inputs: this.inputs };
    for (const [name, value] of this.workflow.outputs) {
      if (this.budget.left <= 0) break;
      for (const expression of value.expressions) {
        const origin = this.expressionOrigin(expression.text, scope) ?? this.calledJobsOrigin(expression.text);
        if (!origin) continue;
        outputs.set(name.toLowerCase(), { name, line: value.line, from: origin });
        break;
      }
    }
    // A called workflow's jobs run apart from the caller's: its $GITHUB_ENV is not theirs.
    return { outputs, env: new Map() };
  }

  /** `jobs.<job>.outputs.<name>` in a reusable workflow's output: that job's output, read under this name. */
  private calledJobsOrigin(expression: string): Origin | null {
    for (const ref of references(expression)) {
      const [context, job, outputs, name] = ref.path;
      if (!ref.flows || context !== 'jobs' || ref.path.length !== 4 || outputs !== 'outputs') continue;
      this.budget.left--;
      const origin = this.jobOutputs.get(job!)?.get(name!);
      // Spelled as the job wrote its output where that is known (the path is read in lower case).
      if (origin && origin.kind !== 'field') return { ...origin, spelled: origin.kind === 'job-output' ? `\${{ jobs.${origin.job}.outputs.${origin.output} }}` : `\${{ ${ref.path.join('.')} }}` };
    }
    return null;
  }

  /**
   * A step's writes to $GITHUB_ENV or $GITHUB_PATH (or github-script's core.exportVariable,
   * core.addPath) that carry untrusted text, as `scope` (the step's) reads them: for
   * gha-github-env-injection, which reports them in privileged workflows. Each script's writes are
   * read once (shared with the walk).
   */
  envFileWrites(step: WorkflowStep, scope: Scope): { write: OutputWrite; origin: Origin }[] {
    const found: { write: OutputWrite; origin: Origin }[] = [];
    for (const write of this.writesOf(step)) {
      if (write.how !== 'GITHUB_ENV' && write.how !== 'exportVariable' && write.how !== 'GITHUB_PATH' && write.how !== 'addPath') continue;
      const origin = this.writeOrigin(write, scope);
      if (origin) found.push({ write, origin });
    }
    return found;
  }

  /** Where the untrusted text an expression puts where it is written comes from, as `scope` reads it: the first of its references that carries some. */
  expressionOrigin(expression: string, scope: Scope): Origin | null {
    for (const ref of references(expression)) {
      if (!ref.flows) continue;
      const field = untrustedInput(ref.path);
      if (field) return { kind: 'field', reference: ref.path.join('.'), input: field.input, whole: field.whole };
      if (this.budget.left <= 0) continue;
      const read = readOf(ref.path);
      const whole = read ? null : wholeReadOf(ref.path);
      if (!read && !whole) continue;
      this.budget.left--;
      const origin = read ? readOrigin(read, scope) : wholeOrigin(whole!, ref.path.join('.'), scope, this.budget);
      if (origin) return origin;
    }
    return null;
  }

  /** A variable of the step's env: (step, job, workflow, the first that names it) read as `spelled`: what it carries, or null. */
  static variableOrigin(env: Scope['env'], lower: string, spelled: (name: string) => string): Origin | null {
    for (let k = 0; k < env.length; k++) {
      const variable = env[k]!.byName.get(lower);
      if (variable) return envOrigin(variable, LEVELS[k]!, spelled(variable.name));
    }
    return null;
  }

  /**
   * An env: map resolved for the context it is read in: each map is read once; one whose entries
   * read nothing but fields is the same in every context; one that reads other values is resolved
   * once per distinct context (its outer maps, the outputs and inputs it reads), its entries' reads
   * looked up at one unit of budget each and chained through the map's own entries once.
   */
  private resolve(env: Env, outer: readonly (readonly [EnvIndex, Level])[], steps: Tainted, needs: Tainted, level: Level): EnvIndex {
    const map = this.mapOf(env);
    if (map.kinds.size === 0 || this.budget.left <= 0) return map.base;
    const context = [
      ...(map.kinds.has('env') ? outer.map(([index]) => index.id) : []),
      map.kinds.has('steps') ? steps.id : '',
      map.kinds.has('needs') ? needs.id : '',
      map.kinds.has('inputs') ? this.inputs.id : '',
    ].join('/');
    const known = map.resolved.get(context);
    if (known) return known;
    const scope: Scope = { env: [EMPTY_INDEX, EMPTY_INDEX, EMPTY_INDEX, EMPTY_INDEX], steps, needs, inputs: this.inputs };
    this.budget.left -= map.entries.length;
    const carries = new Map<string, { name: string; origin: Origin }>();
    for (const entry of map.entries) if (entry.direct && !carries.has(entry.lower)) carries.set(entry.lower, { name: entry.name, origin: entry.direct });
    for (const entry of map.entries) {
      if (entry.reads.length === 0 || carries.has(entry.lower)) continue;
      this.budget.left -= entry.reads.length;
      for (const read of entry.reads) {
        const origin = read.kind === 'env' ? outerVariable(outer, read.key) : readOrigin(read, scope);
        if (!origin) continue;
        carries.set(entry.lower, { name: entry.name, origin });
        break;
      }
    }
    // Through the map's own entries: each carrying name passes on to the entries that read it, once.
    const queue = [...carries.keys()];
    while (queue.length > 0) {
      const lower = queue.pop()!;
      const source = carries.get(lower)!;
      for (const reader of map.readersOf.get(lower) ?? []) {
        if (carries.has(reader.lower)) continue;
        carries.set(reader.lower, { name: reader.name, origin: { kind: 'env', name: source.name, spelled: envExpression(source.name), level, from: source.origin, root: rootOf(source.origin) } });
        queue.push(reader.lower);
      }
    }
    const byName = new Map<string, EnvVariable>();
    for (const entry of map.entries) {
      if (byName.has(entry.lower)) continue;
      const carried = carries.get(entry.lower);
      byName.set(entry.lower, carried ? { name: carried.name, carries: carried.origin } : { name: entry.name, carries: null });
    }
    const index: EnvIndex = { byName, untrusted: [...byName.values()].filter((v) => v.carries), id: ++this.ids };
    map.resolved.set(context, index);
    return index;
  }

  /** An env: map's entries, read once however many steps (by aliases) share it. */
  private mapOf(env: Env): EnvMap {
    let map = this.maps.get(env);
    if (map) return map;
    const entries: EnvEntry[] = [];
    const readersOf = new Map<string, EnvEntry[]>();
    const kinds = new Set<ReadKind>();
    for (const [name, value] of env) {
      const entry: EnvEntry = { name, lower: name.toLowerCase(), direct: null, reads: [] };
      for (const expression of value.expressions) {
        const first = injectedInputs(expression.text)[0];
        if (first) {
          entry.direct = { kind: 'field', reference: first.reference, input: first.input, whole: first.whole };
          break;
        }
        for (const ref of references(expression.text)) {
          const read = ref.flows ? readOf(ref.path) : null;
          if (!read) continue;
          entry.reads.push(read);
          kinds.add(read.kind);
          if (read.kind !== 'env' || read.key === entry.lower) continue;
          const readers = readersOf.get(read.key);
          if (readers) readers.push(entry);
          else readersOf.set(read.key, [entry]);
        }
      }
      if (entry.direct) entry.reads = [];
      entries.push(entry);
    }
    // Of two names differing only in case in one map, the one carrying untrusted text is kept, so the rule errs towards reporting.
    const byName = new Map<string, EnvVariable>();
    for (const entry of entries) {
      const known = byName.get(entry.lower);
      if (!known || (!known.carries && entry.direct)) byName.set(entry.lower, { name: entry.name, carries: entry.direct });
    }
    const base: EnvIndex = { byName, untrusted: [...byName.values()].filter((v) => v.carries), id: byName.size === 0 ? 0 : ++this.ids };
    map = { entries, readersOf, kinds, base, resolved: new Map() };
    this.maps.set(env, map);
    return map;
  }

  /** The writes of a step's script (gha-outputs.ts), read once per script however many steps share it. */
  private writesOf(step: WorkflowStep): readonly OutputWrite[] {
    const script = step.run ?? (step.uses && actionName(step.uses.value) === 'actions/github-script' ? step.with.get('script') : undefined);
    if (!script) return [];
    let writes = this.writes.get(script);
    if (!writes) this.writes.set(script, (writes = outputWrites(script, step.run ? 'run' : 'github-script')));
    return writes;
  }

  /** What the first of a write's reads that carries untrusted text carries, at one unit of budget a read. */
  private writeOrigin(write: OutputWrite, scope: Scope): Origin | null {
    if (this.budget.left <= 0) return null;
    this.budget.left -= write.reads.length + 1;
    for (const read of write.reads) {
      const origin = this.writtenOrigin(read, scope);
      if (origin) return origin;
    }
    return null;
  }

  /**
   * A step's outputs that its script writes untrusted text into, added to its job's (only a step with
   * an `id:` has outputs others read), and the variables it writes such text into with $GITHUB_ENV,
   * added to what its job's later steps see: which of the two grew.
   */
  private takeWrites(step: WorkflowStep, scope: Scope, outputs: Map<string, Origin>, written: Map<string, EnvVariable>, mergedEnv: Set<ReadonlyMap<string, EnvVariable>>): { outputs: boolean; env: boolean } {
    const grew = { outputs: false, env: false };
    if (this.budget.left <= 0) return grew;
    // A local composite action's outputs, as the tree's copy of it writes them.
    const callee = step.uses && this.actionOutputs ? this.actionOutputs(step.uses.value, 'step') : undefined;
    const given = step.id !== null ? callee?.outputs : undefined;
    for (const [lower, output] of given ?? []) {
      const key = `${step.id!.toLowerCase()}.${lower}`;
      if (outputs.has(key)) continue;
      this.budget.left--;
      outputs.set(key, { kind: 'action-output', spelled: `\${{ steps.${step.id}.outputs.${output.name} }}`, action: step.uses!.value.trim(), output: output.name, line: output.line, from: output.from, root: rootOf(output.from) });
      grew.outputs = true;
    }
    // What it wrote to $GITHUB_ENV, named by the action (the innermost, whose file the line is in):
    // once a job, however many of its steps use the action, so the job costs what it holds.
    const env = callee && callee.env.size > 0 && !mergedEnv.has(callee.env) ? callee.env : undefined;
    if (env) mergedEnv.add(env);
    for (const [lower, variable] of env ?? []) {
      if (written.has(lower) || variable.carries?.kind !== 'env-file') continue;
      this.budget.left--;
      written.set(lower, { name: variable.name, carries: { ...variable.carries, action: variable.carries.action ?? step.uses!.value.trim() } });
      grew.env = true;
    }
    for (const write of this.writesOf(step)) {
      // A directory put on PATH is no value a later step reads (gha-github-env-injection judges the write).
      if (write.how === 'GITHUB_PATH' || write.how === 'addPath') continue;
      if (write.how === 'GITHUB_ENV' || write.how === 'exportVariable') {
        // The first untrusted write of a name is kept: a later constant one is not read, which errs towards reporting.
        const lower = write.output.toLowerCase();
        if (written.has(lower)) continue;
        const origin = this.writeOrigin(write, scope);
        if (!origin) continue;
        written.set(lower, { name: write.output, carries: { kind: 'env-file', spelled: envExpression(write.output), name: write.output, step: step.id, how: write.how, line: write.line, from: origin, root: rootOf(origin) } });
        grew.env = true;
        continue;
      }
      if (step.id === null) continue;
      const key = `${step.id.toLowerCase()}.${write.output.toLowerCase()}`;
      if (outputs.has(key)) continue;
      const origin = this.writeOrigin(write, scope);
      if (!origin) continue;
      outputs.set(key, { kind: 'step-output', spelled: `\${{ steps.${step.id}.outputs.${write.output} }}`, step: step.id, how: write.how, line: write.line, from: origin, root: rootOf(origin) });
      grew.outputs = true;
    }
    return grew;
  }

  private writtenOrigin(read: WrittenRead, scope: Scope): Origin | null {
    if (read.kind === 'expression') return this.expressionOrigin(read.text, scope);
    if (read.kind === 'payload') {
      // `context.payload.comment.body.split(' ')[0]` is the body's text still: the longest part of the
      // path that is a field. An object that holds one counts only as the whole value (`JSON.stringify(context.payload.issue)`):
      // `context.payload.comment.user.login` is not the comment's body.
      for (let k = read.path.length; k > 2; k--) {
        const field = untrustedInput(k === read.path.length ? read.path : read.path.slice(0, k));
        if (field && (!field.whole || k === read.path.length)) {
          const reference = k === read.path.length ? read.spelled : `context.payload.${read.path.slice(2, k).join('.')}`;
          return { kind: 'field', reference, input: field.input, whole: field.whole, means: field.whole ? read.path.join('.') : field.input };
        }
      }
      return null;
    }
    const carried = WorkflowFlows.variableOrigin(scope.env, read.name.toLowerCase(), () => read.spelled);
    if (carried) return carried;
    // The runner sets GITHUB_HEAD_REF to the pull request's branch, which whoever opened it names.
    return read.name === 'GITHUB_HEAD_REF' && !scope.env.some((index) => index.byName.has('github_head_ref')) ? { kind: 'field', reference: read.spelled, input: 'github.head_ref', whole: false, means: 'github.head_ref' } : null;
  }

  /** A job's `outputs:` that carry untrusted text, for the jobs that need it: of a job that calls a local reusable workflow, that workflow's. */
  private takeJobOutputs(job: WorkflowJob, scope: Scope): void {
    const carried = new Map<string, Origin>();
    const called = job.uses && this.actionOutputs ? this.actionOutputs(job.uses.value, 'job')?.outputs : undefined;
    for (const [lower, output] of called ?? []) {
      this.budget.left--;
      carried.set(lower, { kind: 'workflow-output', spelled: `\${{ needs.${job.id}.outputs.${output.name} }}`, workflow: job.uses!.value.trim(), output: output.name, line: output.line, from: output.from, root: rootOf(output.from) });
    }
    for (const [name, value] of job.outputs) {
      if (this.budget.left <= 0) break;
      for (const expression of value.expressions) {
        const origin = this.expressionOrigin(expression.text, scope);
        if (!origin) continue;
        carried.set(name.toLowerCase(), { kind: 'job-output', spelled: `\${{ needs.${job.id}.outputs.${name} }}`, job: job.id, output: name, line: value.line, from: origin, root: rootOf(origin) });
        break;
      }
    }
    if (carried.size > 0) this.jobOutputs.set(job.id.toLowerCase(), carried);
  }

  /** The outputs carrying untrusted text of the jobs a job needs, as `<job>.<output>`. */
  private needsOf(job: WorkflowJob): Tainted {
    let byKey: Map<string, Origin> | null = null;
    for (const need of new Set(job.needs)) {
      const outputs = this.jobOutputs.get(need);
      if (!outputs) continue;
      byKey ??= new Map();
      this.budget.left -= outputs.size;
      for (const [name, origin] of outputs) byKey.set(`${need}.${name}`, origin);
    }
    return byKey ? { byKey, id: ++this.ids } : NOTHING_TAINTED;
  }
}

/**
 * The inputs a composite action's callers give untrusted text, and those whose `default:` is such
 * text: a caller that leaves one out gets it (a caller that gives a constant does not, which is not
 * known here: errs towards reporting). The callers' word is kept where both say so.
 */
function withDefaults(workflow: Workflow, given: Tainted): Tainted {
  let byKey: Map<string, Origin> | null = null;
  for (const [name, value] of workflow.inputDefaults) {
    const lower = name.toLowerCase();
    if (given.byKey.has(lower)) continue;
    const first = value.expressions.map((e) => injectedInputs(e.text)[0]).find((f) => f !== undefined);
    if (!first) continue;
    byKey ??= new Map(given.byKey);
    const from: FieldOrigin = { kind: 'field', reference: first.reference, input: first.input, whole: first.whole };
    byKey.set(lower, { kind: 'input-default', spelled: `\${{ inputs.${name} }}`, line: value.line, from, root: from });
  }
  // Ids of the caller's sets are small numbers; a set grown here is told apart from them by its sign.
  return byKey ? { byKey, id: -1 - given.id } : given;
}

/** What an env: variable read as `spelled` carries, from the map of `level`: null when nothing. */
export function envOrigin(variable: EnvVariable, level: Level, spelled: string): Origin | null {
  if (!variable.carries) return null;
  // A variable an earlier step wrote to $GITHUB_ENV is that write, read as `spelled`.
  if (level === 'github-env' && variable.carries.kind === 'env-file') return { ...variable.carries, spelled };
  return { kind: 'env', name: variable.name, spelled, level, from: variable.carries, root: rootOf(variable.carries) };
}

export const envExpression = (name: string): string => `\${{ env.${name} }}`;

/** What a read carries in a scope (`env.*` as the step sees it). */
function readOrigin(read: Read, scope: Scope): Origin | null {
  switch (read.kind) {
    case 'env':
      return WorkflowFlows.variableOrigin(scope.env, read.key, envExpression);
    case 'steps':
      return scope.steps.byKey.get(read.key) ?? null;
    case 'needs':
      return scope.needs.byKey.get(read.key) ?? null;
    case 'inputs':
      return scope.inputs.byKey.get(read.key) ?? null;
  }
}

/** `env.<name>` in an env: value, looked up in the maps outside it (the first that names it). */
function outerVariable(outer: readonly (readonly [EnvIndex, Level])[], lower: string): Origin | null {
  for (const [index, level] of outer) {
    const variable = index.byName.get(lower);
    if (variable) return envOrigin(variable, level, envExpression(variable.name));
  }
  return null;
}

/** Jobs after the jobs they need (Kahn's order, file order among equals); jobs on a cycle, which GitHub refuses, last in file order. */
function jobOrder(jobs: readonly WorkflowJob[]): WorkflowJob[] {
  const byId = new Map<string, WorkflowJob>();
  for (const job of jobs) if (!byId.has(job.id.toLowerCase())) byId.set(job.id.toLowerCase(), job);
  const waiting = new Map<WorkflowJob, number>();
  const dependents = new Map<string, WorkflowJob[]>();
  for (const job of jobs) {
    const needs = new Set(job.needs.filter((n) => byId.has(n) && n !== job.id.toLowerCase()));
    waiting.set(job, needs.size);
    for (const need of needs) {
      const list = dependents.get(need);
      if (list) list.push(job);
      else dependents.set(need, [job]);
    }
  }
  const order: WorkflowJob[] = [];
  const placed = new Set<WorkflowJob>();
  const ready = jobs.filter((job) => waiting.get(job) === 0);
  for (let k = 0; k < ready.length; k++) {
    const job = ready[k]!;
    if (placed.has(job)) continue;
    placed.add(job);
    order.push(job);
    for (const dependent of dependents.get(job.id.toLowerCase()) ?? []) {
      const left = waiting.get(dependent)! - 1;
      waiting.set(dependent, left);
      if (left === 0) ready.push(dependent);
    }
  }
  for (const job of jobs) if (!placed.has(job)) order.push(job);
  return order;
}
