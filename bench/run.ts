/**
 * `npm run bench`: prints each benchmark's figures and request counts; nothing is asserted. Each
 * benchmark runs in its own process so start-up, memory (peak RSS) and caches do not leak between them.
 * `npm run bench -- sweep deps` runs only those.
 */
import { spawnSync } from 'node:child_process';
import { makeScratch } from '../test/helpers/scratch.js';

const ALL = ['deps', 'advisories', 'speed', 'slack-audit', 'slack-acks', 'sweep', 'sweep-compiled', 'sweep-replicas', 'monorepo', 'packages', 'scan', 'scan-tarball', 'hostile'];
/** Run from dist/ with plain node (no tsx loader), as deployed: `npm run bench` builds first. */
const COMPILED: Record<string, string> = { 'sweep-compiled': 'bench/sweep-compiled.mjs' };
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
process.stdout.write(`depwatch benchmarks on ${process.version}, ${new Date().toISOString()}\n`);
let failed = 0;
// Ctrl-C reaches the benchmark running now as well: with a listener this process outlives it (the
// listener itself runs only after the loop, spawnSync holding the thread), removes its scratch
// directory and stops, instead of dying inside spawnSync and leaving the directory behind.
process.on('SIGINT', () => undefined);
let interrupted = false;
for (const name of chosen) {
  const compiled = COMPILED[name];
  const args = compiled === undefined ? ['--import', 'tsx', 'bench/one.ts', name] : [compiled];
  // Each benchmark's trees, mirrors and databases (a full run wrote ~100 MB) go under a scratch
  // directory of its own, removed when it ends however it ends; its processes inherit TMPDIR and
  // trust the loopback TLS fakes' certificate (an HTTPS OSV, as api.osv.dev is).
  const scratch = makeScratch(`depwatch-bench-${name}-`);
  try {
    const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...scratch.env } });
    if (result.signal === 'SIGINT') interrupted = true;
    else if (result.status !== 0) {
      failed++;
      process.stdout.write(`${name}: FAILED (exit ${result.status ?? result.signal})\n`);
    }
  } finally {
    scratch.remove();
  }
  if (interrupted) break;
}
process.exitCode = interrupted ? 130 : failed ? 1 : 0;
