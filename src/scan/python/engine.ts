/**
 * Runs every Python rule over one parsed file with a single tree-sitter query, compiled once: the
 * query's matches (imports, calls, some assignments, except clauses, asserts) come back in one pass
 * inside the wasm parser, and each is handed only to the rules that subscribed to it. Adding a rule
 * never adds a walk.
 */
import type { Language, Node, Query, QueryMatch } from 'web-tree-sitter';
import type { Report } from '../rule.js';
import { attributeName, nameOf, PythonFile } from './file.js';
import { NestedNodes } from './nesting.js';
import { treeSitter } from './parser.js';
import type { PythonRule } from './rule.js';

const QUERY = `
(import_statement) @import
(import_from_statement) @import
(call function: [(identifier) (attribute)] @callee) @call
(assignment left: [(attribute) (subscript)]) @assign
(augmented_assignment left: [(attribute) (subscript)]) @assign
(except_clause) @except
(assert_statement) @assert
(exec_statement) @exec
`;

/** Objects made by constructors (`s = requests.Session()`), read only in files that name a followed constructor. */
const INSTANCES = `
(assignment left: (_) @instance.target right: (call function: [(identifier) (attribute)] @instance.ctor))
(with_item value: (as_pattern (call function: [(identifier) (attribute)] @instance.ctor) alias: (as_pattern_target) @instance.target))
`;

export interface PythonFinding extends Report {
  rule: PythonRule;
}

export class PythonRuleEngine {
  private readonly query: Query;
  private readonly instanceQuery: Query;
  /** Last parts of the followed constructors' names (`Session`), to skip the instance query in files that never say them. */
  private readonly constructorWords: string[];
  private readonly byCall = new Map<string, PythonRule[]>();
  private readonly byMethod = new Map<string, PythonRule[]>();
  private readonly byStatement = new Map<string, PythonRule[]>();
  /** Constructors whose objects some rule follows (`requests.Session` for `requests.Session().get`). */
  private readonly constructors = new Set<string>();
  private readonly knownNames = new Set<string>();

  constructor(language: Language, readonly rules: readonly PythonRule[]) {
    const { Query } = treeSitter();
    this.query = new Query(language, QUERY);
    this.instanceQuery = new Query(language, INSTANCES);
    const add = (map: Map<string, PythonRule[]>, key: string, rule: PythonRule) => map.set(key, [...(map.get(key) ?? []), rule]);
    for (const rule of rules) {
      for (const name of rule.calls ?? []) {
        add(this.byCall, name, rule);
        this.knownNames.add(name);
        const at = name.indexOf('().');
        if (at > 0) this.constructors.add(name.slice(0, at));
      }
      for (const m of rule.methods ?? []) add(this.byMethod, m, rule);
      for (const s of rule.statements ?? []) add(this.byStatement, s, rule);
    }
    this.constructorWords = [...new Set([...this.constructors].map((c) => c.slice(c.lastIndexOf('.') + 1)))];
  }

  /**
   * Every finding of every rule in one file. Rules that throw on odd trees lose only their own
   * finding, never the file.
   *
   * `overBudget` is the file's time budget (scan-python.ts: a wall-clock deadline), asked inside the
   * query pass and between rules. `timedOut` says where it ran out: `query`, while tree-sitter was
   * matching the patterns (then no rule ran: its matches are incomplete, and a rule that reads half
   * a file's imports can be wrong either way); `rules`, while the rules ran (the findings before that
   * point are kept); null, it did not.
   */
  run(root: Node, path: string, text: string, isTest: boolean, overBudget: () => boolean = () => false): { findings: PythonFinding[]; errors: string[]; timedOut: 'query' | 'rules' | null } {
    const file = new PythonFile(path, text, root, isTest);
    file.knownNames = this.knownNames;
    // The query runs inside the wasm module and can take as long as the tree is large, so it is under
    // the budget too: tree-sitter calls the progress callback every few steps and stops the query
    // when it returns true (the .d.ts says void), handing back the matches found so far, which the
    // flag tells from a finished query.
    let queryStopped = false;
    const progressCallback = (() => (queryStopped ||= overBudget())) as unknown as () => void;
    const matches = this.query.matches(root, { progressCallback });
    if (queryStopped) return { findings: [], errors: [], timedOut: 'query' };
    // Imports first (anywhere in the file, they apply to every use), then objects, then rules. The
    // module's own definitions are PythonFile's to find (module level only: a method named eval
    // does not hide the builtin).
    for (const m of matches) {
      const first = m.captures[0];
      if (first?.name === 'import') file.addImport(first.node);
    }
    if (this.constructorWords.some((w) => text.includes(w))) {
      const instances = this.instanceQuery.matches(root, { progressCallback });
      if (queryStopped) return { findings: [], errors: [], timedOut: 'query' };
      for (const m of instances) this.recordInstance(m, file);
    }
    const findings: PythonFinding[] = [];
    const errors: string[] = [];
    const runRule = (rule: PythonRule, node: Node, callee: string | null) => {
      try {
        rule.check(node, file, (r) => findings.push({ ...r, rule }), callee);
      } catch (err) {
        errors.push(`${rule.info.id}: ${(err as Error).message}`);
      }
    };
    // The budget again, checked every few matches: rules trace names and expressions, and however
    // bounded each step is, a hostile file must not hold the thread.
    let timedOut = false;
    for (let i = 0; i < matches.length; i++) {
      if ((i & 31) === 0 && overBudget()) {
        timedOut = true;
        break;
      }
      const { captures } = matches[i]!;
      const first = captures[0];
      if (!first) continue;
      if (first.name === 'callee' || first.name === 'call') {
        // The call comes with its callee: asking the callee for its parent walks down from the root
        // in tree-sitter (nodes keep no parent link), which made deeply nested calls quadratic.
        const callee = first.name === 'callee' ? first : captures[1];
        const call = first.name === 'call' ? first : captures[1];
        if (callee?.name === 'callee' && call?.name === 'call') this.dispatchCall(callee.node, call.node, file, runRule);
      } else if (first.name === 'assign' || first.name === 'except' || first.name === 'assert' || first.name === 'exec') {
        for (const rule of this.byStatement.get(first.name) ?? []) runRule(rule, first.node, null);
      }
    }
    // Rules that read the file as a whole (its module-level statements), once, within the budget.
    if (!timedOut) for (const rule of this.byStatement.get('module') ?? []) runRule(rule, root, null);
    if (findings.length) {
      const statementAt = statementFinder(root);
      for (const f of findings) if (f.line !== null && f.column !== null) f.statement = statementAt(f.line - 1, f.column - 1) ?? undefined;
    }
    return { findings, errors, timedOut: timedOut ? 'rules' : null };
  }

