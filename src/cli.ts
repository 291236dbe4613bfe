/**
 * `depwatch`: the audit in a terminal, for CI and for people without Slack. Thin: each command lives
 * in src/cli/<command>.ts; this file only dispatches and turns errors into exit status 2.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { DotenvNotTextError, loadEnvFileInto, unsetEmptySettings } from './dotenv.js';
import { fileProblem } from './file-error.js';
import { CliError, EXIT, processIO, stdoutFailed, type CliIO } from './cli/io.js';
import { errorLine } from './error-line.js';
import { redactSecrets } from './redact.js';
import { terminalSafe } from './report/terminal-text.js';

type Command = (argv: string[], io: CliIO) => Promise<number>;

/**
 * Commands load on demand: `depwatch deps` in CI should not pay for octokit, Slack and the HTTP
 * clients at start-up. The module paths are constants, never user input.
 */
const COMMANDS: Record<string, { load: () => Promise<Command>; summary: string; actions?: readonly string[] }> = {
  deps: { load: async () => (await import('./cli/deps.js')).depsCommand, summary: 'deps [--json | --cyclonedx] [--format FORMAT] <path>...' },
  check: { load: async () => (await import('./cli/check.js')).checkCommand, summary: 'check [--json] [--offline] <name==version>...' },
  audit: {
    load: async () => (await import('./cli/audit.js')).auditCommand,
    summary:
      'audit [--json | --markdown | --sarif | --cyclonedx] [--offline [--max-data-age DAYS]] [--no-code] [--fail-on LEVEL] [--unknown-as LEVEL] [--show-ignored] [--db PATH] <dir | file | owner/repo[@branch] | github URL>',
  },
  review: {
    load: async () => (await import('./cli/review.js')).reviewCommand,
    summary: 'review [--json | --markdown] [--fail-on avoid|caution|never] [--db PATH] <owner/repo#N | pull request URL>',
  },
  db: { load: async () => (await import('./cli/db.js')).dbCommand, summary: 'db <import FILE | sync | status> [--json]', actions: ['import', 'sync', 'status'] },
  package: { load: async () => (await import('./cli/package.js')).packageCommand, summary: 'package [--json] [--offline] [--fail-on avoid|caution] <name[==version]>...' },
  scan: { load: async () => (await import('./cli/scan.js')).scanCommand, summary: 'scan [--json | --sarif] [--fail-on LEVEL] [--show-ignored] [--history [--since REF] [--max-commits N]] <dir>' },
  fix: { load: async () => (await import('./cli/fix.js')).fixCommand, summary: 'fix [--dry-run] [--json] [--offline] [DIR | FILE]' },
  watch: { load: async () => (await import('./cli/watch.js')).watchCommand, summary: 'watch affected <ADVISORY-ID> [--json] [--db PATH]', actions: ['affected'] },
};

export const COMMAND_NAMES = Object.keys(COMMANDS);

export const USAGE = `usage: depwatch [--dotenv PATH] <command> [options]   (depwatch --version prints the version)

commands:
${Object.values(COMMANDS)
  .map((c) => `  depwatch ${c.summary}`)
  .join('\n')}

Settings come from the environment only; --dotenv PATH (before the command) adds those of a file
(the environment wins). A .env in the current folder is never read: it may be the checkout audited.

Run "depwatch <command> --help" for a command's options, "depwatch --version" for the version.

Exit status: 0 complete and nothing at or above the failure threshold (--fail-on), 1 findings at or
above it, 2 a usage or runtime error, or a partial result that findings did not already fail
(something not read, no manifest found, a data source down: it says why).`;

export async function runCli(argv: string[], given: CliIO = processIO()): Promise<number> {
  // The last line of defence: whatever a command prints (every format, stderr's PARTIAL line), a
  // token or URL credential that slipped past the redaction at its source is masked on the way out.
  const io: CliIO = { ...given, stdout: (text) => given.stdout(redactSecrets(text)), stderr: (text) => given.stderr(redactSecrets(text)) };
  const globals = globalOptions(argv);
  if (typeof globals === 'string') {
    io.stderr(`depwatch: ${terminalSafe(globals)}\n`);
    return EXIT.error;
  }
  for (const path of globals.envFiles) {
    try {
      loadEnvFileInto(io.env, isAbsolute(path) ? path : resolve(io.cwd, path));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      io.stderr(`depwatch: ${terminalSafe(`--dotenv ${path}: ${err instanceof DotenvNotTextError ? err.message : code === undefined ? describeError(err) : fileProblem(err)}`)}\n`);
      return EXIT.error;
    }
  }
  // Settings written as `NAME=` (how .env.example lists them) count as not set, as for the bot.
  unsetEmptySettings(io.env);
  const [name, ...rest] = globals.rest;
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout(`${cliVersion()}\n`);
    return EXIT.ok;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(USAGE + '\n');
    return EXIT.ok;
  }
  // A usage error, as the contract has them: one line on stderr (stdout may be read as JSON).
  if (!name) {
    io.stderr(`depwatch: no command given (commands: ${COMMAND_NAMES.join(', ')}); depwatch --help shows the usage\n`);
    return EXIT.error;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`depwatch: unknown command "${terminalSafe(name)}" (commands: ${COMMAND_NAMES.join(', ')})\n`);
    return EXIT.error;
  }
  try {
    const run = await command.load();
    return await run(rest, io);
  } catch (err) {
    // Messages name paths and quote files: one line on stderr, whatever they hold.
    io.stderr(`${terminalSafe(commandErrorLine(name, command.actions ?? [], optionErrorLine(err, name) ?? describeError(err)))}\n`);
    return EXIT.error;
  }
}

