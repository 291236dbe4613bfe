/**
 * For tests that run the compiled code (dist/) in a child process, as users do: builds first when
 * the sources changed since the last build, with the same check `npm start` makes (bin/).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Held while one test file checks and builds. Files run in parallel workers: after an edit, each
 * started its own tsc, and one rewrote dist/ while another file ran it (a test failed now and then
 * on a half-written module). The others wait, then find the build fresh.
 */
const LOCK = join(ROOT, 'dist', '.test-build-lock');
/** A lock older than a build can take was left by a run that was killed. */
const STALE_LOCK_MS = 300_000;

export function ensureBuilt(): void {
  withLock(() => {
    const script = "import { staleReason } from './bin/build-state.js'; import { build } from './bin/build.js'; if (staleReason() !== null) process.exitCode = build({ stdio: 'pipe' });";
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: 'pipe', timeout: STALE_LOCK_MS });
    if (result.status !== 0) throw new Error(`the build failed (${result.status}): ${result.stdout}${result.stderr}`);
  });
}

function withLock(work: () => void): void {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      mkdirSync(LOCK); // atomic: exactly one file gets it
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (lockAgeMs() > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      else Atomics.wait(pause, 0, 0, 100);
    }
  }
  try {
    work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

function lockAgeMs(): number {
  try {
    return Date.now() - statSync(LOCK).mtimeMs;
  } catch {
    return 0; // gone meanwhile: try again
  }
}
