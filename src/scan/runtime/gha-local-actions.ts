/**
 * A repository's local composite actions (`uses: ./.github/actions/greet`) and what its workflows
 * give them: which inputs of each action some caller passes untrusted text (`with: { name: ${{
 * github.event.pull_request.title }} }`), so that gha-script-injection can report the action's
 * script that expands `${{ inputs.name }}`, at its own line, naming the caller. What a caller gives
 * is known only from the caller, in another file: the scan reads the workflows (and then the actions
 * they reach) for this before it scans files one by one (scan.ts).
 *
 * A local action is the folder's `action.yml` (else `action.yaml`), from the root of the tree, which
 * is the repository a job checks out. One used from a folder other than the usual ones is read as an
 * action too, wherever it is (isAction). An action that passes an input on to another local action
 * (`with: { title: ${{ inputs.name }} }`) taints that one's input as well, to the depth GitHub runs
 * composite actions within each other (its runner stops past 10). A local action a step gives
 * untrusted text to that is not in the tree (checked out from elsewhere at run time, or left out of
 * the scan) is said in a note, not made partial: it is not the tree's code, as a remote action is
 * not. A workflow or action that cannot be read or parsed is passed over here; its own scan says so.
 *
 * The same for a job that calls a reusable workflow of the repository (`uses:
 * ./.github/workflows/build.yml`, `with:`): the called workflow's `${{ inputs.* }}` are judged by
 * what its callers give (one not in the tree is a note, as an action is). And the other way: a local
 * action's `outputs:` that its steps (or its callers' inputs) fill with untrusted text, read by the
 * caller as `steps.<id>.outputs.<name>`, and a local reusable workflow's `on.workflow_call.outputs`,
 * read by the jobs after the calling job as `needs.<calling job>.outputs.<name>`, worked out once
 * every caller's inputs are known; an output handed on to another local action's (or workflow's)
 * input is followed by a further pass over the tree, up to MAX_PASSES passes, past which the scan
 * is partial.
 *
 * Bounded: each file is read and parsed once; in each of a fixed number of passes, each workflow is
 * followed once and each action (or called workflow) at most once per level of that depth, each
 * under the flows' own budget of look-ups, and each action's outputs are worked out once.
 */
import { clipInput } from '../../quoted-input.js';
import { isWorkflowPath } from '../paths.js';
import { describeOrigin, WorkflowFlows, type CalleeOutputs, type FlowContext, type Origin, type Scope, type Tainted } from './gha-flows.js';
import { localActionFolder, parseAction, parseWorkflow, type Workflow, type WorkflowValue } from './workflow.js';

export interface LocalActions {
  /** The inputs of the action file at this path that some caller gives untrusted text, by lower-case name. */
  inputsOf(file: string): Tainted;
  /** Whether a workflow (or action) of the tree uses this file as a local action. */
  isAction(file: string): boolean;
  /** The outputs carrying untrusted text of the local action a step uses (`uses: ./…`), or of the local reusable workflow a job calls, given what its callers in the tree give it. */
  actionOutputs(uses: string, by: 'step' | 'job'): CalleeOutputs | undefined;
  /** What could not be followed, one line each (`12: …`, the caller's line first, else a count; without the file's name), by the file of the step that calls it. */
  notes: ReadonlyMap<string, readonly string[]>;
  /** What was left unfollowed past the passes' bound (MAX_PASSES), at the file where it stopped (without its name): it makes the scan partial. */
  unchecked: readonly { file: string; message: string }[];
}

/** Levels of composite actions GitHub's runner runs, a workflow's step using the first (its CompositeActionsMaxDepth is 9, counted from 0). */
export const MAX_ACTION_DEPTH = 10;

/** Look-ups the flows of one file may cost here, as in the rule (gha-script-injection). */
const LOOKUP_BUDGET = 1_000_000;

/**
 * Passes over the tree that hand local actions' outputs on to other local actions' inputs: an output
 * given to an input, whose action's output is given to a third's input, and so on, this many times
 * less one (see followLocalActions).
 */
export const MAX_PASSES = 4;

/** Local actions not in the tree that one file's notes name; the rest are counted in one more line. */
const MAX_NOTES_PER_FILE = 5;

