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
 * Bounded: each workflow is read once and each action at most once per level of that depth, each
 * under the flows' own budget of look-ups.
 */
import { clipInput } from '../../quoted-input.js';
import { isWorkflowPath } from '../paths.js';
import { describeOrigin, WorkflowFlows, type Origin, type Tainted } from './gha-flows.js';
import { localActionFolder, parseAction, parseWorkflow, type Workflow } from './workflow.js';

export interface LocalActions {
  /** The inputs of the action file at this path that some caller gives untrusted text, by lower-case name. */
  inputsOf(file: string): Tainted;
  /** Whether a workflow (or action) of the tree uses this file as a local action. */
  isAction(file: string): boolean;
  /** What could not be followed, one line each (`12: …`, the caller's line first, else a count; without the file's name), by the file of the step that calls it. */
  notes: ReadonlyMap<string, readonly string[]>;
}

/** Levels of composite actions GitHub's runner runs, a workflow's step using the first (its CompositeActionsMaxDepth is 9, counted from 0). */
export const MAX_ACTION_DEPTH = 10;

/** Look-ups the flows of one file may cost here, as in the rule (gha-script-injection). */
const LOOKUP_BUDGET = 1_000_000;

/** Local actions not in the tree that one file's notes name; the rest are counted in one more line. */
const MAX_NOTES_PER_FILE = 5;

/** A `uses: ./…` anywhere in a file: a cheap test before a workflow is parsed for its local actions. */
const LOCAL_USES = /\buses["']?\s*:\s*["']?\.\//;

export async function followLocalActions(paths: readonly string[], readText: (path: string) => Promise<string | null>): Promise<LocalActions> {
  const present = new Set(paths);
  const inputs = new Map<string, Map<string, Origin>>();
  const callSites = new Map<string, Set<string>>();
  const reached = new Set<string>();
  const notes = new Map<string, string[]>();
  const unsaid = new Map<string, number>();
  let next = new Set<string>();

  const actionIn = (folder: string): string | null => {
    for (const name of ['action.yml', 'action.yaml']) {
      const file = folder === '' ? name : `${folder}/${name}`;
      if (present.has(file)) return file;
    }
    return null;
  };

  /** The local actions a file's steps call, and the untrusted text they give each. */
  const follow = (file: string, workflow: Workflow, given: Tainted) => {
    const flows = new WorkflowFlows(workflow, given, { left: LOOKUP_BUDGET });
    flows.walk((step, scope) => {
      const folder = step.uses ? localActionFolder(step.uses.value) : null;
      if (folder === null) return;
      const action = actionIn(folder);
      if (action !== null && !reached.has(action)) {
        reached.add(action);
        next.add(action);
      }
      for (const [name, value] of step.with) {
        let origin: Origin | null = null;
        for (const expression of value.expressions) if ((origin = flows.expressionOrigin(expression.text, scope))) break;
        if (!origin) continue;
        if (action === null) {
          // A few said in full, the rest counted: a generated workflow may call one a thousand times.
          const said = notes.get(file) ?? [];
          notes.set(file, said);
          const uses = clipInput(step.uses!.value.trim(), 120);
          if (said.length < MAX_NOTES_PER_FILE) said.push(`${value.line}: the local action ${uses} is given ${describeOrigin(origin)} as its input ${clipInput(name, 60)}, but there is no action.yml or action.yaml in ${folder === '' ? 'the root' : clipInput(folder, 120)} in what was scanned, so what it does with that text was not checked`);
          else unsaid.set(file, (unsaid.get(file) ?? 0) + 1);
          break;
        }
        const key = name.toLowerCase();
        const sites = callSites.get(`${action}\0${key}`) ?? new Set<string>();
        callSites.set(`${action}\0${key}`, sites);
        sites.add(`${file}:${value.line}:${value.column}`);
        let tainted = inputs.get(action);
        if (!tainted) inputs.set(action, (tainted = new Map()));
        const known = tainted.get(key);
        if (known?.kind === 'input') {
          known.callers = sites.size;
          continue;
        }
        tainted.set(key, { kind: 'input', spelled: `\${{ inputs.${name} }}`, caller: file, line: value.line, callers: 1, from: origin, root: origin.kind === 'field' ? origin : origin.root });
        next.add(action);
      }
    });
  };

  for (const file of paths) {
    if (!isWorkflowPath(file)) continue;
    const text = await readText(file);
    if (text === null || !LOCAL_USES.test(text)) continue;
    const read = parseWorkflow(text);
    if (read.workflow) follow(file, read.workflow, { byKey: new Map(), id: 0 });
  }
  // Round k reads the actions k levels below a workflow's step (0: those its steps use), whose calls are
  // one level deeper: the last level the runner runs calls nothing it would run.
  for (let depth = 0; depth < MAX_ACTION_DEPTH - 1 && next.size > 0; depth++) {
    const now = next;
    next = new Set();
    for (const file of now) {
      const text = await readText(file);
      const read = text === null ? null : parseAction(text);
      if (read?.workflow) follow(file, read.workflow, taintedOf(inputs.get(file), depth + 1));
    }
  }
  for (const [file, count] of unsaid) notes.get(file)!.push(`${count.toLocaleString('en-US')} more step${count === 1 ? '' : 's'} give untrusted text to local actions that are not in what was scanned, so what they do with it was not checked`);
  return {
    inputsOf: (file) => taintedOf(inputs.get(file), 1),
    isAction: (file) => reached.has(file),
    notes,
  };
}

const taintedOf = (byKey: ReadonlyMap<string, Origin> | undefined, id: number): Tainted => (byKey && byKey.size > 0 ? { byKey: new Map(byKey), id } : { byKey: new Map(), id: 0 });
