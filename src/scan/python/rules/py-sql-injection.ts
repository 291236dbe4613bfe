/** SQL built with `%`, `.format`, f-strings or `+` and passed to `execute`/`executemany`/`raw`. */
import type { Node } from 'web-tree-sitter';
import { attributeName, columnOf, lineOf, nameOf, type PythonFile } from '../file.js';
import type { PythonRule } from '../rule.js';

const SQL_WORDS = /\b(?:select|insert|update|delete|replace|create|drop|alter|where|from|into|values|union|truncate|exec)\b/i;

interface Built {
  how: string;
  /** A string part of the query, to check it reads like SQL. */
  sample: string;
}

/** How a query string was built from values at run time, or null when it is fixed (or not a string at all). */
function builtQuery(node: Node, file: PythonFile, depth: number): Built | null {
  if (depth > 4) return null;
  switch (node.type) {
    case 'string':
      return node.namedChildren.some((c) => c?.type === 'interpolation') ? { how: 'an f-string', sample: node.text.slice(0, 500) } : null;
    case 'concatenated_string':
      return node.namedChildren.some((c) => c?.type === 'string' && c.namedChildren.some((d) => d?.type === 'interpolation')) ? { how: 'an f-string', sample: node.text.slice(0, 500) } : null;
    case 'parenthesized_expression': {
      const inner = node.firstNamedChild;
      return inner ? builtQuery(inner, file, depth + 1) : null;
    }
    case 'binary_operator': {
      const op = node.childForFieldName('operator')?.type;
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (!left || !right || file.isLiteral(node)) return null;
      if (op === '%' && (left.type === 'string' || left.type === 'concatenated_string')) return { how: '% formatting', sample: left.text.slice(0, 500) };
      if (op === '+') {
        const strings = [left, right].filter((n) => n.type === 'string' || n.type === 'concatenated_string' || n.type === 'binary_operator');
        if (strings.length === 0) return null;
        return { how: 'string concatenation (+)', sample: node.text.slice(0, 500) };
      }
      return null;
    }
    case 'call': {
      const fn = node.childForFieldName('function');
      if (fn?.type === 'attribute' && attributeName(fn) === 'format') {
        const object = fn.childForFieldName('object');
        if (object && (object.type === 'string' || object.type === 'concatenated_string')) return { how: 'str.format()', sample: object.text.slice(0, 500) };
      }
      // sqlalchemy.text(f"…"): the text() wrapper does not make a built string safe.
      const q = fn ? file.qualify(fn) : null;
      if (q === 'sqlalchemy.text' || q === 'sqlalchemy.sql.text' || q === 'sqlalchemy.sql.expression.text') {
        const arg = file.argument(node, 0, 'text');
        return arg ? builtQuery(arg, file, depth + 1) : null;
      }
      return null;
    }
    case 'identifier': {
      // The last assignment to the name before this use, in the same function or module, then any
      // `+=` of a value that is not a literal after it.
      const { plain, built } = file.lastAssignment(nameOf(node), node);
      const value = plain?.childForFieldName('right');
      const found = value ? builtQuery(value, file, depth + 1) : null;
      return found ?? (built ? { how: 'string concatenation (+=)', sample: built.text.slice(0, 500) } : null);
    }
    default:
      return null;
  }
}

export const rule: PythonRule = {
  info: {
    id: 'py-sql-injection',
    kind: 'code',
    severity: 'high',
    confidence: 'high',
    title: 'SQL built from values by string formatting',
    help: 'A query built with %, .format(), f-strings or + puts values into the SQL text, so a value containing a quote changes the query (SQL injection). Pass values as parameters: cursor.execute("SELECT … WHERE id = %s", (user_id,)), or use the ORM\'s filters.',
    bandit: ['B608', 'B611'],
  },
  methods: ['execute', 'executemany', 'executescript', 'raw', 'mogrify'],
  calls: ['pandas.read_sql', 'pandas.read_sql_query'],
  check(call, file, report, callee) {
    const query = file.argument(call, 0, 'sql') ?? file.argument(call, 0, 'query');
    if (!query) return;
    const built = builtQuery(query, file, 0);
    if (!built || !SQL_WORDS.test(built.sample)) return;
    const method = call.childForFieldName('function')?.childForFieldName('attribute')?.text ?? callee ?? 'execute';
    report({
      line: lineOf(call),
      column: columnOf(call),
      message: `SQL passed to ${method}() is built with ${built.how}; a value containing a quote changes the query (SQL injection).`,
      fix: 'Keep the SQL fixed and pass the values as parameters: cursor.execute("… WHERE id = %s", (value,)) (or ? / :name, per driver), or use the ORM\'s filters.',
    });
  },
};
