/**
 * SQL built from values with `%`, `.format`, f-strings or `+`, wherever it is built (bandit B608),
 * Django's RawSQL included (B611). A query that reaches a call known to run SQL (`execute`, `raw`,
 * `exec_driver_sql`, `fetch_all`, `RawSQL`…) is reported at that call with high confidence; one that
 * reaches no such call is still reported, where it is built, with less: the receiver raises
 * confidence, it does not decide whether the rule looks.
 *
 * One pass: every call and every string-building expression in the file, listed in source order by
 * one query inside the parser. Calls first, to learn which built strings a SQL call receives; then
 * each outermost built string once (an expression inside one already judged is part of it). Names
 * are followed through PythonFile's indexes (constantValue, lastAssignment), never by walking the
 * tree again.
 */
import type { Node } from 'web-tree-sitter';
import { attributeName, columnOf, lineOf, nameOf, type PythonFile } from '../file.js';
import type { PythonRule } from '../rule.js';

/**
 * What reads like SQL, after bandit B608 (bandit/plugins/injection_sql.py, SIMPLE_SQL_RE): case
 * insensitive and across lines, `select\s.*from\s`, `delete\s+from\s`, `insert\s+into\s.*values\s`,
 * `update\s.*set\s`. Followed with three differences: a keyword starts at a word boundary
 * ("preselect " is not SELECT); `INSERT INTO` alone is enough (the VALUES list is often built as
 * well, or written `VALUES(`); and the text judged is the whole built string with constants and
 * earlier `+=` filled in, where bandit judges each literal piece alone. Each pair is one search for
 * its first keyword and one for the second after it: linear in the text (bandit's `.*` backtracks).
 */
const SQL_SHAPES: readonly [RegExp, RegExp | null][] = [
  [/\bselect\s/i, /\bfrom\s/i],
  [/\bdelete\s+from\s/i, null],
  [/\binsert\s+into\s/i, null],
  [/\bupdate\s/i, /\bset\s/i],
];

function looksLikeSql(text: string): boolean {
  for (const [first, then] of SQL_SHAPES) {
    const m = first.exec(text);
    if (m && (!then || then.test(text.slice(m.index + m[0].length)))) return true;
  }
  return false;
}

/** The first keyword of some SQL_SHAPES pair, as the source may write it (before the word boundary and escapes are read). */
const FIRST_KEYWORD = /(?:select|delete|insert|update)(?:\s|\\[ntrfv])/i;

