/**
 * A sweep over 1,000 watched repositories of which 10 changed since the last sweep, against loopback
 * fakes of GitHub, OSV (real PyPA advisories) and PyPI that each answer after 50 ms. The previous
 * sweep's state is written first through the store (what that sweep would have left: head shas,
 * installed packages from the real loader), so only the measured sweep talks to the fakes.
 *
 * Prints wall time (target < 30 s), GitHub requests (target < 60) and the peak RSS of the sweeping
 * process (target < 200 MB). The fakes run in a child process so they are not counted.
 * Run alone with `npx tsx bench/sweep.ts`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { OsvApi } from '../src/advisories/osv-api.js';
import { createGitHubClient } from '../src/github/client.js';
import { memorySource } from '../src/python/files.js';
import { loadManifests } from '../src/python/load.js';
import { PyPIClient } from '../src/python/pypi.js';
import { WatchStore } from '../src/store/watches.js';
import { SqliteWatchState } from '../src/store/watch-state/sqlite.js';
import { storedPackagesOf, sweep } from '../src/watch/sweep.js';
import { openDb } from '../src/store/db.js';
import { fmtMs, report, tempDir } from './util.js';

const REPOS = 1000;
const CHANGED = 10;
const LATENCY_MS = 50;
export const TOKEN = `ghp_${'Bn4'.repeat(12)}`;
/** The fakes child serves `--repos N --changed M` (bench/sweep-replicas.ts: 20,000 and 200); this bench's by default. */
const argNumber = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
/** The repositories pushed to since the last sweep: every 97th, so they spread over every batch. */
export const changedIndex = (i: number) => i * 97;

/** Real packages and versions, some with known advisories, varied per repository. */
export const PINS: [string, string[]][] = [
  ['requests', ['2.2.0', '2.19.1', '2.25.1', '2.31.0']],
  ['urllib3', ['1.24.1', '1.26.4', '1.26.18', '2.0.7']],
  ['django', ['2.1.5', '3.2.12', '4.2.7', '5.0.1']],
  ['flask', ['0.12.2', '1.1.2', '2.2.5', '3.0.0']],
  ['jinja2', ['2.10', '2.11.3', '3.1.2', '3.1.4']],
  ['pyyaml', ['3.13', '5.3.1', '5.4.1', '6.0.1']],
  ['certifi', ['2019.11.28', '2022.12.7', '2023.7.22', '2024.2.2']],
  ['idna', ['2.8', '3.4', '3.6', '3.7']],
  ['click', ['7.1.2', '8.0.4', '8.1.3', '8.1.7']],
  ['pillow', ['6.2.0', '8.3.2', '9.5.0', '10.2.0']],
];

export function requirementsFor(i: number, generation = 0): string {
  return PINS.map(([name, versions], k) => `${name}==${versions[(i + k * 7 + generation) % versions.length]}`).join('\n') + `\n# service ${i}\n`;
}

export interface SweepBench {
  wallMs: number;
  githubRequests: number;
  /** Peak RSS of the process that sweeps (the fakes run in a child process and are not counted). */
  peakRssMb: number;
  /** RSS of the sweeping process just before the sweep. */
  baseRssMb: number;
  audited: number;
  rematched: number;
  failed: number;
}

/** A full GC when the runtime allows it (the flag can be set at run time; the function comes from a fresh context). */
function collectGarbage(): void {
  try {
    v8.setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
  } catch {
    // Not available: the figures then include set-up garbage, which only over-counts.
  }
}

export type ToFakes = { type: 'latency'; ms: number } | { type: 'count' } | { type: 'stop' };
export type FromFakes = { type: 'ready'; github: string; osv: string; pypi: string; heads: string[]; requirements: string[]; pins: [string, string[]][] } | { type: 'ok' } | { type: 'count'; total: number };

