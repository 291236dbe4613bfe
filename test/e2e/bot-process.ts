/**
 * The built bot as it is deployed, for the end-to-end tests: `node dist/main.js` (or the CLI) in a
 * child process with a clean environment, every outside service a loopback fake.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ensureBuilt, ROOT } from '../helpers/built.js';

export { ROOT };
export const MAIN = join(ROOT, 'dist', 'main.js');
export const CLI = join(ROOT, 'dist', 'cli.js');

/** Builds dist/ when the sources changed since the last build (the check `npm start` makes). */
export const buildIfStale = ensureBuilt;

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface Running {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  /** Resolves with the exit code; `exitCode()` is null while it runs. */
  exited: Promise<number | null>;
  exitCode: () => number | null;
}

/** Starts `node <script> ...args` with only PATH and `env` in its environment (nothing from the developer's shell: tokens!). */
export function startNode(script: string, env: Record<string, string>, cwd: string, args: string[] = []): Running {
  const child = spawn(process.execPath, [script, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  let exitCode: number | null = null;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exitCode = code ?? -1;
      resolve(code);
    }),
  );
  return { child, stderr: () => stderr, stdout: () => stdout, exited, exitCode: () => exitCode };
}

/**
 * Deadlines for what the bot does by itself (start, exit): waits end on the event, in a second or
 * two on an idle machine; the deadline only has to outlast a CI machine loaded by the other test
 * files, and only a bot that never gets there waits it out.
 */
export const EVENT_DEADLINE_MS = 60_000;

/** How the bot ended: its exit code, or the signal that ended it. */
export interface Ending {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Waits for the exit; if the bot still runs after `ms`, kills it and throws with its stderr. */
export async function exitWithin(bot: Running, ms = EVENT_DEADLINE_MS): Promise<Ending> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'running'>((resolve) => (timer = setTimeout(() => resolve('running'), ms)));
  const outcome = await Promise.race([bot.exited.then(() => 'exited' as const), deadline]).finally(() => clearTimeout(timer));
  if (outcome === 'running') {
    bot.child.kill('SIGKILL');
    throw new Error(`the bot was still running after ${ms} ms; stderr so far:\n${bot.stderr()}`);
  }
  return { code: bot.child.exitCode, signal: bot.child.signalCode };
}

/** What a clean stop on SIGTERM looks like (see endingAfterSigterm). */
export const CLEAN_STOP = { code: 0, signal: null, stoppingLogged: true } as const;

/** Room for a test that starts the bot and stops it, each on its own event deadline, and what it checks between. */
export const BOT_TEST_MS = 3 * EVENT_DEADLINE_MS;

/**
 * How the bot ended after a SIGTERM, as a supervisor stops it. A clean stop is exit code 0 with the
 * bot's own "stopping" line (CLEAN_STOP): killed by the signal (no handler yet), still running at
 * the deadline, or any other code is not.
 */
export async function endingAfterSigterm(bot: Running, ms = EVENT_DEADLINE_MS): Promise<Ending & { stoppingLogged: boolean }> {
  const ending = await exitWithin(bot, ms);
  return { ...ending, stoppingLogged: logLines(bot.stderr()).some((line) => line.msg === 'stopping: finishing audits in progress' && line.signal === 'SIGTERM') };
}

/** SIGTERM, then endingAfterSigterm. */
export async function stopWithSigterm(bot: Running, ms = EVENT_DEADLINE_MS): Promise<Ending & { stoppingLogged: boolean }> {
  bot.child.kill('SIGTERM');
  return endingAfterSigterm(bot, ms);
}

/** The JSON log lines of stderr. */
function logLines(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

export const startMain = (env: Record<string, string>, cwd: string): Running => startNode(MAIN, env, cwd);

/** Lines of stderr meant for people: everything but the JSON log lines. */
export function humanLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{'));
}

export async function waitFor<T>(probe: () => T | undefined | null | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
