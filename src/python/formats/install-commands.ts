/**
 * Which Python packages one shell command installs, from its words as written: `pip install`,
 * `pip3 install`, `python -m pip install`, `uv pip install`, and pipx (`pipx install`, `pipx
 * inject`, `pipx run`, `pipx runpip … install`), each after `sudo`, `env` or `X=1`. Options are told
 * from requirements as each program's parser tells them: pip's optparse and pipx's argparse take a
 * unique prefix of a long option for it (`--extra-index` is `--extra-index-url`, `--no-cache` is
 * `--no-cache-dir`) and pip refuses one that is the prefix of several (`--req`); uv's parser takes
 * names only in full. A value-taking option's value is never read as a requirement.
 *
 * The option lists are pip's install command (general options included) and pipx's subcommands as
 * their own parsers declare them (pypa/pip cli/cmdoptions.py and commands/install.py, pypa/pipx
 * main.py), plus uv's options that take a value. Used by the Dockerfile format (./dockerfile.ts).
 */
import { clipInput } from '../../quoted-input.js';
import { unquote } from '../../scan/runtime/dockerfile.js';
import { matchAbbreviation, shlexSplit } from './requirements.js';

/** A word of a command as written (quotes kept) and the line it is on. */
export interface Word {
  raw: string;
  line: number;
  /** Holds a character a shell outside fills in before the `-c` script holding the word runs (`sh -c "pip install $PKG"`). */
  outerValue?: true;
}

/** Which parser reads the command's options. */
export type Installer = 'pip' | 'uv' | 'pipx';

/** One option as given: its name (long, no dashes, as its program names it in full) and value ('' for a flag). */
export interface GivenOption {
  name: string;
  value: string;
  /** The value's word as written (quotes kept), to tell a shell variable; '' for a flag. */
  raw: string;
  /** The line of the option's word. */
  line: number;
  /** The line of its value (the next word's, or the option's own for `--opt=value`). */
  valueLine: number;
  outerValue?: true;
}

export interface InstallCommand {
  /** The command as messages name it: `pip install` (uv's too), `pipx install`, `pipx inject`, `pipx run`. */
  label: string;
  /** `pip` or `pipx`: who installs the files a `-r` names, in notices. */
  program: 'pip' | 'pipx';
  installer: Installer;
  options: GivenOption[];
  /** The requirements it installs, as written; editable ones by pipx's `-e` flag (pip's `-e` is an option with its own value). */
  requirements: { word: Word; editable: boolean }[];
  /** What the command runs that Depwatch does not read, each with why (a pipx run of a script). */
  unread: { line: number; message: string }[];
  /** Set when the program refuses the command as written (an ambiguous option): nothing else of it is read. */
  refused?: { line: number; message: string };
}

/** A program's options: which take a value, which may be abbreviated, which short letters stand for. */
interface OptionTable {
  /** Long options without dashes: whether each takes a value. */
  long: ReadonlyMap<string, boolean>;
  /** The long options (with dashes, sorted) a unique prefix stands for; empty when the parser takes names only in full. */
  abbreviable: readonly string[];
  /** Short options by letter: the long name, and whether it takes a value. */
  short: Readonly<Record<string, readonly [name: string, takesValue: boolean]>>;
  /** Long names that mean another (`--pypi-url` is `--index-url`). */
  same: Readonly<Record<string, string>>;
}

function table(valued: readonly string[], flags: readonly string[], short: OptionTable['short'], same: OptionTable['same'], abbreviated: boolean, legacy: readonly string[] = []): OptionTable {
  const long = new Map<string, boolean>();
  for (const name of flags) long.set(name, false);
  for (const name of valued) long.set(name, true);
  // Options of older releases are known in full only: a prefix is matched against the current parser's options.
  const current = [...long.keys()].map((name) => `--${name}`).sort();
  for (const name of legacy) long.set(name, true);
  return { long, abbreviable: abbreviated ? current : [], short, same };
}

