/** `eval`, `exec`, `compile` (and Python 2's `execfile`) on something other than a literal. */
import type { Node } from 'web-tree-sitter';
import { columnOf, lineOf, type PythonFile } from '../file.js';
import type { PythonRule } from '../rule.js';

/**
 * `compile()` calls that are the code an `eval`/`exec` runs (`exec(compile(text, name, "exec"))`):
 * that call is the finding, so the compile inside it is not another one. Kept per file by node id;
 * calls are checked in the order they start, so the outer call is always seen first.
 */
const compiledForRun = new WeakMap<PythonFile, Set<number>>();

/** The code a call runs: for `compile(...)` given as the code, what it compiles. */
function codeOf(source: Node, file: PythonFile): Node | null {
  if (source.type !== 'call') return source;
  const fn = source.childForFieldName('function');
  if (!fn || file.qualify(fn) !== 'builtins.compile') return source;
  // `compile(*args)`, `compile(**kw)`: what it compiles is not written here; the call itself is
  // the code's source then (not a literal, so the outer call is reported).
  // With a splat, positions say nothing about which argument is the source.
  const compiled = file.argumentsOf(source).hasSplat ? null : file.argument(source, 0, 'source');
  if (!compiled) return source;
  let seen = compiledForRun.get(file);
  if (!seen) compiledForRun.set(file, (seen = new Set()));
  seen.add(source.id);
  return compiled;
}

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
    if (callee === 'builtins.compile' && compiledForRun.get(file)?.has(call.id)) return;
    const given = statement ? call.childForFieldName('code') : file.argument(call, 0, 'source');
    // The origin is that of the code run: in eval(compile(f.read(), path, "exec")) the file's text,
    // not the file name compile() is given for tracebacks.
    const source = given && callee !== 'builtins.compile' ? codeOf(given, file) : given;
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
