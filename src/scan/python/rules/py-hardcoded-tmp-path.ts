/**
 * A file or folder opened or made at a fixed path in a shared temporary directory
 * (`open("/tmp/app.pid", "w")`, `os.makedirs("/var/tmp/cache")`): bandit's B108, limited to the calls
 * that touch the path, so a string that merely mentions /tmp is not reported. Any local user can
 * create that path first (a symlink to a file of ours, a file they read), so writes can be redirected
 * and reads fed. Test code is not reported: tests write scratch files there as a matter of course.
 */
import type { Node } from 'web-tree-sitter';
import { columnOf, lineOf, nameOf, type PythonFile } from '../file.js';
import type { PythonRule } from '../rule.js';

/** Shared, world-writable temporary directories. */
const SHARED_TMP = /^(\/tmp|\/var\/tmp|\/dev\/shm)(?:\/|$)/;
/** The directory itself (`os.makedirs("/tmp", exist_ok=True)`): it exists on every system, no name in it is taken. */
const JUST_THE_DIRECTORY = /^(?:\/tmp|\/var\/tmp|\/dev\/shm)\/*$/;

/**
 * How a call takes its path and whether it writes there:
 * - `write`: true when it creates or writes whatever else it is given, 'mode' when open()'s mode
 *   (position 1) says, 'flags' when os.open()'s flags say, false when it only reads;
 * - `onPath`: a method of `pathlib.Path(…)`, whose path is the constructor's first argument.
 * A position of -1 is a keyword-only argument.
 */
type PathCall = { position: number; keyword: string; write: boolean | 'mode' | 'flags'; onPath?: boolean };
const PATH_CALLS = new Map<string, PathCall>([
  ['builtins.open', { position: 0, keyword: 'file', write: 'mode' }],
  ['io.open', { position: 0, keyword: 'file', write: 'mode' }],
  ['codecs.open', { position: 0, keyword: 'filename', write: 'mode' }],
  ['os.open', { position: 0, keyword: 'path', write: 'flags' }],
  ['os.mkdir', { position: 0, keyword: 'path', write: true }],
  ['os.makedirs', { position: 0, keyword: 'name', write: true }],
  ['logging.FileHandler', { position: 0, keyword: 'filename', write: true }],
  ['logging.handlers.RotatingFileHandler', { position: 0, keyword: 'filename', write: true }],
  ['logging.handlers.TimedRotatingFileHandler', { position: 0, keyword: 'filename', write: true }],
  ['logging.handlers.WatchedFileHandler', { position: 0, keyword: 'filename', write: true }],
  ['logging.basicConfig', { position: -1, keyword: 'filename', write: true }],
  ['shutil.copy', { position: 1, keyword: 'dst', write: true }],
  ['shutil.copy2', { position: 1, keyword: 'dst', write: true }],
  ['shutil.copyfile', { position: 1, keyword: 'dst', write: true }],
  ['shutil.copytree', { position: 1, keyword: 'dst', write: true }],
  ['shutil.move', { position: 1, keyword: 'dst', write: true }],
  ...(['Path', 'PosixPath'] as const).flatMap((cls) => [
    [`pathlib.${cls}().write_text`, { position: 0, keyword: '', write: true, onPath: true }],
    [`pathlib.${cls}().write_bytes`, { position: 0, keyword: '', write: true, onPath: true }],
    [`pathlib.${cls}().touch`, { position: 0, keyword: '', write: true, onPath: true }],
    [`pathlib.${cls}().mkdir`, { position: 0, keyword: '', write: true, onPath: true }],
    [`pathlib.${cls}().symlink_to`, { position: 0, keyword: '', write: true, onPath: true }],
    [`pathlib.${cls}().open`, { position: 0, keyword: '', write: 'mode', onPath: true }],
    [`pathlib.${cls}().read_text`, { position: 0, keyword: '', write: false, onPath: true }],
    [`pathlib.${cls}().read_bytes`, { position: 0, keyword: '', write: false, onPath: true }],
  ] satisfies [string, PathCall][]),
]);

/** os.open() flags that write or create; flags the file does not spell out count as writing. */
const WRITE_FLAGS = /\bO_(?:WRONLY|RDWR|CREAT|TRUNC|APPEND|EXCL|TMPFILE)\b/;
const SPELLED_FLAGS = /^(?:(?:os\.)?O_[A-Z_]+\s*\|?\s*)+$/;

/** The fixed text a path starts with, and whether that text is the whole path. */
type Leading = { text: string; whole: boolean };

/**
 * The fixed text a path expression starts with: a string (an f-string's text before its first field),
 * `"/tmp/" + x`, `os.path.join("/tmp", x)`, a module constant, and the fallback of
 * `os.environ.get("X", "/tmp/…")`, `os.getenv(…)` or `path or "/tmp/…"` (the path used when nothing is set).
 */
