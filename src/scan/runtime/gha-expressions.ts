/**
 * GitHub Actions expressions (`${{ … }}`): where they are in a value, which context references they
 * make, and which of those are text that whoever opens an issue, a pull request or a comment sets.
 * Everything here is one pass over its input: a value with ten thousand `${{` and no `}}` is read
 * once, and an expression is tokenised once.
 */

/**
 * The event fields anyone who can open an issue, a pull request, a comment, a review, a discussion
 * or push a branch to a fork writes as they like, so text a workflow must treat as untrusted input.
 * From GitHub's "Security hardening for GitHub Actions" (Understanding the risk of script
 * injections: "the following … should be treated as potentially untrusted input"), plus the fields
 * of the same kind it leaves out (review comments, discussions, and `workflow_run`'s head, which is
 * the triggering pull request's branch and commit). `*` is any one item of a list (`commits[0]`).
 * Kept in this one place: gha-script-injection reads it. (gha-untrusted-checkout lists its own
 * references beside its rule: the head's commit and branch, which pick code to run, not text.)
 */
export const UNTRUSTED_INPUTS: readonly string[] = [
  'github.event.issue.title',
  'github.event.issue.body',
  'github.event.pull_request.title',
  'github.event.pull_request.body',
  'github.event.pull_request.head.ref',
  'github.event.pull_request.head.label',
  'github.event.pull_request.head.repo.default_branch',
  'github.head_ref',
  'github.event.comment.body',
  'github.event.review.body',
  'github.event.review_comment.body',
  'github.event.pages.*.page_name',
  'github.event.commits.*.message',
  'github.event.commits.*.author.email',
  'github.event.commits.*.author.name',
  'github.event.head_commit.message',
  'github.event.head_commit.author.email',
  'github.event.head_commit.author.name',
  'github.event.discussion.title',
  'github.event.discussion.body',
  'github.event.workflow_run.head_branch',
  'github.event.workflow_run.head_commit.message',
  'github.event.workflow_run.head_commit.author.email',
  'github.event.workflow_run.head_commit.author.name',
];

const UNTRUSTED_PATHS = UNTRUSTED_INPUTS.map((p) => p.split('.'));

/** One `${{ … }}`: its offset in the text it was found in and what is between the braces. */
export interface FoundExpression {
  start: number;
  text: string;
}

/**
 * The `${{ … }}` expressions in a text, in order. An expression ends at the first `}}` after it (as
 * GitHub's template reading does); a `${{` with no `}}` after it ends the search, since no later one
 * can close either: linear however many there are.
 */
export function findExpressions(text: string): FoundExpression[] {
  const found: FoundExpression[] = [];
  let from = 0;
  for (;;) {
    const open = text.indexOf('${{', from);
    if (open === -1) break;
    const close = text.indexOf('}}', open + 3);
    if (close === -1) break;
    found.push({ start: open, text: text.slice(open + 3, close) });
    from = close + 2;
  }
  return found;
}

/** A context reference in an expression (`github.event.issue.title`), lower case, indexes as segments. */
export interface Reference {
  /** Segments, lower case: `github.event['issue'].title` and `github.event.commits[0].message` read as `github.event.issue.title`, `github.event.commits.0.message`. */
  path: string[];
  /**
   * Whether its value can become the expression's text: false when it is only compared (`==`, `!=`,
   * `<`…), negated (`!x`), or an argument of a function that answers true or false
   * (`contains(…)`, `startsWith(…)`, `endsWith(…)`).
   */
  flows: boolean;
}

/** The functions whose result is true or false whatever text they are given. */
const BOOLEAN_FUNCTIONS = new Set(['contains', 'startswith', 'endswith', 'success', 'failure', 'always', 'cancelled']);
const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

type Token = { kind: 'ref'; ref: Reference } | { kind: 'op'; op: string } | { kind: 'other' };

