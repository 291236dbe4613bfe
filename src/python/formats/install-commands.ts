/**
 * Which Python packages one shell command installs, from its words as written: `pip install`,
 * `pip3 install`, `python -m pip install`, `uv pip install`, uv's tools (`uv tool install`, `uvx`,
 * `uv tool run`), what `uv run --with` installs beside its command, and pipx (`pipx install`, `pipx
 * inject`, `pipx run`, `pipx runpip … install`), each after `X=1` or a command that runs the rest as
 * its command (`sudo`, `env`, `timeout`, `xargs` (said: its input adds words), and those that run
 * it as another user: `gosu USER`, `su-exec USER`, `runuser -u USER --`; `su -c '…'` is a shell's
 * script, ./dockerfile.ts). Options are told from requirements as each program's parser tells them:
 * pip's optparse and pipx's argparse take a unique prefix of a long option for it (`--extra-index`
 * is `--extra-index-url`, `--no-cache` is `--no-cache-dir`) and pip refuses one that is the prefix
 * of several (`--req`); uv's parser (clap) takes names only in full. A value-taking option's value
 * is never read as a requirement. An option not in these lists (a newer release's?) is not guessed
 * at: the word after it, which may be its value or a requirement, is said as not read.
 *
 * The option lists are pip's install command (general options included), pipx's subcommands and
 * uv's `pip install`, `tool install`, `tool run` and `run` (with uv's global options) as their own parsers
 * declare them (pypa/pip cli/cmdoptions.py and commands/install.py, pypa/pipx main.py, astral-sh/uv
 * crates/uv-cli). Used by the Dockerfile format (./dockerfile.ts).
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

/**
 * How uv reads a word that names packages: `uv-target`, the tool of `uv tool install` / `uvx` /
 * `--from` (`ruff@0.6.0` is `ruff==0.6.0`, `ruff@latest` any version); `uv-list`, a `--with` value
 * (requirements joined by commas).
 */
export type RequirementForm = 'uv-target' | 'uv-list';

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
  /** The value is a list of them joined by this (uv run's `--with-requirements a.txt,b.txt`). */
  list?: ',';
}

export interface InstallCommand {
  /** The command as messages name it: `pip install` (uv's too), `pipx install`, `pipx inject`, `pipx run`. */
  label: string;
  /** Who installs the files a `-r` names, in notices. */
  program: 'pip' | 'pipx' | 'uv';
  installer: Installer;
  options: GivenOption[];
  /**
   * The requirements it installs, as written; editable ones by pipx's or uv tool's `-e` flag (pip's
   * `-e` is an option with its own value). `form`: a word uv reads its own way (requirementValues).
   */
  requirements: { word: Word; editable: boolean; form?: RequirementForm }[];
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
  /** Whether an option's value may start with `-` (optparse takes any next word; argparse and clap take none that looks like an option). */
  hyphenValues: boolean;
}

