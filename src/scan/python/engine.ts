/**
 * Runs every Python rule over one parsed file with a single tree-sitter query, compiled once: the
 * query's matches (imports, calls, some assignments, except clauses, asserts) come back in one pass
 * inside the wasm parser, and each is handed only to the rules that subscribed to it. Adding a rule
 * never adds a walk.
 */
import type { Language, Node, Query, QueryMatch } from 'web-tree-sitter';
import type { Report } from '../rule.js';
import { PythonFile } from './file.js';
import { treeSitter } from './parser.js';
import type { PythonRule } from './rule.js';

const QUERY = `
(import_statement) @import
(import_from_statement) @import
(function_definition name: (identifier) @define)
(class_definition name: (identifier) @define)
(call function: [(identifier) (attribute)] @callee)
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

  /** Every finding of every rule in one file. Rules that throw on odd trees lose only their own finding, never the file. */
  run(root: Node, path: string, text: string, isTest: boolean): { findings: PythonFinding[]; errors: string[] } {
    const file = new PythonFile(path, text, root, isTest);
    file.knownNames = this.knownNames;
    const matches = this.query.matches(root);
    // Names first (imports and definitions anywhere in the file apply to every use), then objects, then rules.
    for (const m of matches) {
      const first = m.captures[0];
      if (!first) continue;
      if (first.name === 'import') file.addImport(first.node);
      else if (first.name === 'define') file.defined.add(first.node.text);
    }
    if (this.constructorWords.some((w) => text.includes(w))) {
      for (const m of this.instanceQuery.matches(root)) this.recordInstance(m, file);
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
    for (const m of matches) {
      const first = m.captures[0];
      if (!first) continue;
      if (first.name === 'callee') {
        this.dispatchCall(first.node, file, runRule);
      } else if (first.name === 'assign' || first.name === 'except' || first.name === 'assert' || first.name === 'exec') {
        for (const rule of this.byStatement.get(first.name) ?? []) runRule(rule, first.node, null);
      }
    }
    // Rules that read the file as a whole (its module-level statements), once.
    for (const rule of this.byStatement.get('module') ?? []) runRule(rule, root, null);
    return { findings, errors };
  }

  private recordInstance(m: QueryMatch, file: PythonFile): void {
    const ctorNode = m.captures.find((c) => c.name === 'instance.ctor')?.node;
    const target = m.captures.find((c) => c.name === 'instance.target')?.node;
    if (!ctorNode || !target) return;
    const ctor = file.qualify(ctorNode);
    if (ctor && this.constructors.has(ctor)) file.instances.set(target.text.trim(), ctor);
  }

  /** Hands a call to the rules subscribed to its qualified name or its method name; most calls match none and cost a map lookup. */
  private dispatchCall(callee: Node, file: PythonFile, runRule: (rule: PythonRule, node: Node, callee: string | null) => void): void {
    const text = callee.text;
    const qualified = file.qualifyCached(callee, text);
    const byName = qualified ? this.byCall.get(qualified) : undefined;
    const dot = text.lastIndexOf('.');
    const byMethod = dot > 0 ? this.byMethod.get(text.slice(dot + 1).trim()) : undefined;
    if (!byName && !byMethod) return;
    const call = callee.parent;
    if (!call) return;
    for (const rule of byName ?? []) runRule(rule, call, qualified);
    for (const rule of byMethod ?? []) if (!byName?.includes(rule)) runRule(rule, call, qualified);
  }

  delete(): void {
    this.query.delete();
    this.instanceQuery.delete();
  }
}
