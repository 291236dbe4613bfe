/**
 * A GitHub Actions workflow (`.github/workflows/*.yml`), read as far as the workflow rules ask: its
 * triggers, each job's `uses:` (a reusable workflow), `needs:`, `outputs:`, `env:` and steps (`id:`,
 * `uses:`, `run:`, `with:`, `env:`), every value with where it is written and the `${{ … }}` expressions it holds, each at its
 * own line. A composite action of the repository (`action.yml`: `runs: { using: composite, steps: … }`)
 * is read by the same reader: its steps have the same shape, and it has no triggers of its own.
 *
 * YAML is read with the project's `yaml` library (core schema, so `on:` is the key GitHub reads, not
 * YAML 1.1's boolean), aliases as GitHub reads them (it accepts anchors and aliases), through
 * resolved-yaml.ts, which never expands one: a step or a script named by an alias a thousand times
 * is read once, and reported once, at its anchor. A file nested past what any workflow nests, or
 * larger or fuller of brackets than any is, is not handed to the library (see the limits below).
 */
import type { LineCounter, Node as YamlNode, YAMLMap } from 'yaml';
import { flowBrackets, QUIET_YAML, withoutErrorStacks, yaml, yamlErrorLine, yamlMayNestDeeperThan } from '../../yaml.js';
import { findExpressions } from './gha-expressions.js';
import { ResolvedDocument } from './resolved-yaml.js';

export interface Where {
  line: number;
  column: number;
}

/** One `${{ … }}` in a value: the text between the braces, at the line and column of its `${{`. */
export interface Expression extends Where {
  text: string;
}

/** A scalar value of the workflow, where it is written, and its expressions. */
export interface WorkflowValue extends Where {
  value: string;
  expressions: Expression[];
  /**
   * The scalar as written in the file, from its first character (a quote, a block scalar's `|`):
   * what a rule reads to place a command at its own line of a script (whereInSource).
   */
  source: string;
}

/**
 * Where a character of a value's source is in the file, given as the line of the source it is on
 * (0 for the first) and its offset in that line: callers walk the source once and count lines as
 * they go, so placing each of many commands costs nothing more.
 */
export function whereInSource(value: WorkflowValue, lineInSource: number, offsetInLine: number): Where {
  return lineInSource === 0 ? { line: value.line, column: value.column + offsetInLine } : { line: value.line + lineInSource, column: offsetInLine + 1 };
}

export type Env = ReadonlyMap<string, WorkflowValue>;

export interface WorkflowStep {
  /** The job the step is in (the first, when an alias gives the same step to several); '' in a composite action. */
  job: string;
  /** Its `id:`, which `steps.<id>.outputs.*` names. */
  id: string | null;
  uses: WorkflowValue | null;
  run: WorkflowValue | null;
  /** `with:` inputs that are scalars, by name. */
  with: ReadonlyMap<string, WorkflowValue>;
  /** `env:` of the step, then of its job, then of the workflow (the first that names a variable sets it). */
  env: readonly [step: Env, job: Env, workflow: Env];
}

export interface WorkflowJob {
  id: string;
  at: Where;
  /** A job that calls a reusable workflow (`uses: org/repo/.github/workflows/x.yml@v1`). */
  uses: WorkflowValue | null;
  /** The jobs it waits for (`needs: build`, `needs: [a, b]`), lower case: the only ones whose outputs `needs.*` gives it. */
  needs: string[];
  /** Its `outputs:` that are scalars, by name: what jobs that need it read as `needs.<id>.outputs.<name>`. */
  outputs: ReadonlyMap<string, WorkflowValue>;
  /** Its `env:`, the same map its steps see as their job's. */
  env: Env;
  /** `with:` inputs that are scalars, by name: what a reusable workflow it calls (`uses:`) is given. */
  with: ReadonlyMap<string, WorkflowValue>;
}