function table(
  valued: readonly string[],
  flags: readonly string[],
  short: OptionTable['short'],
  same: OptionTable['same'],
  abbreviated: boolean,
  legacy: { valued: readonly string[]; flags: readonly string[] } = { valued: [], flags: [] },
  hyphenValues = false,
): OptionTable {
  const long = new Map<string, boolean>();
  for (const name of flags) long.set(name, false);
  for (const name of valued) long.set(name, true);
  // Options of older releases are known in full only: a prefix is matched against the current parser's options.
  const current = [...long.keys()].map((name) => `--${name}`).sort();
  for (const name of legacy.flags) if (!long.has(name)) long.set(name, false);
  for (const name of legacy.valued) long.set(name, true);
  return { long, abbreviable: abbreviated ? current : [], short, same, hyphenValues };
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
const PIP_LEGACY_VALUED = [
  'install-option', 'global-option', 'build-option', 'build', 'download', 'allow-external', 'allow-unverified', 'allow-insecure',
  'download-cache', 'mirrors',
];
/** Flags older pips had (`--no-use-pep517`, `--egg`): known when written in full, so not taken for options Depwatch does not know. */
const PIP_LEGACY_FLAGS = [
  'no-use-pep517', 'process-dependency-links', 'egg', 'always-unzip', 'allow-all-external', 'no-allow-external', 'no-allow-insecure',
  'use-wheel', 'no-use-wheel', 'use-mirrors', 'no-download', 'no-install', 'no-python-version-warning',
];
const PIP_LEGACY = { valued: PIP_LEGACY_VALUED, flags: PIP_LEGACY_FLAGS };
/** pip's short options (`-r`, `-c`, `-e`, `-t`, `-i`, `-f`, old pip's `-b`, and its flags). */
const PIP_SHORT: OptionTable['short'] = {
  r: ['requirement', true], c: ['constraint', true], e: ['editable', true], t: ['target', true], i: ['index-url', true], f: ['find-links', true],
  b: ['build', true], C: ['config-settings', true], U: ['upgrade', false], I: ['ignore-installed', false], q: ['quiet', false], v: ['verbose', false], h: ['help', false],
  V: ['version', false],
};
const PIP_SAME = { 'pypi-url': 'index-url', 'no-dependencies': 'no-deps', 'require-venv': 'require-virtualenv' };

const PIP = table(PIP_VALUED, PIP_FLAGS, PIP_SHORT, PIP_SAME, true, PIP_LEGACY, true);

/** uv's global options (its TopLevelArgs, GlobalArgs and CacheArgs): taken before or after any subcommand. */
const UV_GLOBAL_VALUED = [
  'allow-insecure-host', 'cache-dir', 'color', 'config-file', 'directory', 'preview-feature', 'preview-features', 'project', 'python-fetch',
  'python-preference', 'trusted-host',
];
const UV_GLOBAL_FLAGS = [
  'allow-python-downloads', 'help', 'isolated', 'managed-python', 'native-tls', 'no-cache', 'no-cache-dir', 'no-color', 'no-config',
  'no-installer-metadata', 'no-managed-python', 'no-native-tls', 'no-offline', 'no-preview', 'no-progress', 'no-python-downloads',
  'no-system-certs', 'offline', 'preview', 'quiet', 'show-settings', 'system-certs', 'verbose', 'version',
];
const UV_GLOBAL_SHORT: OptionTable['short'] = { n: ['no-cache', false], q: ['quiet', false], v: ['verbose', false], h: ['help', false], V: ['version', false] };
/** The resolver and installer options `uv pip install`, `uv tool install` and `uv tool run` share. */
const UV_RESOLVER_VALUED = [
  'build-constraint', 'build-constraints', 'config-setting', 'config-settings', 'config-settings-package', 'constraint', 'constraints',
  'default-index', 'exclude-newer', 'exclude-newer-package', 'extra-index-url', 'find-links', 'fork-strategy', 'index', 'index-strategy',
  'index-url', 'keyring-provider', 'link-mode', 'no-build-isolation-package', 'no-sources-package', 'override', 'overrides', 'prerelease',
  'prerelease-package', 'python', 'python-platform', 'refresh-package', 'reinstall-package', 'resolution', 'torch-backend', 'upgrade-group',
  'upgrade-package',
];
const UV_RESOLVER_FLAGS = [
  'build', 'build-isolation', 'compile', 'compile-bytecode', 'force-reinstall', 'no-build', 'no-build-isolation', 'no-compile',
  'no-compile-bytecode', 'no-index', 'no-refresh', 'no-reinstall', 'no-sources', 'no-upgrade', 'pre', 'refresh', 'reinstall', 'upgrade',
];
const UV_RESOLVER_SHORT: OptionTable['short'] = {
  ...UV_GLOBAL_SHORT, c: ['constraints', true], b: ['build-constraints', true], i: ['index-url', true], f: ['find-links', true],
  U: ['upgrade', false], P: ['upgrade-package', true], C: ['config-setting', true], p: ['python', true],
};
/** `uv pip install`'s own (and the pip options uv knows, so a pip habit is not taken for a new option). */
const UV_PIP_INSTALL_VALUED = [
  'editable', 'exclude', 'excludes', 'extra', 'group', 'no-binary', 'no-editable-package', 'only-binary', 'prefix', 'python-version',
  'requirement', 'requirements', 'target',
];
const UV_PIP_INSTALL_FLAGS = [
  'all-extras', 'break-system-packages', 'deps', 'disable-pip-version-check', 'dry-run', 'exact', 'inexact', 'no-all-extras',
  'no-break-system-packages', 'no-deps', 'no-editable', 'no-exact', 'no-require-hashes', 'no-strict', 'no-system', 'no-verify-hashes',
  'require-hashes', 'strict', 'system', 'user', 'verify-hashes',
];
const UV_TOOL_VALUED = ['from', 'with', 'with-editable', 'with-requirements', 'no-binary-package', 'no-build-package'];
const UV_TOOL_FLAGS = ['binary', 'no-binary', 'lfs'];
const UV_SAME = {
  ...PIP_SAME, requirements: 'requirement', constraints: 'constraint', 'default-index': 'index-url', 'allow-insecure-host': 'trusted-host',
};

const UV_GLOBAL = table(UV_GLOBAL_VALUED, UV_GLOBAL_FLAGS, UV_GLOBAL_SHORT, UV_SAME, false);
const UV_PIP_INSTALL = table(
  [...UV_GLOBAL_VALUED, ...UV_RESOLVER_VALUED, ...UV_PIP_INSTALL_VALUED, ...PIP_VALUED, ...PIP_LEGACY_VALUED],
  [...UV_GLOBAL_FLAGS, ...UV_RESOLVER_FLAGS, ...UV_PIP_INSTALL_FLAGS, ...PIP_FLAGS, ...PIP_LEGACY_FLAGS],
  { ...UV_RESOLVER_SHORT, r: ['requirements', true], e: ['editable', true], t: ['target', true] },
  UV_SAME,
  false,
);
/** `uv tool install PACKAGE` (`-e` a flag: the package is editable) and `uv tool run` / `uvx COMMAND ARGS…`. */
const UV_TOOL = {
  install: table(
    [...UV_GLOBAL_VALUED, ...UV_RESOLVER_VALUED, ...UV_TOOL_VALUED, 'with-executables-from', 'exclude', 'excludes'],
    [...UV_GLOBAL_FLAGS, ...UV_RESOLVER_FLAGS, ...UV_TOOL_FLAGS, 'editable', 'force'],
    { ...UV_RESOLVER_SHORT, w: ['with', true], e: ['editable', false] },
    UV_SAME,
    false,
  ),
  run: table(
    [...UV_GLOBAL_VALUED, ...UV_RESOLVER_VALUED, ...UV_TOOL_VALUED, 'env-file', 'generate-shell-completion'],
    [...UV_GLOBAL_FLAGS, ...UV_RESOLVER_FLAGS, ...UV_TOOL_FLAGS, 'no-env-file', 'show-resolution'],
    { ...UV_RESOLVER_SHORT, w: ['with', true] },
    UV_SAME,
    false,
  ),};
/**
 * `uv run [OPTIONS] COMMAND ARGS…` (its RunArgs, with the dependency-group options): `--with` and
 * `--with-editable` as uvx's, `--with-requirements` files (a list split at commas); `-m` and `-s`
 * are flags here. `no_workspace` is an alias clap declares with its underscore.
 */
const UV_RUN = table(
  [
    ...UV_GLOBAL_VALUED, ...UV_RESOLVER_VALUED, 'with', 'with-editable', 'with-requirements', 'no-binary-package', 'no-build-package', 'extra',
    'no-extra', 'group', 'no-group', 'only-group', 'no-editable-package', 'env-file', 'package', 'max-recursion-depth',
  ],
  [
    ...UV_GLOBAL_FLAGS, ...UV_RESOLVER_FLAGS, 'no-binary', 'all-extras', 'no-all-extras', 'dev', 'no-dev', 'only-dev', 'no-default-groups',
    'all-groups', 'module', 'editable', 'no-editable', 'inexact', 'exact', 'no-exact', 'no-env-file', 'active', 'no-active', 'no-sync', 'locked',
    'frozen', 'script', 'gui-script', 'all-packages', 'no-project', 'no_workspace', 'show-resolution',
  ],
  { ...UV_RESOLVER_SHORT, w: ['with', true], m: ['module', false], s: ['script', false] },
  UV_SAME,
  false,
);

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
  return table([...PIPX_VENV.valued, ...valued], [...PIPX_SHARED_FLAGS, ...PIPX_VENV.flags, ...flags], PIPX_SHORT, {}, true, { valued: legacy, flags: [] });
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

/**
 * Commands that run their arguments as a command (`sudo pip install`, `env X=1 pip install`, `gosu
 * app pip install`), each with its options that take the next word as their value (short letters,
 * long names) and how many words name a user (or, for `timeout`, a duration) before the command.
 * `runuser` runs a command only with `-u`; without it, as `su`, it runs a shell's `-c` script
 * (suScript). `dash`: a lone `-` is an option (`env -` is `env -i`). `feeds`: the runner adds words
 * of its input to the command (xargs), so what the command is given is not all written.
 *
 * Which ones, by what RUN lines write (hadolint's DL3013 corpus, Dockerfiles on GitHub): sudo, env,
 * gosu, su-exec and runuser before a pip install are common; `cat requirements.txt | xargs -n 1 pip
 * install` and `pip list … | xargs pip install -U` are common enough to say rather than pass; `timeout
 * 600 pip install` guards builds against a hanging index. `env -S '…'` (a split string) is written
 * in shebangs, not RUN lines, and is not read.
 */
const RUNNERS: Readonly<Record<string, { short: string; long: readonly string[]; user: number; needs?: string; dash?: true; feeds?: true }>> = {
  // sudo(8): -C -c -D -g -h -p -R -r -T -t -U -u take a value.
  sudo: { short: 'CcDghpRrTtUu', long: ['close-from', 'login-class', 'chdir', 'group', 'host', 'prompt', 'chroot', 'role', 'command-timeout', 'type', 'other-user', 'user'], user: 0 },
  env: { short: 'uCSa', long: ['unset', 'chdir', 'split-string', 'argv0'], user: 0, dash: true },
  // GNU timeout [-k D] [-s SIG] DURATION COMMAND…: the duration stands where gosu's user does.
  timeout: { short: 'ks', long: ['kill-after', 'signal'], user: 1 },
  // GNU xargs: -a -d -E -I -L -n -P -s take a value (-e, -i, -l only one joined to them, as --eof=, --replace=, --max-lines=).
  xargs: { short: 'adEILnPs', long: ['arg-file', 'delimiter', 'max-args', 'max-procs', 'max-chars', 'process-slot-var'], user: 0, feeds: true },
  command: { short: '', long: [], user: 0 },
  exec: { short: 'a', long: [], user: 0 },
  // GNU time's -f and -o; the shell's `time -p` is a flag.
  time: { short: 'fo', long: ['format', 'output'], user: 0 },
  nice: { short: 'n', long: ['adjustment'], user: 0 },
  nohup: { short: '', long: [], user: 0 },
  // gosu USER COMMAND…, su-exec USER COMMAND… (tianon/gosu, ncopa/su-exec): no options of their own.
  gosu: { short: '', long: [], user: 1 },
  'su-exec': { short: '', long: [], user: 1 },
  // runuser -u USER [--] COMMAND… (util-linux).
  runuser: { short: 'ugGswc', long: ['user', 'group', 'supp-group', 'shell', 'whitelist-environment', 'command', 'session-command'], user: 0, needs: 'u' },
};
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
const PIP_NAME = /^pip[0-9.]*$/;
const PYTHON = /^python[0-9.]*$/;

/**
 * Where the command a runner runs starts (after its options and their values, `--`, and the user
 * it names), or null when it runs none as given (`runuser` without `-u`, `sudo -l`).
 */
function runnerCommand(words: readonly Word[], from: number, runner: (typeof RUNNERS)[string]): number | null {
  let i = from;
  let needed = runner.needs === undefined;
  for (; i < words.length; i++) {
    const word = unquote(words[i]!.raw);
    if (word === '--') {
      i++;
      break;
    }
    if (word === '-' && runner.dash) continue;
    if (!word.startsWith('-') || word === '-') break;
    if (word.startsWith('--')) {
      const name = word.slice(2).split('=')[0]!;
      if (runner.needs !== undefined && name === 'user') needed = true;
      if (!word.includes('=') && runner.long.includes(name)) i++;
      continue;
    }
    // A cluster (`-Hu app`): the first letter that takes a value takes the rest, or the next word.
    for (let c = 1; c < word.length; c++) {
      if (word[c] === runner.needs) needed = true;
      if (runner.short.includes(word[c]!)) {
        if (c === word.length - 1) i++;
        break;
      }
    }
  }
  if (!needed) return null;
  i += runner.user;
  return i < words.length ? i : null;
}

/**
 * Where the program of a command is among its words: past `X=1` settings, the commands that run
 * the rest (RUNNERS: `sudo -H`, `env`, `gosu app`), and RUN's own flags before its command (`RUN
 * --mount=type=cache,target=/root/.cache/pip pip install …`); words.length when there is none.
 */
export function programIndex(words: readonly Word[]): number {
  return programOf(words).index;
}

/** programIndex, and the runner before it that feeds the command words of its input (xargs), if any. */
function programOf(words: readonly Word[]): { index: number; fedBy?: Word } {
  let i = 0;
  let fedBy: Word | undefined;
  while (i < words.length) {
    const word = words[i]!.raw;
    if (ASSIGNMENT.test(word) || word.startsWith('--')) {
      i++;
      continue;
    }
    const runner = RUNNERS[programName(words[i]!)];
    const next = runner === undefined ? null : runnerCommand(words, i + 1, runner);
    if (next === null) break;
    if (runner!.feeds) fedBy ??= words[i];
    i = next;
  }
  return fedBy === undefined ? { index: i } : { index: i, fedBy };
}

/** Programs that run a shell's `-c` script as another user: `su [USER] -c '…' [USER]`, and `runuser` so (without `-u`). */
export const SU_PROGRAMS = new Set(['su', 'runuser']);
/** su's (util-linux, BusyBox) options that take the next word as their value, besides `-c` / `--command`. */
const SU_VALUED = { short: 'sgGw', long: ['shell', 'group', 'supp-group', 'whitelist-environment'] };

/**
 * Which word (from `from`) holds the script `su` hands the user's shell with `-c` / `--command`,
 * and how many characters of it come before the script (`--command=…`), or null when it is given
 * none. GNU su reads its options wherever they are (`su app -c '…'`); BusyBox's hands `-c '…'`
 * after the user to the shell, which runs it alike. `literal`: the words are an exec-form RUN's
 * strings, given as they are (no quotes to take off). Looks at the words once.
 */
export function suScript(words: readonly string[], from: number, literal = false): { at: number; skip: number } | null {
  for (let i = from; i < words.length; i++) {
    const word = literal ? words[i]! : unquote(words[i]!);
    if (word === '--') return null;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = word.slice(2, eq === -1 ? undefined : eq);
      if (name === 'command' || name === 'session-command') {
        if (eq === -1) return i + 1 < words.length ? { at: i + 1, skip: 0 } : null;
        // Written plainly up to the `=`: the script is what follows it in the word.
        const skip = words[i]!.indexOf('=') + 1;
        return words[i]!.slice(0, skip) === word.slice(0, skip) ? { at: i, skip } : null;
      }
      if (eq === -1 && SU_VALUED.long.includes(name)) i++;
    } else if (word.startsWith('-') && word !== '-') {
      for (let c = 1; c < word.length; c++) {
        if (word[c] === 'c') {
          if (c < word.length - 1) return words[i]!.startsWith(word.slice(0, c + 1)) ? { at: i, skip: c + 1 } : null;
          return i + 1 < words.length ? { at: i + 1, skip: 0 } : null;
        }
        if (SU_VALUED.short.includes(word[c]!)) {
          if (c === word.length - 1) i++;
          break;
        }
      }
    }
  }
  return null;
}

