/**
 * For tests that run the compiled code (dist/) in a child process, as users do: builds first when
 * the sources changed since the last build, with the same check `npm start` makes (bin/).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  const since = Date.now();
  let told = false;
  for (;;) {
    try {
      mkdirSync(LOCK); // atomic: exactly one file gets it
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (lockAbandoned()) takeOver();
      else {
        if (!told && Date.now() - since > 10_000) {
          process.stderr.write(`waiting for another test file's build of dist/ (${LOCK})\n`);
          told = true;
        }
        Atomics.wait(pause, 0, 0, 100);
      }
    }
  }
  try {
    work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** The lock's holder is gone (a run killed mid-build), or has held it longer than a build takes. */
function lockAbandoned(): boolean {
  try {
    const pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 0); // throws ESRCH when no such process
    return Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS;
  } catch (err) {
    // No pid file yet: its holder is between mkdir and write, unless that was long ago.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return lockAgeMs() > STALE_LOCK_MS;
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Moves an abandoned lock aside, then removes it: a rename succeeds for one waiter only, where two
 * that both removed it could remove the lock the other had just made.
 */
function takeOver(): void {
  const aside = `${LOCK}.abandoned-${process.pid}`;
  try {
    renameSync(LOCK, aside);
  } catch {
    return; // another waiter moved it first
  }
  rmSync(aside, { recursive: true, force: true });
}

function lockAgeMs(): number {
  try {
    return Date.now() - statSync(LOCK).mtimeMs;
  } catch {
    return 0; // gone meanwhile: try again
  }
}
