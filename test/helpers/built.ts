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
/** How long a build may take before it is given up. */
const BUILD_TIMEOUT_MS = 300_000;
/**
 * A lock older than that, with margin, was left by a run that was killed or is stuck: never one
 * whose build is still within its time (its holder would then remove the lock a waiter took over).
 */
const STALE_LOCK_MS = 2 * BUILD_TIMEOUT_MS;

export function ensureBuilt(): void {
  withLock(() => {
    const script = "import { staleReason } from './bin/build-state.js'; import { build } from './bin/build.js'; if (staleReason() !== null) process.exitCode = build({ stdio: 'pipe' });";
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: 'pipe', timeout: BUILD_TIMEOUT_MS });
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
      const abandoned = abandonedLock();
      if (abandoned !== null) takeOver(abandoned);
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

/** The lock as it is now: its holder's pid as written (null before it is), and when it was made. */
function lockState(): { pid: string | null; mtimeMs: number } | null {
  try {
    const { mtimeMs } = statSync(LOCK);
    let pid: string | null = null;
    try {
      pid = readFileSync(join(LOCK, 'pid'), 'utf8');
    } catch {
      // Its holder is between mkdir and write.
    }
    return { pid, mtimeMs };
  } catch {
    return null; // gone meanwhile: try again
  }
}

/**
 * The lock's holder is gone (a run killed mid-build), or has held it far longer than a build may
 * take; what was judged is handed back, so only that lock is taken over.
 */
function abandonedLock(): string | null {
  const lock = lockState();
  if (lock === null) return null;
  const old = Date.now() - lock.mtimeMs > STALE_LOCK_MS;
  if (lock.pid === null) return old ? '' : null;
  try {
    process.kill(Number(lock.pid), 0); // throws ESRCH when no such process
    return old ? lock.pid : null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH' ? lock.pid : null;
  }
}

/**
 * Moves the abandoned lock aside, then removes it. A rename moves whatever lock is there by then:
 * when another waiter took the dead one over first and made its own, the moved lock names another
 * holder, and is put back.
 */
function takeOver(judged: string): void {
  const aside = `${LOCK}.abandoned-${process.pid}`;
  try {
    renameSync(LOCK, aside);
  } catch {
    return; // another waiter moved it first
  }
  let moved = '';
  try {
    moved = readFileSync(join(aside, 'pid'), 'utf8');
  } catch {
    // No pid written: as judged when none was.
  }
  if (moved === judged) rmSync(aside, { recursive: true, force: true });
  else {
    try {
      renameSync(aside, LOCK);
    } catch {
      rmSync(aside, { recursive: true, force: true }); // a third made one meanwhile: that one stands
    }
  }
}