/** The program's name without its folder (`/usr/local/bin/pip3` is `pip3`). */
export function programName(word: Word): string {
  const name = unquote(word.raw);
  return name.slice(name.lastIndexOf('/') + 1);
}

/**
 * What the command installs with pip, uv or pipx, or null when it is no such install. One xargs
 * feeds (`cat requirements.txt | xargs -n 1 pip install`) is said as not read, none of it guessed:
 * its input's words (or, with -I, the words it fills in) are what it installs.
 */
export function installCommand(words: readonly Word[]): InstallCommand | null {
  const { index, fedBy } = programOf(words);
  const command = installCommandAt(words, index);
  if (command === null || fedBy === undefined) return command;
  const label = `${programName(fedBy)} ${command.label}`;
  const message = `${label}: xargs adds words it reads from its input to the command, so what it installs was not read; install from a requirements file instead (pip install -r FILE), which Depwatch reads`;
  return { label, program: command.program, installer: command.installer, options: [], requirements: [], unread: [{ line: fedBy.line, message }] };
}

function installCommandAt(words: readonly Word[], from: number): InstallCommand | null {
  let i = from;
  if (i >= words.length) return null;
  const program = programName(words[i++]!);
  if (PIP_NAME.test(program)) return pipInstall(words, i, 'pip');
  if (program === 'pipx') return pipxCommand(words, i);
  if (program === 'uv') return uvCommand(words, i);
  if (program === 'uvx') return uvToolCommand(words, i, 'run', 'uvx');
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
  const options = installer === 'pip' ? PIP : UV_PIP_INSTALL;
  const sub = subcommandAt(words, from, options);
  if (sub === null || unquote(words[sub]!.raw) !== 'install') return null;
  const read = readArguments([...words.slice(from, sub), ...words.slice(sub + 1)], options, Infinity);
  const command: InstallCommand = { label: 'pip install', program: 'pip', installer, options: read.options, requirements: read.args.map((word) => ({ word, editable: false })), unread: [] };
  if (read.ambiguous) command.refused = refusal(command.label, read.ambiguous);
  sayUncertain(command, read.uncertain);
  return command;
}

