/** `eval`, `exec`, `compile` (and Python 2's `execfile`) on something other than a literal. */
import { columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';

export const rule: PythonRule = {
  info: {
    id: 'py-eval-exec',
    kind: 'code',
    severity: 'high',
    confidence: 'medium',
    title: 'eval/exec on a computed string',
    help: 'eval, exec and compile run their argument as Python: if any part of it comes from outside, so does the code that runs. Parse data with ast.literal_eval or json.loads, and dispatch on names with a dict of functions instead of building code.',
    bandit: ['B307', 'B102'],
  },
  calls: ['builtins.eval', 'builtins.exec', 'builtins.compile', 'builtins.execfile'],
  statements: ['exec'],
  check(call, file, report, calleeName) {
    // Python 2's `exec code` is a statement, not a call.
    const statement = call.type === 'exec_statement';
    const callee = statement ? 'builtins.exec' : calleeName;
    const source = statement ? call.childForFieldName('code') : file.argument(call, 0, 'source');
    if (!source || file.isLiteral(source)) return;
    const origin = file.originOf(source);
    const fromOutside = origin !== null && !origin.startsWith('parameter');
    const name = callee?.slice('builtins.'.length) ?? 'eval';
    report({
      line: lineOf(call),
      column: columnOf(call),
      severity: fromOutside ? 'critical' : undefined,
      confidence: fromOutside ? 'high' : undefined,
      message: `${name}() runs a string that is not fixed in the code${origin ? ` (it comes from ${origin})` : ''} as Python; whoever shapes that string runs code in this process.`,
      fix: name === 'compile' || name === 'exec' || name === 'execfile'
        ? 'Do not build code at run time: call the functions you need directly, or dispatch on a name with a dict of functions.'
        : 'Use ast.literal_eval() for Python literals or json.loads() for data; for expressions, dispatch on a dict of allowed operations.',
    });
  },
};
