/**
 * The Python packages a Dockerfile installs with pip, uv or pipx: `pip install`, `pip3 install`,
 * `python -m pip install`, `python3.12 -m pip install`, `uv pip install`, `uv tool install`, `uvx`,
 * `uv tool run`, `uv run --with`, `pipx install`, `pipx inject`, `pipx run` and `pipx runpip` in its RUN
 * instructions and its `ONBUILD RUN`s (which run in the images built FROM it), anywhere in the
 * command line: after `&&`, `;`, `|`, after a command that runs it as another user (`gosu app`,
 * `runuser -u app --`), in a shell's `-c` script (exec form, or `bash -c "…"` in the command line,
 * or the script `su app -c "…"` hands the user's shell, one inside another), in a here-document a
 * shell runs. Read as the shell splits them: quotes removed, redirections dropped (`flask>=2`
 * unquoted is `flask` with its output sent to a file named `=2`, as the shell runs it), options
 * told from arguments as each program's parser tells them (./install-commands.ts). What hadolint's
 * DL3013 and Trivy look at, as requirements of the Dockerfile, so the audit reads them as any pin
 * or range:
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
 * Each entry, option and problem is at the line its word is written on (a continuation line, a
 * here-document's line), so the audit, `deps` and `depwatch fix` point at the requirement itself.
 * The shell's text comes from the code scan's reading of RUN (src/scan/runtime/run-scripts.ts), so
 * both read the same commands. Linear in the text: each command is split once, each word read once
 * (a `-c` script once more for each shell it is nested in, at most MAX_NESTED_SHELLS).
 */
import { clipInput, singleQuoteInput } from '../../quoted-input.js';
import { execFormWordsAt, keyValues, lineInArgs, parseDockerfile, unquote, type Instruction } from '../../scan/runtime/dockerfile.js';
import { isDockerfilePath } from '../../scan/paths.js';
import { commandWords, dashCScript, locatedRunScripts, runScripts } from '../../scan/runtime/run-scripts.js';
import type { Dependency, ExtractContext, ExtractResult, ManifestFormatModule } from '../types.js';
import { ManifestCollector } from './collector.js';
import { installCommand, pipArgs, programIndex, programName, refusal, requirementValues, sayUncertain, SU_PROGRAMS, suScript, type GivenOption, type InstallCommand, type Installer, type Word } from './install-commands.js';
import { FORMAT_PATHS } from './paths.js';
import { requirementArgument } from './requirements.js';
import { undecodableLineMessage, withoutByteOrderMark } from './undecodable.js';
import { partitionPoint } from '../../sorted.js';

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
  // pipx's own --index-url is pip's (its --pip-args are read as pip's options).
  pipx: { 'index-url': 'index-url' },
};
/** Flags kept as the file's options, as a requirements file's are. */
const FLAG_OPTIONS = new Set(['no-index', 'require-hashes', 'pre']);
/** Valued options kept as the file's options. */
const VALUE_KEPT = new Set(['trusted-host', 'no-binary', 'only-binary']);
/** Options that name a file in the image whose packages are installed: what the notice says of each. */
const FILE_OPTIONS: Record<string, { what: string; flag: string }> = {
  requirement: { what: 'the requirements of', flag: '-r' },
  constraint: { what: 'the constraints of', flag: '-c' },
  'requirements-from-script': { what: 'the dependencies of the script', flag: '--requirements-from-script' },
  lock: { what: 'the environment locked in', flag: '--lock' },
};

const VARIABLE_ADVICE = 'write the requirement in the Dockerfile, or install from a pinned requirements file';

/** How many shells' `-c` scripts, one inside another, are read (`sh -c "bash -c '…'"`); past them, the script is said as not read. */
const MAX_NESTED_SHELLS = 4;

/**
 * The longest `-c` script read (64 KiB, far beyond any real RUN's): each character a shell escapes
 * there is mapped back to its line on its own, and at a few megabytes of escapes that bookkeeping
 * made the collector's work grow faster than the text (1.5 s for 4 MB). A longer one is said and
 * not read, as one nested too deep is.
 */