/**
 * `uv pip install …`, `uv tool install …` and `uv tool run …`, past uv's global options; `uv add`
 * is said as not read: it changes the project's pyproject.toml and uv.lock in the image, which the
 * tree's copies (read by discovery) do not show.
 */
function uvCommand(words: readonly Word[], from: number): InstallCommand | null {
  const sub = subcommandAt(words, from, UV_GLOBAL);
  if (sub === null) return null;
  const name = unquote(words[sub]!.raw);
  if (name === 'pip') return pipInstall(words, sub + 1, 'uv');
  if (name === 'add') {
    const line = words[sub]!.line;
    const message = 'uv add: adds packages to the pyproject.toml and uv.lock of the project in the image, not the ones in the tree, so what it installs was not read; add them to the project in the repository, or install them with uv pip install';
    return { label: 'uv add', program: 'uv', installer: 'uv', options: [], requirements: [], unread: [{ line, message }] };
  }
  if (name === 'run') return uvRunCommand(words, sub + 1);
  if (name !== 'tool') return null;
  const tool = subcommandAt(words, sub + 1, UV_GLOBAL);
  const action = tool === null ? null : unquote(words[tool]!.raw);
  if (action === 'install') return uvToolCommand(words, tool! + 1, 'install', 'uv tool install');
  return action === 'run' ? uvToolCommand(words, tool! + 1, 'run', 'uv tool run') : null;
}

