/**
 * What in a workflow names a pull request's head, the code of whoever opened it: the references to
 * its branch and commit, `refs/pull/N/head|merge`, a step output that a step resolved from the pull
 * request (ChatOps workflows on `issue_comment` find the head that way, since their event carries
 * only the issue's number), an `env:` variable set to one of those; and the shell commands of a
 * `run:` script that check it out or fetch it (`gh pr checkout`, `git fetch origin pull/N/head`,
 * `git checkout ${{ github.head_ref }}`). gha-untrusted-checkout reads it.
 *
 * Beside UNTRUSTED_INPUTS (gha-expressions.ts), which lists the head's text fields for script
 * injection: these are the ones that pick code to run, not text. Every reading here is one pass.
 */
import { findExpressions, references } from './gha-expressions.js';
import { actionName, type Workflow, type WorkflowStep, type WorkflowValue } from './workflow.js';

/** The references that name the untrusted head: its branch, its commit, its merge commit, its repository (a fork). */
const HEAD_REFERENCES = new Set([
  'github.event.pull_request.head.sha',
  'github.event.pull_request.head.ref',
  'github.event.pull_request.merge_commit_sha',
  'github.event.pull_request.head.repo.full_name',
  'github.head_ref',
  'github.event.workflow_run.head_sha',
  'github.event.workflow_run.head_branch',
  'github.event.workflow_run.head_repository.full_name',
  'github.event.pull_request.head.repo.clone_url',
  'github.event.pull_request.head.repo.ssh_url',
  'github.event.pull_request.head.repo.html_url',
  'github.event.workflow_run.head_repository.clone_url',
  'github.event.workflow_run.head_repository.html_url',
]);

/** `refs/pull/123/merge`, `refs/pull/${{ github.event.issue.number }}/head`: a pull request's code by its ref. */
const PULL_REF = /refs\/pull\/[^/]{1,200}\/(?:merge|head)\b/;
/** The same in a git command, where the `refs/` may be left out (`git fetch origin pull/7/head:pr-7`). */
const PULL_REFSPEC = /\bpull\/[^/]{1,200}\/(?:merge|head)\b/;

/**
 * A step that looks up a pull request and gives its head as an output: `gh pr view` (or `gh api …`
 * of its `pulls/`), a script reading `head.sha`/`headRefOid`, `github.rest.pulls.get`, or an action
 * made for it. Its outputs named after the base (`base_ref`) are the base, not the head.
 */
const RESOLVES_HEAD_ACTIONS = new Set(['xt0rted/pull-request-comment-branch']);
const GH_PR_LOOKUP = /\bgh\s+(?:pr\s+view|api)\b/;
const HEAD_IN_SCRIPT = /\/pulls\/|\bpulls\.get\b|headRefOid|headRefName|\.head\.(?:sha|ref)\b|\bhead_(?:sha|ref)\b|refs\/pull\//;

/** At most this much of one value is searched for a `refs/pull/` (a ref is short; a script is searched whole). */
const REF_SEARCH_CHARS = 2000;

export class PullRequestHead {
  /** Each job's steps by `id:`, for `steps.<id>.outputs.*`. */
  private readonly stepsById = new Map<string, Map<string, WorkflowStep>>();
  private readonly resolving = new Map<WorkflowStep, boolean>();

  constructor(workflow: Workflow) {
    for (const step of workflow.steps) {
      if (step.id === null) continue;
      let job = this.stepsById.get(step.job);
      if (!job) this.stepsById.set(step.job, (job = new Map()));
      if (!job.has(step.id.toLowerCase())) job.set(step.id.toLowerCase(), step);
    }
  }

  /** What in a step's input (`ref:`, `repository:`) or `env:` value names the head, as written; null when nothing does. */
  inValue(value: WorkflowValue, step: WorkflowStep): string | null {
    const expression = this.inExpressions(value.expressions.map((e) => e.text), step);
    if (expression) return expression;
    const pull = PULL_REF.exec(value.value.length > REF_SEARCH_CHARS ? value.value.slice(0, REF_SEARCH_CHARS) : value.value);
    return pull ? pull[0] : null;
  }