export interface Workflow {
  /** A workflow, or a composite action (whose steps run in whichever workflow uses it). */
  kind: 'workflow' | 'action';
  /** The events under `on:` (`push`, `pull_request_target`…), as written; none for an action. */
  triggers: string[];
  jobs: WorkflowJob[];
  /** The workflow's own `env:` (every job's steps see it); none for an action. */
  env: Env;
  /** Every step of every job, each step once, in order (a job's steps together). */
  steps: WorkflowStep[];
  /** A composite action's `inputs:` that have a scalar `default:`, by name: what a caller that does not give one gets. */
  inputDefaults: ReadonlyMap<string, WorkflowValue>;
  /**
   * A composite action's `outputs:` (their `value:`), by name: what a caller's step reads as
   * `steps.<id>.outputs.<name>`; a reusable workflow's `on.workflow_call.outputs`, what the jobs after
   * the calling job read as `needs.<calling job>.outputs.<name>`.
   */
  outputs: ReadonlyMap<string, WorkflowValue>;
}

/** The workflow, or why it was not read (one line, without the file's name). */
export type WorkflowParse = { workflow: Workflow; problem: null } | { workflow: null; problem: string };

/** Real workflows nest a dozen levels; the YAML library overflows the stack near 800 (see interpreter.ts). */
export const MAX_WORKFLOW_NESTING = 200;

/**
 * The YAML library reads hostile text at a few microseconds a character (a run of `]` or `"` is an
 * error per character: a megabyte of `]` cost 3.3 s of CPU, of `"` 0.9 s), so a workflow past these
 * bounds is one reason the result is partial, not a stall of the scan. Real workflows are tens of
 * kilobytes, and each `${{ }}` holds four braces: 50,000 brackets is 12,000 expressions.
 */
export const MAX_WORKFLOW_CHARS = 1024 * 1024;
export const MAX_WORKFLOW_BRACKETS = 50_000;

export function parseWorkflow(text: string): WorkflowParse {
  return parseWith(text, 'workflow');
}

/** A composite action (`action.yml`), under the same limits: one of another kind (`using: node20`, `docker`) has no steps. */
export function parseAction(text: string): WorkflowParse {
  return parseWith(text, 'action');
}

function parseWith(text: string, kind: Workflow['kind']): WorkflowParse {
  const what = kind === 'workflow' ? 'workflow' : 'action';
  if (text.length > MAX_WORKFLOW_CHARS) return { workflow: null, problem: `${text.length.toLocaleString('en-US')} characters, more than the ${MAX_WORKFLOW_CHARS.toLocaleString('en-US')} ${kind === 'workflow' ? 'a workflow' : 'an action'} is read to` };
  if (yamlMayNestDeeperThan(text, MAX_WORKFLOW_NESTING)) return { workflow: null, problem: `nests deeper than ${MAX_WORKFLOW_NESTING} levels, which no ${what} does` };
  const brackets = flowBrackets(text);
  if (brackets > MAX_WORKFLOW_BRACKETS) return { workflow: null, problem: `holds ${brackets.toLocaleString('en-US')} brackets ([ ] { }; the limit is ${MAX_WORKFLOW_BRACKETS.toLocaleString('en-US')}), which no ${what} does` };
  const Y = yaml();
  const counter = new Y.LineCounter();
  const doc = withoutErrorStacks(() => Y.parseDocument(text, { ...QUIET_YAML, lineCounter: counter, schema: 'core', uniqueKeys: false }));
  if (doc.errors.length > 0) return { workflow: null, problem: `not valid YAML (${yamlErrorLine(doc.errors[0]!, counter)})` };
  const view = new ResolvedDocument(doc, (offset) => counter.linePos(offset));
  const reader = new WorkflowReader(view, counter, text);
  const workflow = kind === 'workflow' ? reader.read(doc.contents) : reader.readAction(doc.contents);
  // An alias with no anchor, or a bad merge (known once a lookup went through it): GitHub refuses the file too.
  if (view.error) return { workflow: null, problem: `not valid YAML (${view.error})` };
  return { workflow, problem: null };
}

class WorkflowReader {
  private readonly values = new Map<YamlNode, WorkflowValue | null>();

  constructor(
    private readonly view: ResolvedDocument,
    private readonly counter: LineCounter,
    private readonly text: string,
  ) {}

  private readonly stepsRead = new Set<YAMLMap>();
  private readonly scalarMaps = new Map<YAMLMap, Env>();

