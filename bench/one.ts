/** Runs one benchmark by name in this process (bench/run.ts gives each its own process). */
import { benchAdvisories } from './advisories.js';
import { benchDeps } from './deps.js';
import { benchSlackAudit } from './slack-audit.js';
import { benchSweep } from './sweep.js';

export const BENCHES: Record<string, () => Promise<unknown>> = {
  deps: benchDeps,
  advisories: benchAdvisories,
  'slack-audit': benchSlackAudit,
  sweep: benchSweep,
};

const name = process.argv[2] ?? '';
const bench = BENCHES[name];
if (!bench) {
  process.stderr.write(`unknown benchmark "${name}" (${Object.keys(BENCHES).join(', ')})\n`);
  process.exitCode = 2;
} else {
  await bench();
}
