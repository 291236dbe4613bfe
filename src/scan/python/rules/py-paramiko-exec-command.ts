/**
 * paramiko's `exec_command()` given a command built at run time: bandit's B601. The SSH server hands
 * the string to the remote user's shell, so a value formatted into it adds commands there, as
 * shell=True does here. A fixed command is SSH's normal use and is not reported.
 */
import { columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';

const ON_CLIENT = ['paramiko.SSHClient().exec_command', 'paramiko.client.SSHClient().exec_command'];

export const rule: PythonRule = {
  info: {
    id: 'py-paramiko-exec-command',
    kind: 'code',
    severity: 'high',
    confidence: 'high',
    title: 'paramiko exec_command with a command built at run time',
    help: 'SSHClient.exec_command() sends its string to the remote shell: a value formatted into it can add commands (`; rm -rf ~`) that run on the server with the SSH user\'s rights. Quote every value with shlex.quote() before building the command, or check it against a short allow-list; keep the command itself fixed.',
    bandit: ['B601'],
  },
  calls: ON_CLIENT,
  methods: ['exec_command'],
  check(call, file, report, callee) {
    // A client the file made (`c = paramiko.SSHClient()`) is sure; any other .exec_command() counts only in a file that imports paramiko.
    const onClient = !!callee && ON_CLIENT.includes(callee);
    if (!onClient && ![...file.aliases.values()].some((q) => q === 'paramiko' || q.startsWith('paramiko.'))) return;
    const command = file.argument(call, 0, 'command');
    if (!command || file.isLiteral(command)) return;
    const origin = file.originOf(command);
    report({
      line: lineOf(call),
      column: columnOf(call),
      severity: origin && !origin.startsWith('parameter') ? 'critical' : undefined,
      confidence: onClient ? undefined : 'medium',
      message: `exec_command() sends a command built at run time${origin ? ` (from ${origin})` : ''} to the remote shell; a value containing ; | $() or backticks runs extra commands on the server.`,
      fix: 'Keep the command fixed and shlex.quote() every value formatted into it (f"ls -- {shlex.quote(path)}"), or check values against an allow-list first.',
    });
  },
};