  read(root: unknown): Workflow {
    const Y = yaml();
    const workflow: Workflow = { kind: 'workflow', triggers: [], jobs: [], env: new Map(), steps: [], inputDefaults: new Map(), outputs: new Map() };
    if (!Y.isMap(root)) return workflow;
    const on = this.view.get(root, 'on');
    workflow.triggers = this.triggers(on);
    const call = Y.isMap(on) ? this.view.get(on, 'workflow_call') : null;
    if (Y.isMap(call)) workflow.outputs = this.valuesOf(this.view.get(call, 'outputs'), 'value');
    const workflowEnv = this.scalars(this.view.get(root, 'env'));
    workflow.env = workflowEnv;
    const jobs = this.view.get(root, 'jobs');
    if (!Y.isMap(jobs)) return workflow;
    for (const { key, value: job } of this.view.entries(jobs)) {
      if (!Y.isMap(job)) continue;
      const id = String(Y.isScalar(key) ? key.value : key);
      const env = this.scalars(this.view.get(job, 'env'));
      workflow.jobs.push({ id, at: this.where(key as YamlNode), uses: this.value(this.view.get(job, 'uses')), needs: this.names(this.view.get(job, 'needs')), outputs: this.scalars(this.view.get(job, 'outputs')), env, with: this.scalars(this.view.get(job, 'with')) });
      this.steps(this.view.get(job, 'steps'), id, env, workflowEnv, workflow.steps);
    }
    return workflow;
  }

  /** `runs: { using: composite, steps: […] }`; an action of another kind runs no steps of its own. */
  readAction(root: unknown): Workflow {
    const Y = yaml();
    const none: Workflow = { kind: 'action', triggers: [], jobs: [], env: new Map(), steps: [], inputDefaults: new Map(), outputs: new Map() };
    if (!Y.isMap(root)) return none;
    const runs = this.view.get(root, 'runs');
    if (!Y.isMap(runs)) return none;
    const using = this.view.get(runs, 'using');
    if (!Y.isScalar(using) || String(using.value).toLowerCase() !== 'composite') return none;
    // `inputs: { name: { default: … } }` and `outputs: { name: { value: … } }`.
    const action: Workflow = { kind: 'action', triggers: [], jobs: [], env: new Map(), steps: [], inputDefaults: this.valuesOf(this.view.get(root, 'inputs'), 'default'), outputs: this.valuesOf(this.view.get(root, 'outputs'), 'value') };
    this.steps(this.view.get(runs, 'steps'), '', new Map(), new Map(), action.steps);
    return action;
  }

  /** `{ name: { <key>: value } }` (inputs' `default:`, outputs' `value:`): each name's scalar, the first of a name. */
  private valuesOf(map: unknown, key: string): Map<string, WorkflowValue> {
    const Y = yaml();
    const into = new Map<string, WorkflowValue>();
    if (!Y.isMap(map)) return into;
    for (const { key: name, value: spec } of this.view.entries(map)) {
      if (!Y.isScalar(name) || !Y.isMap(spec)) continue;
      const value = this.value(this.view.get(spec, key));
      if (value && !into.has(String(name.value))) into.set(String(name.value), value);
    }
    return into;
  }

  /** A job's (or a composite action's) steps, each step once however many aliases name it. */
  private steps(steps: unknown, job: string, jobEnv: Env, workflowEnv: Env, into: WorkflowStep[]): void {
    const Y = yaml();
    if (!Y.isSeq(steps)) return;
    for (const step of this.view.items(steps)) {
      if (!Y.isMap(step) || this.stepsRead.has(step)) continue;
      this.stepsRead.add(step);
      const id = this.view.get(step, 'id');
      into.push({
        job,
        id: Y.isScalar(id) && id.value !== null && typeof id.value !== 'object' ? String(id.value) : null,
        uses: this.value(this.view.get(step, 'uses')),
        run: this.value(this.view.get(step, 'run')),
        with: this.scalars(this.view.get(step, 'with')),
        env: [this.scalars(this.view.get(step, 'env')), jobEnv, workflowEnv],
      });
    }
  }

  /** A map's scalar values by name (`with:`, `env:`), read once per map (an aliased `env:` is one read). */
  private scalars(map: unknown): Env {
    const Y = yaml();
    if (!Y.isMap(map)) return new Map();
    const known = this.scalarMaps.get(map);
    if (known) return known;
    const read = new Map<string, WorkflowValue>();
    for (const { key: name, value } of this.view.entries(map)) {
      const v = this.value(value);
      if (v && Y.isScalar(name)) read.set(String(name.value), v);
    }
    this.scalarMaps.set(map, read);
    return read;
  }

