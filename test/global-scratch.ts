/**
 * Vitest global set-up: the run's scratch directory (helpers/scratch.ts), its environment set
 * before any test process starts, so test files and the processes they start make their temporary
 * files there (`mkdtempSync(join(tmpdir(), …))` needs no clean-up of its own) and trust the
 * loopback TLS fakes' certificate. Removed when the run ends.
 */
import { makeScratch } from './helpers/scratch.js';

/** Vitest calls a global set-up once for the root config and once for each project: one scratch directory serves them all. */
const shared = globalThis as { depwatchTestScratch?: { teardown: () => void; users: number } };

export default function setup(): () => void {
  shared.depwatchTestScratch ??= { teardown: makeAndEnter(), users: 0 };
  const entry = shared.depwatchTestScratch;
  entry.users += 1;
  return () => {
    entry.users -= 1;
    if (entry.users > 0) return;
    delete shared.depwatchTestScratch;
    entry.teardown();
  };
}

/** Makes the scratch directory and points the environment at it; returns what undoes both. */
function makeAndEnter(): () => void {
  const scratch = makeScratch('depwatch-test-run-');
  const previous = Object.fromEntries(Object.keys(scratch.env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, scratch.env);
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    scratch.remove();
  };
}