  private recordInstance(m: QueryMatch, file: PythonFile): void {
    const ctorNode = m.captures.find((c) => c.name === 'instance.ctor')?.node;
    const target = m.captures.find((c) => c.name === 'instance.target')?.node;
    if (!ctorNode || !target) return;
    const ctor = file.qualify(ctorNode);
    if (ctor && this.constructors.has(ctor)) file.instances.set(nameOf(target).trim(), ctor);
  }

  /** Hands a call to the rules subscribed to its qualified name or its method name; most calls match none and cost a map lookup. */
  private dispatchCall(callee: Node, call: Node, file: PythonFile, runRule: (rule: PythonRule, node: Node, callee: string | null) => void): void {
    // Names as Python reads them (PEP 3131): `os.ｓｙｓｔｅｍ` is os.system. The callee's whole text is
    // not read here: in a chain of calls (`x.a().a()…`) each callee holds the ones before it.
    const qualified = file.qualify(callee);
    const byName = qualified ? this.byCall.get(qualified) : undefined;
    const method = callee.type === 'attribute' ? attributeName(callee) : null;
    const byMethod = method ? this.byMethod.get(method) : undefined;
    if (!byName && !byMethod) return;
    for (const rule of byName ?? []) runRule(rule, call, qualified);
    for (const rule of byMethod ?? []) if (!byName?.includes(rule)) runRule(rule, call, qualified);
  }

  delete(): void {
    this.query.delete();
    this.instanceQuery.delete();
  }
}

/** Statements a finding can be in; for the compound ones only the header counts (a finding in the body is in a statement of its own). */
const SIMPLE_STATEMENTS = [
  'expression_statement',
  'return_statement',
  'assert_statement',
  'delete_statement',
  'raise_statement',
  'print_statement',
  'exec_statement',
  'global_statement',
  'nonlocal_statement',
  'import_statement',
  'import_from_statement',
  'future_import_statement',
  'type_alias_statement',
  'decorator',
];
const COMPOUND_STATEMENTS = new Set(['if_statement', 'elif_clause', 'while_statement', 'for_statement', 'with_statement', 'except_clause', 'function_definition', 'class_definition', 'match_statement', 'case_clause']);

type Point = { row: number; column: number };
const before = (a: Point, b: Point) => a.row < b.row || (a.row === b.row && a.column <= b.column);
const POINTS = { start: (n: Node) => n.startPosition, end: (n: Node) => n.endPosition, atOrBefore: before };

/**
 * The innermost statement around a position, as 1-based first and last lines: statements listed
 * once per file (only files with findings), then a binary search per finding (NestedNodes, as
 * PythonFile.enclosingFunction finds functions).
 */
export function statementFinder(root: Node): (row: number, column: number) => { line: number; endLine: number } | null {
  const statements = new NestedNodes(root, [...SIMPLE_STATEMENTS, ...COMPOUND_STATEMENTS], POINTS);
  return (row, column) => {
    const at = { row, column };
    const s = statements.innermost(
      (s) => before(s.start, at),
      (s) => before(at, s.end) && !(s.end.row === row && s.end.column === column),
    );
    if (s === null) return null;
    const line = s.start.row + 1;
    if (!COMPOUND_STATEMENTS.has(s.node.type)) return { line, endLine: s.end.row + 1 };
    // The header ends at the `:` before the first block; a position past it is in no statement we know.
    const block = s.node.namedChildren.find((c) => c?.type === 'block');
    const colon = block?.previousSibling;
    const endLine = colon ? colon.endPosition.row + 1 : line;
    return row + 1 <= endLine ? { line, endLine } : null;
  };
}