const MAX_SCRIPT_CHARS = 65_536;

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
      else if (ins.keyword === 'ONBUILD') {
        // It runs in an image built FROM this one, first thing, with the ENV this image ends with:
        // the stage's map, which its later ENVs still change.
        const run = onbuildRun(ins);
        if (run !== null) runs.push({ ins: run, env });
      }
    }
    if (stage.name !== null) envOfStage.set(stage.name, env);
  }
  /** What ENV sets, as the RUN being read sees it. */
  let withEnv: EnvValues;
  for (const { ins, env } of runs) {
    if (out.full) {
      out.stopReading(ins.line);
      break;
    }
    withEnv = envSubstitution(ins, env);
    for (const words of commandsOf(ins, withEnv, (line, message) => out.error(line, message))) {
      const command = installCommand(words);
      if (command !== null) readCommand(command);
    }
  }
  return { dependencies: out.dependencies, errors: out.errors, options: out.options, ...(notices.length === 0 ? {} : { notices }) };

  function readCommand(command: InstallCommand): void {
    if (command.refused) {
      out.error(command.refused.line, command.refused.message);
      return;
    }
    for (const unread of command.unread) out.error(unread.line, unread.message);
    for (const given of command.options) readOption(command, given);
    for (const { word, editable, form } of command.requirements) {
      const raw = usable(command, word.raw, word.line, word.outerValue);
      if (raw === null) continue;
      for (const value of requirementValues(unquote(raw), form)) readArgument(out, value, editable, word.line, context.file);
    }
  }

  function readOption(command: InstallCommand, given: GivenOption): void {
    let option = given;
    if (given.raw !== '') {
      const raw = usable(command, given.raw, given.valueLine, given.outerValue, true);
      if (raw === null) return;
      if (raw !== given.raw) option = { ...given, value: unquote(raw), raw };
    }
    const urlName = URL_OPTIONS[command.installer][option.name];
    if (urlName !== undefined) out.urlOption(urlName, option.value, option.line);
    else if (FLAG_OPTIONS.has(option.name)) out.option(option.name, '', option.line);
    else if (VALUE_KEPT.has(option.name)) out.option(option.name, option.value, option.line);
    else if (option.name === 'editable' && option.raw !== '') readArgument(out, option.value, true, option.valueLine, context.file);
    else if (option.name === 'pip-args') readPipArgs(command, option);
    else if (FILE_OPTIONS[option.name] !== undefined) {
      const { what, flag } = FILE_OPTIONS[option.name]!;
      for (const path of option.list === undefined ? [option.value] : option.value.split(option.list)) {
        // A path in the image: the tree's file of that name, when there is one, is read by discovery only if its name says requirements.
        if ((option.list !== undefined && path === '') || isDiscoveredName(path)) continue;
        notices.push(
          `${context.file}:${option.line}: ${command.program} installs ${what} ${singleQuoteInput(clipInput(path))} (${flag}), a file Depwatch does not find by its name; audit it by naming it (depwatch audit FILE)`,
        );
      }
    }
  }

  /** pipx's `--pip-args "…"`: pip's own options and requirements, on the line of the value. */
  function readPipArgs(command: InstallCommand, option: GivenOption): void {
    const read = pipArgs(option.value, option.valueLine);
    if (read === null) {
      out.error(option.valueLine, `${command.label} --pip-args ${clipInput(option.raw)}: pipx cannot split it into words (an unclosed quote), so what it gives pip was not read`);
      return;
    }
    if (read.ambiguous) {
      out.error(read.ambiguous.line, refusal(`${command.label} --pip-args`, read.ambiguous).message);
      return;
    }
    const pip: InstallCommand = { ...command, label: `${command.label} --pip-args`, installer: 'pip', options: read.options, requirements: read.requirements, unread: [] };
    sayUncertain(pip, read.uncertain);
    readCommand(pip);
  }

  /**
   * A word as the program is given it, with what ENV sets put in; null (and one error) when that is
   * not known from the file: bytes that are not text, a shell value only the build knows, or (an
   * argument) a file pattern.
   */
  function usable(command: InstallCommand, written: string, line: number, outerValue: true | undefined, isOption = false): string | null {
    const raw = withEnv.substitute(written);
    if (hasUndecodable && /[\uFFFD\u0000]/.test(raw)) {
      out.error(line, undecodableLineMessage(raw.includes('\u0000')));
      return null;
    }
    if (outerValue || expands(raw)) {
      out.error(line, `${command.label} ${clipInput(raw)}: a shell value, known only when the image is built, so what it installs was not read (${VARIABLE_ADVICE})`);
      return null;
    }
    if (!isOption && isPattern(raw)) {
      out.error(line, `${command.label} ${clipInput(raw)}: a file pattern, matched against the files of the image when it is built, so what it installs was not read`);
      return null;
    }
    return raw;
  }
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