  /** `needs: build` or `needs: [a, b]`, lower case (job ids are matched as expressions match names, in any case). */
  private names(node: unknown): string[] {
    const Y = yaml();
    const items = Y.isSeq(node) ? this.view.items(node) : [node];
    return items.flatMap((i) => (Y.isScalar(i) && (typeof i.value === 'string' || typeof i.value === 'number') ? [String(i.value).toLowerCase()] : []));
  }

  /** `on: push`, `on: [push, pull_request_target]`, or `on:` a map of events to their settings. */
  private triggers(on: unknown): string[] {
    const Y = yaml();
    const names: unknown[] = Y.isScalar(on) ? [on.value] : Y.isSeq(on) ? this.view.items(on).map((i) => (Y.isScalar(i) ? i.value : null)) : Y.isMap(on) ? this.view.entries(on).map((e) => (Y.isScalar(e.key) ? e.key.value : null)) : [];
    return names.filter((n): n is string => typeof n === 'string');
  }

  /** A scalar's value, position and expressions, read once per node (an aliased script is one value). */
  private value(node: unknown): WorkflowValue | null {
    const Y = yaml();
    if (!Y.isScalar(node) || node.value === null || node.value === undefined || typeof node.value === 'object') return null;
    const known = this.values.get(node);
    if (known !== undefined) return known;
    const value = String(node.value);
    const at = this.where(node);
    const source = node.range ? this.text.slice(node.range[0], node.range[1]) : value;
    const read: WorkflowValue = { ...at, value, expressions: this.expressions(node, value, at), source };
    this.values.set(node, read);
    return read;
  }

  /**
   * The value's expressions, each at the line of its `${{` in the file. GitHub reads them in the
   * parsed value; they are placed by the same expressions in the scalar's source text, which holds
   * them as written (a block scalar's lines, a plain scalar folded over lines). When the two do not
   * agree (an escape in a double-quoted string spells `$`), each is placed at the value's start.
   */
  private expressions(node: YamlNode, value: string, at: Where): Expression[] {
    const inValue = findExpressions(value);
    if (inValue.length === 0) return [];
    const range = node.range;
    const inSource = range ? findExpressions(this.text.slice(range[0], range[1])) : [];
    const same = (a: string, b: string) => a.replace(/\s+/g, ' ').trim() === b.replace(/\s+/g, ' ').trim();
    if (range && inSource.length === inValue.length && inSource.every((e, i) => same(e.text, inValue[i]!.text))) {
      return inSource.map((e) => {
        const pos = this.counter.linePos(range[0] + e.start);
        return { line: pos.line, column: pos.col, text: e.text };
      });
    }
    return inValue.map((e) => ({ ...at, text: e.text }));
  }

  private where(node: YamlNode | null | undefined): Where {
    const offset = node?.range?.[0];
    if (offset === undefined) return { line: 1, column: 1 };
    const pos = this.counter.linePos(offset);
    return { line: pos.line, column: pos.col };
  }
}

/** `owner/repo` of a `uses:` of an action on GitHub (`actions/checkout@v4` → `actions/checkout`), lower case; null for local and Docker actions. */
export function actionName(uses: string): string | null {
  const spec = uses.trim();
  if (spec.startsWith('./') || spec.startsWith('docker://')) return null;
  const at = spec.indexOf('@');
  const parts = (at === -1 ? spec : spec.slice(0, at)).split('/');
  return parts.length >= 2 ? `${parts[0]}/${parts[1]}`.toLowerCase() : null;
}

/**
 * The folder of a local action (`uses: ./.github/actions/greet` → `.github/actions/greet`, `uses: ./`
 * → ''), from the root of the repository (the workspace a job checks it out into), `.` and `..`
 * steps resolved; null for an action that is not local, or a path that climbs out of the root.
 */
export function localActionFolder(uses: string): string | null {
  const spec = uses.trim();
  if (!spec.startsWith('./')) return null;
  const parts: string[] = [];
  for (const part of spec.slice(2).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.pop() === undefined) return null;
    } else parts.push(part);
  }
  return parts.join('/');
}