/**
 * `uv tool install PACKAGE` and `uvx COMMAND ARGS…` / `uv tool run COMMAND ARGS…`: the tool (the
 * positional, or `--from`'s value with the positional only the command's name), and what `--with`,
 * `--with-editable` and `--with-executables-from` install alongside, read as uv reads them
 * (requirementValues). A Python interpreter as the tool (`uvx python@3.12`) installs no package.
 */
function uvToolCommand(words: readonly Word[], from: number, action: 'install' | 'run', label: string): InstallCommand {
  // `uvx COMMAND ARGS…`: what follows the command is the command's.
  const read = readArguments(words.slice(from), UV_TOOL[action], action === 'run' ? 1 : Infinity);
  const command: InstallCommand = { label, program: 'uv', installer: 'uv', options: [], requirements: [], unread: [] };
  const editable = read.options.some((o) => o.name === 'editable');
  let fromOption = false;
  for (const option of read.options) {
    const word: Word = { raw: option.raw, line: option.valueLine, ...(option.outerValue ? { outerValue: true } : {}) };
    if (option.name === 'from') {
      fromOption = true;
      command.requirements.push({ word, editable, form: 'uv-target' });
    } else if (option.name === 'with' || option.name === 'with-executables-from') command.requirements.push({ word, editable: false, form: 'uv-list' });
    else if (option.name === 'with-editable') command.requirements.push({ word, editable: true, form: 'uv-list' });
    // A list of files split at its commas (uv's value_delimiter), as uv run's.
    else if (option.name === 'with-requirements') command.options.push({ ...option, name: 'requirement', list: ',' });
    else if (option.name !== 'editable') command.options.push(option);
  }
  const tool = read.args[0];
  if (tool !== undefined && !fromOption) command.requirements.unshift({ word: tool, editable, form: 'uv-target' });
  sayUncertain(command, read.uncertain);
  return command;
}