/** pip install's options and pip's general options that take a value (pip 26's parser). */
const PIP_VALUED = [
  'requirement', 'constraint', 'build-constraint', 'requirements-from-script', 'editable', 'target', 'platform', 'python-version',
  'implementation', 'abi', 'root', 'prefix', 'src', 'source', 'source-dir', 'source-directory', 'upgrade-strategy', 'config-settings',
  'progress-bar', 'root-user-action', 'report', 'group', 'all-releases', 'only-final', 'no-binary', 'only-binary', 'index-url',
  'pypi-url', 'extra-index-url', 'refresh-package', 'find-links', 'uploaded-prior-to', 'python', 'log', 'log-file', 'local-log',
  'keyring-provider', 'proxy', 'retries', 'timeout', 'default-timeout', 'exists-action', 'trusted-host', 'cert', 'client-cert',
  'cache-dir', 'use-feature', 'use-deprecated', 'resume-retries',
];
/** pip install's flags and pip's general flags (pip 26's parser): the candidates an abbreviation may also stand for. */
const PIP_FLAGS = [
  'no-deps', 'no-dependencies', 'only-deps', 'only-dependencies', 'dry-run', 'user', 'no-user', 'upgrade', 'force-reinstall',
  'ignore-installed', 'ignore-requires-python', 'no-build-isolation', 'use-pep517', 'check-build-dependencies', 'break-system-packages',
  'compile', 'no-compile', 'no-warn-script-location', 'no-warn-conflicts', 'require-hashes', 'no-require-hashes', 'no-clean', 'pre',
  'prefer-binary', 'no-index', 'help', 'debug', 'isolated', 'require-virtualenv', 'require-venv', 'verbose', 'quiet', 'no-input',
  'no-proxy-env', 'no-cache-dir', 'disable-pip-version-check', 'no-color', 'no-python-version-warning', 'version',
];
/** Value-taking options older pips had (`--install-option`, `-b`/`--build`): known when written in full. */
const PIP_LEGACY_VALUED = ['install-option', 'global-option', 'build-option', 'build', 'download'];
/** Short options of pip and uv (`-r`, `-c`, `-e`, `-t`, `-i`, `-f`, `-C`, old pip's `-b`, uv's `-p` and `-P`); any other letter is a flag. */
const PIP_SHORT: OptionTable['short'] = {
  r: ['requirement', true], c: ['constraint', true], e: ['editable', true], t: ['target', true], i: ['index-url', true], f: ['find-links', true],
  b: ['build', true], C: ['config-settings', true], p: ['python', true], P: ['upgrade-package', true],
  U: ['upgrade', false], I: ['ignore-installed', false], q: ['quiet', false], v: ['verbose', false], h: ['help', false],
};
const PIP_SAME = { 'pypi-url': 'index-url', 'no-dependencies': 'no-deps', 'require-venv': 'require-virtualenv' };

/** uv's options that take a value (with pip's, which `uv pip install` mostly shares); uv takes none abbreviated. */
const UV_VALUED = [
  ...PIP_VALUED, ...PIP_LEGACY_VALUED,
  'requirements', 'constraints', 'overrides', 'override', 'build-constraints', 'index', 'default-index', 'index-strategy', 'resolution',
  'prerelease', 'exclude-newer', 'link-mode', 'python-platform', 'extra', 'torch-backend', 'directory', 'project', 'config-file', 'color',
  'upgrade-package', 'reinstall-package', 'no-build-isolation-package', 'allow-insecure-host', 'config-setting', 'fork-strategy',
  'excludes', 'exclude',
];
const UV_SAME = { ...PIP_SAME, requirements: 'requirement', constraints: 'constraint', 'default-index': 'index-url', 'allow-insecure-host': 'trusted-host' };

