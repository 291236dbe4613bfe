/**
 * `depwatch`: the audit in a terminal, for CI and for people without Slack. Thin: each command lives
 * in src/cli/<command>.ts; this file only dispatches and turns errors into exit status 2.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadDotEnv } from './dotenv.js';
import { CliError, EXIT, processIO, type CliIO } from './cli/io.js';
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
};

export const USAGE = `usage: depwatch <command> [options]

commands:
${Object.values(COMMANDS)
  .map((c) => `  depwatch ${c.summary}`)
  .join('\n')}

Run "depwatch <command> --help" for a command's options, "depwatch --version" for the version. Exit status: 0 ok, 1 findings at or above
the failure threshold, 2 usage or runtime error.`;

export async function runCli(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
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
  if (err instanceof Error) {
    // node:util parseArgs errors are usage errors with a readable message.
    return redactSecrets(err.message.split('\n')[0] ?? err.name);
  }
  return redactSecrets(String(err));
}

const invokedDirectly = (() => {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url)) || process.argv[1]?.endsWith('bin/depwatch.js');
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  loadDotEnv();
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`depwatch: ${describeError(err)}\n`);
      process.exitCode = EXIT.error;
    },
  );
}
