/**
 * `depwatch`: the audit in a terminal, for CI and for people without Slack. Thin: each command lives
 * in src/cli/<command>.ts; this file only dispatches and turns errors into exit status 2.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadDotEnv } from './dotenv.js';
import { CliError, EXIT, processIO, stdoutFailed, type CliIO } from './cli/io.js';
import { errorLine } from './error-line.js';
import { redactSecrets } from './redact.js';
import { packageVersion } from './version.js';

type Command = (argv: string[], io: CliIO) => Promise<number>;

/**
 * Commands load on demand: `depwatch deps` in CI should not pay for octokit, Slack and the HTTP
 * clients at start-up. The module paths are constants, never user input.
 */
const COMMANDS: Record<string, { load: () => Promise<Command>; summary: string }> = {
  deps: { load: async () => (await import('./cli/deps.js')).depsCommand, summary: 'deps [--json] [--format FORMAT] <path>...' },
  check: { load: async () => (await import('./cli/check.js')).checkCommand, summary: 'check [--json] [--offline] <name==version>...' },
  audit: {
    load: async () => (await import('./cli/audit.js')).auditCommand,
    summary: 'audit [--json | --markdown | --sarif] [--offline] [--fail-on LEVEL] <dir | owner/repo[@branch] | github URL>',
  },
  db: { load: async () => (await import('./cli/db.js')).dbCommand, summary: 'db <import FILE | sync | status> [--json]' },
  package: { load: async () => (await import('./cli/package.js')).packageCommand, summary: 'package [--json] [--offline] [--fail-on avoid|caution] <name[==version]>...' },
  scan: { load: async () => (await import('./cli/scan.js')).scanCommand, summary: 'scan [--json] [--fail-on LEVEL] [--show-ignored] <dir>' },
  fix: { load: async () => (await import('./cli/fix.js')).fixCommand, summary: 'fix [--dry-run] [--json] [--offline] [DIR]' },
};

export const USAGE = `usage: depwatch <command> [options]   (depwatch --version prints the version)

commands:
${Object.values(COMMANDS)
  .map((c) => `  depwatch ${c.summary}`)
  .join('\n')}

Run "depwatch <command> --help" for a command's options, "depwatch --version" for the version. Exit status: 0 ok, 1 findings at or above
the failure threshold, 2 usage or runtime error.`;

export async function runCli(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout(`${cliVersion()}\n`);
    return EXIT.ok;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(USAGE + '\n');
    return name ? EXIT.ok : EXIT.error;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`depwatch: unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    return EXIT.error;
  }
  try {
    const run = await command.load();
    return await run(rest, io);
  } catch (err) {
    io.stderr(`depwatch ${name}: ${describeError(err)}\n`);
    return EXIT.error;
  }
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

/**
 * The process entry point: bin/depwatch.js calls it explicitly, so every way of starting the CLI
 * (node_modules/.bin symlinks, `npx`, `npm exec`, `npm link`, a copied bin) runs it. Guessing "was I
 * invoked directly?" from process.argv[1] fails behind those symlinks, and a CI gate that prints
 * nothing and exits 0 passes every build.
 */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  try {
    loadDotEnv();
    const code = await runCli(argv);
    // A report that could not be written out in full fails, whatever it found (see processIO).
    process.exitCode = stdoutFailed() ? EXIT.error : code;
  } catch (err) {
    process.stderr.write(`depwatch: ${describeError(err)}\n`);
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
