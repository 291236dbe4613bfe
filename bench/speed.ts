/**
 * Issue 11's figures, each measured from compiled code (dist/, with plain `node`; the fakes run in
 * processes of their own under tsx) and printed beside its target:
 *  - an API-mode audit of 300 pinned releases, first and repeat, OSV answering after 50 ms over
 *    HTTPS as api.osv.dev does (and, for comparison, the first over plain HTTP);
 *  - an offline (mirror) audit of 1,000 pinned releases, beyond process start-up, and of one pin
 *    (no target: what every audit pays, a small project's whole cost), and the same 1,000-pin audit
 *    repeated in one process (no target: its cost once the code is warm, as in the bot);
 *  - `depwatch db status` and `depwatch --version`, whole process;
 *  - `npm start` on a built checkout to "listening", against the fake Slack as test/e2e does.
 * The machine may be shared and busy: each figure is the median of several runs, and CPU time
 * (which a busy machine does not inflate as much as wall time) is printed beside wall time.
 *
 * `DEPWATCH_BENCH_ROOT=/path/to/other/checkout npm run bench -- speed` measures another built
 * checkout's dist/ with the same scenario (how the README's "before" column was taken); `npm start`
 * is measured only in this checkout.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { fixtureRecords, ADVISORIES_JSONL_GZ, OLD_FIXTURES_ALLOWED } from '../test/fixtures/osv/load.js';
import { pinnedReleases, startFakeOsvProcess, writePinnedTree } from './advisories.js';
import { fmtMs, report, run, type RunResult } from './util.js';
import { FAKE_BOT_TOKEN } from '../test/fakes/slack-api.js';

const HERE = join(import.meta.dirname, '..');
const ROOT = process.env.DEPWATCH_BENCH_ROOT ?? HERE;
const CLI = join(ROOT, 'dist', 'cli.js');
const RUNS = Number(process.env.DEPWATCH_BENCH_RUNS ?? 5);
/** Audits run in one process for the warm figure: the median is taken over the second half. */
const WARM_RUNS = 10;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[(sorted.length - 1) >> 1]!;
};

async function repeat(times: number, fn: () => Promise<RunResult>): Promise<{ ms: number; cpuMs: number | null; last: RunResult }> {
  const runs: RunResult[] = [];
  for (let i = 0; i < times; i++) runs.push(await fn());
  const cpu = runs.map((r) => r.cpuMs);
  return { ms: median(runs.map((r) => r.ms)), cpuMs: cpu.some((c) => c === null) ? null : median(cpu as number[]), last: runs.at(-1)! };
}

function ok(result: RunResult, what: string, codes = [0]): RunResult {
  if (result.code === null || !codes.includes(result.code)) throw new Error(`${what} failed (${result.code}): ${result.stderr.slice(0, 500)}`);
  return result;
}

interface AuditFigures {
  ms: number;
  cpuMs: number;
  requests: number;
  /** By kind (OsvApi.stats): querybatch, query (/v1/query, a whole package list), vulns (/v1/vulns/{id}). */
  byKind: { querybatch: number; query: number; vulns: number };
  /** /v1/vulns answers that were 404: alias ids looked up for a rating that OSV does not hold. */
  unknown: number;
  findings: number;
}

/** `1 querybatch + 276 /v1/query + 589 /v1/vulns (589 unknown ids)`: what the total is made of. */
function requestKinds(figures: AuditFigures): string {
  const { querybatch, query, vulns } = figures.byKind;
  return `${querybatch} querybatch + ${query} /v1/query + ${vulns} /v1/vulns (${figures.unknown} unknown ids)`;
}

/**
 * The API-mode audit against a fake OSV over HTTPS, as api.osv.dev is reached (HTTP/2 where the
 * client speaks it), and, for comparison with the figures of sessions before 11, over plain HTTP
 * (no TLS handshakes, HTTP/1.1 only).
 */
