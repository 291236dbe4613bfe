/**
 * `os.chmod` (and `Path.chmod`, `os.fchmod`, `os.lchmod`) with a mode that lets every user write:
 * bandit's B103. Any other account or process on the machine (a compromised service, a shared CI
 * runner's other jobs) can then change the file: a script or config that is later run or read
 * becomes theirs. chmod is not masked by the umask, unlike the mode of open/mkdir, so the bit sticks.
 * Read and execute for others (0o644, 0o755) are normal and not reported.
 */
import type { Node } from 'web-tree-sitter';
import { columnOf, lineOf } from '../file.js';
import type { PythonFile } from '../file.js';
import type { PythonRule } from '../rule.js';

const OTHERS_WRITE = 0o002;

/** The stat module's permission bits. */
const STAT_BITS: Record<string, number> = {
  S_ISUID: 0o4000, S_ISGID: 0o2000, S_ISVTX: 0o1000,
  S_IRWXU: 0o700, S_IRUSR: 0o400, S_IWUSR: 0o200, S_IXUSR: 0o100, S_IREAD: 0o400, S_IWRITE: 0o200, S_IEXEC: 0o100,
  S_IRWXG: 0o070, S_IRGRP: 0o040, S_IWGRP: 0o020, S_IXGRP: 0o010,
  S_IRWXO: 0o007, S_IROTH: 0o004, S_IWOTH: 0o002, S_IXOTH: 0o001,
};

/** Where the mode is: its position and keyword in each call. */
const MODE_AT: Record<string, [number, string]> = {
  'os.chmod': [1, 'mode'],
  'os.lchmod': [1, 'mode'],
  'os.fchmod': [1, 'mode'],
  'pathlib.Path().chmod': [0, 'mode'],
  'pathlib.Path().lchmod': [0, 'mode'],
  'pathlib.PosixPath().chmod': [0, 'mode'],
};

/**
 * The bits a mode expression surely sets: integer literals (`0o777`, `511`, Python 2's `0777`),
 * stat constants, and `|` / `+` of those. An unknown operand of `|` adds bits we cannot see but
 * removes none, so the known ones still count (`os.stat(p).st_mode | stat.S_IWOTH`). Null when unknown.
 */
function bitsSet(file: PythonFile, node: Node, depth = 0): number | null {
  if (depth > 16) return null;
  switch (node.type) {
    case 'integer': {
      const t = node.text.replace(/_/g, '').toLowerCase().replace(/l$/, '');
      const n = /^0[0-7]+$/.test(t) ? parseInt(t.slice(1), 8) : Number(t);
      return Number.isSafeInteger(n) ? n : null;
    }
    case 'parenthesized_expression':
      return node.namedChildren.length === 1 && node.namedChildren[0] ? bitsSet(file, node.namedChildren[0], depth + 1) : null;
    case 'identifier':
    case 'attribute': {
      const q = file.qualify(node);
      if (q?.startsWith('stat.')) return STAT_BITS[q.slice(5)] ?? null;
      if (node.type !== 'identifier') return null;
      const value = file.moduleConstant(node.text, node);
      return value ? bitsSet(file, value, depth + 1) : null;
    }
    case 'binary_operator': {
      const op = node.childForFieldName('operator')?.type;
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (!left || !right || (op !== '|' && op !== '+')) return null;
      const a = bitsSet(file, left, depth + 1);
      const b = bitsSet(file, right, depth + 1);
      if (op === '|') return a === null && b === null ? null : (a ?? 0) | (b ?? 0);
      return a === null || b === null ? null : a + b;
    }
    default:
      return null;
  }
}

export const rule: PythonRule = {
  info: {
    id: 'py-chmod-world-writable',
    kind: 'code',
    severity: 'medium',
    confidence: 'high',
    title: 'chmod makes a file writable by every user',
    help: 'A mode with the "others may write" bit (0o777, 0o666, 0o002, stat.S_IWOTH, stat.S_IRWXO) lets any account or process on the machine change the file; a script, config or socket changed that way runs or says what they want. Grant write to the owner (and the group, if it must) only: 0o755 for executables and folders, 0o644 (or 0o600 for secrets) for files.',
    bandit: ['B103'],
  },
  calls: Object.keys(MODE_AT),
  check(call, file, report, callee) {
    const [position, keyword] = MODE_AT[callee!]!;
    const mode = file.argument(call, position, keyword);
    if (!mode) return;
    const bits = bitsSet(file, mode);
    if (bits === null || (bits & OTHERS_WRITE) === 0) return;
    const shown = mode.type === 'integer' ? `mode 0o${(bits & 0o7777).toString(8).padStart(3, '0')}` : 'a mode that includes write for others';
    report({
      line: lineOf(call),
      column: columnOf(call),
      message: `${callee}() with ${shown} lets every user on the machine write the file: any other account or process can change what it holds (and what runs or reads it).`,
      fix: 'Drop the "others may write" bit: 0o755 for executables and folders, 0o644 for files (0o600 for secrets); share with a group (0o775/0o664 and chgrp) when others must write.',
    });
  },
};
