/**
 * `os.system` / `os.popen` (always a shell). A command built at run time is high; a fixed one is low,
 * as bandit's B605 and our subprocess shell=True rule report it: nothing to inject today, but the
 * first value formatted into it becomes an injection.
 */
import { columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';

export const rule: PythonRule = {
  info: {
    id: 'py-os-system',
    kind: 'code',
    severity: 'high',
    confidence: 'high',
    title: 'os.system/os.popen runs a shell command',
    help: 'os.system and os.popen hand their string to the shell: any value formatted into it can add commands (a fixed command is reported low: safe until someone formats a value into it). Use subprocess.run with a list of arguments (no shell).',
    bandit: ['B605'],
  },
  calls: ['os.system', 'os.popen', 'os.popen2', 'os.popen3', 'os.popen4', 'posix.system', 'popen2.popen2', 'popen2.popen3'],
  check(call, file, report, callee) {
    const command = file.argument(call, 0, 'command') ?? file.argument(call, 0, 'cmd');
    if (!command) return;
    const literal = file.isLiteral(command);
    const origin = literal ? null : file.originOf(command);
    report({
      line: lineOf(call),
      column: columnOf(call),
      severity: literal ? 'low' : origin && !origin.startsWith('parameter') ? 'critical' : undefined,
      message: literal
        ? `${callee}() runs a fixed command through the shell; harmless today, but the first value formatted into it becomes a command injection.`
        : `${callee}() runs a command built at run time${origin ? ` (from ${origin})` : ''} through the shell; a value containing ; | $() or backticks runs extra commands.`,
      fix: 'Use subprocess.run(["cmd", arg, ...], check=True) with a list of arguments and no shell.',
    });
  },
};
