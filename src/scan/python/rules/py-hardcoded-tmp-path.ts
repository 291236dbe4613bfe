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

/** Calls that open or create a path, by where they take it; `write` when the call creates or writes whatever its mode. */
const PATH_CALLS = new Map<string, { position: number; keyword: string; write: boolean }>([
  ['builtins.open', { position: 0, keyword: 'file', write: false }],
  ['io.open', { position: 0, keyword: 'file', write: false }],
  ['codecs.open', { position: 0, keyword: 'filename', write: false }],
  ['os.open', { position: 0, keyword: 'path', write: true }],
  ['os.mkdir', { position: 0, keyword: 'path', write: true }],
  ['os.makedirs', { position: 0, keyword: 'name', write: true }],
  ['logging.FileHandler', { position: 0, keyword: 'filename', write: true }],
  ['logging.handlers.RotatingFileHandler', { position: 0, keyword: 'filename', write: true }],
  ['logging.handlers.TimedRotatingFileHandler', { position: 0, keyword: 'filename', write: true }],
  ['logging.handlers.WatchedFileHandler', { position: 0, keyword: 'filename', write: true }],
]);

/** The fixed text a path expression starts with: a string (an f-string's text before its first field), `"/tmp/" + x`, `os.path.join("/tmp", x)`, a module constant. */
function leadingText(node: Node | null | undefined, file: PythonFile, depth = 0): string | null {
  if (!node || depth > 4) return null;
  switch (node.type) {
    case 'string': {
      let text = '';
      for (const c of node.namedChildren) {
        if (c?.type === 'interpolation') break;
        if (c?.type === 'string_content') text += c.text;
      }
      return text;
    }
    case 'concatenated_string':
    case 'parenthesized_expression':
      return leadingText(node.firstNamedChild, file, depth + 1);
    case 'binary_operator':
      return node.childForFieldName('operator')?.type === '+' ? leadingText(node.childForFieldName('left'), file, depth + 1) : null;
    case 'identifier':
      return leadingText(file.moduleConstant(nameOf(node), node), file, depth + 1);
    case 'call': {
      const fn = node.childForFieldName('function');
      const q = fn ? file.qualify(fn) : null;
      if (q !== 'os.path.join' && q !== 'posixpath.join') return null;
      const first = file.argumentsOf(node).positional[0];
      const text = leadingText(first, file, depth + 1);
      return text === null ? null : text.endsWith('/') ? text : `${text}/`;
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
    const path = file.argument(call, where.position, where.keyword);
    const text = leadingText(path, file);
    const dir = text === null ? null : SHARED_TMP.exec(text)?.[1];
    if (!dir) return;
    const write = where.write || writes(file.argument(call, 1, 'mode'), file);
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
