/** `tempfile.mktemp` returns a name another process can claim before you open it. */
import { columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';

export const rule: PythonRule = {
  info: {
    id: 'py-mktemp',
    kind: 'code',
    severity: 'medium',
    confidence: 'high',
    title: 'tempfile.mktemp (race on the file name)',
    help: 'tempfile.mktemp only returns a name; between choosing it and opening it another process can create that file (or a symlink there) and read or redirect what you write. Use tempfile.NamedTemporaryFile, mkstemp or mkdtemp, which create the file atomically.',
    bandit: ['B306'],
  },
  calls: ['tempfile.mktemp', 'os.tempnam', 'os.tmpnam'],
  check(call, _file, report, callee) {
    report({
      line: lineOf(call),
      column: columnOf(call),
      message: `${callee}() picks a temporary file name without creating the file; another process can create it (or a symlink) first and read or redirect what is written there.`,
      fix: 'Use tempfile.NamedTemporaryFile(delete=False), tempfile.mkstemp() or tempfile.mkdtemp(), which create the file or folder atomically.',
    });
  },
};
