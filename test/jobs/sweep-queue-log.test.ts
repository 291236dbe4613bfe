/**
 * A sweep shared through the queue logs one "sweep finished" line, from its starter, with what its
 * batches left partial added up (a batch logs "sweep batch finished"): a PyPI outage reads as one
 * in the log, not as `"failed":0`.
 */
import { Writable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import type { PackageRegistry } from '../../src/audit/audit.js';
import { OsvApi } from '../../src/advisories/osv-api.js';
import { InProcessQueue } from '../../src/jobs/in-process.js';
import { sweepThroughQueue, workSweepBatches } from '../../src/jobs/sweep-batches.js';
import { createLogger } from '../../src/log.js';
import { SqliteWatchState } from '../../src/store/watch-state/sqlite.js';
import { WatchStore } from '../../src/store/watches.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { openTestDb, startWorld, type World } from '../watch/helpers.js';

let world: World | undefined;
const queues: InProcessQueue[] = [];
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.stop()));
  await world?.close();
  world = undefined;
});

const downRegistry: PackageRegistry = {
  async projectsSettled() {
    throw new Error('PyPI answered 503');
  },
};

it('sums the repositories its batches left partial, by reason kind, in the starter\'s "sweep finished"', async () => {
  const w = (world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-06T09:00:00Z' }));
  w.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'urllib3==1.24.1\n' } });
  w.github.addRepo({ owner: 'octo', name: 'api', files: { 'requirements.txt': 'urllib3==1.24.1\n' } });
  const db = openTestDb();
  const state = new SqliteWatchState(new WatchStore(db));
  for (const repo of ['octo/app', 'octo/api']) await state.addWatch({ repo, channel: 'C0AAAAAAAA1', userId: 'U1', private: false, adminLinked: true, now: w.clock.now() });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const options = { state, octokit: w.octokit, db, advisories: new OsvApi({ baseUrl: w.osv.url, db, retries: 0, backoffMs: 1 }), registry: downRegistry, now: w.clock.now, logger: createLogger('debug', sink) };
  const queue = new InProcessQueue();
  queues.push(queue);
  void workSweepBatches(queue, options);
  const result = await sweepThroughQueue(queue, options, { pollMs: 10, batchSize: 1 });

  expect(result.partialRepos).toEqual({ 'data-source': 2 });
  expect(logs.filter((l) => l.msg === 'sweep batch finished')).toHaveLength(2);
  expect(logs.filter((l) => l.msg === 'sweep finished')).toEqual([expect.objectContaining({ batches: 2, audited: 2, failed: 0, partial: true, partialRepos: { 'data-source': 2 } })]);
  db.close();
});