/** An `ONBUILD RUN …` as the RUN it is (its words at the same lines), or null for another ONBUILD. */
function onbuildRun(ins: Instruction): Instruction | null {
  const run = /^RUN(?:\s+|$)/i.exec(ins.args);
  if (run === null) return null;
  const cut = run[0].length;
  return { ...ins, keyword: 'RUN', args: ins.args.slice(cut), argsLines: ins.argsLines.map(({ at, line }) => ({ at: Math.max(0, at - cut), line })) };
}

/** `$NAME` / `${NAME}` at the start of the text (sticky): the name. */
const REFERENCE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/y;
/** A shell assignment of a name (`V=2`, `export V=2`): the RUN may change what ENV set. */
const ASSIGNED = /(?:^|[\s;&|(])([A-Za-z_][A-Za-z0-9_]*)=/g;

/** What ENV sets before a RUN, as its shell puts it in. */
interface EnvValues {
  /** A word as written, with the references it resolves put in. */
  substitute(raw: string): string;
  /** The reference at `k` of `text` (a `$`) and the value it resolves to, or null. */
  at(text: string, k: number): { value: string; length: number } | null;
}

/**
 * What ENV set before this RUN, put in for the references to it, as Docker's environment gives them
 * to the shell (`pip install "poetry==$POETRY_VERSION"` after `ENV POETRY_VERSION=1.8.5`). Not a
 * build argument (ARG): `--build-arg` changes it at build time. Not a name the RUN's own script
 * assigns. Inside single quotes the shell substitutes nothing.
 */
function envSubstitution(ins: Instruction, env: ReadonlyMap<string, string>): EnvValues {
  const usable = new Map(env);
  if (usable.size > 0) for (const script of runScripts(ins, Infinity)) for (const match of script.matchAll(ASSIGNED)) usable.delete(match[1]!);
  const at = (text: string, k: number): { value: string; length: number } | null => {
    if (usable.size === 0) return null;
    REFERENCE.lastIndex = k;
    const match = REFERENCE.exec(text);
    const value = match === null ? undefined : usable.get((match[1] ?? match[2])!);
    return value === undefined ? null : { value, length: match![0].length };
  };
  const substitute = (raw: string): string => {
    if (usable.size === 0 || !raw.includes('$')) return raw;
    let out = '';
    let quote: '"' | "'" | null = null;
    for (let k = 0; k < raw.length; k++) {
      const c = raw[k]!;
      if (quote !== "'" && c === '$') {
        const found = at(raw, k);
        if (found !== null) {
          out += found.value;
          k += found.length - 1;
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
  return { substitute, at };
}

/** One requirement of an install command, read as pip reads it, as an entry of the Dockerfile (or one error). */
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
  if (parts.writtenName !== undefined) dependency.writtenName = parts.writtenName;
  if (parts.url !== undefined) dependency.url = parts.url;
  out.dependency(dependency);
}

/** Shell text whose words are read as commands, and where each of its characters comes from. */
interface ScriptText {
  text: string;
  /** The 1-based line of the character at `offset`. */
  lineAt(offset: number): number;
  /** The offsets (ascending) of the characters a shell outside fills in before this script runs (`$`, `` ` ``); empty for the RUN's own text. */
  filled: readonly number[];
}

/** Whether text[from, to) holds a character in `filled` (sorted): a binary search. */
function filledIn(filled: readonly number[], from: number, to: number): boolean {
  const first = partitionPoint(0, filled.length, (i) => filled[i]! < from);
  return first < filled.length && filled[first]! < to;
}

/**
 * The commands a RUN runs, each as its words as written (quotes kept) with their lines: the shell's
 * commands, one after the other, split at `;`, `&&`, `||`, `|`, `&` and parentheses, and those of
 * the `-c` script a shell among them is given (`bash -c "pip install …"`), read the same way; an
 * exec-form RUN that starts a program other than a shell (`RUN ["pip", "install", "flask"]`) is that
 * one command, its words taken literally (no shell expands them).
 */
function* commandsOf(ins: Instruction, env: EnvValues, problem: (line: number, message: string) => void): Generator<Word[]> {
  const exec = execFormWordsAt(ins.args);
  if (exec !== null && !/(?:^|\/)(?:sh|bash|zsh|dash|ash|ksh)$/.test(exec[0]?.word ?? '')) {
    const words = exec.map(({ word, at }): Word => ({ raw: `'${word.replace(/'/g, `'\\''`)}'`, line: lineInArgs(ins, at) }));
    // `["su", "app", "-c", "pip install …"]`: the script su hands the user's shell, one string at its line.
    const program = programIndex(words);
    // The strings are given literally: `--command=…` and `-c…` hold the script after their first characters.
    const su = program < words.length && SU_PROGRAMS.has(programName(words[program]!)) ? suScript(exec.map((e) => e.word), program + 1, true) : null;
    if (su === null) {
      yield words;
      return;
    }
    const line = words[su.at]!.line;
    yield* scriptCommands({ text: exec[su.at]!.word.slice(su.skip), lineAt: () => line, filled: [] }, 1, env, problem);
    return;
  }
  for (const script of locatedRunScripts(ins, Infinity)) yield* scriptCommands({ ...script, filled: [] }, 0, env, problem);
}

/** The commands of one shell text (commandsOf), `depth` shells deep. */
function* scriptCommands(script: ScriptText, depth: number, env: EnvValues, problem: (line: number, message: string) => void): Generator<Word[]> {
  const { text } = script;
  let k = 0;
  while (k < text.length) {
    const command = commandWords(text, k, Infinity);
    k = command.end + 1;
    if (command.words.length === 0) continue;
    const words = command.words.map((raw, n): Word => {
      const start = command.starts[n]!;
      return { raw, line: script.lineAt(start), ...(filledIn(script.filled, start, start + raw.length) ? { outerValue: true } : {}) };
    });
    const program = programIndex(words);
    const name = program < words.length ? programName(words[program]!) : '';
    // A shell's -c script, or the one `su` (and `runuser` so) hands the user's shell: `--command=…` holds it after its `=`.
    const inner = /^(?:sh|bash|zsh|dash|ash|ksh)$/.test(name)
      ? { at: dashCScript(command.words, program + 1, unquote), skip: 0 }
      : SU_PROGRAMS.has(name)
        ? (suScript(command.words, program + 1) ?? { at: null, skip: 0 })
        : { at: null, skip: 0 };
    const { at, skip } = inner;
    if (at === null) {
      yield words;
      continue;
    }
    if (depth >= MAX_NESTED_SHELLS) {
      problem(words[at]!.line, `${clipInput(command.words[program]!)} -c ${clipInput(command.words[at]!)}: a shell's script inside ${MAX_NESTED_SHELLS} others; what it runs was not read`);
      continue;
    }
    if (command.words[at]!.length > MAX_SCRIPT_CHARS) {
      problem(words[at]!.line, `${clipInput(command.words[program]!)} -c ${clipInput(command.words[at]!)}: a script of ${command.words[at]!.length.toLocaleString('en')} characters (the limit is ${MAX_SCRIPT_CHARS.toLocaleString('en')}); what it runs was not read`);
      continue;
    }
    yield* scriptCommands(dashCText(script, command.words[at]!.slice(skip), command.starts[at]! + skip, env), depth + 1, env, problem);
  }
}

/**
 * The script a shell is given with -c, as the shell around it hands it over: the word's quotes
 * removed (inside double quotes a backslash escapes only `$`, `` ` ``, `"` and `\`), what ENV sets
 * put in where that shell puts it in (outside single quotes), and any other `$…` or `` ` `` there
 * marked as filled in by that shell (`filled`): what the inner shell reads there is known only
 * when the image is built. Each character keeps the line of the character it comes from. One pass;
 * the text is built from runs of the word, each mapped back by where it starts.
 */
function dashCText(outer: ScriptText, raw: string, start: number, env: EnvValues): ScriptText {
  const chunks: string[] = [];
  let length = 0;
  // Where each run of the text starts (runAt) and the outer offset it comes from (runFrom), negated
  // minus one when all of it comes from that one character (a value ENV put in). Numbers in two
  // arrays rather than an object a run: an escaped character is a run of its own, and a script of
  // a million `\\` made as many objects, which the collector copied again and again (1.5 s).
  const runAt: number[] = [];
  const runFrom: number[] = [];
  const filled: number[] = [];
  /** The next of the outer text's filled characters not yet passed (runs come in the outer text's order). */
  let outerFilled = 0;
  const emit = (chars: string, from: number, one: boolean, isFilled: boolean): void => {
    runAt.push(length);
    runFrom.push(one ? -from - 1 : from);
    if (isFilled) filled.push(length);
    // A character an outer shell fills in is still filled in here.
    const end = from + (one ? 1 : chars.length);
    while (outerFilled < outer.filled.length && outer.filled[outerFilled]! < from) outerFilled++;
    for (; outerFilled < outer.filled.length && outer.filled[outerFilled]! < end; outerFilled++) filled.push(length + (one ? 0 : outer.filled[outerFilled]! - from));
    chunks.push(chars);
    length += chars.length;
  };
  /** Where the run of plain characters being gathered starts in `raw`, or -1. */
  let plain = -1;
  const flush = (k: number): void => {
    if (plain !== -1 && k > plain) emit(raw.slice(plain, k), start + plain, false, false);
    plain = -1;
  };
  const gather = (k: number): void => {
    if (plain === -1) plain = k;
  };
  let quote: '"' | "'" | null = null;
  for (let k = 0; k < raw.length; k++) {
    const c = raw[k]!;
    if (quote === "'") {
      if (c !== "'") gather(k);
      else {
        flush(k);
        quote = null;
      }
    } else if (c === '\\' && k + 1 < raw.length) {
      // In double quotes only these are escaped; elsewhere the backslash stays.
      if (quote === '"' && !'$`"\\'.includes(raw[k + 1]!)) gather(k);
      else {
        flush(k);
        gather(++k);
      }
    } else if (c === '"' || (c === "'" && quote === null)) {
      flush(k);
      quote = c === '"' && quote === '"' ? null : c;
    } else if (c === '$' || c === '`') {
      const found = c === '$' ? env.at(raw, k) : null;
      flush(k);
      if (found !== null) {
        emit(found.value, start + k, true, false);
        k += found.length - 1;
      } else emit(c, start + k, false, c === '`' || /[A-Za-z_{(0-9@*#?$!-]/.test(raw[k + 1] ?? ''));
    } else gather(k);
  }
  flush(raw.length);
  return {
    text: chunks.join(''),
    lineAt: (offset) => {
      if (runAt.length === 0) return outer.lineAt(start);
      const run = Math.max(0, partitionPoint(0, runAt.length, (i) => runAt[i]! <= offset) - 1);
      const from = runFrom[run]!;
      return outer.lineAt(from < 0 ? -from - 1 : from + (offset - runAt[run]!));
    },
    filled,
  };
}

export const dockerfileFormat: ManifestFormatModule = {
  format: 'dockerfile',
  matches: isDockerfilePath,
  extract: extractDockerfile,
};