/**
 * `uv run … COMMAND ARGS…`: what `--with` and `--with-editable` install alongside the command (read
 * as uvx's), and the `--with-requirements` files. The project it runs in is the tree's, read by
 * discovery; the command's own words are the command's.
 */
function uvRunCommand(words: readonly Word[], from: number): InstallCommand {
  const read = readArguments(words.slice(from), UV_RUN, 1);
  const command: InstallCommand = { label: 'uv run', program: 'uv', installer: 'uv', options: [], requirements: [], unread: [] };
  for (const option of read.options) {
    const word: Word = { raw: option.raw, line: option.valueLine, ...(option.outerValue ? { outerValue: true } : {}) };
    if (option.name === 'with') command.requirements.push({ word, editable: false, form: 'uv-list' });
    else if (option.name === 'with-editable') command.requirements.push({ word, editable: true, form: 'uv-list' });
    else if (option.name === 'with-requirements') command.options.push({ ...option, name: 'requirement', list: ',' });
    else command.options.push(option);
  }
  sayUncertain(command, read.uncertain);
  return command;
}

/** A Python interpreter named as a tool (uv's PythonRequest::try_from_tool_name): `python`, `python3.12`, `pypy@3.10`, `graalpy`. */
const INTERPRETER = /^(?:python|pythonw|cpython|pypy|graalpy|pyodide)[0-9.]*(?:@.*)?$/i;
/** A package name as uv takes it before `@` (PEP 508's), with extras. */
const TOOL_AT_VERSION = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(\[[^\]]*\])?@(.+)$/;

