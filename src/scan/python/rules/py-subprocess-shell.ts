/** `subprocess` with `shell=True` (and the helpers that always use a shell). */
import { PythonFile, columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';

const SHELL_ALWAYS = new Set(['subprocess.getoutput', 'subprocess.getstatusoutput', 'commands.getoutput', 'commands.getstatusoutput']);

export const rule: PythonRule = {
  info: {
    id: 'py-subprocess-shell',
    kind: 'code',
    severity: 'high',
    confidence: 'high',
    title: 'subprocess with shell=True',
    help: 'With shell=True the command is a string the shell parses: any value formatted into it can add commands (`; rm -rf ~`). Pass a list of arguments without shell=True (subprocess.run(["git", "log", ref])); if a shell is truly needed, quote every value with shlex.quote.',
    bandit: ['B602', 'B604', 'B605'],
  },
  calls: ['subprocess.run', 'subprocess.call', 'subprocess.check_call', 'subprocess.check_output', 'subprocess.Popen', ...SHELL_ALWAYS],
  check(call, file, report, callee) {
    const args = file.argumentsOf(call);
    const command = args.keywords.get('args') ?? args.keywords.get('cmd') ?? args.positional[0];
    if (!SHELL_ALWAYS.has(callee!) && !PythonFile.isTrue(args.keywords.get('shell'))) return;
    const literal = !!command && file.isLiteral(command);
    if (SHELL_ALWAYS.has(callee!) && literal) return; // a fixed command string: nothing to inject
    const origin = command && !literal ? file.originOf(command) : null;
    report({
      line: lineOf(call),
      column: columnOf(call),
      severity: literal ? 'low' : origin && !origin.startsWith('parameter') ? 'critical' : undefined,
      message: literal
        ? `${callee}() runs a fixed command through the shell; harmless today, but the first value formatted into it becomes a command injection.`
        : `${callee}() passes a command built at run time${origin ? ` (from ${origin})` : ''} to the shell; a value containing ; | $() or backticks runs extra commands.`,
      fix: 'Pass the command as a list of arguments and drop shell=True (subprocess.run(["cmd", arg], check=True)); if a shell is unavoidable, shlex.quote() every value.',
    });
  },
};
