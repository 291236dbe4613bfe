/**
 * Scans Python files: one parser and one compiled rule query per scan (per thread), one parse per
 * file, every rule in the same pass. The tree is freed after each file, so memory stays that of the
 * largest single file.
 */
import type { Report, RuleInfo } from '../rule.js';
import { PythonRuleEngine } from './engine.js';
import { createPythonParser, pythonLanguage } from './parser.js';
import type { PythonRule } from './rule.js';
import { PYTHON_RULES } from './rules/index.js';
import { mentionsMarker } from '../suppressions.js';

export interface PythonScanOutcome {
  findings: (Report & { info: RuleInfo })[];
  /** Set when the parse was stopped at the time limit: no rule ran. */
  timedOut: boolean;
  /**
   * Set when the file's rule time limit ran out: `query` while the patterns the rules read were
   * being matched (no rule ran), `rules` while the rules ran (the findings are those found before it).
   */
  rulesTimedOut: 'query' | 'rules' | null;
  /** The tree has syntax errors (Python 2, a broken file): rules ran on what parsed, the rest was not checked. */
  syntaxErrors: number;
  /** Rules that failed on this file (a bug, reported rather than hidden). */
  ruleErrors: string[];
  /**
   * The file's comments that could hold a suppression (they mention nosec or depwatch), by 1-based
   * line: a marker counts only in a real comment, never inside a string.
   */
  comments: Map<number, string>;
}

export interface PythonScanner {
  scan(path: string, text: string, isTest: boolean): PythonScanOutcome;
  close(): void;
}

export async function createPythonScanner(options: { parseTimeoutMs: number; ruleTimeoutMs?: number; rules?: readonly PythonRule[] }): Promise<PythonScanner> {
  const language = await pythonLanguage();
  const parser = await createPythonParser(options.parseTimeoutMs);
  const engine = new PythonRuleEngine(language, options.rules ?? PYTHON_RULES);
  return {
    scan(path, text, isTest) {
      const tree = parser.parse(text);
      if (!tree) return { findings: [], timedOut: true, rulesTimedOut: null, syntaxErrors: 0, ruleErrors: [], comments: new Map() };
      try {
        const root = tree.rootNode;
        const syntaxErrors = root.hasError ? countErrors(root) : 0;
        const deadline = performance.now() + (options.ruleTimeoutMs ?? Infinity);
        const { findings, errors, timedOut } = engine.run(root, path, text, isTest, () => performance.now() >= deadline);
        const comments = new Map<number, string>();
        if (mentionsMarker(text)) {
          for (const c of root.descendantsOfType('comment')) {
            if (c && mentionsMarker(c.text)) comments.set(c.startPosition.row + 1, c.text);
          }
        }
        return { findings: findings.map(({ rule, ...r }) => ({ ...r, info: rule.info })), timedOut: false, rulesTimedOut: timedOut, syntaxErrors, ruleErrors: errors, comments };
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

/** ERROR and MISSING nodes, counted without recursion (a broken file can nest deeply). */
function countErrors(root: import('web-tree-sitter').Node): number {
  let count = 0;
  const cursor = root.walk();
  try {
    let more = true;
    while (more) {
      const node = cursor.currentNode;
      if (node.isError || node.isMissing) count++;
      if (node.hasError && !node.isError && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) {
          more = false;
          break;
        }
      }
    }
  } finally {
    cursor.delete();
  }
  return count;
}