/**
 * The requirements a word names, as the program reads it (its shell quoting already removed):
 * pip's and pipx's words are one requirement each; uv's tool (`uv-target`) is `name@version` for
 * `name==version`, `name@latest` for any version, an interpreter for none, and otherwise a
 * requirement; a `--with` list (`uv-list`) is split at the commas outside brackets, except one
 * before a version operator (`pkg>=1,<2` is one), as uv's CommaSeparatedRequirements splits it.
 * Linear in the value.
 */
export function requirementValues(value: string, form: RequirementForm | undefined): string[] {
  if (form === undefined) return [value];
  if (form === 'uv-target') {
    if (INTERPRETER.test(value)) return [];
    const at = TOOL_AT_VERSION.exec(value);
    if (at === null || /^[ \t]*$/.test(at[3]!)) return [value];
    const [, name, extras = '', version] = at;
    if (version === 'latest') return [`${name}${extras}`];
    // A version uv reads as one; anything else after `@` (a URL) makes the whole a requirement.
    return /^[0-9][0-9A-Za-z.+!_-]*$/.test(version!) ? [`${name}${extras}==${version}`] : [value];
  }
  return listParts(value).map(([from, to]) => value.slice(from, to));
}

/**
 * Where each requirement of a `--with` list is in it (offsets, blanks around each left out, empty
 * ones skipped), split as uv's CommaSeparatedRequirements splits it: at the commas outside
 * brackets, except one before a version operator (`pkg>=1,<2` is one). Linear in the value; the
 * fix (src/fix/formats/dockerfile.ts) finds the list's pins by it.
 */
export function listParts(value: string): [from: number, to: number][] {
  const parts: [number, number][] = [];
  const push = (from: number, to: number): void => {
    while (from < to && /\s/.test(value[from]!)) from++;
    while (to > from && /\s/.test(value[to - 1]!)) to--;
    if (to > from) parts.push([from, to]);
  };
  let depth = 0;
  let start = 0;
  for (let k = 0; k < value.length; k++) {
    const c = value[k]!;
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      const next = /\S/.exec(value.slice(k + 1, k + 1 + 64))?.[0];
      if (next !== undefined && '!=<>~'.includes(next)) continue;
      push(start, k);
      start = k + 1;
    }
  }
  push(start, value.length);
  return parts;
}

