/**
 * GET /healthz and GET /metrics on the built bot (`node dist/main.js`), every outside service a
 * loopback fake. HTTP mode serves them beside /slack/events; Socket Mode on a small server on PORT.
 * /healthz turns 503 with one line when the store is not what this build needs; /metrics counts the
 * audits and the requests of a real /audit, asks for METRICS_TOKEN when one is set, and never shows a
 * secret.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.js';
import { startFakeOsv, type FakeOsv } from '../fakes/osv.js';
import { startFakePypi, type FakePypi } from '../fakes/pypi.js';
import { FAKE_APP_TOKEN, FAKE_BOT_TOKEN, startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';
import { startFakeSocketMode, type FakeSocketMode } from '../fakes/slack-socket.js';
import { fixtureRecords } from '../fixtures/osv/load.js';
import { postToBolt, signedRequest, slashCommand } from '../helpers/slack-requests.js';
import { GITHUB_TOKEN, SHOP } from '../slack/app-world.js';
import { BOT_TEST_MS, buildIfStale, CLEAN_STOP, endingAfterSigterm, EVENT_DEADLINE_MS, freePort, startMain, waitFor } from './bot-process.js';

const SECRET = 'ops-signing-secret-abcdef0123456789';
const METRICS_TOKEN = 'ops-metrics-token-0123456789abcdef';

/** The value of one series in Prometheus text, e.g. sample(text, 'depwatch_audits_total{kind="tree",outcome="complete"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /healthz and GET /metrics (node dist/main.js)', () => {
  let slack: FakeSlack;
  let socket: FakeSocketMode;
  let github: FakeGitHub;
  let osv: FakeOsv;
  let pypi: FakePypi;
  let workDir: string;

  beforeAll(async () => {
    buildIfStale();
    slack = await startFakeSlack();
    socket = await startFakeSocketMode(slack);
    github = await startFakeGitHub({ repos: [SHOP], tokens: [GITHUB_TOKEN] });
    osv = await startFakeOsv({ records: [...fixtureRecords().values()] });
    pypi = await startFakePypi();
    workDir = mkdtempSync(join(tmpdir(), 'depwatch-ops-'));
  }, 300_000);

  afterAll(async () => {
    await Promise.all([socket?.close(), slack?.close(), github?.close(), osv?.close(), pypi?.close()]);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  const services = () => ({
    SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
    SLACK_API_URL: slack.url,
    GITHUB_API_URL: github.url,
    GITHUB_TOKEN,
    OSV_API_URL: osv.url,
    PYPI_URL: pypi.url,
    TZ: 'UTC',
    LOG_LEVEL: 'info',
  });

  it('HTTP mode: ready, counts a real /audit and its requests, asks for METRICS_TOKEN, and turns 503 when the store falls behind', async () => {
    const port = await freePort();
    const dbPath = join(workDir, 'http.db');
    const bot = startMain({ ...services(), SLACK_SIGNING_SECRET: SECRET, PORT: String(port), DEPWATCH_DB: dbPath, METRICS_TOKEN }, workDir);
    const base = `http://127.0.0.1:${port}`;
    const scrape = async (authorization?: string) => fetch(`${base}/metrics`, authorization ? { headers: { authorization } } : {});
    try {
      await waitFor(() => bot.stderr().includes('listening on'), `"listening on" (stderr so far: ${bot.stderr()})`, EVENT_DEADLINE_MS);

      const healthy = await fetch(`${base}/healthz`);
      expect(healthy.status).toBe(200);
      expect(await healthy.text()).toBe('ok\n');

      const responseUrl = slack.responseUrl('ops', { channel: 'C0AUDITS001', user: 'U0ALICE0001' });
      const audit = await postToBolt(`${base}/slack/events`, signedRequest(SECRET, slashCommand({ text: 'octo/shop', response_url: responseUrl })));
      expect(audit.status).toBe(200);
      await waitFor(() => slack.callsTo('chat.update')[0], 'the audit result');
      // The reply's first update (its vulnerabilities) comes before the audit ends (PyPI's part, then the
      // stored result): the audit is counted when it ends, so wait for that before reading the figures.
      const auditsCounted = async () => {
        const now = await (await scrape(`Bearer ${METRICS_TOKEN}`)).text();
        return (sample(now, 'depwatch_audits_total{kind="tree",outcome="complete"}') ?? 0) + (sample(now, 'depwatch_audits_total{kind="tree",outcome="partial"}') ?? 0);
      };
      for (const deadline = Date.now() + EVENT_DEADLINE_MS; (await auditsCounted()) === 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));

      expect((await scrape()).status).toBe(401);
      expect((await scrape('Bearer not-the-token')).status).toBe(401);
      const metrics = await scrape(`Bearer ${METRICS_TOKEN}`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
      const text = await metrics.text();
      const audits = (sample(text, 'depwatch_audits_total{kind="tree",outcome="complete"}') ?? 0) + (sample(text, 'depwatch_audits_total{kind="tree",outcome="partial"}') ?? 0);
      expect(audits).toBe(1);
      expect(sample(text, 'depwatch_audit_duration_seconds_count{kind="tree"}')).toBe(1);
      expect(sample(text, 'depwatch_upstream_requests_total{service="GitHub",outcome="2xx"}')).toBeGreaterThan(0);
      expect(sample(text, 'depwatch_upstream_requests_total{service="OSV",outcome="2xx"}')).toBeGreaterThan(0);
      // auth.test at start-up, chat.postMessage and chat.update for the reply.
      expect(sample(text, 'depwatch_upstream_requests_total{service="Slack",outcome="2xx"}')).toBeGreaterThanOrEqual(3);
      expect(text).toContain('# TYPE depwatch_sweep_duration_seconds histogram');
      expect(text).toContain('process_resident_memory_bytes');
      for (const secret of [FAKE_BOT_TOKEN, SECRET, GITHUB_TOKEN, METRICS_TOKEN, dbPath]) expect(text).not.toContain(secret);

      // A store that falls behind this build (here: its last migration undone under the running bot).
      const other = new Database(dbPath);
      const latest = other.prepare('SELECT * FROM schema_migrations ORDER BY version DESC LIMIT 1').get() as { version: number; name: string; applied_at: string };
      other.prepare('DELETE FROM schema_migrations WHERE version = ?').run(latest.version);
      const behind = await fetch(`${base}/healthz`);
      expect(behind.status).toBe(503);
      expect(await behind.text()).toBe(`store: schema version ${latest.version - 1}, this build needs ${latest.version} (migrations not applied)\n`);
      other.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(latest.version, latest.name, latest.applied_at);
      other.close();
      expect((await fetch(`${base}/healthz`)).status).toBe(200);

      // The Slack endpoint is still guarded as before: the new routes did not open it.
      expect((await fetch(`${base}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(401);
    } finally {
      bot.child.kill('SIGTERM');
    }
    expect(await endingAfterSigterm(bot)).toEqual(CLEAN_STOP);
  }, BOT_TEST_MS);

  it('Socket Mode: a small server on PORT answers /healthz and an open /metrics (no METRICS_TOKEN), and nothing else', async () => {
    const port = await freePort();
    const bot = startMain({ ...services(), SLACK_APP_TOKEN: FAKE_APP_TOKEN, PORT: String(port), DEPWATCH_DB: join(workDir, 'socket.db') }, workDir);
    const base = `http://127.0.0.1:${port}`;
    try {
      await socket.connected();
      await waitFor(() => bot.stderr().includes('listening on Socket Mode'), `"listening on Socket Mode" (stderr so far: ${bot.stderr()})`, EVENT_DEADLINE_MS);
      expect(bot.stderr()).toContain(`/metrics on port ${port}`);

      const healthy = await fetch(`${base}/healthz`);
      expect(healthy.status).toBe(200);
      expect(await healthy.text()).toBe('ok\n');

      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      // auth.test and apps.connections.open went through the counted fetch.
      expect(sample(text, 'depwatch_upstream_requests_total{service="Slack",outcome="2xx"}')).toBeGreaterThanOrEqual(2);
      expect(text).not.toContain(FAKE_APP_TOKEN);

      expect((await fetch(`${base}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(404);
      expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
    } finally {
      bot.child.kill('SIGTERM');
    }
    expect(await endingAfterSigterm(bot)).toEqual(CLEAN_STOP);
  }, BOT_TEST_MS);

  it('Socket Mode with PORT taken: one line naming the port, exit 2', async () => {
    const { createServer } = await import('node:net');
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, resolve));
    const taken = (holder.address() as { port: number }).port;
    try {
      const bot = startMain({ ...services(), SLACK_APP_TOKEN: FAKE_APP_TOKEN, PORT: String(taken), DEPWATCH_DB: join(workDir, 'taken.db') }, workDir);
      expect(await bot.exited).toBe(2);
      expect(bot.stderr()).toContain(`depwatch: port ${taken} is already in use`);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
