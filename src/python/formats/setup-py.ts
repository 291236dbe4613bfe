/**
 * `setup.py`, read without running it. Dependabot and Snyk run the file to learn what it declares;
 * Renovate matches patterns in its text. Depwatch runs nothing from a repository, so it parses the
 * file with tree-sitter (the code scanner's Python grammar, src/scan/python/parser.ts) and reads
 * the literal values of the `setup(...)` call, as they are written:
 *
 * - The call: `setup(` (also an alias, `from setuptools import setup as s`, and
 *   `from distutils.core import setup`), `setuptools.setup(` (also `import setuptools as st`),
 *   `distutils.core.setup(`, wherever it is (module level, `if __name__ == "__main__":`, a `main()`
 *   function). Several calls (one per branch of an `if`) are all read; a requirement read twice from
 *   the same text (one dict passed to two calls) is listed once.
 * - Keywords: `install_requires` (group `main`), `extras_require` (a dict literal or `dict(k=…)`:
 *   each key is an extra; setuptools' `"extra:marker"` key form puts the marker on each of its
 *   requirements, and an empty extra (`":python_version < '3'"`) is `main`, as setuptools writes it
 *   into the metadata), `python_requires` → requiresPython. `setup_requires` and `tests_require` are
 *   build and test tooling, skipped as in setup.cfg (./setup-cfg.ts). `**kwargs` in the call is
 *   read when it names a dict literal (or `dict(…)`) assigned in the file.
 * - Values: list, tuple and set literals of string literals (implicit concatenation, `r`/`u`
 *   prefixes, escapes), nested lists and `*splats` of them, `a + b` of such lists, a single string
 *   (setuptools accepts one: `_reqs.parse_strings` → jaraco.text `yield_lines`, which also splits
 *   each list element on lines), and a name bound in the file to such a value (`REQUIRES = [...]`
 *   then `install_requires=REQUIRES`). A name assigned more than once (the branches of an `if`) is
 *   read as every value it is given, which covers whatever a run picks; `NAME += [...]` adds to it.
 *   Any other change of the name (`.append`, `NAME[k] = …`, a `for` or `with … as NAME`) is not
 *   read: the keyword is partial at that line.
 * - Each string is read as setuptools reads it (`_reqs.parse_strings`): split on lines, stripped,
 *   blank lines and lines starting with `#` dropped, `" #…"` cut off, a line ending in `\` joined
 *   with the next one; then each line is one PEP 508 requirement.
 *
 * Anything computed (a call, a comprehension, an f-string, `%`, a name bound by an import or a
 * function) is only known when setup.py runs: the keyword gets one error on its line (so the audit
 * is partial) suggesting to move the list into pyproject.toml `[project] dependencies` or a
 * requirements file. One exception, by far the most common computed form: an expression that reads
 * a requirements file named in a string literal (as paths.ts's isRequirementsPath tells them, or any
 * `.txt` file: a `.txt` a requirement list's own code reads is the list's file, as in
 * `read_requirements("dev.txt")`; `open("requirements.txt").read().splitlines()`,
 * `parse_requirements("requirements/base.txt")`,
 * `Path(here, "requirements", "base.txt")` whose literal arguments are also tried joined with `/`)
 * is taken to read that file: it becomes an include (relative to setup.py's folder) that the
 * loader reads as a requirements file. Only a name the code reads counts (NameUse): an argument of
 * a call (`open`, `Path`, `os.path.join`, a helper), the path a `.read_text()` reads, or the value
 * of a name so used; a name only compared, tested, logged or listed to leave out is no file read.
 * The literal is looked for in the expression, and in what the names it uses are bound to (an assignment, `with open(...) as f`, a `for` loop's iterable, a
 * function's body), so `with open("requirements.txt") as f: required = f.read().splitlines()` is
 * followed too; inside a `with … as f:` or `for f in …:` body, `f` is that statement's value, so
 * two blocks reusing `f` each give their own file. A helper that filters the file, or reads one of
 * several files by an argument, is taken to read the whole of each file it names.
 *
 * What that guarantees: every requirements file the code followed reads is read; the keyword
 * counts as complete only when that code (the expression, and the bodies and bindings followed)
 * can add nothing else. Code that may add requirements beside the file's (a list, tuple or set
 * holding a string that could be a requirement, `.append`/`.extend`/`.insert`/`.update`, an
 * augmented assignment, `+` with a literal list or string) keeps the file followed and makes the
 * keyword partial, on its line, naming the first such place. A file read for an extra gives its
 * entries that extra as group, and an `"extra:marker"` key's marker too, as the extra's inline
 * requirements get them (the loader applies both, src/python/load.ts applyIncludeGroups).
 *
 * A setup() call without these keywords: no dependencies, complete (the project's metadata is then
 * in setup.cfg or pyproject.toml, which are read on their own). No setup() call at all in a file
 * with code (exec() of another file, a build helper imported from the package) is an error line:
 * what it declares is unknown, not nothing; an empty file, or one of comments, declares nothing. A
 * syntax error that hides a call (an identifier `setup` inside tree-sitter's ERROR node) is said.
 * tree-sitter recovers from syntax errors locally, so a Python 2 file (`print "x"`, which the
 * grammar also parses) reads; an error inside a value read, or among the call's arguments, is an
 * error line.
 *
 * Untrusted input: over MAX_SETUP_PY_CHARS the file is not parsed (one error); the parse has a
 * time limit; one walk of the tree (a cursor, no recursion) collects the calls, imports and name
 * bindings, and the values are evaluated with memoised names, a nesting limit and a budget of
 * strings copied, so `A = B + B; B = C + C …` cannot grow exponentially.
 */
import { quoteInput } from '../../quoted-input.js';
import type { Node } from 'web-tree-sitter';
import { createPythonParser, type PythonParser } from '../../scan/python/parser.js';
import { andMarker, normalizeMarker, normalizeSpecifier } from '../pep508.js';
import type { ExtractContext, ExtractResult, ManifestFormatModule } from '../types.js';
import { redactUrlSecrets } from '../urls.js';
import { ManifestCollector, MAX_ENTRIES_PER_FILE, repeatableName } from './collector.js';
import { isRequirementsPath, isSetupPyPath } from './paths.js';
import { type Piece, requirementLines } from './setuptools-lines.js';
import { dependencyFromPep508 } from './pyproject.js';

/**
 * Far above any real setup.py (the largest in the repositories tried were 11 and 15 KB); a bigger
 * file is not parsed. Kept low because a setup.py is also read where the bot downloads and reviews
 * (GitHub snapshots following includes, pull request reviews), on its main thread: tree-sitter
 * parses about 2 MB/s there and following names costs a few microseconds a node, so this bounds a
 * hostile file to a fraction of a second there.
 */
export const MAX_SETUP_PY_CHARS = 256_000;

/** The code scanner's default limit for one file (src/scan/scan.ts). */
export const SETUP_PY_PARSE_TIMEOUT_MS = 5_000;

/** Brackets, parentheses, `+` and names followed inside one value before it counts as unreadable. */
const MAX_VALUE_DEPTH = 64;

/** Strings copied while values are joined (`a + b`, a name used twice): past this, the file is not read further. */
const MAX_STRINGS_COPIED = 10 * MAX_ENTRIES_PER_FILE;

/**
 * Characters of requirement text read (each line counting one more), per character of the file,
 * plus a floor far above a real setup.py's: a value is read once per group, but a name listed anew
 * in many values (`[R]` in every call) is read each time, and past this the file is not read
 * further, so the work stays linear in its size.
 */
const MAX_CHARS_READ_PER_CHAR = 2;
const MIN_CHARS_READ = 200_000;

/** Tree nodes visited looking for requirements file names in computed values, over the whole file (about twice the nodes of the largest file read). */
const MAX_SCAN_NODES = 500_000;

/** Methods that change a list or dict in place: a name they are called on is not only its literal. */
const MUTATING_METHODS = new Set(['append', 'extend', 'insert', 'update', 'setdefault', '__setitem__', '__iadd__']);
/** Those read into a list (`append`, `extend`, `insert`) or a dict (`update`) when their argument is a literal. */
const READ_ADDITIONS = new Set(['append', 'extend', 'insert', 'update']);

