/**
 * `depwatch`: the audit in a terminal, for CI and for people without Slack. Thin: each command lives
 * in src/cli/<command>.ts; this file only dispatches and turns errors into exit status 2.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadDotEnv } from './config.js';
import { auditCommand, AUDIT_USAGE } from './cli/audit.js';
import { checkCommand, CHECK_USAGE } from './cli/check.js';
import { dbCommand, DB_USAGE } from './cli/db.js';
import { depsCommand, DEPS_USAGE } from './cli/deps.js';
import { CliError, EXIT, processIO, type CliIO } from './cli/io.js';
import { redactSecrets } from './log.js';

type Command = (argv: string[], io: CliIO) => Promise<number>;

const COMMANDS: Record<string, { run: Command; usage: string }> = {
  deps: { run: depsCommand, usage: DEPS_USAGE },
  check: { run: checkCommand, usage: CHECK_USAGE },
  audit: { run: auditCommand, usage: AUDIT_USAGE },
  db: { run: dbCommand, usage: DB_USAGE },
};

export const USAGE = `usage: depwatch <command> [options]

commands:
${Object.values(COMMANDS)
  .map((c) => '  ' + c.usage.split('\n')[0]!.replace('usage: ', ''))
  .join('\n')}

Run "depwatch <command> --help" for a command's options. Exit status: 0 ok, 1 findings at or above
the failure threshold, 2 usage or runtime error.`;

export async function runCli(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(USAGE + '\n');
    return name ? EXIT.ok : EXIT.error;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`depwatch: unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    return EXIT.error;
  }
  try {
    return await command.run(rest, io);
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