/** Text that starts as a SQL statement does (`SELECT …`, `(SELECT …`, `WITH …`), not a sentence with those words in it. */
const STATEMENT_START = /^[\s(]*(?:select|insert|update|delete|with|replace|merge)\b/i;

/** Methods that run (or wrap) the SQL text given as their first argument: DB-API, Django, SQLAlchemy, databases, asyncpg, records/web.py, pandas. */
const SQL_METHODS = new Set(['execute', 'executemany', 'executescript', 'mogrify', 'raw', 'exec_driver_sql', 'fetch_all', 'fetch_one', 'fetch_val', 'fetch', 'fetchrow', 'fetchval', 'iterate', 'query', 'read_sql', 'read_sql_query']);
/** Callables known by qualified name. */
const SQL_CALLS = new Set(['pandas.read_sql', 'pandas.read_sql_query', 'django.db.models.expressions.RawSQL', 'django.db.models.RawSQL']);
const SQLALCHEMY_TEXT = new Set(['sqlalchemy.text', 'sqlalchemy.sql.text', 'sqlalchemy.sql.expression.text']);

/** The longest text of a sample kept: enough for any query's keywords, bounded for a hostile file. */
const MAX_SAMPLE = 20_000;
/** How many names deep a sample or a query is followed. */
const MAX_HOPS = 6;
/** How many expressions deep a sample is read (a chain of `+` counts as one). */
const MAX_NEST = 64;

const capped = (text: string | null) => (text !== null && text.length > MAX_SAMPLE ? text.slice(0, MAX_SAMPLE) : text);

/** How an expression builds a string from parts, or null when it does not (see Samples.builderKind). */
type How = 'an f-string' | '% formatting' | 'str.format()' | 'string concatenation (+)' | 'string concatenation (+=)';

/**
 * The text a string expression holds as far as the source says: literals as written, constants
 * filled in, any other value as `?`. Null when the expression is not known to be a string. Kept by
 * node, so a name used many times is read once.
 */
class Samples {
  private readonly byNode = new Map<number, string | null>();

  constructor(private readonly file: PythonFile) {}

  /** `hops`: names followed so far (MAX_HOPS); `nest`: expressions entered (MAX_NEST), for a file that nests them thousands deep. */
  of(node: Node | null | undefined, hops = 0, nest = 0): string | null {
    if (!node) return null;
    let s = this.byNode.get(node.id);
    if (s === undefined) {
      // Too deep to follow: unknown here, but not remembered, so the node is still read where it is met first-hand.
      if (hops > MAX_HOPS || nest > MAX_NEST) return null;
      this.byNode.set(node.id, null); // a name defined by itself reads as unknown
      s = capped(this.compute(node, hops, nest));
      this.byNode.set(node.id, s);
    }
    return s;
  }

  private compute(node: Node, hops: number, nest: number): string | null {
    switch (node.type) {
      case 'string': {
        let text = '';
        for (const c of node.namedChildren) {
          if (c?.type === 'string_content') text += c.text.replace(/\\[ntrfv]/g, ' ');
          else if (c?.type === 'interpolation') text += this.of(c.childForFieldName('expression'), hops, nest + 1) ?? '?';
        }
        return text;
      }
      case 'concatenated_string':
        return node.namedChildren.map((c) => (c?.type === 'string' ? this.of(c, hops, nest + 1) ?? '' : '')).join('');
      case 'parenthesized_expression':
        return this.of(node.firstNamedChild, hops, nest + 1);
      case 'binary_operator': {
        const op = node.childForFieldName('operator')?.type;
        if (op === '%') return this.of(node.childForFieldName('left'), hops, nest + 1);
        return op === '+' ? this.sum(node, hops, nest) : null;
      }
      case 'call': {
        const fn = node.childForFieldName('function');
        if (fn?.type !== 'attribute' || attributeName(fn) !== 'format') return null;
        return this.of(fn.childForFieldName('object'), hops, nest + 1);
      }
      case 'identifier': {
        const name = nameOf(node);
        const constant = this.file.constantValue(name, node);
        if (constant) return this.of(constant, hops + 1, nest);
        let { plain, built } = this.file.lastAssignment(name, node);
        // `sql = sql % x`: the assignment the use is in is not what the name held before it; the one before that is.
        if (plain && plain.endIndex > node.startIndex) ({ plain, built } = this.file.lastAssignment(name, plain));
        const before = this.of(plain?.childForFieldName('right'), hops + 1, nest);
        if (!built) return before;
        return (before ?? '?') + (this.of(built.childForFieldName('right'), hops + 1, nest) ?? '?');
      }
      default:
        return null;
    }
  }

  /**
   * `a + b + c + …`: the chain leans left and may be as long as the file, so it is walked as a loop,
   * and each link's text is remembered (an inner link met later is not summed again).
   */
  private sum(node: Node, hops: number, nest: number): string | null {
    const links: Node[] = [];
    let first: Node | null = node;
    while (first?.type === 'binary_operator' && first.childForFieldName('operator')?.type === '+' && (first === node || !this.byNode.has(first.id))) {
      links.push(first);
      first = first.childForFieldName('left');
    }
    let text = this.of(first, hops, nest + 1);
    for (let i = links.length - 1; i >= 0; i--) {
      const right = this.of(links[i]!.childForFieldName('right'), hops, nest + 1);
      text = text === null && right === null ? null : capped((text ?? '?') + (right ?? '?'));
      if (i > 0) this.byNode.set(links[i]!.id, text);
    }
    return text;
  }

  /** How a node builds a string (an f-string with a field, `+` or `%` on a string, `.format` on one, `+=` onto a name), else null. */
  builderKind(node: Node): How | null {
    switch (node.type) {
      case 'string':
        return isFString(node) ? 'an f-string' : null;
      case 'concatenated_string':
        return node.namedChildren.some((c) => c?.type === 'string' && isFString(c)) ? 'an f-string' : null;
      case 'binary_operator': {
        const op = node.childForFieldName('operator')?.type;
        if ((op !== '%' && op !== '+') || this.of(node) === null) return null;
        return op === '%' ? '% formatting' : 'string concatenation (+)';
      }
      case 'call': {
        const fn = node.childForFieldName('function');
        return fn?.type === 'attribute' && attributeName(fn) === 'format' && this.of(fn.childForFieldName('object')) !== null ? 'str.format()' : null;
      }
      case 'augmented_assignment':
        return node.childForFieldName('operator')?.type === '+=' && node.childForFieldName('left')?.type === 'identifier' ? 'string concatenation (+=)' : null;
      default:
        return null;
    }
  }

  /** The text of `name += value` with what the name held before it. */
  appended(augmented: Node): string | null {
    const left = augmented.childForFieldName('left')!;
    const added = this.of(augmented.childForFieldName('right'));
    if (added === null) return null;
    const { plain, built } = this.file.lastAssignment(nameOf(left), augmented);
    const before = this.of(plain?.childForFieldName('right'));
    const earlier = built ? this.of(built.childForFieldName('right')) ?? '?' : '';
    return (before ?? '?') + earlier + added;
  }
}

/** An f-string with a field: its prefix is read first (one token), its parts only when it has an `f`. */
function isFString(string: Node): boolean {
  const start = string.firstChild;
  return start?.type === 'string_start' && /f/i.test(start.text) && string.namedChildren.some((c) => c?.type === 'interpolation');
}

/** A query built at run time: the expression that builds it, how, and its text. */
interface Built {
  builder: Node;
  how: How;
  sample: string;
}

/** Whether a builder's result is fixed in the source (PythonFile.isLiteral: constants, literal arguments, joins of placeholders). */
function isFixed(file: PythonFile, builder: Node): boolean {
  const value = builder.type === 'augmented_assignment' ? builder.childForFieldName('right') : builder;
  return !value || file.isLiteral(value);
}

/** The built query an argument of a SQL call holds: through parentheses, `sqlalchemy.text()` and names (their last assignment before the call). */
function queryOf(file: PythonFile, samples: Samples, node: Node | null, depth: number): Built | null {
  if (!node || depth > MAX_HOPS) return null;
  if (node.type === 'parenthesized_expression') return queryOf(file, samples, node.firstNamedChild, depth + 1);
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    const q = fn ? file.qualify(fn) : null;
    // sqlalchemy.text(f"…"): the wrapper does not make a built string safe.
    if (q && SQLALCHEMY_TEXT.has(q)) return queryOf(file, samples, file.argument(node, 0, 'text'), depth + 1);
  }
  if (node.type === 'identifier') {
    const name = nameOf(node);
    const constant = file.constantValue(name, node);
    if (constant) return queryOf(file, samples, constant, depth + 1);
    const { plain, built } = file.lastAssignment(name, node);
    if (built) {
      const sample = samples.appended(built);
      return sample === null ? null : { builder: built, how: 'string concatenation (+=)', sample };
    }
    return plain ? queryOf(file, samples, plain.childForFieldName('right'), depth + 1) : null;
  }
  const how = samples.builderKind(node);
  if (!how || how === 'string concatenation (+=)') return null;
  const sample = samples.of(node);
  return sample === null ? null : { builder: node, how, sample };
}