async function benchApiAudit(tree: string, pins: number, over: 'https' | 'http'): Promise<void> {
  const osv = await startFakeOsvProcess(50, { tls: over === 'https' });
  try {
    const runs: { first: AuditFigures; repeat: AuditFigures; repeatSameClient: AuditFigures }[] = [];
    for (let i = 0; i < RUNS; i++) {
      const result = ok(await run(process.execPath, [join(HERE, 'bench', 'api-audit-compiled.mjs'), ROOT, osv.url, tree]), 'the API audit');
      runs.push(JSON.parse(result.stdout) as (typeof runs)[number]);
    }
    const pick = (key: keyof (typeof runs)[number]) => ({
      ms: median(runs.map((r) => r[key].ms)),
      cpu: median(runs.map((r) => r[key].cpuMs)),
      requests: median(runs.map((r) => r[key].requests)),
    });
    const first = pick('first');
    const again = pick('repeat');
    const same = pick('repeatSameClient');
    if (over === 'http') {
      report(`speed: API audit of ${pins} pins, OSV +50 ms over plain HTTP, first`, { wall: fmtMs(first.ms), cpu: fmtMs(first.cpu), 'OSV requests': first.requests });
      return;
    }
    report(
      `speed: API audit of ${pins} pins, OSV +50 ms over HTTPS, first`,
      { wall: fmtMs(first.ms), cpu: fmtMs(first.cpu), 'OSV requests': first.requests, 'by kind': requestKinds(runs[0]!.first), findings: runs[0]!.first.findings },
      'under 600 ms',
    );
    report(
      `speed: API audit of ${pins} pins, repeat (new client)`,
      { wall: fmtMs(again.ms), cpu: fmtMs(again.cpu), 'OSV requests': again.requests, 'by kind': requestKinds(runs[0]!.repeat), 'same client (bot)': `${fmtMs(same.ms)}, ${same.requests} request(s)` },
      'one OSV request and under 150 ms',
    );
  } finally {
    osv.close();
  }
}

async function benchCliStartup(mirrorDb: string, tree: string, pins: number): Promise<void> {
  const versionArgs = existsSync(join(ROOT, 'dist', 'version.js')) ? ['--version'] : ['--help']; // before --version existed
  const version = await repeat(RUNS, async () => ok(await run(process.execPath, [CLI, ...versionArgs]), 'depwatch --version'));
  const status = await repeat(RUNS, async () => ok(await run(process.execPath, [CLI, 'db', 'status', '--db', mirrorDb]), 'depwatch db status'));
  const bare = await repeat(RUNS, async () => ok(await run(process.execPath, ['-e', '0']), 'node -e 0'));
  // The fixture advisories are old on purpose, and an offline audit of data past its limit is partial (exit 2):
  // OLD_FIXTURES_ALLOWED lets the audits measured here answer as they do from a current mirror.
  const audit = await repeat(RUNS, async () => ok(await run(process.execPath, [CLI, 'audit', '--offline', '--json', '--fail-on', 'never', '--db', mirrorDb, tree], OLD_FIXTURES_ALLOWED), 'the offline audit'));
  // What every audit pays whatever its size (a small project's whole cost): one pin, the same mirror.
  const onePin = mkdtempSync(join(tmpdir(), 'depwatch-bench-one-pin-'));
  writeFileSync(join(onePin, 'requirements.txt'), 'django==2.1.5\n');
  const small = await repeat(RUNS, async () => ok(await run(process.execPath, [CLI, 'audit', '--offline', '--json', '--fail-on', 'never', '--db', mirrorDb, onePin], OLD_FIXTURES_ALLOWED), 'the one-pin audit'));
  const findings = (JSON.parse(audit.last.stdout) as { findings: unknown[] }).findings.length;
  const minus = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);
  report(
    `speed: offline audit of ${pins.toLocaleString('en')} pins`,
    {
      'beyond start-up': fmtMs(audit.ms - version.ms),
      'cpu beyond start-up': fmtMs(minus(audit.cpuMs, version.cpuMs)),
      'whole process': fmtMs(audit.ms),
      findings,
    },
    'under 150 ms beyond start-up',
  );
  report('speed: offline audit of one pin (its fixed cost)', { 'beyond start-up': fmtMs(small.ms - version.ms), 'whole process': fmtMs(small.ms), cpu: fmtMs(small.cpuMs) });
  // The same audit in a process that has run it before (the bot; no target): how much of the cold
  // figure is the work itself, and how much is code run for the first time.
  const warmScript = join(HERE, 'bench', 'offline-warm-compiled.mjs');
  const warm = JSON.parse(ok(await run(process.execPath, [warmScript, ROOT, mirrorDb, tree, String(WARM_RUNS)], OLD_FIXTURES_ALLOWED), 'the warm audits').stdout) as { ms: number; cpuMs: number }[];
  const settled = warm.slice(WARM_RUNS >> 1);
  report(`speed: offline audit of ${pins.toLocaleString('en')} pins, again in one process (no target)`, {
    first: fmtMs(warm[0]!.ms),
    'once warm': fmtMs(median(settled.map((r) => r.ms))),
    'cpu once warm': fmtMs(median(settled.map((r) => r.cpuMs))),
  });
  report(
    'speed: depwatch db status, whole process',
    { wall: fmtMs(status.ms), cpu: fmtMs(status.cpuMs), 'node -e 0 here': fmtMs(bare.ms) },
    'under 200 ms',
  );
  report(`speed: depwatch ${versionArgs[0]}, whole process`, { wall: fmtMs(version.ms), cpu: fmtMs(version.cpuMs) }, 'under 200 ms');
}