/** The context references an expression makes, each once where it is written, in order. */
export function references(expression: string): Reference[] {
  const tokens: Token[] = [];
  /** What each open `(` or `[` belongs to: a function's name (lower case), or '' for grouping and dynamic indexes. */
  const open: string[] = [];
  const s = expression;
  let i = 0;
  const isIdentStart = (c: string) => /[A-Za-z_]/.test(c);
  const isIdent = (c: string) => /[A-Za-z0-9_-]/.test(c);
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === "'") {
      // A string literal; `''` is a quote inside it.
      i++;
      while (i < s.length) {
        if (s[i] === "'" && s[i + 1] === "'") i += 2;
        else if (s[i] === "'") break;
        else i++;
      }
      i++;
      tokens.push({ kind: 'other' });
    } else if (isIdentStart(c)) {
      let end = i + 1;
      while (end < s.length && isIdent(s[end]!)) end++;
      const name = s.slice(i, end).toLowerCase();
      i = end;
      let after = i;
      while (s[after] === ' ' || s[after] === '\t') after++;
      if (s[after] === '(') {
        open.push(name);
        i = after + 1;
        tokens.push({ kind: 'other' });
        continue;
      }
      const path = [name];
      // The reference's property accesses: `.name`, `.*`, `['name']`, `[0]`, `[*]`. A dynamic index (`[x]`) ends it there.
      for (;;) {
        if (s[i] === '.' && s[i + 1] === '*') {
          path.push('*');
          i += 2;
        } else if (s[i] === '.' && i + 1 < s.length && isIdentStart(s[i + 1]!)) {
          let e = i + 2;
          while (e < s.length && isIdent(s[e]!)) e++;
          path.push(s.slice(i + 1, e).toLowerCase());
          i = e;
        } else if (s[i] === '[') {
          const index = /^\[\s*(?:'((?:[^']|'')*)'|(\d+)|(\*))\s*\]/.exec(s.slice(i, i + 256));
          if (!index) break;
          path.push(index[1] !== undefined ? index[1].replace(/''/g, "'").toLowerCase() : (index[2] ?? '*'));
          i += index[0].length;
        } else break;
      }
      // A reference directly inside a function that answers true or false does not flow out.
      const inTest = open.length > 0 && BOOLEAN_FUNCTIONS.has(open[open.length - 1]!);
      tokens.push({ kind: 'ref', ref: { path, flows: !inTest } });
    } else if (c === '(' || c === '[') {
      open.push('');
      i++;
      tokens.push({ kind: 'other' });
    } else if (c === ')' || c === ']') {
      open.pop();
      i++;
      tokens.push({ kind: 'other' });
    } else {
      const two = s.slice(i, i + 2);
      const op = ['==', '!=', '<=', '>=', '&&', '||'].includes(two) ? two : c;
      i += op.length;
      tokens.push({ kind: 'op', op });
    }
  }
  const refs: Reference[] = [];
  tokens.forEach((t, k) => {
    if (t.kind !== 'ref') return;
    const before = tokens[k - 1];
    const after = tokens[k + 1];
    if ((before?.kind === 'op' && (COMPARISONS.has(before.op) || before.op === '!')) || (after?.kind === 'op' && COMPARISONS.has(after.op))) t.ref.flows = false;
    refs.push(t.ref);
  });
  return refs;
}

const segmentMatches = (pattern: string, segment: string) => pattern === '*' || segment === '*' || pattern === segment;

/**
 * The untrusted input (from UNTRUSTED_INPUTS) a reference is, or the first one it holds when it is a
 * whole object that holds one (`toJSON(github.event)`, `github.event.pull_request`): null for the others.
 */
export function untrustedInput(path: readonly string[]): { input: string; whole: boolean } | null {
  for (let k = 0; k < UNTRUSTED_PATHS.length; k++) {
    const pattern = UNTRUSTED_PATHS[k]!;
    if (path.length > pattern.length) continue;
    if (path.every((segment, j) => segmentMatches(pattern[j]!, segment))) return { input: UNTRUSTED_INPUTS[k]!, whole: path.length < pattern.length };
  }
  return null;
}

/** The untrusted inputs whose text an expression puts where it is written, each once, in order. */
export function injectedInputs(expression: string): { reference: string; input: string; whole: boolean }[] {
  const out: { reference: string; input: string; whole: boolean }[] = [];
  const seen = new Set<string>();
  for (const ref of references(expression)) {
    if (!ref.flows) continue;
    const found = untrustedInput(ref.path);
    const reference = ref.path.join('.');
    if (!found || seen.has(reference)) continue;
    seen.add(reference);
    out.push({ reference, ...found });
  }
  return out;
}