const PIP = table(PIP_VALUED, PIP_FLAGS, PIP_SHORT, PIP_SAME, true, PIP_LEGACY_VALUED);
const UV = table(UV_VALUED, [], PIP_SHORT, UV_SAME, false);

/** pipx's flags every subcommand has. */
const PIPX_SHARED_FLAGS = ['quiet', 'verbose', 'skip-maintenance', 'global', 'help'];
/** The options of pipx's subcommands that make a virtual environment (its add_pip_venv_args, add_backend_arg). */
const PIPX_VENV = { valued: ['index-url', 'pip-args', 'cooldown', 'backend'], flags: ['system-site-packages', 'editable'] };
/** Its add_python_options (install and run). */
const PIPX_PYTHON = { valued: ['python', 'fetch-python'], flags: ['fetch-missing-python'] };
const PIPX_SHORT: OptionTable['short'] = {
  i: ['index-url', true], r: ['requirement', true],
  e: ['editable', false], f: ['force', false], U: ['upgrade', false], q: ['quiet', false], v: ['verbose', false], h: ['help', false],
};
function pipxTable(valued: readonly string[], flags: readonly string[], legacy: readonly string[] = []): OptionTable {
  return table([...PIPX_VENV.valued, ...valued], [...PIPX_SHARED_FLAGS, ...PIPX_VENV.flags, ...flags], PIPX_SHORT, {}, true, legacy);
}
/** pipx's subcommands that install packages, by name: their own options (pipx's main.py). */
const PIPX: Readonly<Record<string, OptionTable>> = {
  // `--spec` is older pipx's: the requirement, the positional then only the app's name.
  install: pipxTable(
    ['include-resources-from', 'upgrade-strategy', 'suffix', 'preinstall', 'app', 'lock', 'output', ...PIPX_PYTHON.valued],
    ['include-deps', 'force', 'upgrade', ...PIPX_PYTHON.flags],
    ['spec'],
  ),
  inject: pipxTable(['requirement', 'include-resources-from', 'output'], ['include-apps', 'include-deps', 'force', 'with-suffix']),
  run: pipxTable(['python-args', 'with', 'spec', ...PIPX_PYTHON.valued], ['no-cache', 'refresh', 'no-path-check', 'path', 'pypackages', ...PIPX_PYTHON.flags]),
};
/** pipx's options before its subcommand, and runpip's before the environment it names. */
const PIPX_GENERAL = table([], [...PIPX_SHARED_FLAGS, 'version'], PIPX_SHORT, {}, true);