/** Fake Slack, GitHub, OSV and PyPI in a tsx child; resolves with their URLs. */
async function startBotFakes(): Promise<{ urls: Record<'slack' | 'github' | 'osv' | 'pypi', string>; close(): void }> {
  const fake = (name: string) => JSON.stringify(pathToFileURL(join(HERE, 'test', 'fakes', name)).href);
  const script = `
    import { startFakeGitHub } from ${fake('github.ts')};
    import { startFakeOsv } from ${fake('osv.ts')};
    import { startFakePypi } from ${fake('pypi.ts')};
    import { startFakeSlack } from ${fake('slack-api.ts')};
    const [slack, github, osv, pypi] = await Promise.all([startFakeSlack(), startFakeGitHub({ repos: [] }), startFakeOsv({ records: [] }), startFakePypi()]);
    console.log(JSON.stringify({ slack: slack.url, github: github.url, osv: osv.url, pypi: pypi.url }));
    process.stdin.resume();
    process.stdin.on('end', () => process.exit(0));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: HERE, stdio: ['pipe', 'pipe', 'inherit'] });
  const { value } = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
  return { urls: JSON.parse(value as string) as Record<'slack' | 'github' | 'osv' | 'pypi', string>, close: () => child.stdin.end() };
}

/**
 * Process groups of bots started and not yet stopped. Each runs in a group of its own (npm, its
 * shell, node), outside this benchmark's: stopped by a signal, the benchmark stops them before it
 * ends, or they would go on writing their database in a scratch directory being removed.
 */
const botGroups = new Set<number>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const pid of botGroups) stopGroup(pid);
    process.kill(process.pid, signal); // as it would have ended without this listener
  });
}

function stopGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // ESRCH: already gone.
  }
}

/** `npm start` until the bot logs "listening on"; the whole process group is stopped after. */
function timeStart(env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('npm', ['start'], { cwd: HERE, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    if (child.pid !== undefined) botGroups.add(child.pid);
    let output = '';
    let listening = 0;
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (listening === 0 && output.includes('listening on')) {
        listening = performance.now() - started;
        stopGroup(child.pid!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', () => botGroups.delete(child.pid!));
    child.on('close', () => (listening > 0 ? resolve(listening) : reject(new Error(`npm start ended before listening: ${output.slice(-500)}`))));
  });
}

async function benchStart(): Promise<void> {
  const fakes = await startBotFakes();
  try {
    const dir = mkdtempSync(join(tmpdir(), 'depwatch-bench-start-'));
    const env = {
      SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
      SLACK_SIGNING_SECRET: 'bench-signing-secret-abcdef0123456789',
      SLACK_API_URL: fakes.urls.slack,
      GITHUB_API_URL: fakes.urls.github,
      OSV_API_URL: fakes.urls.osv,
      PYPI_URL: fakes.urls.pypi,
      DEPWATCH_DB: join(dir, 'depwatch.db'),
      PORT: '0',
      TZ: 'UTC',
      LOG_LEVEL: 'info',
    };
    const times: number[] = [];
    for (let i = 0; i < Math.min(RUNS, 3); i++) times.push(await timeStart(env));
    report('speed: npm start to "listening" (built checkout)', { median: fmtMs(median(times)), runs: times.map((t) => fmtMs(t)).join(', ') }, 'under 3 s');
  } finally {
    fakes.close();
  }
}

export async function benchSpeed(): Promise<void> {
  const records = [...fixtureRecords().values()];
  const pins1000 = pinnedReleases(records, 1000);
  const pins300 = pinnedReleases(records, 300, 2);
  const mirrorDb = join(mkdtempSync(join(tmpdir(), 'depwatch-bench-speed-')), 'mirror.db');
  ok(await run(process.execPath, [CLI, 'db', 'import', '--db', mirrorDb, ADVISORIES_JSONL_GZ]), 'db import');
  const tree300 = writePinnedTree(pins300);
  await benchApiAudit(tree300, pins300.length, 'https');
  await benchApiAudit(tree300, pins300.length, 'http');
  await benchCliStartup(mirrorDb, writePinnedTree(pins1000), pins1000.length);
  if (ROOT === HERE) await benchStart();
}