/** A `uses: ./…` anywhere in a file: a cheap test before a workflow is parsed for its local actions. */
const LOCAL_USES = /\buses["']?\s*:\s*["']?\.\//;

export async function followLocalActions(paths: readonly string[], readText: (path: string) => Promise<string | null>): Promise<LocalActions> {
  const present = new Set(paths);
  const actionIn = (folder: string): string | null => {
    for (const name of ['action.yml', 'action.yaml']) {
      const file = folder === '' ? name : `${folder}/${name}`;
      if (present.has(file)) return file;
    }
    return null;
  };
  // Each file read and parsed once, however many passes and levels reach it (null: not read or not
  // parsed); a workflow that uses no local action is not parsed unless some job calls it.
  const parsedFiles = new Map<string, Workflow | null>();
  const noLocalUses = new Set<string>();
  const parse = async (file: string, asCallee: boolean): Promise<Workflow | null> => {
    const known = parsedFiles.get(file);
    if (known !== undefined) return known;
    if (!asCallee && noLocalUses.has(file)) return null;
    const text = await readText(file);
    if (text !== null && !asCallee && !LOCAL_USES.test(text)) {
      noLocalUses.add(file);
      return null;
    }
    const workflow = text === null ? null : ((isWorkflowPath(file) ? parseWorkflow(text) : parseAction(text)).workflow ?? null);
    parsedFiles.set(file, workflow);
    return workflow;
  };

  // An output of one local action handed to another's input (`with: { t: ${{ steps.a.outputs.t }} }`)
  // is known only once the first action's inputs are, from every caller: each pass works the inputs
  // out with the outputs of the pass before (none in the first). What is untrusted only grows from a
  // pass to the next, so a pass that taints no more inputs than the one before is where it settles.
  // A chain of outputs handed on to inputs more times over than there are passes, which no real
  // workflow comes near, is left where the passes end and said (the scan is partial): the passes are
  // a fixed number, so the whole stays linear in the tree, as a fixpoint over the files would not.
  let pass = await inputsPass(undefined);
  /** A file whose inputs the last pass tainted more of: where the passes stopped short, if they did. */
  let grownAt: string | undefined;
  for (let k = 1; k < MAX_PASSES && pass.parsed > 0; k++) {
    const again = await inputsPass(pass.actionOutputs);
    const before = pass.inputs;
    grownAt = again.tainted > pass.tainted ? [...again.inputs].find(([file, byKey]) => byKey.size > (before.get(file)?.size ?? 0))?.[0] : undefined;
    pass = again;
    if (grownAt === undefined) break;
  }
  const unchecked = grownAt === undefined ? [] : [{ file: grownAt, message: `its inputs are given untrusted text from local actions' (or workflows') outputs handed on to inputs ${MAX_PASSES - 1} times over, as far as that is followed, so what its outputs carry on into further local actions' inputs, if anything, was not checked` }];
  return { inputsOf: pass.inputsOf, isAction: pass.isAction, actionOutputs: (uses, by) => pass.actionOutputs(uses, by), notes: pass.notes, unchecked };

  /** One pass over the workflows and what they reach, the outputs of local actions and workflows as `outputsOf` (the pass before) gives them. */
  async function inputsPass(outputsOf: FlowContext['actionOutputs']) {
    const inputs = new Map<string, Map<string, Origin>>();
    const callSites = new Map<string, Set<string>>();
    const reached = new Set<string>();
    const notes = new Map<string, string[]>();
    const unsaid = new Map<string, number>();
    /** Each action and called workflow followed: its outputs are worked out once every caller's inputs are known. */
    const parsed = new Map<string, Workflow>();
    let next = new Set<string>();
    let tainted = 0;

    /** A caller's untrusted text given as input `name` of `callee` (an action's or a reusable workflow's file), or, when the callee is not in the tree, a note. */
    const give = (file: string, callee: string | null, what: string, uses: string, name: string, value: WorkflowValue, origin: Origin) => {
      if (callee === null) {
        // A few said in full, the rest counted: a generated workflow may call one a thousand times.
        const said = notes.get(file) ?? [];
        notes.set(file, said);
        if (said.length < MAX_NOTES_PER_FILE) said.push(`${value.line}: the local ${what} ${clipInput(uses.trim(), 120)} is given ${describeOrigin(origin)} as its input ${clipInput(name, 60)}, but ${what === 'action' ? `there is no action.yml or action.yaml in ${clipInput(localActionFolder(uses) || 'the root', 120)}` : 'that file is not'} in what was scanned, so what it does with that text was not checked`);
        else unsaid.set(file, (unsaid.get(file) ?? 0) + 1);
        return;
      }
      const key = name.toLowerCase();
      const sites = callSites.get(`${callee}\0${key}`) ?? new Set<string>();
      callSites.set(`${callee}\0${key}`, sites);
      sites.add(`${file}:${value.line}:${value.column}`);
      let byKey = inputs.get(callee);
      if (!byKey) inputs.set(callee, (byKey = new Map()));
      const known = byKey.get(key);
      if (known?.kind === 'input') {
        known.callers = sites.size;
        return;
      }
      byKey.set(key, { kind: 'input', spelled: `\${{ inputs.${name} }}`, caller: file, line: value.line, callers: 1, from: origin, root: origin.kind === 'field' ? origin : origin.root });
      tainted++;
      next.add(callee);
    };

    /** The first untrusted text of a `with:` value, as `scope` reads it. */
    const originOf = (flows: WorkflowFlows, value: WorkflowValue, scope: Scope): Origin | null => {
      for (const expression of value.expressions) {
        const origin = flows.expressionOrigin(expression.text, scope);
        if (origin) return origin;
      }
      return null;
    };

    /** The local actions a file's steps call and the local workflows its jobs call, and the untrusted text they give each. */
    const follow = (file: string, workflow: Workflow, given: Tainted) => {
      const flows = new WorkflowFlows(workflow, { inputs: given, ...(outputsOf ? { actionOutputs: outputsOf } : {}) }, { left: LOOKUP_BUDGET });
      const reach = (callee: string) => {
        if (reached.has(callee)) return;
        reached.add(callee);
        next.add(callee);
      };
      /** What a step gives a local action, or a job a local workflow, through `with:` (one note when the callee is not in the tree). */
      const giveInputs = (callee: string | null, what: string, caller: { uses: WorkflowValue | null; with: ReadonlyMap<string, WorkflowValue> }, scope: Scope) => {
        if (callee !== null) reach(callee);
        for (const [name, value] of caller.with) {
          const origin = originOf(flows, value, scope);
          if (!origin) continue;
          give(file, callee, what, caller.uses!.value, name, value, origin);
          if (callee === null) break;
        }
      };
      flows.walk(
        (step, scope) => {
          const folder = step.uses ? localActionFolder(step.uses.value) : null;
          if (folder !== null) giveInputs(actionIn(folder), 'action', step, scope);
        },
        (job, scope) => {
          // A job that calls a reusable workflow of the repository (`uses: ./.github/workflows/build.yml`), at its path from the root.
          const path = job.uses ? localActionFolder(job.uses.value) : null;
          if (path !== null && isWorkflowPath(path)) giveInputs(present.has(path) ? path : null, 'workflow', job, scope);
        },
      );
    };

    for (const file of paths) {
      if (!isWorkflowPath(file)) continue;
      const workflow = await parse(file, false);
      if (workflow) follow(file, workflow, { byKey: new Map(), id: 0 });
    }
    // Round k reads the actions (and called workflows) k levels below a workflow's step or job (0: those
    // it uses), whose calls are one level deeper: the last level the runner runs calls nothing it would
    // run. (GitHub nests reusable workflows less deep than composite actions; the deeper bound errs towards reporting.)
    for (let depth = 0; depth < MAX_ACTION_DEPTH - 1 && next.size > 0; depth++) {
      const now = next;
      next = new Set();
      for (const file of now) {
        const workflow = await parse(file, true);
        if (!workflow) continue;
        parsed.set(file, workflow);
        follow(file, workflow, taintedOf(inputs.get(file), depth + 1));
      }
    }
    for (const [file, count] of unsaid) notes.get(file)!.push(`${count.toLocaleString('en-US')} more step${count === 1 ? '' : 's'} or job${count === 1 ? '' : 's'} give untrusted text to local actions or workflows that are not in what was scanned, so what they do with it was not checked`);

    // Each action's (and called workflow's) outputs that carry untrusted text, given what its callers
    // give it: the actions and workflows it uses first (once each, to the runner's depth; one on a
    // cycle, which the runner refuses, gives none).
    const outputs = new Map<string, CalleeOutputs>();
    const working = new Set<string>();
    const outputsOfUses = (uses: string, by: 'step' | 'job', depth: number): CalleeOutputs | undefined => {
      const path = localActionFolder(uses);
      // A step uses an action's folder; a job calls a workflow's file.
      const file = path === null ? null : by === 'step' ? actionIn(path) : isWorkflowPath(path) ? path : null;
      if (file === null) return undefined;
      const known = outputs.get(file);
      if (known) return known;
      const callee = parsed.get(file);
      if (!callee || callee.kind !== (by === 'step' ? 'action' : 'workflow') || working.has(file) || depth >= MAX_ACTION_DEPTH) return undefined;
      working.add(file);
      const flows = new WorkflowFlows(callee, { inputs: taintedOf(inputs.get(file), 1), actionOutputs: (inner, innerBy) => outputsOfUses(inner, innerBy, depth + 1) }, { left: LOOKUP_BUDGET });
      flows.walk(() => {});
      working.delete(file);
      const found = flows.ownOutputs();
      outputs.set(file, found);
      return found;
    };

    return {
      tainted,
      parsed: parsed.size,
      inputs: inputs as ReadonlyMap<string, ReadonlyMap<string, Origin>>,
      inputsOf: (file: string) => taintedOf(inputs.get(file), 1),
      isAction: (file: string) => reached.has(file) && !isWorkflowPath(file),
      actionOutputs: (uses: string, by: 'step' | 'job') => outputsOfUses(uses, by, 0),
      notes: notes as ReadonlyMap<string, readonly string[]>,
    };
  }
}

const taintedOf = (byKey: ReadonlyMap<string, Origin> | undefined, id: number): Tainted => (byKey && byKey.size > 0 ? { byKey: new Map(byKey), id } : { byKey: new Map(), id: 0 });
