/** `except Exception as e:` that prints the exception or returns it to the caller. */
import type { Node } from 'web-tree-sitter';
import { columnOf, lineOf, mentions, type PythonFile } from '../file.js';
import type { PythonRule } from '../rule.js';

const BROAD = new Set(['Exception', 'BaseException', 'builtins.Exception', 'builtins.BaseException']);

/** The statements of a block, walked iteratively, not entering nested functions or classes. */
function* statements(block: Node): Generator<Node> {
  const stack: Node[] = [block];
  for (let seen = 0; stack.length > 0 && seen < 5000; seen++) {
    const n = stack.pop()!;
    if (n !== block && (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda')) continue;
    if (n.type === 'return_statement' || n.type === 'call') yield n;
    for (let i = n.namedChildCount - 1; i >= 0; i--) {
      const c = n.namedChild(i);
      if (c) stack.push(c);
    }
  }
}

function leaks(n: Node, name: string, file: PythonFile): 'returned' | 'printed' | null {
  if (n.type === 'return_statement') {
    // `return str(e)`, `return {"error": repr(e)}`, `return jsonify(error=f"{e}")`; `return None` and plain values are fine.
    if (mentions(n, name)) return 'returned';
    if (/\btraceback\.format_exc\(/.test(n.text.slice(0, 2000))) return 'returned';
    return null;
  }
  const fn = n.childForFieldName('function');
  const q = fn ? file.qualify(fn) : null;
  if (q === 'builtins.print') {
    const args = n.childForFieldName('arguments');
    return args && mentions(args, name) ? 'printed' : null;
  }
  if (q === 'traceback.print_exc' || q === 'traceback.print_exception') return 'printed';
  return null;
}

export const rule: PythonRule = {
  info: {
    id: 'py-exception-leak',
    kind: 'code',
    severity: 'low',
    confidence: 'medium',
    title: 'Exception details printed or returned',
    help: 'Returning or printing a caught exception shows its text (file paths, SQL, hostnames, sometimes credentials) to whoever called: in a web handler, to the client. Log it with logger.exception() and return a generic message with an error id.',
    // No bandit test looks for this: B110 is try/except/pass (py-try-except-pass), and naming it here let `# nosec B110` hide a leak.
  },
  statements: ['except'],
  check(clause, file, report) {
    // `except Exception as e:` / `except (ValueError, Exception) as e:`
    const value = clause.namedChildren.find((c) => c?.type === 'as_pattern');
    if (!value) return;
    const types = value.firstNamedChild;
    const alias = value.childForFieldName('alias')?.firstNamedChild?.text ?? value.childForFieldName('alias')?.text;
    if (!types || !alias) return;
    const names = types.type === 'tuple' || types.type === 'parenthesized_expression' ? types.namedChildren.filter((c): c is Node => !!c) : [types];
    if (!names.some((t) => BROAD.has(file.qualify(t) ?? t.text))) return;
    const body = clause.namedChildren.find((c) => c?.type === 'block');
    if (!body) return;
    for (const n of statements(body)) {
      const how = leaks(n, alias, file);
      if (!how) continue;
      report({
        line: lineOf(n),
        column: columnOf(n),
        severity: how === 'returned' ? 'medium' : undefined,
        message: `The exception caught as \`${alias}\` (any Exception) is ${how === 'returned' ? 'returned to the caller' : 'printed'}; its text can reveal paths, queries, hosts or credentials to whoever sees the output.`,
        fix: 'Log it with logger.exception(...) and give the caller a generic message (with an error id to find the log line); re-raise if the caller must handle it.',
      });
      return; // one finding per handler
    }
  },
};
