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
