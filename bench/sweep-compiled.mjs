/**
 * The sweep benchmark run from compiled code (dist/, `npm run build` first) with plain `node`, no
 * tsx loader: what a deployed bot's time and memory look like. The fakes and the scenario come from
 * bench/sweep.ts (its `--fakes` child, under tsx as usual); this process only sweeps.
 *
 * Each scenario runs in a fresh process (`--scenario <name>`), so one's memory is not the next one's,
 * and the sweep itself in another fresh process (`--sweep`) that opens the database the set-up wrote,
 * as a bot does: its peak RSS (the kernel's high-water mark, start-up included) is the sweep's, not
 * the set-up's (which loads the whole fleet's packages in-process and keeps that heap):
 *   mirror      1,000 watched, 10 changed, no new advisories, against the local mirror (the bot's
 *               steady state: sweeps sync it first and use it while fresh)
 *   mirror+20   the same sweep right after 20 advisories were added to the mirror
 *   api         the first scenario against the OSV API (no change log: every unchanged repository is
 *               re-matched; records are cached by (id, modified))
 * Run: `npm run build && node bench/sweep-compiled.mjs [scenario…]`.
 */
import { execFileSync, fork, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { AdvisoryMirror } from '../dist/advisories/mirror.js';
import { readImportSource } from '../dist/advisories/import-sources.js';
import { OsvApi } from '../dist/advisories/osv-api.js';
import { createGitHubClient } from '../dist/github/client.js';
import { memorySource } from '../dist/python/files.js';
import { loadManifests } from '../dist/python/load.js';
import { PyPIClient } from '../dist/python/pypi.js';
import { openDb } from '../dist/store/db.js';
import { WatchStore } from '../dist/store/watches.js';
import { SqliteWatchState } from '../dist/store/watch-state/sqlite.js';
import { encodeMark, ignoresFingerprint } from '../dist/watch/rematch-plan.js';
import { findingKey } from '../dist/audit/findings.js';
import { storedPackagesOf, sweep, VULNERABILITY_KINDS } from '../dist/watch/sweep.js';
import { runHere } from '../dist/workers/audit-runner.js';

// Must match bench/sweep.ts (the fakes accept only this token; the pushes go to these repositories).
const TOKEN = `ghp_${'Bn4'.repeat(12)}`;
const LATENCY_MS = 50;
const CHANGED = 10;
const changedIndex = (i) => i * 97;
const FIXTURE = fileURLToPath(new URL('../test/fixtures/osv/advisories.jsonl.gz', import.meta.url));
const mb = (bytes) => Math.round(bytes / 1024 / 1024);

const SCENARIOS = {
  mirror: { title: '1,000 watched, 10 changed, no new advisories', target: 'wall < 5 s, GitHub <= 50 requests, RSS < 150 MB' },
  'mirror+20': { title: 'the same, right after 20 advisories were added', target: 'wall < 6 s' },
  api: { title: 'the first, against the OSV API (no change log)', target: 'for reference' },
};

/** Twenty new advisories for the fleet's packages, each affecting one of the releases pinned. */
function newAdvisories(pins) {
  const now = new Date().toISOString();
  return Array.from({ length: 20 }, (_, i) => {
    const [name, versions] = pins[i % pins.length];
    return {
      id: `PYSEC-2099-${1000 + i}`,
      modified: now,
      published: now,
      summary: `Bench flaw ${i} in ${name}`,
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      affected: [{ package: { ecosystem: 'PyPI', name }, versions: [versions[(i >> 1) % versions.length]] }],
    };
  });
}

async function runScenario(name) {
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

  const dbPath = join(mkdtempSync(join(tmpdir(), 'depwatch-bench-sweep-')), 'depwatch.db');
  const db = openDb(dbPath);
  try {
    const fakes = await next('ready');
    const store = new WatchStore(db);
    const mirror = new AdvisoryMirror(db);
    const useMirror = name !== 'api';
    if (useMirror) {
      await mirror.importRecords(readImportSource(FIXTURE));
      mirror.markSynced(new Date(), 'bench');
    }
    // What the previous sweep (an hour ago) left behind: every repository audited at its initial
    // commit and matched against the advisories as they are now.
    const since = new Date(Date.now() - 3_600_000);
    const mark = useMirror ? encodeMark({ advisories: mirror.changeMark(), ignores: ignoresFingerprint([], since), fullAt: since.toISOString() }) : null;
    for (const [i, text] of fakes.requirements.entries()) {
      const load = await loadManifests(memorySource({ 'requirements.txt': text }), {});
      const repo = `fleet/service-${i}`;
      const packages = storedPackagesOf(load.manifests.flatMap((m) => m.dependencies));
      store.addWatch({ repo, channel: `C0FLEET${String(i % 20).padStart(4, '0')}`, userId: 'U0BENCH0001', private: false, adminLinked: true, now: since });
      store.saveAudit({ repo, display: repo, htmlUrl: `https://github.com/${repo}`, private: false, sha: fakes.heads[i], packages, ignores: [], dependencies: packages.length, now: since, advisoriesMark: mark, advisoriesRead: true });
    }
    // ...and the findings it stored (a baseline: the sweep diffs against them).
    const stored = store.repoStates(store.watchedRepos());
    const previous = await runHere.rematch(
      { repos: [...stored.values()].map((s) => ({ key: s.repo, packages: s.packages, ignores: [] })), now: since },
      { advisories: useMirror ? mirror : new OsvApi({ baseUrl: fakes.osv, db }), registry: new PyPIClient({ baseUrl: fakes.pypi, db }) },
    );
    if (!previous.ok) throw new Error(previous.warning);
    store.inTransaction(() => {
      for (const { key, findings } of previous.findings) store.applyFindings({ /* as the last sweep stored them */ repo: key, findings, keyOf: findingKey, sha: null, now: since, kinds: VULNERABILITY_KINDS, baseline: true });
    });
    if (name === 'mirror+20') await mirror.importRecords(newAdvisories(fakes.pins));
    db.close();
    child.send({ type: 'latency', ms: LATENCY_MS });
    await next('ok');
    const { wallMs, peakRssMb, baseRssMb, result } = JSON.parse(
      execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--sweep', JSON.stringify({ dbPath, github: fakes.github, osv: fakes.osv, pypi: fakes.pypi, useMirror })], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
    );
    child.send({ type: 'count' });
    const { total } = await next('count');
    const { title, target } = SCENARIOS[name];
    const figures = [
      `wall=${wallMs.toFixed(0)} ms`,
      `github_requests=${total}`,
      `peak_rss=${peakRssMb} MB (${baseRssMb} MB before)`,
      `audited=${result.audited}`,
      `rematched=${result.rematched}`,
      `up_to_date=${result.upToDate}`,
      `new_findings=${result.added}`,
      `failed=${result.failed.length}`,
    ];
    process.stdout.write(`${`sweep (compiled) ${name}: ${title}`.padEnd(48)} ${figures.join('  ')}   (target: ${target})\n`);
    if (result.failed.length > 0 || result.warnings.length > 0) throw new Error(`the sweep was not clean: ${JSON.stringify({ failed: result.failed, warnings: result.warnings })}`);
  } finally {
    if (db.open) db.close();
    if (child.connected) child.send({ type: 'stop' });
  }
}

/** The sweep alone, in this fresh process, on the database the set-up wrote; prints its figures as JSON. */
async function sweepOnly({ dbPath, github, osv, pypi, useMirror }) {
  const db = openDb(dbPath);
  const octokit = await createGitHubClient({ apiUrl: github, token: TOKEN });
  const advisories = useMirror ? new AdvisoryMirror(db) : new OsvApi({ baseUrl: osv, db });
  const registry = new PyPIClient({ baseUrl: pypi, db });
  const baseRssMb = mb(process.memoryUsage().rss);
  const started = performance.now();
  const result = await sweep({ state: new SqliteWatchState(new WatchStore(db)), octokit, db, advisories, registry, now: () => new Date(), concurrency: 8 });
  const wallMs = performance.now() - started;
  db.close();
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(JSON.stringify({ wallMs, peakRssMb, baseRssMb, result: { audited: result.audited.length, rematched: result.rematched, upToDate: result.upToDate, added: result.added.length, failed: result.failed, warnings: result.warnings } }));
}

const sweepAt = process.argv.indexOf('--sweep');
const at = process.argv.indexOf('--scenario');
if (sweepAt >= 0) {
  await sweepOnly(JSON.parse(process.argv[sweepAt + 1]));
} else if (at >= 0) {
  await runScenario(process.argv[at + 1]);
} else {
  const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(SCENARIOS);
  let failed = 0;
  for (const name of chosen) {
    if (!(name in SCENARIOS)) throw new Error(`unknown scenario ${name}: one of ${Object.keys(SCENARIOS).join(', ')}`);
    const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--scenario', name], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (run.status !== 0) failed++;
  }
  process.exitCode = failed ? 1 : 0;
}
