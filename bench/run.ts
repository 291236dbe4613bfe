/**
 * `npm run bench`: prints each benchmark's figures and request counts; nothing is asserted. Each
 * benchmark runs in its own process so start-up, memory (peak RSS) and caches do not leak between them.
 * `npm run bench -- sweep deps` runs only those.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { makeScratch } from '../test/helpers/scratch.js';

const ALL = ['deps', 'advisories', 'speed', 'slack-audit', 'slack-acks', 'sweep', 'sweep-compiled', 'sweep-replicas', 'monorepo', 'packages', 'scan', 'scan-history', 'scan-tarball', 'hostile', 'report'];
/** Run from dist/ with plain node (no tsx loader), as deployed: `npm run bench` builds first. */
const COMPILED: Record<string, string> = { 'sweep-compiled': 'bench/sweep-compiled.mjs' };
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
process.stdout.write(`depwatch benchmarks on ${process.version}, ${new Date().toISOString()}\n`);

// Stopped (Ctrl-C, or `timeout` sending SIGTERM), the runner outlives the benchmark running now,
// removes its scratch directory and stops, instead of dying and leaving the directory behind. Each
// benchmark runs in a process group of its own, with what it starts (fakes, `npm start`, an
// embedded PostgreSQL): the signal is passed to the whole group, and whatever of the group is left
// when the benchmark ends is stopped before its directory is removed (a bot still writing its
// database there made the directory again).
let running: ChildProcess | null = null;
let stoppedBy: NodeJS.Signals | null = null;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stoppedBy ??= signal;
    if (running !== null) signalGroup(running, signal);
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // ESRCH: nobody is left in the group.
  }
}

/** Runs one benchmark to its end: its exit code, or the signal that ended it. */
async function runBenchmark(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'], env, detached: true });
  running = child;
  try {
    return await new Promise((resolve) => {
      child.on('error', () => resolve({ code: null, signal: null }));
      child.on('exit', (code, signal) => resolve({ code, signal }));
    });
  } finally {
    running = null;
    signalGroup(child, 'SIGTERM');
  }
}

let failed = 0;
for (const name of chosen) {
  const compiled = COMPILED[name];
  const args = compiled === undefined ? ['--import', 'tsx', 'bench/one.ts', name] : [compiled];
  // Each benchmark's trees, mirrors and databases (a full run wrote ~100 MB) go under a scratch
  // directory of its own, removed when it ends however it ends; its processes inherit TMPDIR and
  // trust the loopback TLS fakes' certificate (an HTTPS OSV, as api.osv.dev is).
  const scratch = makeScratch(`depwatch-bench-${name}-`);
  try {
    const result = await runBenchmark(args, { ...process.env, ...scratch.env });
    if (stoppedBy === null && result.code !== 0) {
      failed++;
      process.stdout.write(`${name}: FAILED (exit ${result.code ?? result.signal})\n`);
    }
  } finally {
    // What the group's last processes were writing as they stopped is removed too (retried).
    scratch.remove();
  }
  if (stoppedBy !== null) break;
}
process.exitCode = stoppedBy === 'SIGINT' ? 130 : stoppedBy === 'SIGTERM' ? 143 : failed ? 1 : 0;