/** Commands that run the next word as the program (`sudo pip install`, `env X=1 pip install`). */
const PREFIXES = new Set(['sudo', 'env', 'command', 'exec', 'time', 'nice', 'nohup']);
/** Their options that take the next word (`sudo -u app pip install`). */
const PREFIX_VALUE_OPTIONS = new Set(['-u', '-g', '-C', '-h', '-p', '-n']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
const PIP_NAME = /^pip[0-9.]*$/;
const PYTHON = /^python[0-9.]*$/;

/**
 * Where the program of a command is among its words: past `X=1` settings, the prefixes that run
 * the next word (`sudo -H`, `env`), and RUN's own flags before its command (`RUN
 * --mount=type=cache,target=/root/.cache/pip pip install …`); words.length when there is none.
 */
export function programIndex(words: readonly Word[]): number {
  let i = 0;
  while (i < words.length) {
    const word = words[i]!.raw;
    if (ASSIGNMENT.test(word) || word.startsWith('--')) i++;
    else if (PREFIXES.has(word)) {
      i++;
      while (i < words.length && words[i]!.raw.startsWith('-')) i += PREFIX_VALUE_OPTIONS.has(words[i]!.raw) ? 2 : 1;
    } else break;
  }
  return i;
}

/** The program's name without its folder (`/usr/local/bin/pip3` is `pip3`). */
export function programName(word: Word): string {
  const name = unquote(word.raw);
  return name.slice(name.lastIndexOf('/') + 1);
}

/** What the command installs with pip, uv or pipx, or null when it is no such install. */
export function installCommand(words: readonly Word[]): InstallCommand | null {
  let i = programIndex(words);
  if (i >= words.length) return null;
  const program = programName(words[i++]!);
  if (PIP_NAME.test(program)) return pipInstall(words, i, 'pip');
  if (program === 'pipx') return pipxCommand(words, i);
  if (program === 'uv') {
    const sub = subcommandAt(words, i, UV);
    return sub !== null && unquote(words[sub]!.raw) === 'pip' ? pipInstall(words, sub + 1, 'uv') : null;
  }
  if (!PYTHON.test(program)) return null;
  // `python3 -u -m pip install`: pip as a module, after the interpreter's own options.
  while (i < words.length && words[i]!.raw.startsWith('-') && !words[i]!.raw.startsWith('-m')) i += /^-[WX]$/.test(words[i]!.raw) ? 2 : 1;
  const raw = words[i]?.raw;
  const module = raw === '-m' ? unquote(words[i + 1]?.raw ?? '') : raw?.startsWith('-m') ? unquote(raw.slice(2)) : null;
  i += raw === '-m' ? 2 : 1;
  if (module === 'pip') return pipInstall(words, i, 'pip');
  return module === 'pipx' ? pipxCommand(words, i) : null;
}

/** `pip … install …` (or `uv pip install`) from the words after the program; its general options before `install` count as its own, as pip reads them. */
function pipInstall(words: readonly Word[], from: number, installer: 'pip' | 'uv'): InstallCommand | null {
  const options = installer === 'pip' ? PIP : UV;
  const sub = subcommandAt(words, from, options);
  if (sub === null || unquote(words[sub]!.raw) !== 'install') return null;
  const read = readArguments([...words.slice(from, sub), ...words.slice(sub + 1)], options, Infinity);
  const command: InstallCommand = { label: 'pip install', program: 'pip', installer, options: read.options, requirements: read.args.map((word) => ({ word, editable: false })), unread: [] };
  if (read.ambiguous) command.refused = refusal(command.label, read.ambiguous);
  return command;
}

/**
 * `pipx install PKG…`, `pipx inject ENV PKG…`, `pipx run [--spec SPEC] APP …` and `pipx runpip ENV
 * install …`: the packages each puts in a virtual environment of its own, as pins or ranges like
 * pip's. `--pip-args` is read as pip's options; `--preinstall` (install) and `--with` (run) name
 * packages installed alongside.
 */
function pipxCommand(words: readonly Word[], from: number): InstallCommand | null {
  const sub = subcommandAt(words, from, PIPX_GENERAL);
  if (sub === null) return null;
  const name = unquote(words[sub]!.raw);
  if (name === 'runpip') {
    // `pipx runpip ENV install …`: pip itself, in the environment named first.
    const environment = subcommandAt(words, sub + 1, PIPX_GENERAL);
    return environment === null ? null : pipInstall(words, environment + 1, 'pip');
  }
  const options = PIPX[name];
  if (options === undefined) return null;
  const label = `pipx ${name}`;
  // `pipx run APP ARGS…`: what follows the app is the app's.
  const read = readArguments(words.slice(sub + 1), options, name === 'run' ? 1 : Infinity);
  const command: InstallCommand = { label, program: 'pipx', installer: 'pipx', options: [], requirements: [], unread: [] };
  if (read.ambiguous) {
    command.refused = refusal(label, read.ambiguous);
    return command;
  }
  // `-e` makes the package editable (the positional, or --spec in its place), not those installed alongside it.
  const editable = read.options.some((o) => o.name === 'editable');
  let positional = read.args;
  const spec = read.options.find((o) => o.name === 'spec');
  for (const option of read.options) {
    if (option.name === 'preinstall' || option.name === 'with' || option.name === 'spec') {
      const word: Word = { raw: option.raw, line: option.valueLine, ...(option.outerValue ? { outerValue: true } : {}) };
      command.requirements.push({ word, editable: editable && option.name === 'spec' });
    } else if (option.name !== 'editable') command.options.push(option);
  }
  // inject's first positional is the environment; with `--spec` the positional is only the app's name.
  if (name === 'inject' || spec !== undefined) positional = positional.slice(name === 'inject' ? 1 : positional.length);
  if (name === 'run' && positional.length > 0 && runsScript(positional[0]!, read.options.some((o) => o.name === 'path'))) {
    const app = positional[0]!;
    command.unread.push({ line: app.line, message: `${label} ${clipInput(unquote(app.raw))}: runs a script, whose dependencies (its inline metadata) were not read; name the packages with --spec or pin them in a requirements file` });
    positional = [];
  }
  for (const word of positional) command.requirements.push({ word, editable });
  return command;
}

/** Whether `pipx run` runs the app as a script (a path, `--path`, or a URL other than a VCS link), not a package. */
function runsScript(app: Word, path: boolean): boolean {
  const value = unquote(app.raw);
  if (path || value.endsWith('.py') || value.startsWith('/') || value.startsWith('./') || value.startsWith('../')) return true;
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value) && !/^(?:git|hg|svn|bzr)\+/.test(value);
}

