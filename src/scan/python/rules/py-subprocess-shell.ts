/**
 * `subprocess` with `shell=True` (and the helpers that always use a shell), and a shell started by
 * hand with a command string: `subprocess.run(["sh", "-c", cmd])`, `["bash", "-lc", cmd]`,
 * `["/usr/bin/env", "bash", "-c", cmd]`. The latter is shell=True without saying it: the string is
 * parsed by the shell all the same, so a value formatted into it adds commands.
 *
 * `shell=` is read as Python reads it: any value that is not plainly false (False, None, 0, "", an
 * empty list…) starts a shell, so `shell="yes"` is shell=True. A flag the file does not fix
 * (`shell=use_shell`, `shell=os.name == "nt"`) may start one: reported at medium confidence (bandit
 * B602 reports it as it reports True).
 */
import type { Node } from 'web-tree-sitter';
import { columnOf, lineOf, nameOf, type PythonFile } from '../file.js';
import type { PythonRule } from '../rule.js';

const SHELL_ALWAYS = new Set(['subprocess.getoutput', 'subprocess.getstatusoutput', 'commands.getoutput', 'commands.getstatusoutput', 'asyncio.create_subprocess_shell']);

/**
 * os.exec* and os.spawn*, which run a program without a shell, unless the program is one given -c
 * (`os.execl("/bin/sh", "sh", "-c", cmd)`): by name, where the program's path is and how its
 * arguments come. `l` forms take them one by one (after an `env` mapping is left off for `e` forms),
 * `v` forms as a list whose first item is argv[0].
 */
const EXEC_FORMS = new Map<string, { path: number; list: boolean; env: boolean }>();
for (const [prefix, path] of [['os.exec', 0], ['os.spawn', 1]] as const) {
  for (const form of ['l', 'le', 'lp', 'lpe', 'v', 've', 'vp', 'vpe']) EXEC_FORMS.set(prefix + form, { path, list: form.startsWith('v'), env: form.endsWith('e') });
}
EXEC_FORMS.set('os.posix_spawn', { path: 0, list: true, env: false });
EXEC_FORMS.set('os.posix_spawnp', { path: 0, list: true, env: false });

/**
 * The command string of an os.exec… / os.spawn… call that starts a shell with -c: the program (path)
 * is the shell, its argv[1] the -c; null otherwise. argv[0] is whatever the caller names it.
 */
function execShellCommand(file: PythonFile, call: Node, form: { path: number; list: boolean; env: boolean }): { command: Node; passesArgs: boolean } | null {
  const args = file.argumentsOf(call);
  if (args.hasSplat && !form.list) return null;
  const program = args.positional[form.path];
  if (!program) return null;
  let argv: Node[];
  if (form.list) {
    const list = args.positional[form.path + 1];
    if (!list || (list.type !== 'list' && list.type !== 'tuple')) return null;
    argv = list.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  } else {
    argv = args.positional.slice(form.path + 1, form.env ? -1 : undefined);
  }
  // The program decides which shell runs; argv[0] is only its name for itself.
  return argv.length > 0 ? shellCommandIn(file, [program, ...argv.slice(1)]) : null;
}

/** Shells that take a command string after -c, by name or path (`sh`, `/bin/bash`, `/usr/bin/zsh`). */
const SHELL = /^(?:\/(?:usr\/)?(?:local\/)?bin\/)?(?:sh|bash|dash|zsh|ksh|ash|mksh)$/;
/** `-c` alone or in a cluster of one-letter options (`-lc`, `-ec`, `-xec`). */
const DASH_C = /^-[a-z]*c[a-z]*$/;

/**
 * The command string of `[shell, "-c", command, ...]` (also after `env`), and whether values follow
 * it as the shell's own arguments ($0, $1…); null when the list is not one.
 */