function leadingText(node: Node | null | undefined, file: PythonFile, depth = 0): Leading | null {
  if (!node || depth > 4) return null;
  switch (node.type) {
    case 'string': {
      let text = '';
      for (const c of node.namedChildren) {
        if (c?.type === 'interpolation') return { text, whole: false };
        if (c?.type === 'string_content') text += c.text;
      }
      return { text, whole: true };
    }
    case 'concatenated_string': {
      const first = leadingText(node.firstNamedChild, file, depth + 1);
      return first && { text: first.text, whole: false };
    }
    case 'parenthesized_expression':
      return leadingText(node.firstNamedChild, file, depth + 1);
    case 'binary_operator': {
      if (node.childForFieldName('operator')?.type !== '+') return null;
      const left = leadingText(node.childForFieldName('left'), file, depth + 1);
      return left && { text: left.text, whole: false };
    }
    case 'boolean_operator':
      return node.childForFieldName('operator')?.type === 'or' ? leadingText(node.childForFieldName('right'), file, depth + 1) : null;
    case 'identifier':
      return leadingText(file.moduleConstant(nameOf(node), node), file, depth + 1);
    case 'call': {
      const fn = node.childForFieldName('function');
      const q = fn ? file.qualify(fn) : null;
      if (q === 'os.environ.get' || q === 'os.getenv') return leadingText(file.argument(node, 1, 'default'), file, depth + 1);
      if (q !== 'os.path.join' && q !== 'posixpath.join') return null;
      const first = leadingText(file.argumentsOf(node).positional[0], file, depth + 1);
      return first && { text: first.text.endsWith('/') ? first.text : `${first.text}/`, whole: false };
    }
    default:
      return null;
  }
}

/** Whether open()'s mode writes or creates (w, a, x, +); a mode the file does not spell counts as writing. */
function writes(mode: Node | null, file: PythonFile): boolean {
  if (!mode) return false;
  const text = file.constantString(mode);
  return text === null || /[wax+]/.test(text);
}

/** Whether os.open()'s flags write or create; only flags spelled out as os.O_… names, none of them writing, read. */
function flagsWrite(flags: Node | null): boolean {
  if (!flags) return false; // os.open() needs its flags: a call without them fails before touching the path
  return WRITE_FLAGS.test(flags.text) || !SPELLED_FLAGS.test(flags.text);
}

/** The path a call touches: its own argument, or the argument of the Path(…) a method is called on. */
function pathOf(call: Node, where: PathCall, file: PythonFile): Node | null {
  if (!where.onPath) return file.argument(call, where.position, where.keyword);
  const constructor = call.childForFieldName('function')?.childForFieldName('object');
  return constructor?.type === 'call' ? file.argumentsOf(constructor).positional[0] ?? null : null;
}

export const rule: PythonRule = {
  info: {
    id: 'py-hardcoded-tmp-path',
    kind: 'code',
    severity: 'medium',
    confidence: 'medium',
    title: 'Fixed path in a shared temporary directory',
    help: 'Every local user can create files in /tmp, /var/tmp and /dev/shm, so a fixed name there can be taken first: a symlink planted at /tmp/app.pid sends what the program writes to a file of the attacker\'s choosing, and a file planted there is read as the program\'s own. Use tempfile.mkstemp(), NamedTemporaryFile() or mkdtemp() for scratch files, and a directory only the service owns (its runtime or state directory, e.g. /run/<app>) for files that need a fixed name.',
    bandit: ['B108'],
  },
  calls: [...PATH_CALLS.keys()],
  check(call, file, report, callee) {
    if (file.isTest) return;
    const where = PATH_CALLS.get(callee!)!;
    const path = pathOf(call, where, file);
    const leading = leadingText(path, file);
    if (!leading || (leading.whole && JUST_THE_DIRECTORY.test(leading.text))) return;
    const dir = SHARED_TMP.exec(leading.text)?.[1];
    if (!dir) return;
    const write =
      where.write === 'mode'
        ? writes(where.onPath ? file.argument(call, 0, 'mode') : file.argument(call, 1, 'mode'), file)
        : where.write === 'flags'
          ? flagsWrite(file.argument(call, 1, 'flags'))
          : where.write;
    const shown = path!.text.length > 60 ? `${path!.text.slice(0, 57)}...` : path!.text;
    report({
      line: lineOf(call),
      column: columnOf(call),
      severity: write ? undefined : 'low',
      message: write
        ? `${callee}() writes to ${shown}, a fixed name in ${dir}, which any local user can create first (a symlink there redirects the write to a file of their choosing).`
        : `${callee}() reads ${shown}, a fixed name in ${dir}, which any local user can create first with content of their own.`,
      fix: 'Use tempfile.mkstemp() / NamedTemporaryFile() / mkdtemp() for scratch files (random names, created atomically, private), or a directory only this service owns for files that need a fixed name.',
    });
  },
};