/** The child process: the three fakes, 1,000 repositories, 10 pushes; answers the parent over IPC. */
async function serveFakes(): Promise<void> {
  const repos = argNumber('--repos', REPOS);
  const changed = argNumber('--changed', CHANGED);
  // Imported here, in the child only: the fakes' code is no part of the sweeping process's memory.
  const { startFakeGitHub } = await import('../test/fakes/github.js');
  const { startFakeOsv } = await import('../test/fakes/osv.js');
  const { startFakePypi } = await import('../test/fakes/pypi.js');
  const { fixtureRecords } = await import('../test/fixtures/osv/load.js');
  const github = await startFakeGitHub({ tokens: [TOKEN] });
  const osv = await startFakeOsv({ records: [...fixtureRecords().values()] });
  const pypi = await startFakePypi();
  for (const [name, versions] of PINS) pypi.addProject({ name, releases: versions.map((version, n) => ({ version, uploadTime: `20${18 + n}-01-01T00:00:00Z` })) });
  const heads: string[] = [];
  for (let i = 0; i < repos; i++) heads.push(github.addRepo({ owner: 'fleet', name: `service-${i}`, files: { 'requirements.txt': requirementsFor(i) } }));
  for (let i = 0; i < changed; i++) github.pushCommit('fleet', `service-${changedIndex(i)}`, { 'requirements.txt': requirementsFor(changedIndex(i), 1) });
  const send = (m: FromFakes) => process.send!(m);
  process.on('message', (m: ToFakes) => {
    if (m.type === 'latency') {
      github.setLatency(m.ms);
      osv.latencyMs = m.ms;
      pypi.latencyMs = m.ms;
      github.resetCounts();
      send({ type: 'ok' });
    } else if (m.type === 'count') {
      send({ type: 'count', total: github.totalRequests() });
    } else {
      void Promise.all([github.close(), osv.close(), pypi.close()]).then(() => process.exit(0));
    }
  });
  const requirements = Array.from({ length: repos }, (_, i) => requirementsFor(i));
  send({ type: 'ready', github: github.url, osv: osv.url, pypi: pypi.url, heads, requirements, pins: PINS });
}

export function startFakesProcess(args: string[] = []): { child: ChildProcess; next: <T extends FromFakes['type']>(type: T) => Promise<Extract<FromFakes, { type: T }>> } {
  const child = fork(fileURLToPath(import.meta.url), ['--fakes', ...args], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T extends FromFakes['type']>(type: T) =>
    new Promise<Extract<FromFakes, { type: T }>>((resolve, reject) => {
      const onMessage = (m: FromFakes) => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m as Extract<FromFakes, { type: T }>);
      };
      const onExit = (code: number | null) => reject(new Error(`the fakes process exited (${code}) before answering "${type}"`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  return { child, next };
}

export async function benchSweep(): Promise<SweepBench> {
  const { child, next } = startFakesProcess();
  const db = openDb(join(tempDir('sweep'), 'depwatch.db'));
  try {
    const fakes = await next('ready');
    // What the previous sweep left behind: every repository audited at its initial commit.
    const store = new WatchStore(db);
    const since = new Date('2025-01-06T08:00:00Z');
    for (let i = 0; i < REPOS; i++) {
      const load = await loadManifests(memorySource({ 'requirements.txt': requirementsFor(i) }), {});
      const repo = `fleet/service-${i}`;
      store.addWatch({ repo, channel: `C0FLEET${String(i % 20).padStart(4, '0')}`, userId: 'U0BENCH0001', private: false, adminLinked: true, now: since });
      store.saveAudit({ repo, display: repo, htmlUrl: `https://github.com/${repo}`, private: false, sha: fakes.heads[i]!, packages: storedPackagesOf(load.manifests.flatMap((m) => m.dependencies)), ignores: [], dependencies: PINS.length, now: since, advisoriesRead: true });
    }
    child.send({ type: 'latency', ms: LATENCY_MS } satisfies ToFakes);
    await next('ok');
    const octokit = await createGitHubClient({ apiUrl: fakes.github, token: TOKEN });
    const advisories = new OsvApi({ baseUrl: fakes.osv, db });
    const registry = new PyPIClient({ baseUrl: fakes.pypi, db });

    collectGarbage(); // what the set-up left behind is not the sweep's
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    const started = performance.now();
    let result;
    try {
      result = await sweep({ state: new SqliteWatchState(store), octokit, db, advisories, registry, now: () => new Date(), concurrency: 8 });
    } finally {
      clearInterval(sampler);
    }
    const wallMs = performance.now() - started;
    peak = Math.max(peak, process.memoryUsage().rss);
    child.send({ type: 'count' } satisfies ToFakes);
    const { total } = await next('count');
    const figures: SweepBench = {
      wallMs,
      githubRequests: total,
      peakRssMb: Math.round(peak / 1024 / 1024),
      baseRssMb: Math.round(base / 1024 / 1024),
      audited: result.audited.length,
      rematched: result.rematched,
      failed: result.failed.length,
    };
    report(
      `sweep: ${REPOS} watched, ${CHANGED} changed, fakes at ${LATENCY_MS} ms`,
      { wall: fmtMs(figures.wallMs), github_requests: figures.githubRequests, peak_rss: `${figures.peakRssMb} MB (${figures.baseRssMb} MB before)`, audited: figures.audited, rematched: figures.rematched, failed: figures.failed },
      'wall < 30 s, GitHub < 60 requests, RSS < 200 MB',
    );
    return figures;
  } finally {
    db.close();
    if (child.connected) child.send({ type: 'stop' } satisfies ToFakes);
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
  }
}

if (process.argv.includes('--fakes')) {
  await serveFakes();
} else if (import.meta.url === `file://${process.argv[1]}`) {
  await benchSweep();
}