let loading: Promise<ManifestFormatModule> | null = null;

/**
 * The setup.py reader, once the Python grammar is loaded (on first use, once per thread; a failed
 * load is tried again next time). `extract` is synchronous like every format's: it uses one parser
 * kept for the thread, and a parse never yields, so two reads never share it.
 */
export function loadSetupPyFormat(): Promise<ManifestFormatModule> {
  loading ??= createPythonParser(SETUP_PY_PARSE_TIMEOUT_MS).then((parser) => ({
    format: 'setup-py' as const,
    matches: isSetupPyPath,
    extract: (text: string, context: ExtractContext) => extractSetupPy(parser, text, context),
  }));
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

/** A string value: its lines (split on newlines, as setuptools splits it). */
type Str = Piece[];

/** Something in a value that was not read: computed when setup.py runs, or broken by a syntax error. */
interface Unread {
  node: Node;
  why: 'computed' | 'syntax' | 'too-deep';
}

interface StringsRead {
  strings: Str[];
  unread: Unread[];
}

interface DictEntry {
  key: string;
  keyLine: number;
  value: Node;
}

interface DictRead {
  entries: DictEntry[];
  unread: Unread[];
}

/** How a name is given a value in the file. */
interface Bindings {
  /** `NAME = value` and `NAME += value`, read as the union of their values. */
  values: Node[];
  /** `NAME.append(x)`, `.extend(x)`, `.insert(i, x)`, `.update(…)`, `NAME["key"] = x`: read into the value when they can be. */
  additions: { method: string; call: Node; key?: Node; value?: Node }[];
  /** Any other change (another method, a loop or `with` target, an import, a def): the first. */
  otherWrite: Node | null;
  /** What the requirements file scan follows: every value and the other writes' sources. */
  sources: Node[];
  /**
   * `with … as NAME:` and `for NAME in …:`, with the span of their body: a use inside that body
   * is the source it binds there (and what the body itself assigns), not every binding of the name
   * (`f` reused by two `with open(…) as f` blocks).
   */
  scoped: { source: Node; start: number; end: number }[];
}

/** What the entries of a requirements file setup.py reads get: the extra (`main` for install_requires) and its key's marker, normalised. */
interface IncludeAs {
  group: string;
  marker: string | null;
}

/** What following a computed value to the requirements files it names found. */
interface FilesReached {
  /** The files named, each now an include. */
  files: string[];
  /** The first thing in the code reached that may add requirements beside the files' (a literal list, `.append(…)`, `+=`). */
  adds: Node | null;
  /** A template of a requirements file's name (`"requirements-%s.txt" % env`): a file read, but which one is computed. */
  computedName: Node | null;
}

/** What one subtree holds for #includeRequirementFiles (SetupPyReader.#walked). */
interface Walked {
  /**
   * Strings (`node`), and literal arguments joined (`node` null), in the order written: candidate
   * file names, with how the code uses each (NameUse; never a mere mention).
   */
  names: { node: Node | null; value: string | null; line: number; use: 'read' | 'bound' }[];
  adds: Node | null;
  /** Values the names used are bound to, with how the code uses each name there (NameUse). */
  next: { source: Node; use: NameUse }[];
  /** The file's walking budget ran out in this subtree. */
  exhausted: boolean;
}

/**
 * How code reached from a requirement list uses a string or a name (SetupPyReader.#useOf):
 * - `read`: as what a call reads, the file named by an argument of `open(…)`, `Path(…)`,
 *   `os.path.join(…)`, `parse_requirements(…)` or a helper (`read("dev.txt")`), possibly built
 *   (`here / "requirements.txt"`, `"requirements-%s.txt" % env`, `"a" + ".txt"`), or the object of
 *   a path's read (`(HERE / "requirements.txt").read_text()`);
 * - `bound`: as the value of a name (`REQ = "requirements.txt"`, `for name in ["a.txt", "b.txt"]:`,
 *   a dict's value, what a function returns): a file name only when that name is itself read;
 * - null: anything else, a mere mention (`l != "skip.txt"`, `IGNORED = ["LICENSE.txt"]` used in a
 *   test, `print("see notes.txt")`, `os.path.exists("x.txt")`), which names no file the list reads.
 */
type NameUse = 'read' | 'bound' | null;

/** Calls whose arguments are never the file a list is read from: tests, logging, string and list methods. */
const NOT_READING = new Set([
  'print',
  'exists',
  'isfile',
  'isdir',
  'islink',
  'lexists',
  'startswith',
  'endswith',
  'debug',
  'info',
  'warning',
  'warn',
  'error',
  'exception',
  'critical',
  'log',
  'write',
  'append',
  'extend',
  'insert',
  'remove',
  'discard',
  'add',
  'count',
  'index',
  'replace',
  'split',
  'rsplit',
  'strip',
  'lstrip',
  'rstrip',
  'fnmatch',
  'match',
  'fullmatch',
  'search',
  'sub',
  'compile',
  'isinstance',
  'len',
]);

/**
 * Calls whose literal arguments are a key and a default, not parts of one path:
 * `os.environ.get("REQS_FILE", "requirements.txt")` names requirements.txt, not `REQS_FILE/requirements.txt`.
 */
const LOOKUPS_WITH_DEFAULT = new Set(['get', 'getenv', 'setdefault', 'pop']);

/** Methods by which a path object is read (`Path("requirements.txt").read_text()`, `(HERE / "req.txt").open()`). */
const PATH_READS = new Set(['read_text', 'read_bytes', 'open', 'readlines', 'read']);

/** Parents climbed from a string or name to tell how it is used: past this, it counts as a mention. */
const MAX_USE_CLIMB = 32;

/** The name a call calls: `open`, `read_requirements`, `join` (of `os.path.join`); '' when computed. */
function calleeName(call: Node): string {
  const callee = call.childForFieldName('function');
  if (callee?.type === 'identifier') return callee.text;
  if (callee?.type === 'attribute') return callee.childForFieldName('attribute')?.text ?? '';
  return '';
}

/** Thrown when a value copies or reads more than its budget; the message is the file's error line. */
class BudgetExceeded extends Error {}

const lineOf = (node: Node): number => node.startPosition.row + 1;

function extractSetupPy(parser: PythonParser, text: string, context: ExtractContext): ExtractResult {
  const out = new ManifestCollector(context.file);
  if (text.length > MAX_SETUP_PY_CHARS) {
    out.error(null, `setup.py is too large (${text.length} characters; the limit is ${MAX_SETUP_PY_CHARS}); not read`);
    return { dependencies: [], errors: out.errors, includes: [], requiresPython: null };
  }
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const tree = parser.parse(source);
  if (tree === null) {
    out.error(null, `setup.py took longer than ${Math.round(parser.budgetMs(source))} ms to parse (its time limit for ${source.length.toLocaleString('en')} characters); not read`);
    return { dependencies: [], errors: out.errors, includes: [], requiresPython: null };
  }
  try {
    const reader = new SetupPyReader(out, MIN_CHARS_READ + MAX_CHARS_READ_PER_CHAR * text.length);
    reader.collect(tree.rootNode);
    const requiresPython = reader.read(tree.rootNode.hasError, hasCode(tree.rootNode));
    return { dependencies: out.dependencies, errors: out.errors, includes: out.includes, requiresPython };
  } finally {
    tree.delete();
  }
}

/** Whether the file holds any statement but a docstring: an empty setup.py (or one of comments) declares nothing. */
function hasCode(root: Node): boolean {
  return root.namedChildren.some((node) => node.type !== 'comment' && !(node.type === 'expression_statement' && node.namedChildCount === 1 && node.namedChild(0)?.type === 'string'));
}

class SetupPyReader {
  /** Names `setup` is called by (`setup`, or its alias). */
  readonly #setupNames = new Set(['setup']);
  /** Names of the setuptools module (`setuptools`, or its alias). */
  readonly #moduleNames = new Set(['setuptools']);
  readonly #calls: { node: Node; inError: boolean }[] = [];
  readonly #bindings = new Map<string, Bindings>();
  /** The first `setup` identifier inside a syntax error (a call tree-sitter could not make out). */
  #brokenSetupLine: number | null = null;
  readonly #stringsOfName = new Map<string, StringsRead>();
  readonly #dictOfName = new Map<string, DictRead>();
  readonly #inProgress = new Set<string>();
  readonly #dictValuesOfNode = new Map<number, StringsRead>();
  readonly #dictValuesInProgress = new Set<number>();
  #copied = 0;
  #scanned = 0;
  /** Subtrees already walked for #includeRequirementFiles, by node id. */
  readonly #walks = new Map<number, Walked>();
  readonly #included = new Set<string>();
  /**
   * Requirements read, whole: the same literal read twice (one dict passed to two setup() calls,
   * coverage.py's retry in `except BuildFailed:`; `R + R`) is one requirement, listed once.
   */
  readonly #listed = new Set<string>();
  /** Each keyword value evaluated once (a dict passed to many setup() calls gives the same value nodes). */
  readonly #valueOfNode = new Map<number, StringsRead>();
  /** The groups (and key markers) each evaluated value was read into: a name passed to many calls is read once. */
  readonly #readInto = new Map<StringsRead, Set<string>>();
  #charsRead = 0;

  constructor(
    readonly out: ManifestCollector,
    readonly maxCharsRead: number,
  ) {}

  // -------------------------------------------------------------------------------------------
  // One walk of the tree

  collect(root: Node): void {
    const cursor = root.walk();
    /** Depths of the ERROR nodes the cursor is inside. */
    const errorDepths: number[] = [];
    let depth = 0;
    try {
      for (;;) {
        const type = cursor.nodeType;
        if (type === 'ERROR') errorDepths.push(depth);
        const inError = errorDepths.length > 0;
        switch (type) {
          case 'import_from_statement':
          case 'import_statement':
            this.#import(cursor.currentNode);
            break;
          case 'assignment':
          case 'augmented_assignment':
            this.#assignment(cursor.currentNode);
            break;
          case 'call':
            this.#call(cursor.currentNode, inError);
            break;
          case 'for_statement':
          case 'for_in_clause': {
            const node = cursor.currentNode;
            const left = node.childForFieldName('left');
            const right = node.childForFieldName('right');
            if (left && right) this.#otherWrites(left, right);
            if (left?.type === 'identifier' && right && type === 'for_statement') this.#scoped(left.text, right, node.childForFieldName('body'));
            break;
          }
          case 'with_item': {
            const value = cursor.currentNode.childForFieldName('value');
            if (value?.type === 'as_pattern') {
              const target = value.childForFieldName('alias');
              const source = value.namedChild(0);
              if (target && source) this.#otherWrites(target, source);
              // with_item → with_clause → with_statement, whose body the name is bound in.
              const statement = cursor.currentNode.parent?.parent;
              // The alias is an as_pattern_target around the name (or a tuple, not followed this way).
              if (target && /^[A-Za-z_]\w*$/.test(target.text) && source && statement?.type === 'with_statement') this.#scoped(target.text, source, statement.childForFieldName('body'));
            }
            break;
          }
          case 'function_definition':
          case 'class_definition': {
            const node = cursor.currentNode;
            const name = node.childForFieldName('name');
            const body = node.childForFieldName('body');
            if (name && body) this.#otherWrites(name, body);
            break;
          }
          case 'identifier':
            if (inError && this.#brokenSetupLine === null && this.#setupNames.has(cursor.nodeText)) this.#brokenSetupLine = cursor.startPosition.row + 1;
            break;
        }
        if (cursor.gotoFirstChild()) {
          depth++;
          continue;
        }
        for (;;) {
          if (errorDepths.at(-1) === depth) errorDepths.pop();
          if (cursor.gotoNextSibling()) break;
          if (!cursor.gotoParent()) return;
          depth--;
        }
      }
    } finally {
      cursor.delete();
    }
  }

  #bindingsOf(name: string): Bindings {
    let bindings = this.#bindings.get(name);
    if (bindings === undefined) {
      bindings = { values: [], additions: [], otherWrite: null, sources: [], scoped: [] };
      this.#bindings.set(name, bindings);
    }
    return bindings;
  }

  #scoped(name: string, source: Node, body: Node | null): void {
    if (body) this.#bindingsOf(name).scoped.push({ source, start: body.startIndex, end: body.endIndex });
  }

  /**
   * The sources a use of a name at `at` is followed to: inside a `with … as NAME` or `for NAME in`
   * body, that statement's source and what the body assigns; elsewhere every binding of the name.
   */
  #sourcesAt(bindings: Bindings, at: number): Node[] {
    let scope: Bindings['scoped'][number] | null = null;
    for (const s of bindings.scoped) if (s.start <= at && at < s.end && (scope === null || s.start > scope.start)) scope = s;
    if (scope === null) return bindings.sources;
    const inScope = scope;
    return bindings.sources.filter((source) => source === inScope.source || (source.startIndex >= inScope.start && source.startIndex < inScope.end));
  }

  #import(node: Node): void {
    const isFrom = node.type === 'import_from_statement';
    const module = isFrom ? node.childForFieldName('module_name')?.text : null;
    const fromSetuptools = module === 'setuptools' || module === 'distutils.core';
    for (const name of node.childrenForFieldName('name')) {
      const imported = name.type === 'aliased_import' ? name.childForFieldName('name')?.text : name.text;
      const bound = name.type === 'aliased_import' ? (name.childForFieldName('alias')?.text ?? null) : isFrom ? name.text : name.text.split('.')[0]!;
      if (bound === null) continue;
      if (isFrom && fromSetuptools && imported === 'setup') this.#setupNames.add(bound);
      else if (!isFrom && imported === 'setuptools') this.#moduleNames.add(bound);
      // A name imported is not a literal we can read (`from mypkg import REQUIRES`).
      else this.#otherWrites(name, null);
    }
  }

  #assignment(node: Node): void {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left) return;
    if (left.type === 'identifier' && right) {
      const operator = node.type === 'augmented_assignment' ? node.childForFieldName('operator')?.text : '=';
      const bindings = this.#bindingsOf(left.text);
      bindings.sources.push(right);
      if (operator === '=' || operator === '+=') bindings.values.push(right);
      else bindings.otherWrite ??= node;
      return;
    }
    const object = left.type === 'subscript' ? left.childForFieldName('value') : null;
    const key = left.type === 'subscript' ? left.childForFieldName('subscript') : null;
    if (object?.type === 'identifier' && key && right && node.type === 'assignment') {
      // `EXTRAS["all"] = […]`: an entry of a dict (read as one when the key is a literal).
      const bindings = this.#bindingsOf(object.text);
      bindings.additions.push({ method: '[]', call: node, key, value: right });
      bindings.sources.push(right);
      return;
    }
    // `a, b = …`, `x.attr = …`: the names written are not read as a literal.
    this.#otherWrites(left, right);
  }

  /** Every name written by a target (`x`, `x[k]`, `x.attr`, `a, b`): changed otherwise than by a literal. */
  #otherWrites(target: Node, source: Node | null): void {
    const stack = [target];
    let steps = 0;
    while (stack.length > 0 && steps++ < 1_000) {
      const node = stack.pop()!;
      if (node.type === 'identifier' || node.type === 'dotted_name' || node.type === 'aliased_import') {
        const name = node.type === 'aliased_import' ? node.childForFieldName('alias')?.text : node.type === 'dotted_name' ? node.text.split('.')[0] : node.text;
        if (!name) continue;
        const bindings = this.#bindingsOf(name);
        bindings.otherWrite ??= node;
        if (source) bindings.sources.push(source);
      } else if (node.type === 'subscript' || node.type === 'attribute') {
        const object = node.childForFieldName(node.type === 'subscript' ? 'value' : 'object');
        if (object) stack.push(object);
      } else {
        for (const child of node.namedChildren) stack.push(child);
      }
    }
  }

  #call(node: Node, inError: boolean): void {
    const callee = node.childForFieldName('function');
    if (!callee) return;
    if (callee.type === 'identifier') {
      this.#calls.push({ node, inError });
      return;
    }
    if (callee.type !== 'attribute') return;
    const method = callee.childForFieldName('attribute')?.text;
    const object = callee.childForFieldName('object');
    if (!object || !method) return;
    if (method === 'setup') this.#calls.push({ node, inError });
    else if (MUTATING_METHODS.has(method) && object.type === 'identifier') {
      const bindings = this.#bindingsOf(object.text);
      if (READ_ADDITIONS.has(method)) bindings.additions.push({ method, call: node });
      else bindings.otherWrite ??= node;
      const args = node.childForFieldName('arguments');
      if (args) bindings.sources.push(args);
    }
  }

  #isSetupCall(node: Node): boolean {
    const callee = node.childForFieldName('function');
    if (!callee) return false;
    if (callee.type === 'identifier') return this.#setupNames.has(callee.text);
    const object = callee.childForFieldName('object');
    if (!object) return false;
    return (object.type === 'identifier' && this.#moduleNames.has(object.text)) || object.text === 'distutils.core';
  }

  // -------------------------------------------------------------------------------------------
  // The setup() calls

  /** Reads every setup() call; returns python_requires. */
  read(treeHasError: boolean, hasCode: boolean): string | null {
    const calls = this.#calls.filter((c) => this.#isSetupCall(c.node));
    let requiresPython: string | null = null;
    try {
      for (const { node, inError } of calls) {
        if (this.out.full) {
          this.out.stopReading(lineOf(node));
          break;
        }
        if (inError) this.out.error(lineOf(node), 'the setup() call is inside a syntax error; what it declares may not all be read');
        requiresPython = this.#readCall(node) ?? requiresPython;
      }
    } catch (err) {
      if (!(err instanceof BudgetExceeded)) throw err;
      this.out.error(null, err.message);
    }
    if (calls.length === 0 && treeHasError && this.#brokenSetupLine !== null) {
      this.out.error(this.#brokenSetupLine, 'a syntax error where setup() is called: its dependencies were not read');
    } else if (calls.length === 0 && hasCode) {
      // Code that calls setup() some way it would have to run to show (exec of another file, a
      // build helper imported from the package): what it declares is unknown, not nothing.
      this.out.error(null, 'no setup() call Depwatch can see (setup.py reaches it through code it would have to run, such as exec() or a helper it imports): its dependencies were not read');
    }
    return requiresPython;
  }

  #readCall(call: Node): string | null {
    const args = call.childForFieldName('arguments');
    if (!args) return null;
    const keywords = new Map<string, Node[]>();
    const addKeyword = (name: string, value: Node) => {
      const values = keywords.get(name);
      if (values) values.push(value);
      else keywords.set(name, [value]);
    };
    let hidden: { line: number; why: string } | null = null;
    for (const arg of args.namedChildren) {
      if (arg.type === 'keyword_argument') {
        const name = arg.childForFieldName('name')?.text;
        const value = arg.childForFieldName('value');
        if (name && value) addKeyword(name, value);
      } else if (arg.type === 'dictionary_splat') {
        const dict = this.#dict(arg.namedChild(0) ?? arg, 0);
        // A dict name is read once, but each call walks its entries: charged, as a copy would be.
        this.#copy(dict.entries.length);
        for (const entry of dict.entries) addKeyword(entry.key, entry.value);
        if (dict.unread.length > 0) hidden ??= { line: lineOf(arg), why: `**${snippet(arg.namedChild(0) ?? arg, 40)} is computed when setup.py runs` };
      } else if (arg.type === 'ERROR') {
        hidden ??= { line: lineOf(arg), why: 'a syntax error among its arguments' };
      }
    }
    if (hidden && !(keywords.has('install_requires') && keywords.has('extras_require'))) {
      this.out.error(hidden.line, `setup() may be given install_requires or extras_require where Depwatch cannot see them (${hidden.why}), and Depwatch does not run setup.py: move them into pyproject.toml [project] dependencies or a requirements file`);
    }
    for (const value of keywords.get('install_requires') ?? []) this.#readRequirements(value, 'main', null, 'install_requires');
    for (const value of keywords.get('extras_require') ?? []) this.#readExtras(value);
    let requiresPython: string | null = null;
    for (const value of keywords.get('python_requires') ?? []) {
      const read = this.#strings(value, 0);
      const text = read.strings.map((s) => s.map((p) => p.text).join('\n')).join('').trim();
      if (read.unread.length > 0 || read.strings.length !== 1) this.#reportUnread('python_requires', value, read.unread.length > 0 ? read.unread : [{ node: value, why: 'computed' }], null);
      else if (text !== '') requiresPython = normalizeSpecifier(text);
    }
    return requiresPython;
  }

  #readExtras(value: Node): void {
    const dict = this.#dict(value, 0);
    this.#copy(dict.entries.length);
    this.#reportUnread('extras_require', value, dict.unread, null);
    for (const entry of dict.entries) {
      // setuptools' `extra:marker` keys: the marker applies to every requirement of the extra.
      const colon = entry.key.indexOf(':');
      const extra = (colon === -1 ? entry.key : entry.key.slice(0, colon)).trim();
      const marker = colon === -1 ? null : entry.key.slice(colon + 1).trim();
      const label = `extras_require[${quoteInput(entry.key)}]`;
      if (!repeatableName(this.out, entry.keyLine, 'extra name', extra)) continue;
      if (marker !== null && marker !== '' && normalizeMarker(marker) === null) {
        this.out.error(entry.keyLine, `${label}: the marker after ":" is not a valid environment marker; its requirements are not read`);
        continue;
      }
      this.#readRequirements(entry.value, extra === '' ? 'main' : extra, marker || null, label);
    }
  }

  #readRequirements(value: Node, group: string, keyMarker: string | null, label: string): void {
    let read = this.#valueOfNode.get(value.id);
    if (read === undefined) {
      read = this.#strings(value, 0);
      this.#valueOfNode.set(value.id, read);
    }
    this.#reportUnread(label, value, read.unread, { group, marker: keyMarker === null ? null : normalizeMarker(keyMarker) });
    // Read into this group already (the same name in many calls, or extras whose keys trim to one
    // name): every requirement it gives is listed, and listing them again would drop them all.
    const into = `${group}\u0000${keyMarker ?? ''}`;
    const done = this.#readInto.get(read) ?? new Set<string>();
    if (done.has(into)) return;
    done.add(into);
    this.#readInto.set(read, done);
    for (const string of read.strings) for (const piece of string) this.#charsRead += piece.text.length + 1;
    if (this.#charsRead > this.maxCharsRead) {
      throw new BudgetExceeded(`setup.py lists the same values more times than Depwatch reads (over ${this.maxCharsRead} characters of requirements); it is not read further`);
    }
    for (const requirement of requirementLines(read.strings)) {
      if (this.out.full) {
        this.out.stopReading(requirement.line);
        return;
      }
      const result = dependencyFromPep508(requirement.text, { file: this.out.file, group, line: requirement.line });
      if (!result.ok) {
        this.out.error(requirement.line, `${label}: ${result.message}`);
        continue;
      }
      result.dependency.marker = andMarker(result.dependency.marker, keyMarker);
      // Built by the same code from the same text, identical entries serialise identically.
      const key = JSON.stringify(result.dependency);
      if (this.#listed.has(key)) continue;
      this.#listed.add(key);
      this.out.dependency(result.dependency);
    }
  }

  /**
   * One error for what a keyword's value holds that was not read, unless (for requirement lists,
   * `includeAs` the group their entries get, and the marker of an `"extra:marker"` key) every
   * computed part names requirements files, which are then read instead, their entries in that
   * group under that marker.
   */
  #reportUnread(label: string, value: Node, unread: Unread[], includeAs: IncludeAs | null): void {
    const notRead: Unread[] = [];
    /** Files followed from code that may also add requirements of its own (not read). */
    let followedWithMore: { files: string[]; adds: Node; computedName: boolean } | null = null;
    /** A requirements file read under a computed name (`"requirements-%s.txt" % env`), which is not followed. */
    let computedName: Node | null = null;
    for (const part of unread) {
      if (part.why === 'computed' && includeAs !== null) {
        const reached = this.#includeRequirementFiles(part.node, includeAs);
        if (reached.files.length > 0) {
          if (reached.adds !== null) followedWithMore ??= { files: reached.files, adds: reached.adds, computedName: false };
          else if (reached.computedName !== null) followedWithMore ??= { files: reached.files, adds: reached.computedName, computedName: true };
          continue;
        }
        if (reached.computedName !== null) {
          computedName ??= reached.computedName;
          continue;
        }
      }
      notRead.push(part);
    }
    const line = lineOf(value);
    const first = notRead[0];
    if (first === undefined && computedName !== null) {
      const at = lineOf(computedName) === line ? '' : ` at line ${lineOf(computedName)}`;
      this.out.error(
        line,
        `${label} reads a requirements file whose name is computed when setup.py runs (${snippet(computedName)}${at}), and Depwatch does not run setup.py, so it was not read: name the file in a string literal, or move the list into pyproject.toml [project] dependencies or a requirements file`,
      );
      return;
    }
    if (first === undefined) {
      if (followedWithMore !== null) {
        const { files, adds, computedName: named } = followedWithMore;
        const at = lineOf(adds) === line ? '' : ` at line ${lineOf(adds)}`;
        const followed = `${label} reads ${files.join(' and ')}, which ${files.length === 1 ? 'is' : 'are'} followed`;
        this.out.error(
          line,
          named
            ? `${followed}, and a requirements file whose name is computed when setup.py runs (${snippet(adds)}${at}), which was not read: name the file in a string literal, or move the list into pyproject.toml [project] dependencies or a requirements file`
            : `${followed}, but the code that builds it may add more (${snippet(adds)}${at}), which Depwatch does not run, so that part was not read: move the list into pyproject.toml [project] dependencies or a requirements file`,
        );
      }
      return;
    }
    // On the keyword's line; where the part not read is elsewhere (a name's `.append(…)`), its line is said.
    const at = lineOf(first.node) === line ? '' : ` at line ${lineOf(first.node)}`;
    if (first.why === 'syntax') {
      this.out.error(line, `${label}: a syntax error in its value${at}; what it holds there was not read`);
    } else if (first.why === 'too-deep') {
      this.out.error(line, `${label}: its value nests more than ${MAX_VALUE_DEPTH} levels deep${at}; not read`);
    } else {
      const shown = first.node === value ? snippet(value) : `${snippet(first.node)}${at}, in ${snippet(value)}`;
      // The exclude entry exactly as it must be written: a root file only by its anchored name.
      const entry = this.out.file.includes('/') ? this.out.file : `/${this.out.file}`;
      const advice =
        label === 'python_requires'
          ? 'move it into pyproject.toml [project] requires-python'
          : `move the list into pyproject.toml [project] dependencies or a requirements file; if it is made from files Depwatch reads anyway, add ${entry} to exclude: in .depwatch.yml saying so (that also leaves it out of the code scan)`;
      const what = first.node === value ? 'it was' : 'that part was';
      this.out.error(line, `${label} is computed when setup.py runs (${shown}), and Depwatch does not run setup.py, so ${what} not read: ${advice}`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Values

  #copy(count: number): void {
    this.#copied += count;
    if (this.#copied > MAX_STRINGS_COPIED) throw new BudgetExceeded(`setup.py builds lists of more than ${MAX_STRINGS_COPIED} strings; it is not read further`);
  }

  /** The strings a value holds (a string, a list of them, names of those, `a + b`), and what was not read. */
  #strings(node: Node, depth: number): StringsRead {
    if (depth > MAX_VALUE_DEPTH) return { strings: [], unread: [{ node, why: 'too-deep' }] };
    if (node.type === 'ERROR' || node.isMissing) return { strings: [], unread: [{ node, why: 'syntax' }] };
    switch (node.type) {
      case 'string':
      case 'concatenated_string': {
        const value = stringValue(node);
        if (value === 'syntax') return { strings: [], unread: [{ node, why: 'syntax' }] };
        return value === null ? { strings: [], unread: [{ node, why: 'computed' }] } : { strings: [value], unread: [] };
      }
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list': {
        const read: StringsRead = { strings: [], unread: [] };
        for (const element of node.namedChildren) {
          if (element.type === 'comment') continue;
          const inner = element.type === 'list_splat' ? element.namedChild(0) : element;
          if (!inner) continue;
          this.#merge(read, this.#strings(inner, depth + 1));
        }
        return read;
      }
      case 'parenthesized_expression': {
        const inner = node.namedChildren.find((c) => c.type !== 'comment');
        return inner ? this.#strings(inner, depth + 1) : { strings: [], unread: [{ node, why: 'computed' }] };
      }
      case 'binary_operator': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (node.childForFieldName('operator')?.text !== '+' || !left || !right) break;
        const read = this.#strings(left, depth + 1);
        const added = this.#strings(right, depth + 1);
        // `"a" + "b"` joins two strings; `[…] + […]` two lists (a string plus a list is a TypeError).
        if (isStringNode(left) && isStringNode(right) && read.strings.length === 1 && added.strings.length === 1) {
          return { strings: [joinStrings(read.strings[0]!, added.strings[0]!)], unread: [...read.unread, ...added.unread] };
        }
        const merged: StringsRead = { strings: [], unread: [] };
        this.#merge(merged, read);
        this.#merge(merged, added);
        return merged;
      }
      case 'identifier':
        return this.#stringsOfIdentifier(node, depth);
      case 'conditional_expression': {
        // `x if c else y`: whichever a run picks, read as both (as a name assigned in both branches of an `if`).
        const [then, , otherwise] = node.namedChildren.filter((c) => c.type !== 'comment');
        if (!then || !otherwise) break;
        const read: StringsRead = { strings: [], unread: [] };
        this.#merge(read, this.#strings(then, depth + 1));
        this.#merge(read, this.#strings(otherwise, depth + 1));
        return read;
      }
      case 'call':
      case 'subscript':
        return this.#stringsOfDictValues(node, depth) ?? { strings: [], unread: [{ node, why: 'computed' }] };
    }
    return { strings: [], unread: [{ node, why: 'computed' }] };
  }

  /**
   * `EXTRAS["plot"]` (the entries of that key) and `sum(EXTRAS.values(), [])` (every entry, the
   * `all` extra) of a dict read in the file; null for any other call or subscript. Each node is
   * evaluated once (memoised, so `E["b"] = E["a"] + E["a"]` chains cannot grow exponentially); one
   * that uses itself (`E["all"] = sum(E.values(), [])` is among E's values) skips itself in a sum,
   * and is computed in a subscript.
   */
  #stringsOfDictValues(node: Node, depth: number): StringsRead | null {
    const known = this.#dictValuesOfNode.get(node.id);
    if (known) return known;
    let dictNode: Node | null = null;
    let key: string | null = null;
    let start: Node | null = null;
    if (node.type === 'subscript') {
      const index = node.childForFieldName('subscript');
      const plain = index && isStringNode(index) ? plainString(index) : null;
      if (plain === null || node.namedChildren.filter((c) => c.type !== 'comment').length !== 2) return null;
      dictNode = node.childForFieldName('value');
      key = plain;
    } else {
      if (node.childForFieldName('function')?.text !== 'sum') return null;
      const args = (node.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment');
      const values = args[0];
      const callee = values?.type === 'call' ? values.childForFieldName('function') : null;
      const noArguments = values?.childForFieldName('arguments')?.namedChildren.every((a) => a.type === 'comment') ?? false;
      if (args.length > 2 || callee?.type !== 'attribute' || callee.childForFieldName('attribute')?.text !== 'values' || !noArguments) return null;
      if (args[1]?.type === 'keyword_argument') return null;
      dictNode = callee.childForFieldName('object');
      start = args[1] ?? null;
    }
    if (dictNode === null) return null;
    const dict = this.#dict(dictNode, depth + 1);
    this.#copy(dict.entries.length);
    this.#dictValuesInProgress.add(node.id);
    const read: StringsRead = { strings: [], unread: [...dict.unread] };
    if (start) this.#merge(read, this.#strings(start, depth + 1));
    let found = false;
    for (const entry of dict.entries) {
      if (key !== null && entry.key !== key) continue;
      found = true;
      if (this.#dictValuesInProgress.has(entry.value.id)) {
        if (key !== null) read.unread.push({ node, why: 'computed' });
        continue;
      }
      this.#merge(read, this.#strings(entry.value, depth + 1));
    }
    // A key not in the dict read: set where Depwatch cannot see it, or a KeyError when setup.py runs.
    if (key !== null && !found) read.unread.push({ node, why: 'computed' });
    this.#dictValuesInProgress.delete(node.id);
    this.#dictValuesOfNode.set(node.id, read);
    return read;
  }

  #merge(into: StringsRead, from: StringsRead): void {
    this.#copy(from.strings.length + from.unread.length);
    for (const s of from.strings) into.strings.push(s);
    for (const u of from.unread) into.unread.push(u);
  }

  #stringsOfIdentifier(node: Node, depth: number): StringsRead {
    const name = node.text;
    const known = this.#stringsOfName.get(name);
    if (known) return known;
    const bindings = this.#bindings.get(name);
    // Unbound here (imported, a builtin, a parameter), or defined through itself (`R = R + […]`).
    if (bindings === undefined || bindings.values.length === 0 || this.#inProgress.has(name)) return { strings: [], unread: [{ node, why: 'computed' }] };
    this.#inProgress.add(name);
    const read: StringsRead = { strings: [], unread: [] };
    for (const value of bindings.values) this.#merge(read, this.#strings(value, depth + 1));
    for (const addition of bindings.additions) {
      // `.append(x)` / `.insert(i, x)` add x, `.extend(x)` x's items: both read as the strings of x.
      const args = (addition.call.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment');
      const argument = args.at(-1);
      if (['append', 'extend', 'insert'].includes(addition.method) && argument && argument.type !== 'keyword_argument') this.#merge(read, this.#strings(argument, depth + 1));
      else read.unread.push({ node: addition.call, why: 'computed' });
    }
    if (bindings.otherWrite) read.unread.push({ node: bindings.otherWrite, why: 'computed' });
    this.#inProgress.delete(name);
    this.#stringsOfName.set(name, read);
    return read;
  }

  /** The entries of a dict value (`{…}`, `dict(k=…)`, a name of one, `**` inside), and what was not read. */
  #dict(node: Node, depth: number): DictRead {
    if (depth > MAX_VALUE_DEPTH) return { entries: [], unread: [{ node, why: 'too-deep' }] };
    if (node.type === 'ERROR' || node.isMissing) return { entries: [], unread: [{ node, why: 'syntax' }] };
    const read: DictRead = { entries: [], unread: [] };
    const merge = (from: DictRead) => {
      this.#copy(from.entries.length + from.unread.length);
      for (const e of from.entries) read.entries.push(e);
      for (const u of from.unread) read.unread.push(u);
    };
    if (node.type === 'dictionary') {
      for (const child of node.namedChildren) {
        if (child.type === 'comment') continue;
        if (child.type === 'pair') {
          const key = child.childForFieldName('key');
          const value = child.childForFieldName('value');
          if (!key || !value) continue;
          const keyRead = this.#strings(key, depth + 1);
          if (keyRead.unread.length > 0 || keyRead.strings.length !== 1 || !isStringNode(key)) {
            read.unread.push({ node: key, why: keyRead.unread[0]?.why ?? 'computed' });
            continue;
          }
          read.entries.push({ key: keyRead.strings[0]!.map((p) => p.text).join('\n'), keyLine: lineOf(key), value });
        } else if (child.type === 'dictionary_splat') {
          const inner = child.namedChild(0);
          if (inner) merge(this.#dict(inner, depth + 1));
        } else {
          read.unread.push({ node: child, why: child.type === 'ERROR' ? 'syntax' : 'computed' });
        }
      }
      return read;
    }
    if (node.type === 'call' && node.childForFieldName('function')?.text === 'dict') {
      const args = node.childForFieldName('arguments');
      return args ? this.#dictCallArguments(args, depth) : read;
    }
    if (node.type === 'parenthesized_expression' && node.namedChild(0)) return this.#dict(node.namedChild(0)!, depth + 1);
    if (node.type === 'identifier') {
      const name = node.text;
      const known = this.#dictOfName.get(name);
      if (known) return known;
      const bindings = this.#bindings.get(name);
      if (bindings === undefined || bindings.values.length === 0 || this.#inProgress.has(name)) return { entries: [], unread: [{ node, why: 'computed' }] };
      this.#inProgress.add(name);
      for (const value of bindings.values) merge(this.#dict(value, depth + 1));
      for (const addition of bindings.additions) {
        if (addition.method === '[]' && addition.key && addition.value) {
          const key = this.#strings(addition.key, depth + 1);
          if (isStringNode(addition.key) && key.unread.length === 0 && key.strings.length === 1) {
            read.entries.push({ key: key.strings[0]!.map((p) => p.text).join('\n'), keyLine: lineOf(addition.key), value: addition.value });
            continue;
          }
        } else if (addition.method === 'update') {
          // `.update({…})`, `.update(dict(…))`, `.update(k=…)`: read as `dict(…)` of the call's arguments.
          const args = addition.call.childForFieldName('arguments');
          const only = args?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
          if (only.length === 1 && only[0]!.type !== 'keyword_argument') merge(this.#dict(only[0]!, depth + 1));
          else if (args) merge(this.#dictCallArguments(args, depth + 1));
          continue;
        }
        read.unread.push({ node: addition.call, why: 'computed' });
      }
      if (bindings.otherWrite) read.unread.push({ node: bindings.otherWrite, why: 'computed' });
      this.#inProgress.delete(name);
      this.#dictOfName.set(name, read);
      return read;
    }
    return { entries: [], unread: [{ node, why: 'computed' }] };
  }

  /** `dict(k=v, **other)`'s arguments as entries (a positional argument is not read). */
  #dictCallArguments(args: Node, depth: number): DictRead {
    const read: DictRead = { entries: [], unread: [] };
    for (const arg of args.namedChildren) {
      if (arg.type === 'comment') continue;
      const name = arg.childForFieldName('name');
      const value = arg.childForFieldName('value');
      if (arg.type === 'keyword_argument' && name && value) read.entries.push({ key: name.text, keyLine: lineOf(name), value });
      else if (arg.type === 'dictionary_splat' && arg.namedChild(0)) {
        const inner = this.#dict(arg.namedChild(0)!, depth + 1);
        this.#copy(inner.entries.length + inner.unread.length);
        for (const e of inner.entries) read.entries.push(e);
        for (const u of inner.unread) read.unread.push(u);
      } else read.unread.push({ node: arg, why: arg.type === 'ERROR' ? 'syntax' : 'computed' });
    }
    return read;
  }

  // -------------------------------------------------------------------------------------------
  // Requirements files named by a computed value

  /**
   * The requirements files the expression (or what the names in it are bound to) names in string
   * literals, each now an include; and whether that code may add requirements of its own beside
   * them (`reqs.append("torch")`). Within a budget of nodes for the file: past it, what was not
   * looked at may add anything.
   */
  #includeRequirementFiles(expression: Node, as: IncludeAs): FilesReached {
    const reached: FilesReached = { files: [], adds: null, computedName: null };
    const found = (path: string | null) => {
      if (path !== null && !reached.files.includes(path)) reached.files.push(path);
    };
    /** Values walked, and those walked where a name bound to them is read (so their `bound` strings count). */
    const seen = new Set<number>();
    const seenRead = new Set<number>();
    // What the list's own expression is given is its value, not a file (`install_requires=REQS`).
    const stack: { root: Node; read: boolean }[] = [{ root: expression, read: false }];
    while (stack.length > 0) {
      const { root, read } = stack.pop()!;
      if (read ? seenRead.has(root.id) : seen.has(root.id)) continue;
      seen.add(root.id);
      if (read) seenRead.add(root.id);
      const walked = this.#walked(root);
      // Replaying a walk is charged too: file names listed once and reached by thousands of values stay within the budget.
      this.#scanned += walked.names.length + walked.next.length;
      if (this.#scanned > MAX_SCAN_NODES) {
        if (reached.adds === null || expression.startIndex < reached.adds.startIndex) reached.adds = expression;
        return reached;
      }
      for (const named of walked.names) {
        // A value of a name (`REQ = "requirements.txt"`) is a file only where that name is read (`open(REQ)`).
        if (named.use === 'bound' && !read) continue;
        if (named.node === null) {
          if (named.value !== null) found(this.#include(named.value, named.line, as));
          continue;
        }
        const path = named.value === null ? null : this.#include(named.value, named.line, as);
        found(path);
        if (path === null && reached.computedName === null && isRequirementsPathTemplate(named.value)) reached.computedName = named.node;
      }
      if (walked.adds !== null && (reached.adds === null || walked.adds.startIndex < reached.adds.startIndex)) reached.adds = walked.adds;
      if (walked.exhausted) return reached;
      for (const { source, use } of walked.next) {
        const readThere = use === 'read' || (use === 'bound' && read);
        if (!(readThere ? seenRead : seen).has(source.id)) stack.push({ root: source, read: readThere });
      }
    }
    return reached;
  }

  /**
   * One subtree's part of #includeRequirementFiles, walked once per file whatever the number of
   * values that reach it (a list `R` given to two thousand extras through a helper is walked once):
   * the strings in it, in order, and `os.path.join`'s literal arguments joined; the first thing that
   * may add requirements; the values the names it uses are bound to (walked next, by the caller).
   */
  #walked(root: Node): Walked {
    const known = this.#walks.get(root.id);
    if (known !== undefined) return known;
    const walked: Walked = { names: [], adds: null, next: [], exhausted: false };
    this.#walks.set(root.id, walked);
    /** String literals joined into one path by their call's argument list (visited before them). */
    const joinedParts = new Set<number>();
    const adds = (node: Node) => {
      if (walked.adds === null || node.startIndex < walked.adds.startIndex) walked.adds = node;
    };
    const cursor = root.walk();
    try {
      let depth = 0;
      for (;;) {
        if (++this.#scanned > MAX_SCAN_NODES) {
          adds(cursor.currentNode);
          walked.exhausted = true;
          return walked;
        }
        const type = cursor.nodeType;
        if (type === 'string') {
          // Only what can matter to a caller: a file name, or a template of one (any other string,
          // a requirement or a description, would be replayed for every value reaching it).
          const node = cursor.currentNode;
          const value = plainString(node);
          // A part of a path joined below (`"test.txt"` of `join(here, "requirements", "test.txt")`) names no file of its own.
          if (value !== null && !joinedParts.has(node.id) && (namesRequirementsFile(value) || isRequirementsPathTemplate(value))) {
            const use = this.#useOf(node);
            if (use !== null) walked.names.push({ node, value, line: lineOf(node), use });
          }
        } else if (type === 'argument_list') {
          // `os.path.join(here, "requirements", "base.txt")`: the literal arguments joined (not those of a call that reads nothing: `log.info("see", "notes.txt")`).
          const call = cursor.currentNode.parent;
          const joins = call?.type === 'call' && this.#readsArguments(call) && !LOOKUPS_WITH_DEFAULT.has(calleeName(call));
          const literals = joins ? cursor.currentNode.namedChildren.filter((c) => c.type === 'string') : [];
          if (literals.length >= 2) {
            const parts = literals.map((l) => plainString(l));
            const joined = parts.every((p): p is string => p !== null) ? parts.join('/') : null;
            if (joined !== null && namesRequirementsFile(joined)) {
              walked.names.push({ node: null, value: joined, line: lineOf(literals[0]!), use: 'read' });
              for (const literal of literals) joinedParts.add(literal.id);
            }
          }
        } else if (type === 'identifier') {
          const field = cursor.currentFieldName;
          // Not `x.name` (an attribute) nor `name=` (a keyword): only names that hold a value.
          const bindings = field !== 'attribute' && field !== 'name' ? this.#bindings.get(cursor.nodeText) : undefined;
          if (bindings) {
            // Each use walks the name's bindings: charged like the nodes, so many uses of a name bound many times stay within the budget.
            this.#scanned += bindings.sources.length + bindings.scoped.length;
            const use = this.#useOf(cursor.currentNode);
            for (const source of this.#sourcesAt(bindings, cursor.startIndex)) walked.next.push({ source, use });
          }
        } else if (mayAddRequirements(cursor.currentNode)) {
          adds(cursor.currentNode);
        }
        if (cursor.gotoFirstChild()) {
          depth++;
          continue;
        }
        let next = false;
        while (depth > 0) {
          if (cursor.gotoNextSibling()) {
            next = true;
            break;
          }
          cursor.gotoParent();
          depth--;
        }
        if (!next) break;
      }
    } finally {
      cursor.delete();
    }
    return walked;
  }

  /**
   * How the code uses a string or a name (NameUse), told by the parents it sits in: climbing
   * through what builds a path or passes a value on, up to the call that reads it, or the
   * statement that binds it. Each step is charged to the file's scanning budget.
   */
  #useOf(node: Node): NameUse {
    let child = node;
    let parent = node.parent;
    for (let steps = 0; parent !== null && steps < MAX_USE_CLIMB; steps++) {
      this.#scanned++;
      const is = (field: string) => parent!.childForFieldName(field)?.id === child.id;
      switch (parent.type) {
        case 'concatenated_string':
        case 'parenthesized_expression':
        case 'list':
        case 'tuple':
        case 'set':
        case 'expression_list':
        case 'list_splat':
          break;
        case 'binary_operator': {
          const operator = parent.childForFieldName('operator')?.text;
          if (operator !== '/' && operator !== '+' && operator !== '%') return null;
          break;
        }
        case 'conditional_expression':
          // `a if os.path.exists("x.txt") else b`: the condition is only tested.
          if (parent.namedChildren.filter((c) => c.type !== 'comment')[1]?.id === child.id) return null;
          break;
        case 'keyword_argument':
          if (!is('value')) return null;
          break;
        case 'subscript':
          // `FILES["docs"]`: the dict's value is used where the subscript is; the key is not.
          if (!is('value')) return null;
          break;
        case 'call':
          // A function called (`open(req_file())`): what it returns is used where the call is.
          if (child.id !== node.id || node.type !== 'identifier' || !is('function')) return null;
          break;
        case 'attribute': {
          if (!is('object')) return null;
          const method = parent.childForFieldName('attribute')?.text ?? '';
          if (PATH_READS.has(method) && parent.parent?.type === 'call') return 'read';
          // `"requirements-{}.txt".format(env)`: the name formatted is used where the call is.
          if (method !== 'format' || parent.parent?.type !== 'call') return null;
          child = parent.parent;
          parent = child.parent;
          continue;
        }
        case 'argument_list': {
          const call = parent.parent;
          return call?.type === 'call' && this.#readsArguments(call) ? 'read' : null;
        }
        case 'assignment':
        case 'augmented_assignment':
        case 'for_statement':
        case 'for_in_clause':
          return is('right') ? 'bound' : null;
        case 'pair':
          return is('value') ? 'bound' : null;
        case 'return_statement':
          return 'bound';
        default:
          return null;
      }
      child = parent;
      parent = parent.parent;
    }
    return null;
  }

  /** Whether a call's arguments may name the file it reads: not setup() itself, nor a test, a log line or a string method (NOT_READING). */
  #readsArguments(call: Node): boolean {
    return !this.#isSetupCall(call) && !NOT_READING.has(calleeName(call));
  }

  /**
   * An include of `path`, once per group and marker (an extra's file gives its entries that extra,
   * as a pyproject's dynamic file does, and an `"extra:marker"` key's marker, as to the extra's
   * inline requirements); the path, or null when it names no requirements file.
   */
  #include(path: string, line: number, { group, marker }: IncludeAs): string | null {
    // A template (`requirements-%s.txt`) names no file: which one is read is computed.
    if (!namesRequirementsFile(path)) return null;
    const key = `${group}\u0000${marker ?? ''}\u0000${path}`;
    if (!this.#included.has(key)) {
      this.#included.add(key);
      this.out.include({ path, kind: 'requirement', line, ...(group === 'main' ? {} : { group }), ...(marker === null ? {} : { marker }) });
    }
    return path;
  }
}

