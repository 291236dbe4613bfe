/**
 * The Python packages a Dockerfile installs with pip: `pip install`, `pip3 install`, `python -m pip
 * install`, `python3.12 -m pip install` and `uv pip install` in its RUN instructions (anywhere in
 * the command line: after `&&`, `;`, `|`, in an exec-form shell's `-c` script or a here-document a
 * shell runs), read as the shell splits them: quotes removed, redirections dropped (`flask>=2`
 * unquoted is `flask` with its output sent to a file named `=2`, as the shell runs it), options
 * told from arguments. What hadolint's DL3013 and Trivy look at, as requirements of the Dockerfile,
 * so the audit reads them as any pin or range:
 *
 * - each argument is read as pip reads it (./requirements.ts requirementArgument): `flask==2.0.1`
 *   is a pin, `flask>=2` a range, `pkg[extra]==1` keeps its extras, `.`, `-e .` and local paths are
 *   local projects, URLs and VCS links keep their source;
 * - `-i`/`--index-url`, `--extra-index-url`, `--find-links`, `--trusted-host` are the file's options
 *   (uv's `--index` too, as an extra index: its `--index-strategy` may merge them as pip does, and
 *   the command line has no explicit index to tie a package to, so it is rated as pip's);
 * - `-r file` / `-c file` name a file in the image: one named like a requirements file is read by
 *   discovery when it is in the tree (never counted twice), another is said in a notice;
 * - a variable an earlier ENV of the stage (or of the stage it is built FROM) sets to a plain value
 *   is put in, as Docker gives it to the shell (`ENV POETRY_VERSION=1.8.5` then `pip install
 *   "poetry==$POETRY_VERSION"`); any other shell value (a build argument, `$PKG` set elsewhere,
 *   `$(cat …)`) or a file pattern (`*.whl`) is known only when the image is built: the argument is
 *   not read, and says so (the audit is partial), as a setup.py value computed at run time is.
 *
 * The shell's text comes from the code scan's reading of RUN (src/scan/runtime/run-scripts.ts), so
 * both read the same commands. Linear in the text: each command is split once, each word read once.
 */
import { clipInput, singleQuoteInput } from '../../quoted-input.js';
import { execFormWords, keyValues, parseDockerfile, unquote, type Instruction } from '../../scan/runtime/dockerfile.js';
import { isDockerfilePath } from '../../scan/paths.js';
import { commandWords, runScripts } from '../../scan/runtime/run-scripts.js';
import type { Dependency, ExtractContext, ExtractResult, ManifestFormatModule } from '../types.js';
import { ManifestCollector } from './collector.js';
import { FORMAT_PATHS } from './paths.js';
import { requirementArgument } from './requirements.js';
import { undecodableLineMessage, withoutByteOrderMark } from './undecodable.js';

/** Which installer a command runs: pip's options and uv's differ in a few names. */
type Installer = 'pip' | 'uv';

