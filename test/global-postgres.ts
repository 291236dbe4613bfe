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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const own = process.env.DEPWATCH_TEST_POSTGRES_URL;
  if (own) {
    project.provide('postgresUrl', own);
    return async () => undefined;
  }
  const server = await startPostgresServer();
  if (process.env.DEPWATCH_TEST_POSTGRES_VERBOSE) process.stderr.write(`embedded PostgreSQL ready in ${server.startMs} ms\n`);
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