/** The name a SQL call is reported by (`execute`, `pandas.read_sql`, `RawSQL`), or null when the call runs no SQL we know. */
function sqlCallName(file: PythonFile, call: Node): string | null {
  const fn = call.childForFieldName('function');
  if (!fn) return null;
  const method = fn.type === 'attribute' ? attributeName(fn) : null;
  const q = file.qualify(fn);
  if (q && SQL_CALLS.has(q)) return q.slice(q.lastIndexOf('.') + 1);
  if (method && SQL_METHODS.has(method)) return method;
  return null;
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
  statements: ['module'],
  check(root, file, report) {
    // Samples are made of the file's own literals, so a file whose text never says a first keyword
    // (escapes such as `\n` count as the space they are) has nothing to find; RawSQL needs no keyword.
    if (!FIRST_KEYWORD.test(file.text) && !file.text.includes('RawSQL')) return;
    const samples = new Samples(file);
    const nodes = root.descendantsOfType(['call', 'string', 'concatenated_string', 'binary_operator', 'augmented_assignment']).filter((n): n is Node => !!n);
    const fix = 'Keep the SQL fixed and pass the values as parameters: cursor.execute("… WHERE id = %s", (value,)) (or ? / :name, per driver), or use the ORM\'s filters.';
    // Built strings a SQL call receives: reported at the call, not again where they are built.
    const received = new Set<number>();
    for (const call of nodes) {
      if (call.type !== 'call') continue;
      const name = sqlCallName(file, call);
      if (!name) continue;
      const args = file.argumentsOf(call);
      const query = queryOf(file, samples, args.keywords.get('sql') ?? args.keywords.get('query') ?? args.keywords.get('statement') ?? args.positional[0] ?? null, 0);
      if (!query) continue;
      received.add(query.builder.id);
      // RawSQL takes nothing but SQL, so any text built for it is a query, whatever it reads like (bandit B611).
      if ((name !== 'RawSQL' && !looksLikeSql(query.sample)) || isFixed(file, query.builder)) continue;
      report({
        line: lineOf(call),
        column: columnOf(call),
        message: `SQL passed to ${name}() is built with ${query.how}; a value containing a quote changes the query (SQL injection).`,
        fix,
      });
    }
    // Every other built string, outermost first (the list is in source order, parents before children).
    // `handled`: builders already reported (or received), so that `q += a; q += b` is one finding, not one per `+=`.
    const handled = received;
    let judgedUntil = -1;
    for (const node of nodes) {
      if (node.startIndex < judgedUntil) continue;
      const how = samples.builderKind(node);
      if (!how) continue;
      const appended = how === 'string concatenation (+=)';
      if (appended) {
        // A later `+=` onto a query already reported or received is part of that finding (lastAssignment's `built` is the first `+=` of run-time text).
        const earlier = file.lastAssignment(nameOf(node.childForFieldName('left')!), node).built;
        if (earlier && handled.has(earlier.id)) handled.add(node.id);
      }
      // A `+=` is judged with what it adds to only when it is reported or received; else the value it adds is still judged alone.
      if (!appended || handled.has(node.id)) judgedUntil = node.endIndex;
      if (handled.has(node.id)) continue;
      const sample = appended ? samples.appended(node) : samples.of(node);
      if (sample === null || !looksLikeSql(sample) || isFixed(file, node)) continue;
      handled.add(node.id);
      if (appended) judgedUntil = node.endIndex; // the value added is part of this finding
      // A SQL statement (it starts as one) is high whoever runs it; SQL words inside a sentence are bandit's low-confidence case.
      const statement = STATEMENT_START.test(sample);
      report({
        line: lineOf(node),
        column: columnOf(node),
        severity: statement ? undefined : 'medium',
        confidence: statement ? 'medium' : 'low',
        message: statement
          ? `SQL is built with ${how}; whatever runs it, a value containing a quote changes the query (SQL injection).`
          : `Text that reads like SQL is built with ${how}; if it is a query, a value containing a quote changes it (SQL injection).`,
        fix,
      });
    }
  },
};