/** Commands that run the next word as the program (`sudo pip install`, `env X=1 pip install`). */
const PREFIXES = new Set(['sudo', 'env', 'command', 'exec', 'time', 'nice', 'nohup']);
/** Their options that take the next word (`sudo -u app pip install`). */
const PREFIX_VALUE_OPTIONS = new Set(['-u', '-g', '-C', '-h', '-p', '-n']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
const PIP = /^pip[0-9.]*$/;
const PYTHON = /^python[0-9.]*$/;

/**
 * Options of pip and uv (before and after `install`) that take a value, without dashes: the word
 * after them is their value, not a requirement. Any other option is taken to stand alone.
 */
const VALUE_OPTIONS = new Set([
  // pip install and pip's general options
  'requirement', 'constraint', 'editable', 'target', 'platform', 'python-version', 'implementation', 'abi', 'root', 'prefix',
  'src', 'upgrade-strategy', 'config-settings', 'global-option', 'install-option', 'build-option', 'no-binary', 'only-binary',
  'progress-bar', 'root-user-action', 'report', 'index-url', 'extra-index-url', 'find-links', 'trusted-host', 'log', 'log-file',
  'proxy', 'retries', 'timeout', 'exists-action', 'cert', 'client-cert', 'cache-dir', 'python', 'keyring-provider', 'use-feature',
  'use-deprecated', 'group', 'resume-retries', 'build', 'pypi-url',
  // uv pip install and uv's general options
  'requirements', 'constraints', 'overrides', 'override', 'build-constraints', 'build-constraint', 'index', 'default-index',
  'index-strategy', 'resolution', 'prerelease', 'exclude-newer', 'link-mode', 'python-platform', 'extra', 'torch-backend',
  'directory', 'project', 'config-file', 'color', 'upgrade-package', 'reinstall-package', 'no-build-isolation-package',
  'refresh-package', 'allow-insecure-host', 'config-setting', 'fork-strategy', 'excludes', 'exclude',
]);
/** Short options of pip and uv that take a value (`-r`, `-c`, `-e`, `-t`, `-i`, `-f`, `-b`, `-C`, uv's `-p`, `-P`). */
const SHORT_VALUE_OPTIONS: Record<string, string> = { r: 'requirement', c: 'constraint', e: 'editable', t: 'target', i: 'index-url', f: 'find-links', b: 'build', C: 'config-settings', p: 'python', P: 'upgrade-package' };
/** Long names that mean the same (uv's plural `--requirements`, pip's old `--pypi-url`). */
const SAME_AS: Record<string, string> = { requirements: 'requirement', constraints: 'constraint', 'pypi-url': 'index-url', 'default-index': 'index-url', 'allow-insecure-host': 'trusted-host' };

/** One option as given: its name (long, no dashes) and value ('' for a flag). */
interface GivenOption {
  name: string;
  value: string;
  /** The value's word as written (quotes kept), to tell a shell variable. */
  raw: string;
}

/**
 * The options and arguments of a pip or uv `install` command, or null when the command is not one.
 * `words`: the command's words as written (quotes kept).
 */
function installCommand(words: readonly string[]): { installer: Installer; options: GivenOption[]; args: string[] } | null {
  let i = 0;
  // `X=1 pip install`, `sudo -H pip install`, `env PIP_NO_CACHE_DIR=1 pip install`, and RUN's own
  // flags before its command (`RUN --mount=type=cache,target=/root/.cache/pip pip install …`).
  while (i < words.length) {
    const word = words[i]!;
    if (ASSIGNMENT.test(word) || word.startsWith('--')) i++;
    else if (PREFIXES.has(word)) {
      i++;
      while (i < words.length && words[i]!.startsWith('-')) i += PREFIX_VALUE_OPTIONS.has(words[i]!) ? 2 : 1;
    } else break;
  }
  if (i >= words.length) return null;
  const program = programName(words[i++]!);
  let installer: Installer;
  if (PIP.test(program)) installer = 'pip';
  else if (PYTHON.test(program)) {
    // `python3 -u -m pip install`: pip as a module, after the interpreter's own options.
    while (i < words.length && words[i]!.startsWith('-') && !words[i]!.startsWith('-m')) i += /^-[WX]$/.test(words[i]!) ? 2 : 1;
    const module = words[i] === '-m' ? unquote(words[i + 1] ?? '') : words[i]?.startsWith('-m') ? unquote(words[i]!.slice(2)) : null;
    if (module !== 'pip') return null;
    i += words[i] === '-m' ? 2 : 1;
    installer = 'pip';
  } else if (program === 'uv') {
    const sub = subcommandAt(words, i);
    if (sub === null || unquote(words[sub.at]!) !== 'pip') return null;
    i = sub.at + 1;
    installer = 'uv';
  } else return null;
  const before = subcommandAt(words, i);
  if (before === null || unquote(words[before.at]!) !== 'install') return null;
  // General options before `install` (`pip --no-cache-dir install`) count as its own.
  const read = readArguments([...words.slice(i, before.at), ...words.slice(before.at + 1)]);
  return { installer, ...read };
}

/** The program's name without its folder (`/usr/local/bin/pip3` is `pip3`). */
function programName(word: string): string {
  const name = unquote(word);
  return name.slice(name.lastIndexOf('/') + 1);
}

/** The first word from `from` that is not an option or an option's value: a subcommand (`install`, uv's `pip`). */
function subcommandAt(words: readonly string[], from: number): { at: number } | null {
  let i = from;
  while (i < words.length) {
    const word = words[i]!;
    if (!word.startsWith('-')) return { at: i };
    i += takesNextWord(word) ? 2 : 1;
  }
  return null;
}

/** Whether an option word (`--cache-dir`, `-r`) is followed by its value as the next word. */
function takesNextWord(word: string): boolean {
  if (word.startsWith('--')) return !word.includes('=') && VALUE_OPTIONS.has(word.slice(2));
  // `-r` alone, or a cluster whose last letter takes a value (`-Ur`); `-rfile` holds its value.
  for (let c = 1; c < word.length; c++) if (SHORT_VALUE_OPTIONS[word[c]!] !== undefined) return c === word.length - 1;
  return false;
}

/** Options (with their values) and arguments, as optparse and uv's parser tell them apart; after `--` all are arguments. */
function readArguments(words: readonly string[]): { options: GivenOption[]; args: string[] } {
  const options: GivenOption[] = [];
  const args: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === '--') {
      for (let k = i + 1; k < words.length; k++) args.push(words[k]!);
      break;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const flag = eq === -1 ? word.slice(2) : word.slice(2, eq);
      const name = SAME_AS[flag] ?? flag;
      if (eq !== -1) options.push({ name, value: unquote(word.slice(eq + 1)), raw: word.slice(eq + 1) });
      else if (VALUE_OPTIONS.has(flag)) {
        const raw = words[++i] ?? '';
        options.push({ name, value: unquote(raw), raw });
      } else options.push({ name, value: '', raw: '' });
    } else if (word.startsWith('-') && word.length > 1) {
      for (let c = 1; c < word.length; c++) {
        const name = SHORT_VALUE_OPTIONS[word[c]!];
        if (name === undefined) continue;
        // uv's `-p` is its Python; pip has no `-p` (nothing else takes it), so it is read the same.
        const raw = c < word.length - 1 ? word.slice(c + 1) : (words[++i] ?? '');
        options.push({ name, value: unquote(raw), raw });
        break;
      }
    } else args.push(word);
  }
  return { options, args };
}