  private inExpressions(expressions: readonly string[], step: WorkflowStep): string | null {
    for (const expression of expressions) {
      for (const ref of references(expression)) {
        const path = ref.path.join('.');
        if (HEAD_REFERENCES.has(path)) return `\${{ ${path} }}`;
        // `github.event.issue.pull_request` is the pull request an issue_comment is on.
        if (path.startsWith('github.event.issue.pull_request.')) return `\${{ ${path} }}`;
        if (ref.path[0] === 'steps' && ref.path[2] === 'outputs' && ref.path.length === 4 && !ref.path[3]!.includes('base') && this.resolvesHead(step.job, ref.path[1]!)) return `\${{ ${path} }}`;
      }
    }
    return null;
  }

  private resolvesHead(job: string, id: string): boolean {
    const step = this.stepsById.get(job)?.get(id);
    if (!step) return false;
    const known = this.resolving.get(step);
    if (known !== undefined) return known;
    const name = step.uses ? actionName(step.uses.value) : null;
    const script = name === 'actions/github-script' ? step.with.get('script')?.value : step.run?.value;
    const resolves = (name !== null && RESOLVES_HEAD_ACTIONS.has(name)) || (script !== undefined && (GH_PR_LOOKUP.test(script) || HEAD_IN_SCRIPT.test(script)));
    this.resolving.set(step, resolves);
    return resolves;
  }

  /** What a word of a shell command names of the head: a `${{ }}`, `$GITHUB_HEAD_REF`, or `$VAR` whose `env:` value does. */
  private inWord(word: string, step: WorkflowStep): string | null {
    const inExpression = word.includes('${{') ? this.inExpressions(findExpressions(word).map((e) => e.text), step) : null;
    if (inExpression) return inExpression;
    for (const variable of word.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]{0,200})/g)) {
      const name = variable[1]!;
      if (name === 'GITHUB_HEAD_REF') return '$GITHUB_HEAD_REF';
      const value = step.env.map((env) => env.get(name)).find((v) => v !== undefined);
      const named = value ? this.inValue(value, step) : null;
      if (named) return `$${name}, set to ${named}`;
    }
    return null;
  }

  /**
   * The commands of a step's `run:` script that check out or fetch the head, each at its line and
   * column: read in the script as written (so each is placed at its own line), or, when its quoting
   * hides some there (a double-quoted script of `\n` escapes, a folded `>` block), in its value, at its start.
   */
  commandsIn(script: WorkflowValue, step: WorkflowStep): { lineInSource: number; offsetInLine: number; command: string; head: string }[] {
    const found = this.commands(script.source, step);
    // The value is what runs: when it holds more such commands than the text shows, those are reported.
    const inValue = this.commands(script.value, step);
    return inValue.length > found.length ? inValue.map((c) => ({ ...c, lineInSource: 0, offsetInLine: 0 })) : found;
  }

  private commands(text: string, step: WorkflowStep): { lineInSource: number; offsetInLine: number; command: string; head: string }[] {
    const out: { lineInSource: number; offsetInLine: number; command: string; head: string }[] = [];
    for (const command of shellCommands(text)) {
      const found = this.headCommand(command.words, step);
      if (found) out.push({ lineInSource: command.line, offsetInLine: command.column, ...found });
    }
    return out;
  }

  private headCommand(all: readonly string[], step: WorkflowStep): { command: string; head: string } | null {
    let k = 0;
    // `FOO=bar sudo -E git …`: assignments and wrappers before the program.
    while (k < all.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(all[k]!) || ['sudo', 'env', 'time', 'command', 'exec', '-E'].includes(all[k]!))) k++;
    const words = all.slice(k);
    if (words[0] === 'gh' && words[1] === 'pr' && words[2] === 'checkout') return { command: 'gh pr checkout', head: words.slice(3).join(' ') || 'the pull request' };
    if (words[0] !== 'git') return null;
    // Global options before the subcommand: `-C dir` and `-c name=value` take the next word.
    let s = 1;
    while (s < words.length && words[s]!.startsWith('-')) s += words[s] === '-C' || words[s] === '-c' ? 2 : 1;
    const sub = words[s];
    if (sub === undefined || !GIT_SUBCOMMANDS.has(sub)) return null;
    for (const word of words.slice(s + 1)) {
      const pull = PULL_REFSPEC.exec(word.length > REF_SEARCH_CHARS ? word.slice(0, REF_SEARCH_CHARS) : word);
      const head = pull ? pull[0] : this.inWord(word, step);
      if (head) return { command: `git ${sub}`, head };
    }
    return null;
  }
}

