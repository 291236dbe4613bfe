/**
 * Vitest global set-up: one real PostgreSQL server for the whole run (about a second to start),
 * shared by every test file through `inject('postgresUrl')`; each file makes its own database
 * (test/helpers/postgres.ts). DEPWATCH_TEST_POSTGRES_URL points the run at a server of your own.
 */
import type { TestProject } from 'vitest/node';
import { startPostgresServer } from './helpers/postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

/**
 * Vitest calls a global set-up once for the root config and once for each of its projects
 * (vitest.config.ts has two): they all run in the main process, and share the one server here.
 */
const shared = globalThis as { depwatchTestPostgres?: { server: ReturnType<typeof startPostgresServer>; users: number } };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const own = process.env.DEPWATCH_TEST_POSTGRES_URL;
  if (own) {
    project.provide('postgresUrl', own);
    return async () => undefined;
  }
  const first = shared.depwatchTestPostgres === undefined;
  const entry = (shared.depwatchTestPostgres ??= { server: startPostgresServer(), users: 0 });
  entry.users += 1;
  const server = await entry.server;
  if (first && process.env.DEPWATCH_TEST_POSTGRES_VERBOSE) process.stderr.write(`embedded PostgreSQL ready in ${server.startMs} ms\n`);
  project.provide('postgresUrl', server.url);
  return async () => {
    entry.users -= 1;
    if (entry.users > 0) return;
    delete shared.depwatchTestPostgres;
    await server.stop();
  };
}
