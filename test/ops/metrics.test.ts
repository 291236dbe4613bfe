/**
 * What /metrics counts, checked in process against a loopback server: every attempt of the shared
 * HTTP layer (retries included) by outcome, Slack's `ok: false` as an error, timeouts, audits run
 * through an instrumented runner, and sweeps by outcome.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { observedFetch, request, ServiceError } from '../../src/http.js';
import { createMetrics, type Metrics } from '../../src/ops/metrics.js';
import { openDb } from '../../src/store/db.js';
import { SqliteWatchState } from '../../src/store/watch-state/sqlite.js';
import type { WatchStateStore } from '../../src/store/watch-state/types.js';
import { WatchStore } from '../../src/store/watches.js';
import { SweepRunner, type SweepOptions } from '../../src/watch/sweep.js';
import type { AuditRunner } from '../../src/workers/audit-runner.js';
import { readsHere } from '../../src/workers/jobs/manifest-reads.js';

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics', () => {
  let server: Server;
  let base: string;
  let hits = 0;
  let metrics: Metrics;

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      if (req.url === '/flaky' && hits % 2 === 1) return void res.writeHead(503).end();
      if (req.url === '/slow') return void setTimeout(() => res.writeHead(200).end('{}'), 500);
      if (req.url === '/slack-refuses') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":false,"error":"not_in_channel"}');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  afterEach(() => metrics?.close());

  it('counts each attempt of the shared HTTP layer: a 503 that is retried is one error and one success', async () => {
    metrics = createMetrics({ processMetrics: false });
    hits = 0;
    await request(`${base}/flaky`, { service: 'OSV', retries: 1, backoffMs: 1 });
    const text = await metrics.text();
    expect(sample(text, 'depwatch_upstream_requests_total{service="OSV",outcome="5xx"}')).toBe(1);
    expect(sample(text, 'depwatch_upstream_requests_total{service="OSV",outcome="2xx"}')).toBe(1);
    expect(sample(text, 'depwatch_upstream_errors_total{service="OSV",reason="5xx"}')).toBe(1);
    expect(sample(text, 'depwatch_upstream_request_duration_seconds_count{service="OSV"}')).toBe(2);
  });

  it('counts a timeout as a timeout, and a Slack ok:false answer as an api_error', async () => {
    metrics = createMetrics({ processMetrics: false });
    await expect(request(`${base}/slow`, { service: 'PyPI', retries: 0, timeoutMs: 50 })).rejects.toBeInstanceOf(ServiceError);
    const res = await observedFetch('Slack')(`${base}/slack-refuses`);
    expect(await res.json()).toEqual({ ok: false, error: 'not_in_channel' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const text = await metrics.text();
    expect(sample(text, 'depwatch_upstream_errors_total{service="PyPI",reason="timeout"}')).toBe(1);
    expect(sample(text, 'depwatch_upstream_errors_total{service="Slack",reason="api_error"}')).toBe(1);
    expect(sample(text, 'depwatch_upstream_requests_total{service="Slack",outcome="2xx"}')).toBeUndefined();
  });

  it('stops counting once closed (a second bot in the process does not double count)', async () => {
    metrics = createMetrics({ processMetrics: false });
    metrics.close();
    await request(`${base}/ok`, { service: 'GitHub' });
    expect(await metrics.text()).not.toContain('depwatch_upstream_requests_total{');
  });

  it('times audits through the runner, by outcome, a failed one included', async () => {
    metrics = createMetrics({ processMetrics: false });
    let partial = false;
    const runner = metrics.instrumentRunner({
      auditTree: async () => ({ result: { partial } }) as Awaited<ReturnType<AuditRunner['auditTree']>>,
      rematch: async () => {
        throw new Error('worker died');
      },
      scanArchive: async () => ({ partial: true }) as Awaited<ReturnType<AuditRunner['scanArchive']>>,
      reads: readsHere,
    });
    const call = () => runner.auditTree({} as Parameters<AuditRunner['auditTree']>[0], {} as Parameters<AuditRunner['auditTree']>[1]);
    await call();
    partial = true;
    await call();
    await expect(runner.rematch({} as Parameters<AuditRunner['rematch']>[0], {} as Parameters<AuditRunner['rematch']>[1])).rejects.toThrow('worker died');
    const text = await metrics.text();
    expect(sample(text, 'depwatch_audits_total{kind="tree",outcome="complete"}')).toBe(1);
    expect(sample(text, 'depwatch_audits_total{kind="tree",outcome="partial"}')).toBe(1);
    expect(sample(text, 'depwatch_audits_total{kind="rematch",outcome="failed"}')).toBe(1);
    expect(sample(text, 'depwatch_audit_duration_seconds_count{kind="tree"}')).toBe(2);
    await runner.scanArchive({} as Parameters<AuditRunner['scanArchive']>[0]);
    expect(sample(await metrics.text(), 'depwatch_audits_total{kind="scan",outcome="partial"}')).toBe(1);
  });

  it('passes a staged audit’s first stage through (the /audit reply’s first answer comes from inside the run)', async () => {
    metrics = createMetrics({ processMetrics: false });
    const first: unknown[] = [];
    const runner = metrics.instrumentRunner({
      auditTree: async (_request, _sources, stages) => {
        await stages?.onFirstStage?.({ partial: false } as Parameters<NonNullable<NonNullable<Parameters<AuditRunner['auditTree']>[2]>['onFirstStage']>>[0]);
        return { result: { partial: false } } as Awaited<ReturnType<AuditRunner['auditTree']>>;
      },
      rematch: async () => {
        throw new Error('unused');
      },
      scanArchive: async () => {
        throw new Error('unused');
      },
      reads: readsHere,
    });
    await runner.auditTree({} as Parameters<AuditRunner['auditTree']>[0], {} as Parameters<AuditRunner['auditTree']>[1], { onFirstStage: (r) => void first.push(r) });
    expect(first).toEqual([{ partial: false }]);
  });

  it('records each sweep by outcome and duration, a sweep that throws included', async () => {
    metrics = createMetrics({ processMetrics: false });
    const db = openDb(':memory:');
    const base: Omit<SweepOptions, 'state'> = {
      octokit: {} as SweepOptions['octokit'],
      db,
      advisories: {} as SweepOptions['advisories'],
      registry: null,
      now: () => new Date(),
      onSweepEnd: (end) => metrics.sweepFinished(end.seconds, end.outcome),
    };
    await new SweepRunner({ ...base, state: new SqliteWatchState(new WatchStore(db)) }).runNow();
    const broken = { watchedRepos: () => Promise.reject(new Error('disk I/O error')) } as unknown as WatchStateStore;
    await expect(new SweepRunner({ ...base, state: broken }).runNow()).rejects.toThrow('disk I/O error');
    db.close();
    const text = await metrics.text();
    expect(sample(text, 'depwatch_sweeps_total{outcome="complete"}')).toBe(1);
    expect(sample(text, 'depwatch_sweeps_total{outcome="failed"}')).toBe(1);
    expect(sample(text, 'depwatch_sweep_duration_seconds_count')).toBe(2);
  });
});