/**
 * Whether a word as written has something the shell fills in when it runs: `$NAME`, `${NAME}`,
 * `$(command)`, `` `command` `` outside single quotes (the build's values, not the file's).
 */
function expands(raw: string): boolean {
  let quote: '"' | "'" | null = null;
  for (let k = 0; k < raw.length; k++) {
    const c = raw[k]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      continue;
    }
    if (c === '\\') {
      k++;
      continue;
    }
    if (c === '`') return true;
    if (c === '$' && k + 1 < raw.length && /[A-Za-z_{(0-9@*#?$!-]/.test(raw[k + 1]!)) return true;
    if (c === '"') quote = quote === '"' ? null : '"';
    else if (c === "'" && quote === null) quote = "'";
  }
  return false;
}

/** Whether a word as written is a file pattern the shell expands (`*`, `?` outside quotes): the files only the build has. */
function isPattern(raw: string): boolean {
  let quote: '"' | "'" | null = null;
  for (let k = 0; k < raw.length; k++) {
    const c = raw[k]!;
    if (quote !== null) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"') k++;
    } else if (c === '\\') k++;
    else if (c === '"' || c === "'") quote = c;
    else if (c === '*' || c === '?') return true;
  }
  return false;
}

/** Whether a file given to `-r` / `-c` is one discovery reads by its name (a requirements file, a pyproject.toml…). */
function isDiscoveredName(path: string): boolean {
  return FORMAT_PATHS.some((m) => m.format !== 'dockerfile' && m.matches(path));
}

/** Options that name where packages come from, by the name the audit's rules read (./requirements.ts keeps pip's). */
const URL_OPTIONS: Record<Installer, Record<string, string>> = {
  pip: { 'index-url': 'index-url', 'extra-index-url': 'extra-index-url', 'find-links': 'find-links' },
  // uv stops at the first index with the name by default, but `--index-strategy unsafe-best-match`
  // (or UV_INDEX_STRATEGY in the image) merges them, and nothing on the line ties a package to one.
  uv: { 'index-url': 'index-url', 'extra-index-url': 'extra-index-url', index: 'extra-index-url', 'find-links': 'find-links' },
};
/** Flags kept as the file's options, as a requirements file's are. */
const FLAG_OPTIONS = new Set(['no-index', 'require-hashes', 'pre']);
/** Valued options kept as the file's options. */
const VALUE_KEPT = new Set(['trusted-host', 'no-binary', 'only-binary']);

const VARIABLE_ADVICE = 'write the requirement in the Dockerfile, or install from a pinned requirements file';

export function extractDockerfile(text: string, context: ExtractContext): ExtractResult {
  const out = new ManifestCollector(context.file);
  const notices: string[] = [];
  const { content } = withoutByteOrderMark(text, context.undecodable);
  const hasUndecodable = (context.undecodable?.length ?? 0) > 0;
  const dockerfile = parseDockerfile(content);
  // A here-document never closed: what follows it was not read as instructions.
  for (const problem of dockerfile.problems) out.error(null, problem);

  /** Each named stage's ENV at its end: a stage built FROM it starts with them. */
  const envOfStage = new Map<string, ReadonlyMap<string, string>>();
  const runs: { ins: Instruction; env: ReadonlyMap<string, string> }[] = [];
  for (const stage of dockerfile.stages) {
    const env = new Map(envOfStage.get(stage.image.toLowerCase()) ?? []);
    for (const ins of stage.instructions) {
      if (ins.keyword === 'ENV') setEnv(env, ins.args);
      else if (ins.keyword === 'RUN') runs.push({ ins, env: new Map(env) });
    }
    if (stage.name !== null) envOfStage.set(stage.name, env);
  }
  for (const { ins, env } of runs) {
    if (out.full) {
      out.stopReading(ins.line);
      break;
    }
    const withEnv = envSubstitution(ins, env);
    for (const words of commandsOf(ins)) {
      const command = installCommand(words);
      if (command === null) continue;
      const where = `${context.file}:${ins.line}`;
      const unreadable = (raw: string): boolean => {
        if (hasUndecodable && /[\uFFFD\u0000]/.test(raw)) {
          out.error(ins.line, undecodableLineMessage(raw.includes('\u0000')));
          return true;
        }
        if (expands(raw)) {
          out.error(ins.line, `pip install ${clipInput(raw)}: a shell value, known only when the image is built, so what it installs was not read (${VARIABLE_ADVICE})`);
          return true;
        }
        return false;
      };
      for (const given of command.options) {
        const raw = withEnv(given.raw);
        if (raw !== '' && unreadable(raw)) continue;
        const option = raw === given.raw ? given : { ...given, value: unquote(raw), raw };
        const urlName = URL_OPTIONS[command.installer][option.name];
        if (urlName !== undefined) out.urlOption(urlName, option.value, ins.line);
        else if (FLAG_OPTIONS.has(option.name)) out.option(option.name, '', ins.line);
        else if (VALUE_KEPT.has(option.name)) out.option(option.name, option.value, ins.line);
        else if (option.name === 'editable') readArgument(out, option.value, true, ins.line, context.file);
        else if ((option.name === 'requirement' || option.name === 'constraint') && !isDiscoveredName(option.value)) {
          // A path in the image: the tree's file of that name, when there is one, is read by discovery only if its name says requirements.
          notices.push(
            `${where}: pip installs ${option.name === 'requirement' ? 'the requirements' : 'the constraints'} of ${singleQuoteInput(clipInput(option.value))} (-${option.name === 'requirement' ? 'r' : 'c'}), a file Depwatch does not find by its name; audit it by naming it (depwatch audit FILE)`,
          );
        }
      }
      for (const written of command.args) {
        const raw = withEnv(written);
        if (unreadable(raw)) continue;
        if (isPattern(raw)) {
          out.error(ins.line, `pip install ${clipInput(raw)}: a file pattern, matched against the files of the image when it is built, so what it installs was not read`);
          continue;
        }
        const value = unquote(raw);
        if (value !== '') readArgument(out, value, false, ins.line, context.file);
      }
    }
  }
  return { dependencies: out.dependencies, errors: out.errors, options: out.options, ...(notices.length === 0 ? {} : { notices }) };
}

/**
 * A value ENV sets that the shell puts into a word as it is: a name, a version, a specifier
 * (`1.8.5`, `>=2,<3`). Anything else (a space the shell would split at, a quote, another `$`) is
 * left unresolved, and the word is said as not read.
 */
const PLAIN_VALUE = /^[A-Za-z0-9_.+!~=<>,-]+$/;

/** ENV's settings (keyValues: its `KEY=value` and legacy `KEY value` forms) into `env`; a value that is not plain takes the name out. */
function setEnv(env: Map<string, string>, args: string): void {
  for (const { key, value } of keyValues('ENV', args)) {
    if (value !== null && PLAIN_VALUE.test(value)) env.set(key, value);
    else env.delete(key);
  }
}

/** `$NAME` / `${NAME}` at the start of the text (sticky): the name. */
const REFERENCE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/y;
/** A shell assignment of a name (`V=2`, `export V=2`): the RUN may change what ENV set. */
const ASSIGNED = /(?:^|[\s;&|(])([A-Za-z_][A-Za-z0-9_]*)=/g;

/**
 * A word as written, with the references to what ENV set before this RUN put in, as Docker's
 * environment gives them to the shell (`pip install "poetry==$POETRY_VERSION"` after `ENV
 * POETRY_VERSION=1.8.5`). Not a build argument (ARG): `--build-arg` changes it at build time. Not a
 * name the RUN's own script assigns. Inside single quotes the shell substitutes nothing.
 */
function envSubstitution(ins: Instruction, env: ReadonlyMap<string, string>): (raw: string) => string {
  if (env.size === 0) return (raw) => raw;
  const usable = new Map(env);
  for (const script of runScripts(ins, Infinity)) for (const match of script.matchAll(ASSIGNED)) usable.delete(match[1]!);
  return (raw) => {
    if (!raw.includes('$')) return raw;
    let out = '';
    let quote: '"' | "'" | null = null;
    for (let k = 0; k < raw.length; k++) {
      const c = raw[k]!;
      if (quote !== "'" && c === '$') {
        REFERENCE.lastIndex = k;
        const match = REFERENCE.exec(raw);
        const value = match === null ? undefined : usable.get((match[1] ?? match[2])!);
        if (match !== null && value !== undefined) {
          out += value;
          k += match[0].length - 1;
          continue;
        }
      }
      if (quote === "'") {
        if (c === "'") quote = null;
      } else if (c === '\\' && k + 1 < raw.length) {
        out += c + raw[++k];
        continue;
      } else if (c === '"') quote = quote === '"' ? null : '"';
      else if (c === "'" && quote === null) quote = "'";
      out += c;
    }
    return out;
  };
}

/** One requirement of a `pip install` command, read as pip reads it, as an entry of the Dockerfile (or one error). */
function readArgument(out: ManifestCollector, value: string, editable: boolean, line: number, file: string): void {
  const read = requirementArgument(value, editable);
  if (!read.ok) {
    out.error(line, `pip install: ${read.message}`);
    return;
  }
  for (const note of read.notes) out.error(line, note);
  const { parts } = read;
  const dependency: Dependency = {
    name: parts.name,
    version: parts.version,
    specifier: parts.specifier,
    extras: parts.extras,
    marker: parts.marker,
    source: parts.source,
    editable,
    kind: 'requirement',
    group: 'main',
    direct: true,
    file,
    line,
  };
  if (parts.url !== undefined) dependency.url = parts.url;
  out.dependency(dependency);
}

/**
 * The commands a RUN runs, each as its words as written (quotes kept): the shell's commands, one
 * after the other, split at `;`, `&&`, `||`, `|`, `&` and parentheses; an exec-form RUN that starts a
 * program other than a shell (`RUN ["pip", "install", "flask"]`) is that one command, its words
 * taken literally (no shell expands them).
 */
function* commandsOf(ins: Instruction): Generator<string[]> {
  const exec = execFormWords(ins.args);
  if (exec !== null && !/(?:^|\/)(?:sh|bash|zsh|dash|ash|ksh)$/.test(exec[0] ?? '')) {
    yield exec.map((word) => `'${word.replace(/'/g, `'\\''`)}'`);
    return;
  }
  for (const script of runScripts(ins, Infinity)) {
    let k = 0;
    while (k < script.length) {
      const command = commandWords(script, k, Infinity);
      if (command.words.length > 0) yield command.words;
      k = command.end + 1;
    }
  }
}

export const dockerfileFormat: ManifestFormatModule = {
  format: 'dockerfile',
  matches: isDockerfilePath,
  extract: extractDockerfile,
};