/** The git subcommands that bring a commit into the work tree, or fetch it for the next command to. */
const GIT_SUBCOMMANDS = new Set(['clone', 'fetch', 'pull', 'checkout', 'switch', 'reset', 'merge', 'rebase', 'cherry-pick', 'worktree']);

/**
 * Which of a workflow's privileged triggers gives a head its value, by what names it: the issue's
 * number or pull request is issue_comment's, workflow_run's head is its own, the pull request's
 * fields and `github.head_ref` are pull_request_target's. Null when the name says nothing (`gh pr
 * checkout` with no argument, a step's output): the caller names the first trigger.
 */
export function triggerOf(named: string, triggers: readonly string[]): string | null {
  const by = /github\.event\.issue\b/i.test(named)
    ? 'issue_comment'
    : /github\.event\.workflow_run\b/i.test(named)
      ? 'workflow_run'
      : /github\.event\.(?:number|pull_request)\b|head_ref\b/i.test(named)
        ? 'pull_request_target'
        : null;
  return by !== null && triggers.includes(by) ? by : null;
}

/**
 * A shell script's simple commands, as words, each with the line (from 0) and column offset of its
 * first word. Commands end at a newline (not one escaped by `\`), `;`, `&`, `|`, `(` and `)`; a word
 * that starts with `#` comments out the rest of its line; quotes are dropped from words, not parsed
 * (a separator inside quotes splits a word, which only ever hides an `echo`'s text). A `${{ … }}` is
 * one piece of its word, whatever it holds. One pass: a `${{` with no `}}` after it ends the search
 * for more, as in findExpressions.
 */
export function shellCommands(text: string): { words: string[]; line: number; column: number }[] {
  const out: { words: string[]; line: number; column: number }[] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let line = 0;
  let lineStart = 0;
  let start = { line: 0, column: 0 };
  let closes = true;
  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) out.push({ words, ...start });
    words = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && text[i + 1] === '\n') {
      endWord();
      i++;
      line++;
      lineStart = i + 1;
    } else if (c === '\n') {
      endCommand();
      line++;
      lineStart = i + 1;
    } else if (c === ';' || c === '&' || c === '|' || c === '(' || c === ')') {
      endCommand();
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
    } else if (c === '#' && !inWord) {
      const newline = text.indexOf('\n', i);
      i = (newline === -1 ? text.length : newline) - 1;
    } else {
      if (!inWord && words.length === 0) start = { line, column: i - lineStart };
      inWord = true;
      if (c === '$' && text.startsWith('${{', i) && closes) {
        const close = text.indexOf('}}', i + 3);
        if (close === -1) closes = false;
        else {
          // The expression is kept whole; its lines are counted for what follows.
          const expression = text.slice(i, close + 2);
          for (let n = expression.indexOf('\n'); n !== -1; n = expression.indexOf('\n', n + 1)) {
            line++;
            lineStart = i + n + 1;
          }
          word += expression;
          i = close + 1;
          continue;
        }
      }
      if (c !== '"' && c !== "'") word += c;
    }
  }
  endCommand();
  return out;
}