/**
 * The words of pipx's `--pip-args` value, as pipx splits them (shlex), read as pip's options and
 * requirements; null when the value does not split (an unclosed quote: pipx refuses it too).
 */
export function pipArgs(value: string, line: number): { options: GivenOption[]; requirements: InstallCommand['requirements']; ambiguous?: { line: number; flag: string; candidates: string[] } } | null {
  let split: string[];
  try {
    split = shlexSplit(value);
  } catch {
    return null;
  }
  // Literal words, each quoted as the shell would leave it.
  const read = readArguments(split.map((word) => ({ raw: `'${word.replace(/'/g, `'\\''`)}'`, line })), PIP, Infinity);
  return { options: read.options, requirements: read.args.map((word) => ({ word, editable: false })), ...(read.ambiguous ? { ambiguous: read.ambiguous } : {}) };
}

/** The message for a command its program refuses: an option that abbreviates several. */
export function refusal(label: string, ambiguous: { line: number; flag: string; candidates: string[] }): { line: number; message: string } {
  const program = label.split(' ')[0];
  return {
    line: ambiguous.line,
    message: `${label}: ${clipInput(ambiguous.flag)} is the start of several options (${ambiguous.candidates.slice(0, 5).join(', ')}${ambiguous.candidates.length > 5 ? ', …' : ''}), which ${program} refuses as ambiguous, so the command fails as written and what it installs was not read; write the option in full`,
  };
}

/** An option word's name and whether the next word is its value, by the program's parser; `ambiguous` when it refuses the word. */
function resolveLong(options: OptionTable, flag: string): { name: string; takesValue: boolean } | { ambiguous: string[] } {
  const exact = options.long.get(flag);
  if (exact !== undefined) return { name: options.same[flag] ?? flag, takesValue: exact };
  const match = options.abbreviable.length === 0 ? null : matchAbbreviation(`--${flag}`, options.abbreviable);
  // Not an option of the program as we know it (a newer release's?): taken to stand alone.
  if (match === null) return { name: flag, takesValue: false };
  if ('ambiguous' in match) return { ambiguous: match.ambiguous };
  const full = match.only.slice(2);
  return { name: options.same[full] ?? full, takesValue: options.long.get(full) ?? false };
}

/** The first word from `from` that is not an option or an option's value: a subcommand (`install`, uv's `pip`), or null. */
function subcommandAt(words: readonly Word[], from: number, options: OptionTable): number | null {
  let i = from;
  while (i < words.length) {
    const option = optionWord(words[i]!.raw);
    if (option === null) return i;
    i += takesNextWord(options, option.text) ? 2 : 1;
  }
  return null;
}

/**
 * An option's word as the program is given it, or null for an argument: a word written starting
 * with `-`, or one wholly quoted without anything the shell would expand or unescape inside
 * (`'--extra-index-url'`, an exec-form string). `literal`: its text is not as written (quotes
 * taken off), so a value cut from it is quoted again.
 */
function optionWord(raw: string): { text: string; literal: boolean } | null {
  if (raw.startsWith('-')) return raw === '-' ? null : { text: raw, literal: false };
  if (!/^(?:'[^']*'|"[^"$`\\]*")$/.test(raw)) return null;
  const text = raw.slice(1, -1);
  return text.startsWith('-') && text !== '-' ? { text, literal: true } : null;
}

/** A value as a word the shell gives as it is. */
const literal = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/** Whether an option word (`--cache-dir`, `-r`) is followed by its value as the next word. */
function takesNextWord(options: OptionTable, word: string): boolean {
  if (word.startsWith('--')) {
    if (word.includes('=')) return false;
    const resolved = resolveLong(options, word.slice(2));
    return 'takesValue' in resolved && resolved.takesValue;
  }
  // `-r` alone, or a cluster whose last letter takes a value (`-Ur`); `-rfile` holds its value.
  for (let c = 1; c < word.length; c++) if (options.short[word[c]!]?.[1]) return c === word.length - 1;
  return false;
}

/**
 * Options (with their values) and arguments, as optparse, argparse and uv's parser tell them apart;
 * after `--` all are arguments. `maxArgs`: after that many arguments the rest are not the
 * program's (`pipx run APP ARGS…`). `ambiguous`: the first option the program refuses, if any.
 */
function readArguments(words: readonly Word[], options: OptionTable, maxArgs: number): { options: GivenOption[]; args: Word[]; ambiguous?: { line: number; flag: string; candidates: string[] } } {
  const found: GivenOption[] = [];
  const args: Word[] = [];
  const option = (name: string, at: Word, raw: string, valueAt: Word): void => {
    found.push({ name, value: unquote(raw), raw, line: at.line, valueLine: valueAt.line, ...(valueAt.outerValue && raw !== '' ? { outerValue: true } : {}) });
  };
  for (let i = 0; i < words.length && args.length < maxArgs; i++) {
    const at = words[i]!;
    const given = optionWord(at.raw);
    if (given === null) {
      args.push(at);
      continue;
    }
    const word = given.text;
    /** A value cut from the word, as the shell gives it. */
    const cut = (value: string): string => (given.literal ? literal(value) : value);
    if (word === '--') {
      for (let k = i + 1; k < words.length && args.length < maxArgs; k++) args.push(words[k]!);
      break;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const flag = eq === -1 ? word.slice(2) : word.slice(2, eq);
      const resolved = resolveLong(options, flag);
      if ('ambiguous' in resolved) return { options: found, args, ambiguous: { line: at.line, flag: `--${flag}`, candidates: resolved.ambiguous } };
      if (eq !== -1) option(resolved.name, at, cut(word.slice(eq + 1)), at);
      else if (resolved.takesValue) {
        const next = words[++i];
        option(resolved.name, at, next?.raw ?? '', next ?? at);
      } else option(resolved.name, at, '', at);
    } else {
      for (let c = 1; c < word.length; c++) {
        const short = options.short[word[c]!];
        if (short === undefined) continue;
        if (!short[1]) {
          option(short[0], at, '', at);
          continue;
        }
        // `-rfile` holds its value; `-r file` and `-Ur file` take the next word.
        if (c < word.length - 1) option(short[0], at, cut(word.slice(c + 1)), at);
        else {
          const next = words[++i];
          option(short[0], at, next?.raw ?? '', next ?? at);
        }
        break;
      }
    }
  }
  return { options: found, args };
}
