/**
 * The built bot as a child process (`node dist/main.js`), for end-to-end tests: rebuilds dist/ when
 * src/ is newer, finds a free port, starts it with a clean environment and collects stderr.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
export const MAIN = join(ROOT, 'dist', 'main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function buildIfStale(): void {
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  const started = Date.now();
  try {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'pipe', timeout: 240_000 });
  } catch (err) {
    if (!existsSync(MAIN) || statSync(MAIN).mtimeMs < started - 1000) throw err;
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface RunningMain {
  child: ChildProcess;
  stderr: () => string;
  /** Resolves with the exit code; `exitCode()` is null while it runs. */
  exited: Promise<number | null>;
  exitCode: () => number | null;
}

export function startMain(env: Record<string, string>, cwd: string): RunningMain {
  // A clean environment: nothing from the developer's shell (tokens!) leaks into the bot.
  const child = spawn(process.execPath, [MAIN], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let code: number | null = null;
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  child.stdout?.on('data', () => {});
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (c) => {
      code = c ?? -1;
      resolve(c);
    }),
  );
  return { child, stderr: () => stderr, exited, exitCode: () => code };
}