/**
 * `depwatch <command>: <message>`, naming the command once: a message that already says whose it
 * is (`audit: choose one of …`, `db import: give one file…`, or a db action's own `import: …`)
 * keeps its wording under the command's full name instead of gaining a second one.
 */
function commandErrorLine(name: string, actions: readonly string[], message: string): string {
  for (const action of actions) {
    for (const qualifier of [`${name} ${action}: `, `${action}: `]) {
      if (message.startsWith(qualifier)) return `depwatch ${name} ${action}: ${message.slice(qualifier.length)}`;
    }
  }
  if (message.startsWith(`${name}: `)) return `depwatch ${message}`;
  return `depwatch ${name}: ${message}`;
}

/**
 * The options before the command name: `--dotenv PATH` (or `--dotenv=PATH`), repeatable. The
 * rest of argv is the command and its arguments; a message when an option is unusable.
 */
function globalOptions(argv: string[]): { envFiles: string[]; rest: string[] } | string {
  const envFiles: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    let path: string | undefined;
    if (arg.startsWith('--dotenv=')) path = arg.slice('--dotenv='.length);
    else if (arg === '--dotenv') path = argv[++i];
    else break;
    // Either form, missing or empty: one check, one message.
    if (!path) return '--dotenv needs a path (depwatch --dotenv PATH <command> ...)';
    envFiles.push(path);
  }
  return { envFiles, rest: argv.slice(i) };
}

/**
 * node:util parseArgs's own words for a bad option, as one depwatch line pointing at the command's
 * help: its "Unknown option" text explains `--` positionals (with an unbalanced quote) instead.
 * Null for any other error.
 */
function optionErrorLine(err: unknown, command: string): string | null {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  const help = `depwatch ${command} --help shows the options`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /^Unknown option '([^']*)'/.exec((err as Error).message)?.[1];
    return `unknown option ${option ?? ''}`.trimEnd() + ` (${help})`;
  }
  // One line: its words for a value starting with a dash (`--max-data-age -1`) take three.
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return `${(err as Error).message.replace(/^Option /, 'option ').replace(/\s*\n\s*/g, ' ')} (${help})`;
  return null;
}

/** One clear line, never a stack trace or a token. */
export function describeError(err: unknown): string {
  if (err instanceof CliError) return err.message;
  // node:util parseArgs errors are usage errors with a readable message.
  return redactSecrets(errorLine(err));
}

/** The version in package.json, read only when asked (no JSON import: `--version` must stay instant). */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/** V8's `--interrupt-budget` default (V8 11, Node 20), times 8 (same bench, paired runs: x4 374 ms CPU against x8 368; x16 336 against x8 344). */
export const SHORT_RUN_INTERRUPT_BUDGET = 67_584 * 8;

/**
 * V8 tiering for a command-line run, which lasts a second or less. By default V8 optimises a
 * function (TurboFan, on a background thread) as soon as it has run a little; in a short run much
 * of that work is never repaid (a --log-function-events trace of the audit showed single jobs of
 * tens of milliseconds, groupByAlias's 84, for loops that were nearly done). Measured on the
 * offline audit of 1,000 pins (`npm run bench -- speed`, median of 11 alternated whole-process
 * runs, 2 cores shared with other work): CPU 538 -> 358 ms, wall 371 -> 319 ms with 8 times the
 * default budget; importing the fixture bundle (`depwatch db import`, ~1 s): CPU 807 -> 625 ms,
 * wall 846 -> 692 ms. Answers are unchanged (byte-identical reports). A longer run loses
 * at most a few milliseconds per hot function, interpreted a little longer before it is optimised:
 * importing 21,288 records (~3.8 s) took the same CPU either way (2,851 ms, median of 5).
 * Only the CLI's own process asks for this (`main`): the bot, the tests and anything running
 * `runCli` in-process keep V8's defaults. Called first thing, before any code has had the time
 * to get hot.
 */
function tierUpLater(): void {
  const flag = shortRunTieringFlag(process.versions.v8);
  if (flag !== null) setFlagsFromString(flag);
}

/**
 * The flag for `v8Version`, or null where it is not known to exist with the default measured here.
 * V8 prints "unrecognized flag" on stderr for a flag it lacks (no exception to catch), and newer
 * V8s tier by invocation counts instead: there the CLI keeps V8's defaults rather than print two
 * stray lines in every run. Node 20 ships V8 11.3, where --interrupt-budget defaults to 67,584.
 */
export function shortRunTieringFlag(v8Version: string): string | null {
  return /^11\./.test(v8Version) ? `--interrupt-budget=${SHORT_RUN_INTERRUPT_BUDGET}` : null;
}

/**
 * The process entry point: bin/depwatch.js calls it explicitly, so every way of starting the CLI
 * (node_modules/.bin symlinks, `npx`, `npm exec`, `npm link`, a copied bin) runs it. Guessing "was I
 * invoked directly?" from process.argv[1] fails behind those symlinks, and a CI gate that prints
 * nothing and exits 0 passes every build.
 */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  // A short run: optimising hot functions costs more than it saves (see tierUpLater).
  tierUpLater();
  try {
    // No .env here: the CLI reads the environment, and a file only when --dotenv names one (runCli).
    const code = await runCli(argv);
    // A report that could not be written out in full fails, whatever it found (see processIO).
    process.exitCode = stdoutFailed() ? EXIT.error : code;
  } catch (err) {
    process.stderr.write(`depwatch: ${terminalSafe(describeError(err))}\n`);
    process.exitCode = EXIT.error;
  }
}

/** `node dist/cli.js …` (benchmarks, development) still runs: the module itself is argv[1]. */
function isMainModule(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMainModule()) void main();
