/**
 * The bot's Prometheus metrics (prom-client), on a registry of its own so two bots in one test
 * process never share counters.
 *
 * Safe to publish by construction: every label value comes from a fixed set written here (service,
 * outcome, kind), never from a request, a repository, a channel, a URL or an error message, so a
 * scrape can carry no secret and no customer data, and the number of series stays bounded.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { observeRequests, type RequestObservation, type RequestOutcome } from '../http.js';
import type { QueueStats } from '../jobs/interface.js';
import type { AuditRunner } from '../workers/audit-runner.js';

/** Outcomes that mean the service did not give a usable answer (a 4xx is the caller's business: a 404 is "not found"). */
const ERROR_OUTCOMES: ReadonlySet<RequestOutcome> = new Set(['429', '5xx', 'api_error', 'timeout', 'network']);

export type RunOutcome = 'complete' | 'partial' | 'failed';

export interface Metrics {
  readonly registry: Registry;
  /** Prometheus text exposition format. */
  text(): Promise<string>;
  readonly contentType: string;
  /** The runner, with each audit and re-match counted and timed. */
  instrumentRunner(runner: AuditRunner): AuditRunner;
  sweepFinished(seconds: number, outcome: RunOutcome): void;
  /** Reports the job queue's depth and lag at each scrape (src/jobs: the queue replicas share, or the in-process one). */
  watchJobQueue(queue: { stats(): Promise<QueueStats[]> }): void;
  /** Stops listening to the HTTP layer (tests; the process registry dies with the process). */
  close(): void;
}

const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const REQUEST_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const SWEEP_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];

export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  // Process CPU, RSS, heap, event-loop lag, handles: what "is it healthy" needs beside our own.
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  const audits = new Counter({
    name: 'depwatch_audits_total',
    help: 'Audits of a repository tree (Slack /audit and changed repositories in sweeps) and re-matches of unchanged ones, by outcome.',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const auditSeconds = new Histogram({
    name: 'depwatch_audit_duration_seconds',
    help: 'Time to parse, match and rate one tree (advisory and PyPI look-ups included, the GitHub download not).',
    labelNames: ['kind'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const sweeps = new Counter({
    name: 'depwatch_sweeps_total',
    help: 'Sweeps of the watched repositories, by outcome (partial: a repository or a data source failed).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const sweepSeconds = new Histogram({
    name: 'depwatch_sweep_duration_seconds',
    help: 'Wall time of one sweep of every watched repository.',
    buckets: SWEEP_BUCKETS,
    registers: [registry],
  });
  const requests = new Counter({
    name: 'depwatch_upstream_requests_total',
    help: 'HTTP attempts to Slack, GitHub, OSV and PyPI (each retry counts), by outcome: status class, 429, api_error (Slack ok:false), timeout, cancelled, network.',
    labelNames: ['service', 'outcome'] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'depwatch_upstream_errors_total',
    help: 'HTTP attempts that got no usable answer (429, 5xx, Slack ok:false, timeout, network failure), by service and reason.',
    labelNames: ['service', 'reason'] as const,
    registers: [registry],
  });
  const requestSeconds = new Histogram({
    name: 'depwatch_upstream_request_duration_seconds',
    help: 'Time to the answer of one HTTP attempt, by service.',
    labelNames: ['service'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [registry],
  });

  // Read at scrape time from the queue itself: every replica reports the same shared figures, which
  // is what an alert on "jobs wait too long" needs (max over replicas, not a sum).
  let jobQueue: { stats(): Promise<QueueStats[]> } | null = null;
  const readQueue = async () => (jobQueue ? await jobQueue.stats().catch(() => null) : null);
  new Gauge({
    name: 'depwatch_job_queue_depth',
    help: 'Jobs due and not yet taken by any replica, by queue and state (waiting, active).',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const q of (await readQueue()) ?? []) {
        this.set({ queue: q.name, state: 'waiting' }, q.waiting);
        this.set({ queue: q.name, state: 'active' }, q.active);
      }
    },
  });
  new Gauge({
    name: 'depwatch_job_queue_lag_seconds',
    help: 'How long the oldest due job of each queue has waited to be taken (0 when none waits).',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const q of (await readQueue()) ?? []) this.set({ queue: q.name }, q.lagSeconds);
    },
  });

  const stopObserving = observeRequests((o: RequestObservation) => {
    requests.inc({ service: o.service, outcome: o.outcome });
    requestSeconds.observe({ service: o.service }, o.seconds);
    if (ERROR_OUTCOMES.has(o.outcome)) errors.inc({ service: o.service, reason: o.outcome });
  });

  async function timed<T>(kind: 'tree' | 'rematch' | 'scan', run: () => Promise<T>, outcomeOf: (value: T) => RunOutcome): Promise<T> {
    const end = auditSeconds.startTimer({ kind });
    try {
      const value = await run();
      audits.inc({ kind, outcome: outcomeOf(value) });
      return value;
    } catch (err) {
      audits.inc({ kind, outcome: 'failed' });
      throw err;
    } finally {
      end();
    }
  }

  return {
    registry,
    contentType: registry.contentType,
    text: () => registry.metrics(),
    instrumentRunner: (runner) => ({
      // Stages pass through: a staged /audit reply's first answer comes from inside the run.
      auditTree: (request, sources, stages) => timed('tree', () => runner.auditTree(request, sources, stages), (o) => (o.result.partial ? 'partial' : 'complete')),
      rematch: (request, sources) => timed('rematch', () => runner.rematch(request, sources), (o) => (!o.ok ? 'failed' : o.warnings.length ? 'partial' : 'complete')),
      scanArchive: (request) => timed('scan', () => runner.scanArchive(request), (o) => (o.partial ? 'partial' : 'complete')),
      reads: runner.reads,
    }),
    sweepFinished(seconds, outcome) {
      sweeps.inc({ outcome });
      sweepSeconds.observe(seconds);
    },
    watchJobQueue(queue) {
      jobQueue = queue;
    },
    close: stopObserving,
  };
}
