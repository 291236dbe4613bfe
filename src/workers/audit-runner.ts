/**
 * Where the heavy part of an audit runs. The bot runs it in worker threads (`runInWorkers`), so
 * parsing a 5 MB manifest never holds up a Slack ack; the CLI and most tests run the very same job
 * code on the calling thread (`runHere`). Either way the data sources are read on the calling thread.
 *
 * To give the pool another kind of work (code scanning, package cards…): write the job as a function
 * `(input, context: TaskContext) => output` over structured-clone data (see jobs/), add it to the
 * table in entry.ts, and a method here that runs it with its handlers (the main-thread I/O it calls).
 */
import { AUDIT_WORKER_ENTRY } from './entry-url.js';
import { WorkerPool, type WorkerPoolOptions } from './pool.js';
import { localContext, sourceHandlers, sourceInfo, type DataSources } from './jobs/sources.js';
import { REMATCH_TASK, runRematch, type RematchOutcome, type RematchRequest } from './jobs/rematch.js';
import { runTreeAudit, TREE_AUDIT_FIRST_STAGE, TREE_AUDIT_TASK, type TreeAuditOutcome, type TreeAuditRequest } from './jobs/tree-audit.js';
import type { JobHandlers } from './pool.js';
import type { AuditResult } from '../audit/audit.js';
import type { ScanResult } from '../scan/types.js';
import { runArchiveScan, SCAN_ARCHIVE_TASK, type ArchiveScanRequest } from './jobs/scan-archive.js';
import { readsHere, readTask, type ManifestReads } from './jobs/manifest-reads.js';

export type { ArchiveScanRequest, DataSources, ManifestReads, RematchOutcome, RematchRequest, TreeAuditOutcome, TreeAuditRequest };

export interface AuditRunner {
  /** Parses, matches and evaluates a tree's files; with `stages.onFirstStage`, hands over the vulnerability result first. */
  auditTree(request: TreeAuditRequest, sources: DataSources, stages?: AuditStages): Promise<TreeAuditOutcome>;
  /** Re-matches stored packages of unchanged repositories (sweeps). */
  rematch(request: RematchRequest, sources: DataSources): Promise<RematchOutcome>;
  /** Unpacks a repository archive and scans its code and configuration. */
  scanArchive(request: ArchiveScanRequest): Promise<ScanResult>;
  /**
   * Where manifests read outside an audit are parsed: a snapshot's includes and `exclude:`, a pull
   * request's review, a fix pull request's plans (jobs/manifest-reads.ts).
   */
  reads: ManifestReads;
}

/** What a staged audit tells its caller on the way (on the caller's thread). */
export interface AuditStages {
  /** The vulnerability result, outdated and yanked checks still pending (AuditResult.pending). */
  onFirstStage?: (result: AuditResult) => void | Promise<void>;
}

/** The main-thread answers a tree audit needs: its data sources, and where its first stage goes. */
function treeAuditHandlers(sources: DataSources, stages: AuditStages | undefined): JobHandlers {
  const handlers = sourceHandlers(sources);
  const onFirstStage = stages?.onFirstStage;
  return onFirstStage ? { ...handlers, [TREE_AUDIT_FIRST_STAGE]: async (result: AuditResult) => void (await onFirstStage(result)) } : handlers;
}

const staged = (request: TreeAuditRequest, stages: AuditStages | undefined): TreeAuditRequest => (stages?.onFirstStage ? { ...request, stages: true } : request);

/** On the calling thread (the CLI, tests): the same jobs, called directly. */
export const runHere: AuditRunner = {
  auditTree: (request, sources, stages) => runTreeAudit({ ...staged(request, stages), sources: sourceInfo(sources) }, localContext(treeAuditHandlers(sources, stages))),
  rematch: (request, sources) => runRematch({ ...request, sources: sourceInfo(sources) }, localContext(sourceHandlers(sources))),
  scanArchive: (request) => runArchiveScan(request),
  reads: readsHere,
};

/** In the pool's worker threads. */
export function runInWorkers(pool: WorkerPool): AuditRunner {
  return {
    auditTree: (request, sources, stages) => pool.run<TreeAuditOutcome>(TREE_AUDIT_TASK, { ...staged(request, stages), sources: sourceInfo(sources) }, treeAuditHandlers(sources, stages)),
    rematch: (request, sources) => pool.run<RematchOutcome>(REMATCH_TASK, { ...request, sources: sourceInfo(sources) }, sourceHandlers(sources)),
    scanArchive: (request) => pool.run<ScanResult>(SCAN_ARCHIVE_TASK, request, {}),
    reads: readsInWorkers(pool),
  };
}

/** The manifest reads in the pool's worker threads: the same functions, their arguments crossing as the job's input. */
export function readsInWorkers(pool: WorkerPool): ManifestReads {
  const inWorkers = <K extends keyof ManifestReads>(name: K) => ((...args: Parameters<ManifestReads[K]>) => pool.run(readTask(name), args)) as ManifestReads[K];
  const reachedFrom = inWorkers('reachedFrom');
  return {
    // No roots, nothing to parse: answered here rather than copy every text to a worker (a snapshot's last wave).
    reachedFrom: (texts, roots, options) => (roots.length === 0 ? readsHere.reachedFrom(texts, roots, options) : reachedFrom(texts, roots, options)),
    includesToRead: inWorkers('includesToRead'),
    diffDependencies: inWorkers('diffDependencies'),
    settingsExcludes: (settings) => (settings.length === 0 ? readsHere.settingsExcludes(settings) : inWorkers('settingsExcludes')(settings)),
    parseExcludes: inWorkers('parseExcludes'),
    fixPlanOnAudited: inWorkers('fixPlanOnAudited'),
    fixPlanOnReal: inWorkers('fixPlanOnReal'),
  };
}

export function createAuditWorkerPool(options: Omit<WorkerPoolOptions, 'entry'> = {}): WorkerPool {
  return new WorkerPool({ entry: AUDIT_WORKER_ENTRY, ...options });
}
