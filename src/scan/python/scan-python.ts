/**
 * Scans Python files: one parser and one compiled rule query per scan (per thread), one parse per
 * file, every rule in the same pass. The tree is freed after each file, so memory stays that of the
 * largest single file.
 */
import type { Report, RuleInfo } from '../rule.js';
import { PythonRuleEngine, statementFinder } from './engine.js';
import { createPythonParser, pythonLanguage } from './parser.js';
import type { PythonRule } from './rule.js';
import { PYTHON_RULES } from './rules/index.js';
import { mentionsMarker } from '../suppressions.js';

export interface PythonScanOutcome {
  findings: (Report & { info: RuleInfo })[];
  /**
   * For each position asked about (findings of other scanners in this file, such as secrets), the
   * statement it is in, so that a marker on the statement's first or last line covers it as it
   * covers the code rules' findings; null where it is in none. Only worked out when the file has a
   * comment mentioning a marker (nothing to apply otherwise): empty then.
   */
  statements: ({ line: number; endLine: number } | null)[];
  /** Set when the parse was stopped at the time limit: no rule ran. */
  timedOut: boolean;
  /** The parse's time limit for this file (by its size: parseBudgetMs), for the message when it ran out. */
  parseBudgetMs?: number;
  /**
   * Set when the file's rule time limit ran out: `query` while the patterns the rules read were
   * being matched (no rule ran), `rules` while the rules ran (the findings are those found before it).
   */
  rulesTimedOut: 'query' | 'rules' | null;
  /** The tree has syntax errors (Python 2, a broken file): rules ran on what parsed, the rest was not checked. */
  syntaxErrors: number;
  /**
   * Where the parser gave up on part of the file (ERROR nodes: text it could not fit into the
   * grammar), null when it read it all (a MISSING token it put in loses no code). Queries still
   * match what parsed inside and around them, but statements in an ERROR node may be missing or
   * misread, so the rules may have missed code there: the result is partial.
   */
  unparsed: Unparsed | null;
  /**
   * Set when the rules were not run because a stretch the parser could not read is one ERROR node
   * with more than WIDE_ERROR_CHILDREN pieces (see findErrors): null otherwise.
   */
  tooWide: WideError | null;
  /** Rules that failed on this file (a bug, reported rather than hidden). */
  ruleErrors: string[];
  /**
   * The file's comments that could hold a suppression (they mention nosec or depwatch), by 1-based
   * line: a marker counts only in a real comment, never inside a string.
   */
  comments: Map<number, string>;
}

/** The first stretch of a file the parser could not read, 1-based lines, and how many more there are. */
export interface Unparsed {
  line: number;
  endLine: number;
  /** It runs to the end of the file: nothing after its start was parsed as statements. */
  toEnd: boolean;
  others: number;
  /**
   * Every place that could not be parsed has a Jinja tag on its lines (`{% if … %}`, `{{ … }}`,
   * `{# … #}`): a cookiecutter or copier template, which Python never runs as it stands.
   */
  template: boolean;
}

/** An ERROR node too wide to query: where it is (1-based lines) and how many pieces it holds. */
export interface WideError {
  line: number;
  endLine: number;
  children: number;
  /** WIDE_ERROR_CHILDREN, for the message (this module loads only with the first Python file). */
  limit: number;
}

/**
 * The most pieces (tokens and subtrees) one ERROR node may hold for the rules' query to run on the
 * file. tree-sitter's query cursor spends time on each child of an ERROR node in proportion to its
 * siblings (tree-sitter/tree-sitter#1972: `ts_tree_cursor_current_status`), so a stretch of
 * unbalanced brackets or operators (`[` × 50,000, 50 KB) took 8 s to query, and a few such files
 * held a scan for half a minute. Nodes without errors never cost that (a list literal of 40,000
 * items queries in linear time). At this width one node costs a few milliseconds, so a file's
 * query stays linear in its size; such a file does not run in Python either (a syntax error),
 * and its result is partial, as any unparsed stretch already makes it.
 */
export const WIDE_ERROR_CHILDREN = 2_000;

export interface PythonScanner {
  /** `positions`: 1-based lines and columns whose statements to give back (PythonScanOutcome.statements). */
  scan(path: string, text: string, isTest: boolean, positions?: readonly { line: number | null; column: number | null }[]): PythonScanOutcome;
  close(): void;
}

export async function createPythonScanner(options: { parseTimeoutMs: number; ruleTimeoutMs?: number; rules?: readonly PythonRule[] }): Promise<PythonScanner> {
  const language = await pythonLanguage();
  const parser = await createPythonParser(options.parseTimeoutMs);
  const engine = new PythonRuleEngine(language, options.rules ?? PYTHON_RULES);
  return {
    scan(path, text, isTest, positions = []) {
      const tree = parser.parse(text);
      if (!tree) return { findings: [], statements: [], timedOut: true, parseBudgetMs: parser.budgetMs(text), rulesTimedOut: null, syntaxErrors: 0, unparsed: null, tooWide: null, ruleErrors: [], comments: new Map() };
      try {
        const root = tree.rootNode;
        const { count, unparsed, tooWide } = root.hasError ? findErrors(root, text) : { count: 0, unparsed: null, tooWide: null };
        const deadline = performance.now() + (options.ruleTimeoutMs ?? Infinity);
        const { findings, errors: ruleErrors, timedOut } =
          tooWide === null ? engine.run(root, path, text, isTest, () => performance.now() >= deadline) : { findings: [], errors: [], timedOut: null };
        const comments = new Map<number, string>();
        let statements: PythonScanOutcome['statements'] = [];
        if (mentionsMarker(text)) {
          for (const c of root.descendantsOfType('comment')) {
            if (c && mentionsMarker(c.text)) comments.set(c.startPosition.row + 1, c.text);
          }
          if (comments.size > 0 && positions.length > 0) {
            const statementAt = statementFinder(root);
            statements = positions.map((p) => (p.line !== null && p.column !== null ? statementAt(p.line - 1, p.column - 1) : null));
          }
        }
        return { findings: findings.map(({ rule, ...r }) => ({ ...r, info: rule.info })), statements, timedOut: false, rulesTimedOut: timedOut, syntaxErrors: count, unparsed, tooWide, ruleErrors, comments };
      } finally {
        tree.delete();
      }
    },
    close() {
      engine.delete();
      parser.delete();
    },
  };
}

