/**
 * The sweep benchmark's sweeping process run from compiled code (dist/, `npm run build` first) with
 * plain `node`, no tsx loader: what a deployed bot's memory looks like. The fakes and the scenario
 * come from bench/sweep.ts (its `--fakes` child, under tsx as usual); this process only sweeps.
 * Run: `npm run build && node bench/sweep-compiled.mjs` (prints the same figures as bench/sweep.ts).
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { OsvApi } from '../dist/advisories/osv-api.js';
import { createGitHubClient } from '../dist/github/client.js';
import { memorySource } from '../dist/python/files.js';
import { loadManifests } from '../dist/python/load.js';
import { PyPIClient } from '../dist/python/pypi.js';
import { openDb } from '../dist/store/db.js';
import { WatchStore } from '../dist/store/watches.js';
import { storedPackagesOf, sweep } from '../dist/watch/sweep.js';

// Must match bench/sweep.ts (the fakes accept only this token).
const TOKEN = `ghp_${'Bn4'.repeat(12)}`;
const LATENCY_MS = 50;
const mb = (bytes) => Math.round(bytes / 1024 / 1024);

function collectGarbage() {
  try {
    v8.setFlagsFromString('--expose-gc');
    runInNewContext('gc')();
  } catch {
    // Not available: the figures then include set-up garbage, which only over-counts.
  }
}

const sweepTs = fileURLToPath(new URL('./sweep.ts', import.meta.url));
const child = fork(sweepTs, ['--fakes'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const next = (type) =>
  new Promise((resolve, reject) => {
    const onMessage = (m) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m);
    };
    const onExit = (code) => reject(new Error(`the fakes process exited (${code}) before answering "${type}"`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });

const db = openDb(join(mkdtempSync(join(tmpdir(), 'depwatch-bench-sweep-')), 'depwatch.db'));
try {
  const fakes = await next('ready');
  const store = new WatchStore(db);
  const since = new Date('2025-01-06T08:00:00Z');
  for (const [i, text] of fakes.requirements.entries()) {
    const load = await loadManifests(memorySource({ 'requirements.txt': text }), {});
    const repo = `fleet/service-${i}`;
    const packages = storedPackagesOf(load.manifests.flatMap((m) => m.dependencies));
    store.addWatch({ repo, channel: `C0FLEET${String(i % 20).padStart(4, '0')}`, userId: 'U0BENCH0001', private: false, adminLinked: true, now: since });
    store.saveAudit({ repo, display: repo, htmlUrl: `https://github.com/${repo}`, private: false, sha: fakes.heads[i], packages, ignores: [], dependencies: packages.length, now: since });
  }
  child.send({ type: 'latency', ms: LATENCY_MS });
  await next('ok');
  const octokit = await createGitHubClient({ apiUrl: fakes.github, token: TOKEN });
  const advisories = new OsvApi({ baseUrl: fakes.osv, db });
  const registry = new PyPIClient({ baseUrl: fakes.pypi, db });

  collectGarbage();
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const started = performance.now();
  let result;
  try {
    result = await sweep({ store, octokit, db, advisories, registry, now: () => new Date(), concurrency: 8 });
  } finally {
    clearInterval(sampler);
  }
  const wallMs = performance.now() - started;
  peak = Math.max(peak, process.memoryUsage().rss);
  child.send({ type: 'count' });
  const { total } = await next('count');
  const figures = [`wall=${wallMs.toFixed(0)} ms`, `github_requests=${total}`, `peak_rss=${mb(peak)} MB (${mb(base)} MB before)`, `audited=${result.audited.length}`, `rematched=${result.rematched}`, `failed=${result.failed.length}`];
  process.stdout.write(`${'sweep (compiled, plain node)'.padEnd(48)} ${figures.join('  ')}   (target: RSS < 200 MB)\n`);
} finally {
  db.close();
  if (child.connected) child.send({ type: 'stop' });
}