function shellCommandOf(file: PythonFile, list: Node | null | undefined): { command: Node; passesArgs: boolean } | null {
  if (!list || (list.type !== 'list' && list.type !== 'tuple')) return null;
  return shellCommandIn(file, list.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment'));
}

/** shellCommandOf over argument values already listed: the program first, then its arguments. */
function shellCommandIn(file: PythonFile, items: readonly Node[]): { command: Node; passesArgs: boolean } | null {
  let i = 0;
  const word = (n: Node | undefined) => (n ? file.constantString(n) : null);
  const first = word(items[0]);
  if (first !== null && /^(?:\/usr)?\/bin\/env$|^env$/.test(first)) i = 1;
  if (!SHELL.test(word(items[i]) ?? '')) return null;
  if (!DASH_C.test(word(items[i + 1]) ?? '')) return null;
  const command = items[i + 2];
  return command && command.type !== 'list_splat' ? { command, passesArgs: items.length > i + 3 } : null;
}

/** Whether a `shell=` value starts a shell: 'yes' (truthy literal), 'no' (falsy literal, or absent), 'maybe' (decided at run time). */
function shellFlag(file: PythonFile, value: Node | null | undefined, depth = 0): 'yes' | 'no' | 'maybe' {
  if (!value) return 'no';
  if (depth > 4) return 'maybe';
  switch (value.type) {
    case 'true':
      return 'yes';
    case 'false':
    case 'none':
      return 'no';
    case 'integer':
    case 'float':
      return Number(value.text.replace(/_/g, '')) === 0 ? 'no' : 'yes';
    case 'string': {
      const text = file.constantString(value);
      if (text !== null) return text === '' ? 'no' : 'yes';
      // An f-string with fixed text around its fields is never empty.
      return value.namedChildren.some((c) => c?.type === 'string_content') ? 'yes' : 'maybe';
    }
    case 'list':
    case 'tuple':
    case 'dictionary':
    case 'set':
      return value.namedChildren.some((c) => c && c.type !== 'comment') ? 'yes' : 'no';
    case 'parenthesized_expression':
      return shellFlag(file, value.firstNamedChild, depth + 1);
    case 'not_operator': {
      // `shell=not True` is False: not flips a value the file fixes, and leaves a run-time one undecided.
      const operand = shellFlag(file, value.childForFieldName('argument'), depth + 1);
      return operand === 'yes' ? 'no' : operand === 'no' ? 'yes' : 'maybe';
    }
    case 'identifier': {
      // A module constant is bound once: its value is the flag's. A local name's last assignment
      // before the call may sit in a branch not taken, so a local is decided at run time.
      const constant = file.moduleConstant(nameOf(value), value);
      return constant ? shellFlag(file, constant, depth + 1) : 'maybe';
    }
    default:
      return 'maybe';
  }
}

/** A short quote of source text for a message. */
const clip = (text: string) => (text.length > 40 ? `${text.slice(0, 37)}...` : text).replace(/\s+/g, ' ');

export const rule: PythonRule = {
  info: {
    id: 'py-subprocess-shell',
    kind: 'code',
    severity: 'high',
    confidence: 'high',
    title: 'subprocess with shell=True',
    help: 'With shell=True, or a shell started by hand (["sh", "-c", cmd]), the command is a string the shell parses: any value formatted into it can add commands (`; rm -rf ~`). Pass a list of arguments without a shell (subprocess.run(["git", "log", ref])); if a shell is truly needed, quote every value with shlex.quote, or pass values as the shell\'s own arguments (["sh", "-c", \'grep -- "$1" log\', "sh", value]).',
    bandit: ['B602', 'B604', 'B605'],
  },
  calls: ['subprocess.run', 'subprocess.call', 'subprocess.check_call', 'subprocess.check_output', 'subprocess.Popen', ...SHELL_ALWAYS, ...EXEC_FORMS.keys()],
  check(call, file, report, callee) {
    const args = file.argumentsOf(call);
    let command = args.keywords.get('args') ?? args.keywords.get('cmd') ?? args.positional[0];
    let byHand = false;
    const exec = EXEC_FORMS.get(callee!);
    const flag = SHELL_ALWAYS.has(callee!) ? 'yes' : exec ? 'no' : shellFlag(file, args.keywords.get('shell'));
    if (exec) {
      // os.exec… / os.spawn… never use a shell of their own: only a shell they start with -c is one.
      const inner = execShellCommand(file, call, exec);
      if (!inner) return;
      command = inner.command;
      byHand = true;
      if (inner.passesArgs && file.isLiteral(command)) return;
    } else if (flag === 'no') {
      // No shell=True: a list that starts a shell with -c is one all the same. A name is followed to the list it was given in this scope.
      const list = command?.type === 'identifier' ? file.lastAssignment(nameOf(command), command).plain?.childForFieldName('right') : command;
      const inner = shellCommandOf(file, list);
      if (!inner) return;
      command = inner.command;
      byHand = true;
      // A fixed script given its values as arguments (`["sh", "-c", 'grep -- "$1" log', "sh", value]`): the values are never parsed as code.
      if (inner.passesArgs && file.isLiteral(command)) return;
    }
    const literal = !!command && file.isLiteral(command);
    if (SHELL_ALWAYS.has(callee!) && literal) return; // a fixed command string: nothing to inject
    const origin = command && !literal ? file.originOf(command) : null;
    const how = byHand ? 'starts a shell with -c and' : '';
    // shell= set by a value only known at run time: the shell may be off, so the finding may not hold.
    const maybe = !byHand && flag === 'maybe' ? ` when \`shell=${clip(args.keywords.get('shell')!.text)}\` is true` : '';
    report({
      line: lineOf(call),
      column: columnOf(call),
      severity: literal ? 'low' : origin && !origin.startsWith('parameter') ? 'critical' : undefined,
      confidence: maybe ? 'medium' : undefined,
      message: literal
        ? `${callee}() ${byHand ? 'starts a shell with -c on a fixed command' : 'runs a fixed command through the shell'}${maybe}; harmless today, but the first value formatted into it becomes a command injection.`
        : `${callee}() ${how ? `${how} passes it` : 'passes'} a command built at run time${origin ? ` (from ${origin})` : ''}${byHand ? '' : ' to the shell'}${maybe}; a value containing ; | $() or backticks runs extra commands.`,
      fix: byHand
        ? 'Run the program directly with a list of arguments (subprocess.run(["cmd", arg], check=True)); if a shell is unavoidable, keep its script fixed and pass values as its arguments (["sh", "-c", \'cmd "$1"\', "sh", value]) or shlex.quote() each one.'
        : 'Pass the command as a list of arguments and drop shell=True (subprocess.run(["cmd", arg], check=True)); if a shell is unavoidable, shlex.quote() every value.',
    });
  },
};
