/**
 * The manifest reads the bot makes outside an audit, as jobs: working out what a GitHub snapshot's
 * manifests include (a wave of downloads a level), a snapshot's `exclude:`, and a pull request's
 * review (what its changed files include, its settings file, the diff of both sides), and the plans
 * of an "Open fix PR" pull request over every manifest of the audited commit. Each parses
 * text from a repository: a hostile setup.py or a 5 MB lockfile takes hundreds of milliseconds, a
 * 5 MB `.depwatch.yml` seconds, which on the main thread would hold up Slack's acks. So the bot
 * runs them in the worker pool (readsInWorkers, audit-runner.ts); the CLI and tests call the very
 * same functions here (readsHere).
 *
 * Each read is a pure function over structured-clone data, its arguments crossing as the job's
 * input (an array) and its answer as the output: texts and paths in; sets, maps and plain objects
 * out. A read that fails in the worker (memory, time) rejects, never answers "nothing included".
 */
import { parseExcludes } from '../../audit/exclude.js';
import { settingsExcludes } from '../../audit/tree-excludes.js';
import { planOnAudited, planOnReal } from '../../fix/pull-request/plans.js';
import { reachedFrom } from '../../python/includes.js';
import { diffDependencies, includesToRead } from '../../watch/pr-review/diff.js';
import type { Task } from '../serve.js';

const READS = { reachedFrom, includesToRead, diffDependencies, settingsExcludes, parseExcludes, fixPlanOnAudited: planOnAudited, fixPlanOnReal: planOnReal };

/** Where the reads run: here (readsHere) or in worker threads (readsInWorkers); same answers either way. */
export type ManifestReads = typeof READS;

/** On the calling thread (the CLI, tests, and the default of every reader). */
export const readsHere: ManifestReads = READS;

/** The worker task that runs read `name`. */
export const readTask = (name: keyof ManifestReads): string => `read.${name}`;

/** The worker's side: one task per read, its input the read's arguments. */
export const READ_TASKS: Record<string, Task> = Object.fromEntries(
  Object.entries(READS).map(([name, read]) => [readTask(name as keyof ManifestReads), (args: unknown[]) => (read as (...a: unknown[]) => unknown)(...args)]),
);
