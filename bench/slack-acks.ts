/**
 * Slack ack latency while a 5 MB manifest is parsed: the built bot (`node dist/main.js`, as
 * deployed, its own process) audits a repository whose requirements file is pypi/warehouse's real
 * pins (with hashes) repeated to just under the 5 MB limit, and meanwhile gets `/audit help` every
 * 50 ms; each ack's latency is from sending the signed request to its HTTP answer. The repository is
 * audited once first, so the measured audits read the blob from the cache and the figures are about
 * the parsing, not the download. Prints p50 and max over three audits (target: max under 300 ms).
 * Run alone with `npm run build && npx tsx bench/slack-acks.ts`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_MANIFEST_BYTES } from '../src/python/load.js';
import { freePort, ROOT, startMain, waitFor } from '../test/e2e/bot-process.js';
import { startFakeGitHub } from '../test/fakes/github.js';
import { startFakeOsv } from '../test/fakes/osv.js';
import { startFakePypi } from '../test/fakes/pypi.js';
import { FAKE_BOT_TOKEN, startFakeSlack } from '../test/fakes/slack-api.js';
import { fixtureRecords } from '../test/fixtures/osv/load.js';
import { postToBolt, signedRequest, slashCommand } from '../test/helpers/slack-requests.js';
import { fmtMs, report } from './util.js';

const SECRET = 'bench-signing-secret-0123456789abcdef';
const TOKEN = `ghp_${'Ak7'.repeat(12)}`;
const AUDITS = 3;
const PROBE_EVERY_MS = 50;

export interface SlackAcksFigures {
  acks: number;
  p50Ms: number;
  maxMs: number;
  auditMs: number[];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? NaN;

export async function benchSlackAcks(): Promise<SlackAcksFigures> {
  const real = readFileSync(join(ROOT, 'test', 'fixtures', 'manifests', 'pypi-warehouse', 'requirements', 'main.txt'), 'utf8');
  const big = `${real}\n`.repeat(Math.floor((MAX_MANIFEST_BYTES - 1024) / (real.length + 1)));
  const slack = await startFakeSlack();
  const github = await startFakeGitHub({ repos: [{ owner: 'bench', name: 'big', files: { 'requirements.txt': big } }], tokens: [TOKEN] });
  const osv = await startFakeOsv({ records: [...fixtureRecords().values()] });
  const pypi = await startFakePypi();
  const dir = mkdtempSync(join(tmpdir(), 'depwatch-bench-acks-'));
  const port = await freePort();
  const bot = startMain(
    {
      SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.url,
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: TOKEN,
      OSV_API_URL: osv.url,
      PYPI_URL: pypi.url,
      DEPWATCH_DB: join(dir, 'depwatch.db'),
      PORT: String(port),
      TZ: 'UTC',
      LOG_LEVEL: 'info',
    },
    dir,
  );
  const events = `http://127.0.0.1:${port}/slack/events`;
  const audit = () => postToBolt(events, signedRequest(SECRET, slashCommand({ text: 'bench/big', response_url: slack.responseUrl(`audit-${Date.now()}`) })));
  const updates = () => slack.callsTo('chat.update').length;
  try {
    await waitFor(() => bot.stderr().includes('listening on'), `the bot to listen (stderr: ${bot.stderr()})`, 30_000);
    await audit();
    await waitFor(() => updates() >= 1, 'the warm-up audit', 120_000);

    const latencies: number[] = [];
    const auditMs: number[] = [];
    for (let round = 0; round < AUDITS; round++) {
      const before = updates();
      const started = Date.now();
      await audit();
      while (updates() === before) {
        const sent = performance.now();
        const probe = await postToBolt(events, signedRequest(SECRET, slashCommand({ text: 'help' })));
        if (probe.status !== 200) throw new Error(`a probe was answered ${probe.status}`);
        latencies.push(performance.now() - sent);
        await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
        if (Date.now() - started > 120_000) throw new Error('the audit did not finish within 120 s');
      }
      auditMs.push(Date.now() - started);
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const figures = { acks: latencies.length, p50Ms: percentile(sorted, 0.5), maxMs: sorted.at(-1) ?? NaN, auditMs };
    report(
      'slack acks while a 5 MB manifest is parsed',
      { acks: figures.acks, p50: fmtMs(figures.p50Ms), max: fmtMs(figures.maxMs), 'audit (each)': auditMs.map((ms) => fmtMs(ms)).join(' / ') },
      'max under 300 ms',
    );
    return figures;
  } finally {
    bot.child.kill('SIGTERM');
    await bot.exited;
    await Promise.all([slack.close(), github.close(), osv.close(), pypi.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchSlackAcks();
}
