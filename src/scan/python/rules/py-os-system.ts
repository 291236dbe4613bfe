/** `os.system` / `os.popen` (always a shell) on a command built at run time. */
import { columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';

export const rule: PythonRule = {
  info: {
    id: 'py-os-system',
    kind: 'code',
    severity: 'high',
    confidence: 'high',
    title: 'os.system/os.popen on a computed command',
    help: 'os.system and os.popen hand their string to the shell: any value formatted into it can add commands. Use subprocess.run with a list of arguments (no shell).',
    bandit: ['B605'],
  },
  calls: ['os.system', 'os.popen', 'os.popen2', 'os.popen3', 'os.popen4', 'posix.system', 'popen2.popen2', 'popen2.popen3'],
  check(call, file, report, callee) {
    const command = file.argument(call, 0, 'command') ?? file.argument(call, 0, 'cmd');
    if (!command || file.isLiteral(command)) return;
    const origin = file.originOf(command);
    report({
      line: lineOf(call),
      column: columnOf(call),
      severity: origin && !origin.startsWith('parameter') ? 'critical' : undefined,
      message: `${callee}() runs a command built at run time${origin ? ` (from ${origin})` : ''} through the shell; a value containing ; | $() or backticks runs extra commands.`,
      fix: 'Use subprocess.run(["cmd", arg, ...], check=True) with a list of arguments and no shell.',
    });
  },
};
