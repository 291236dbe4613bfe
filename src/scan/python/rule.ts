/** The interface of a Python rule: what it subscribes to, and a check that reports findings. */
import type { Node } from 'web-tree-sitter';
import type { Report, RuleInfo } from '../rule.js';
import type { PythonFile } from './file.js';

export interface PythonRule {
  info: RuleInfo;
  /** Qualified callee names, after aliases are resolved (`subprocess.run`, `builtins.eval`, `requests.Session().get`). */
  calls?: readonly string[];
  /** Method names called on any receiver (`execute` for `cursor.execute(...)`), for objects no import names. */
  methods?: readonly string[];
  /** Statement kinds the rule reads besides calls. */
  statements?: readonly ('assert' | 'except' | 'assign' | 'exec' | 'module')[];
  /** Called for each call the rule subscribed to, each subscribed statement (assign: attribute or subscript targets; exec: Python 2's exec statement; module: the file's root node, once). */
  check(node: Node, file: PythonFile, report: (r: Report) => void, callee: string | null): void;
}