/**
 * One walk of the tree's broken parts, without recursion (a broken file can nest deeply), for:
 * - ERROR and MISSING nodes outside any ERROR node, counted, and the outermost ERROR nodes as the
 *   stretch of the file that was not parsed (the first, and how many others): what is inside an
 *   ERROR node was not read as code;
 * - the first ERROR node, outermost or not, holding more than WIDE_ERROR_CHILDREN pieces (`tooWide`).
 * Only nodes with `hasError` are entered, and an ERROR node only while no wide one was found and
 * only when it is narrow enough, so each node is looked at once at most: linear, like the parse.
 */
function findErrors(root: import('web-tree-sitter').Node, text: string): { count: number; unparsed: Unparsed | null; tooWide: WideError | null } {
  let count = 0;
  let first: Unparsed | null = null;
  let others = 0;
  let tooWide: WideError | null = null;
  const jinja = jinjaLines(text);
  let template = jinja !== null;
  // Whether each node the cursor went down into is an ERROR node, and how many of them are: the
  // nodes below one are looked at for their width only.
  const enteredError: boolean[] = [];
  let inError = 0;
  const cursor = root.walk();
  try {
    let more = true;
    while (more) {
      const node = cursor.currentNode;
      if (inError === 0) {
        if (node.isError || node.isMissing) count++;
        if (node.isError) {
          if (first === null) first = { line: node.startPosition.row + 1, endLine: node.endPosition.row + 1, toEnd: false, others: 0, template: false };
          else others++;
          // Outermost ERROR nodes do not overlap, so this looks at each line about once.
          if (template && jinja![node.endPosition.row + 1]! === jinja![node.startPosition.row]!) template = false;
        }
      }
      let enter = node.hasError;
      if (node.isError) {
        if (tooWide === null && node.childCount > WIDE_ERROR_CHILDREN) tooWide = wideError(node);
        enter = tooWide === null;
      }
      if (enter && cursor.gotoFirstChild()) {
        enteredError.push(node.isError);
        if (node.isError) inError++;
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) {
          more = false;
          break;
        }
        if (enteredError.pop()) inError--;
      }
    }
  } finally {
    cursor.delete();
  }
  if (first === null) return { count, unparsed: null, tooWide };
  // Runs to the end when no code follows the line it ends on (only blank lines and comments may).
  first.toEnd = others === 0 && onlyCommentsFrom(text, nthLineStart(text, first.endLine));
  first.others = others;
  first.template = template;
  return { count, unparsed: first, tooWide };
}

/** Where a wide ERROR node is and how many pieces it holds. */
function wideError(node: import('web-tree-sitter').Node): WideError {
  const { startPosition: start, endPosition: end } = node;
  // A stretch ending with a line break ends on that line, not at the start of the next.
  const endLine = end.column === 0 && end.row > start.row ? end.row : end.row + 1;
  return { line: start.row + 1, endLine, children: node.childCount, limit: WIDE_ERROR_CHILDREN };
}

const JINJA_TAG = /\{[%{#]/g;

/**
 * For each 0-based line n, how many of the lines before it hold a Jinja tag (`{%`, `{{`, `{#`), so
 * whether lines a..b hold one is counts[b + 1] !== counts[a]; null when the file has none. One pass.
 */
function jinjaLines(text: string): Int32Array | null {
  JINJA_TAG.lastIndex = 0;
  if (!JINJA_TAG.test(text)) return null;
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  const counts = new Int32Array(lines + 1);
  let line = 0;
  let tagged = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      counts[line + 1] = counts[line]! + (tagged ? 1 : 0);
      line++;
      tagged = false;
    } else if (c === '{' && (text[i + 1] === '%' || text[i + 1] === '{' || text[i + 1] === '#')) tagged = true;
  }
  counts[line + 1] = counts[line]! + (tagged ? 1 : 0);
  return counts;
}

/** Whether the text from `at` on holds only blank lines and comments: one pass, line by line. */
function onlyCommentsFrom(text: string, at: number): boolean {
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end === -1) end = text.length;
    const line = text.slice(at, end).trim();
    if (line !== '' && !line.startsWith('#')) return false;
    at = end + 1;
  }
  return true;
}

/** Offset where the 0-based line `n` starts (text's length when it has fewer lines). */
function nthLineStart(text: string, n: number): number {
  let at = 0;
  for (let k = 0; k < n; k++) {
    const i = text.indexOf('\n', at);
    if (i === -1) return text.length;
    at = i + 1;
  }
  return at;
}