/** An option not known to be a flag with the next word after it: that word is said, not read as a requirement (nor as the option's value). */
export function sayUncertain(command: InstallCommand, uncertain: readonly { flag: string; word: Word }[]): void {
  const program = command.label.split(' ')[0];
  for (const { flag, word } of uncertain) {
    command.unread.push({
      line: word.line,
      message: `${command.label}: ${clipInput(flag)} is not an option Depwatch knows ${program} to have (a newer release's?), so whether ${clipInput(word.raw)} after it is its value or a package to install is not known, and it was not read; write ${clipInput(flag)}=VALUE if it takes one`,
    });
  }
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
  sayUncertain(command, read.uncertain);
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
export function pipArgs(
  value: string,
  line: number,
): { options: GivenOption[]; requirements: InstallCommand['requirements']; uncertain: { flag: string; word: Word }[]; ambiguous?: { line: number; flag: string; candidates: string[] } } | null {
  let split: string[];
  try {
    split = shlexSplit(value);
  } catch {
    return null;
  }
  // Literal words, each quoted as the shell would leave it.
  const read = readArguments(split.map((word) => ({ raw: `'${word.replace(/'/g, `'\\''`)}'`, line })), PIP, Infinity);
  return { options: read.options, requirements: read.args.map((word) => ({ word, editable: false })), uncertain: read.uncertain, ...(read.ambiguous ? { ambiguous: read.ambiguous } : {}) };
}

/** The message for a command its program refuses: an option that abbreviates several. */
export function refusal(label: string, ambiguous: { line: number; flag: string; candidates: string[] }): { line: number; message: string } {
  const program = label.split(' ')[0];
  return {
    line: ambiguous.line,
    message: `${label}: ${clipInput(ambiguous.flag)} is the start of several options (${ambiguous.candidates.slice(0, 5).join(', ')}${ambiguous.candidates.length > 5 ? ', …' : ''}), which ${program} refuses as ambiguous, so the command fails as written and what it installs was not read; write the option in full`,
  };
}

/**
 * An option word's name and whether the next word is its value, by the program's parser;
 * `ambiguous` when it refuses the word; `unknown` when it is none of the options listed.
 */
function resolveLong(options: OptionTable, flag: string): { name: string; takesValue: boolean; unknown?: true } | { ambiguous: string[] } {
  const exact = options.long.get(flag);
  if (exact !== undefined) return { name: options.same[flag] ?? flag, takesValue: exact };
  const match = options.abbreviable.length === 0 ? null : matchAbbreviation(`--${flag}`, options.abbreviable);
  // Not an option of the program as we know it (a newer release's?): whether it takes a value is not known.
  if (match === null) return { name: flag, takesValue: false, unknown: true };
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
function readArguments(
  words: readonly Word[],
  options: OptionTable,
  maxArgs: number,
): { options: GivenOption[]; args: Word[]; uncertain: { flag: string; word: Word }[]; ambiguous?: { line: number; flag: string; candidates: string[] } } {
  const found: GivenOption[] = [];
  const args: Word[] = [];
  const uncertain: { flag: string; word: Word }[] = [];
  /**
   * After an option not listed (at `i`): the word its value would be, if it took one, is neither
   * read as a requirement nor as an option; the index of the last word that reading passes. A word
   * that looks like an option is a value only to optparse (pip), and then the word that option
   * itself would take is the one in doubt.
   */
  const unknownOption = (flag: string, i: number): number => {
    const next = words[i + 1];
    if (next === undefined) return i;
    const given = optionWord(next.raw);
    if (given === null) {
      uncertain.push({ flag, word: next });
      return i + 1;
    }
    if (!options.hyphenValues || given.text === '--' || !takesNextWord(options, given.text) || words[i + 2] === undefined) return i;
    uncertain.push({ flag, word: words[i + 2]! });
    return i + 2;
  };
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
      if ('ambiguous' in resolved) return { options: found, args, uncertain, ambiguous: { line: at.line, flag: `--${flag}`, candidates: resolved.ambiguous } };
      if (eq !== -1) option(resolved.name, at, cut(word.slice(eq + 1)), at);
      else if (resolved.unknown) i = unknownOption(`--${flag}`, i);
      else if (resolved.takesValue) {
        const next = words[++i];
        option(resolved.name, at, next?.raw ?? '', next ?? at);
      } else option(resolved.name, at, '', at);
    } else {
      for (let c = 1; c < word.length; c++) {
        const short = options.short[word[c]!];
        if (short === undefined) {
          // A letter not listed: it may take the rest of the word as its value, or the next word.
          if (c === word.length - 1) i = unknownOption(`-${word[c]}`, i);
          break;
        }
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
  return { options: found, args, uncertain };
}