/**
 * Whether a string is taken to name a requirements file that setup.py reads (not a template: which
 * file that names is computed). Only strings a requirement list's own code reads are asked
 * (NameUse), so any `.txt` read there (`read_requirements("dev.txt")`) is the list's file,
 * whatever its name.
 */
function namesRequirementsFile(path: string): boolean {
  return path.length > 0 && path.length <= 500 && !/\s/.test(path) && namedLikeRequirements(path) && !isRequirementsPathTemplate(path);
}

/** A requirements file's name as paths.ts tells them, or any `.txt` file (`dev.txt`, `reqs/test.txt`). */
function namedLikeRequirements(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return isRequirementsPath(path) || (base.length > '.txt'.length && base.toLowerCase().endsWith('.txt'));
}

/** `requirements-%s.txt`, `requirements/{env}.txt`: a requirements file's name with a placeholder filled in when setup.py runs. */
function isRequirementsPathTemplate(text: string | null): boolean {
  if (text === null || text.length > 500) return false;
  const filled = text.replace(/%(\(\w*\))?[-#0 +]?\d*[sdr]|\{\w*\}/g, 'x');
  return filled !== text && namedLikeRequirements(filled);
}

/**
 * Code that may add requirements to what a requirements file gives (a helper that reads the file,
 * then appends): a list, tuple or set holding a string that could be a requirement, a call of
 * `.append`, `.extend`, `.insert` or `.update`, an augmented assignment, or `+` with a literal list
 * or string. Strings that cannot start a requirement (`'#'`, `'-e'`) or that name files are not
 * counted: a helper filtering comments out (`l.startswith(('#', '-'))`) adds nothing.
 */
function mayAddRequirements(node: Node): boolean {
  switch (node.type) {
    case 'list':
    case 'tuple':
    case 'set':
      return node.namedChildren.some((child) => isStringNode(child) && mayBeRequirement(child));
    case 'call': {
      const callee = node.childForFieldName('function');
      return callee?.type === 'attribute' && READ_ADDITIONS.has(callee.childForFieldName('attribute')?.text ?? '');
    }
    case 'augmented_assignment':
      return true;
    case 'binary_operator': {
      if (node.childForFieldName('operator')?.text !== '+') return false;
      const operands = [node.childForFieldName('left'), node.childForFieldName('right')];
      return operands.some((o) => o !== null && (o.type === 'list' || o.type === 'tuple' || (isStringNode(o) && mayBeRequirement(o))));
    }
  }
  return false;
}

/** A string literal that could be (or start) a requirement: it starts with a letter or digit and is not a file name. */
function mayBeRequirement(node: Node): boolean {
  const value = plainString(node);
  if (value === null) return true;
  const text = value.trim();
  return /^[A-Za-z0-9]/.test(text) && !/\.(txt|in|cfg|toml|py|md|rst)$/i.test(text) && !isRequirementsPath(text);
}

// ---------------------------------------------------------------------------------------------
// Strings

const isStringNode = (node: Node): boolean => node.type === 'string' || node.type === 'concatenated_string';

/** `a` then `b`: the last line of `a` continues with the first of `b`. */
function joinStrings(a: Str, b: Str): Str {
  const joined = [...a];
  appendString(joined, b);
  return joined;
}

/** joinStrings into `into` itself: implicit concatenation appends part after part without copying what is joined so far. */
function appendString(into: Str, b: Str): void {
  if (b.length === 0) return;
  const last = into.at(-1);
  if (last === undefined) into.push(b[0]!);
  else into[into.length - 1] = { text: last.text + b[0]!.text, line: last.line };
  for (let i = 1; i < b.length; i++) into.push(b[i]!);
}

/** A string literal's text on one line, or null when it is not a plain literal. */
function plainString(node: Node): string | null {
  const value = stringValue(node);
  return Array.isArray(value) ? value.map((p) => p.text).join('\n') : null;
}

/**
 * The value of a string literal (or implicitly concatenated literals) split into lines, or null
 * when it is computed (an f-string with replacement fields) or not text (bytes), or `syntax`.
 */
function stringValue(node: Node): Str | null | 'syntax' {
  if (node.type === 'concatenated_string') {
    const joined: Str = [];
    for (const part of node.namedChildren) {
      if (part.type === 'comment') continue;
      const value = stringValue(part);
      if (!Array.isArray(value)) return value;
      appendString(joined, value);
    }
    return joined;
  }
  if (node.type !== 'string' || node.hasError) return 'syntax';
  const start = node.firstChild;
  const end = node.lastChild;
  if (start?.type !== 'string_start' || end?.type !== 'string_end') return 'syntax';
  const opening = start.text;
  const quote = opening.replace(/^[a-zA-Z]*/, '');
  const prefix = opening.slice(0, opening.length - quote.length).toLowerCase();
  if (prefix.includes('b')) return null;
  if (prefix.includes('f') || prefix.includes('t')) {
    if (node.namedChildren.some((c) => c.type === 'interpolation')) return null;
  }
  const body = node.text.slice(opening.length, node.text.length - end.text.length);
  return decodeBody(body, prefix.includes('r'), lineOf(node));
}

const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/**
 * Python's escapes (none in a raw string), in one pass; the result is split into lines, each with
 * the source line it starts on (a source newline moves the line, `\n` written as an escape does not).
 * `\N{name}` is kept as written: no requirement contains one.
 */
function decodeBody(body: string, raw: boolean, firstLine: number): Str {
  const pieces: Str = [];
  let current = '';
  let line = firstLine;
  let currentLine = firstLine;
  const newline = () => {
    pieces.push({ text: current, line: currentLine });
    current = '';
    currentLine = line;
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\r' || c === '\n') {
      if (c === '\r' && body[i + 1] === '\n') i++;
      line++;
      newline();
      continue;
    }
    if (c !== '\\' || raw || i + 1 >= body.length) {
      current += c;
      continue;
    }
    const next = body[i + 1]!;
    if (next === '\n' || next === '\r') {
      // A backslash before a source newline continues the string on the next line.
      i += next === '\r' && body[i + 2] === '\n' ? 2 : 1;
      line++;
      continue;
    }
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      i++;
      if (simple === '\n') newline();
      else current += simple;
      continue;
    }
    const hex = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hex > 0 && /^[0-9a-fA-F]+$/.test(body.slice(i + 2, i + 2 + hex)) && i + 2 + hex <= body.length) {
      const code = parseInt(body.slice(i + 2, i + 2 + hex), 16);
      if (code <= 0x10ffff) {
        const char = String.fromCodePoint(code);
        if (char === '\n') newline();
        else current += char;
        i += 1 + hex;
        continue;
      }
    }
    const octal = /^[0-7]{1,3}/.exec(body.slice(i + 1, i + 4));
    if (octal) {
      const char = String.fromCharCode(parseInt(octal[0], 8));
      if (char === '\n') newline();
      else current += char;
      i += octal[0].length;
      continue;
    }
    current += c;
  }
  pieces.push({ text: current, line: currentLine });
  return pieces;
}

/**
 * The source of a node on one line, cut short, for a message. URL credentials are removed before
 * the cut: cut first, a userinfo that loses its `@` no longer reads as one and would be printed.
 */
function snippet(node: Node, max = 60): string {
  const text = redactUrlSecrets(node.text.replace(/\s+/g, ' ').trim());
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
