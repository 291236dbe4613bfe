/**
 * Replicas each keep their own advisory mirror (a local SQLite file), synced when they start a
 * sweep; a sweep's batches run on whichever replica takes them and write to the shared findings.
 * A replica whose mirror is older than the data that found an advisory must never mark that
 * finding fixed: a batch behind its starter's data syncs first, and when it cannot, or when its
 * data does not hold the advisory at all, it leaves the finding open and says so.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { syncMirror } from '../../src/advisories/sync.js';
import type { OsvRecord } from '../../src/advisories/types.js';
import { InProcessQueue } from '../../src/jobs/in-process.js';
import { sweepThroughQueue, workSweepBatches } from '../../src/jobs/sweep-batches.js';
import type { Db } from '../../src/store/db.js';
import { SqliteWatchState } from '../../src/store/watch-state/sqlite.js';
import { WatchStore } from '../../src/store/watches.js';
import type { SweepOptions } from '../../src/watch/sweep.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { openTestDb, startWorld, tempDbPath, type World } from '../watch/helpers.js';

const URLLIB3 = fixtureRecord('PYSEC-2019-132');
const REQUESTS: OsvRecord = { ...fixtureRecord('PYSEC-2014-13'), modified: '2025-01-06T10:00:00Z' };
const CHANNEL = 'C0SECURITY1';

let world: World | undefined;
const dbs: Db[] = [];
const queues: InProcessQueue[] = [];
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.stop()));
  await world?.close();
  world = undefined;
  for (const db of dbs.splice(0)) if (db.open) db.close();
});

const open = (path = tempDbPath()) => {
  const db = openTestDb(path);
  dbs.push(db);
  return db;
};

async function setUp() {
  const w = (world = await startWorld({ records: [URLLIB3], start: '2025-01-06T09:30:00Z' }));
  w.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'requests==2.2.0\nurllib3==1.24.1\n' } });
  // The watch state every replica shares (PostgreSQL in production; one SQLite file here).
  const state = new SqliteWatchState(new WatchStore(open()));
  await state.addWatch({ repo: 'octo/app', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: w.clock.now() });
  /** A replica: its own SQLite file and mirror, synced from the (fake) OSV bucket when it syncs. */
  const replica = async () => {
    const local = open();
    const mirror = new AdvisoryMirror(local);
    const sync = () => syncMirror({ bulkUrl: w.osv.url, mirror, now: w.clock.now(), retries: 0, backoffMs: 1 }).then(() => undefined);
    await sync();
    const options: SweepOptions = { state, octokit: w.octokit, db: local, advisories: mirror, registry: null, now: w.clock.now, refreshAdvisories: sync };
    return { mirror, options };
  };
  /** One sweep started by `starter`, its batch swept by `worker`. */
  const sweepOn = async (starter: { options: SweepOptions }, worker: { options: SweepOptions }) => {
    const queue = new InProcessQueue();
    queues.push(queue);
    void workSweepBatches(queue, worker.options);
    return sweepThroughQueue(queue, starter.options, { pollMs: 10 });
  };
  const openAdvisories = async () => (await state.openFindings('octo/app')).filter((f) => f.kind === 'vulnerability').map((f) => f.advisoryId).sort();
  return { w, state, replica, sweepOn, openAdvisories };
}

/** Two replicas, B synced before the requests advisory appeared and A's last sweep found it. */
async function afterAFoundRequests() {
  const setup = await setUp();
  const [a, b] = [await setup.replica(), await setup.replica()];
  await setup.sweepOn(a, a);
  setup.w.osv.addRecord(REQUESTS);
  setup.w.clock.advance(3_600_000);
  await setup.sweepOn(a, a);
  return { ...setup, a, b };
}

describe('a sweep batch on a replica whose advisory mirror is older', () => {
  it('syncs before it matches, and keeps a finding it would otherwise have called fixed', async () => {
    const { w, replica, sweepOn, openAdvisories } = await setUp();
    const [a, b] = [await replica(), await replica()];
    await sweepOn(a, a); // the baseline
    expect(await openAdvisories()).toEqual([URLLIB3.id]);

    // A new advisory: A syncs at the start of its sweep, sweeps its own batch and finds it.
    w.osv.addRecord(REQUESTS);
    w.clock.advance(3_600_000);
    expect((await sweepOn(a, a)).added.map((f) => f.advisoryId)).toEqual([REQUESTS.id]);

    // A's next sweep's batch goes to B, last synced before the advisory appeared.
    w.clock.advance(3_600_000);
    const third = await sweepOn(a, b);
    expect(third.fixed).toEqual([]);
    expect(await openAdvisories()).toEqual([REQUESTS.id, URLLIB3.id].sort());
    // B caught up with A's data before matching.
    expect(b.mirror.get(REQUESTS.id)?.id).toBe(REQUESTS.id);
  });

  it('closes nothing it cannot vouch for when it cannot sync, and says so', async () => {
    const { w, a, b, sweepOn, openAdvisories } = await afterAFoundRequests();

    // OSV's bucket is down when B is handed the batch (A synced just before, still had the record).
    w.clock.advance(3_600_000);
    const syncA = a.options.refreshAdvisories!;
    a.options.refreshAdvisories = async () => {
      await syncA();
      w.osv.failNext(2, 503); // the change list, then the full bundle it falls back to
    };
    const third = await sweepOn(a, b);
    expect(third.fixed).toEqual([]);
    expect(third.warnings).toEqual([expect.stringMatching(/advisory data older than the sweep's.*nothing was marked fixed/)]);
    expect(await openAdvisories()).toEqual([REQUESTS.id, URLLIB3.id].sort());
    expect(b.mirror.get(REQUESTS.id)).toBeNull();
  });

  it('never closes the finding of an advisory its data does not hold, even when it started the sweep itself', async () => {
    const { w, b, sweepOn, openAdvisories } = await afterAFoundRequests();

    // B starts the next sweep, but its sync fails: it sweeps with the data it has.
    w.clock.advance(3_600_000);
    w.osv.failNext(2, 503); // the change list, then the full bundle it falls back to
    const third = await sweepOn(b, b);
    expect(third.fixed).toEqual([]);
    expect(third.warnings).toContain(`not in this replica's advisory data (older than the data that found them), left open: ${REQUESTS.id}`);
    expect(await openAdvisories()).toEqual([REQUESTS.id, URLLIB3.id].sort());

    // Once B's data holds it, a real fix closes it as before.
    w.clock.advance(3_600_000);
    w.github.pushCommit('octo', 'app', { 'requirements.txt': 'requests==2.31.0\nurllib3==1.24.1\n' });
    const fixed = await sweepOn(b, b);
    expect(fixed.fixed.map((f) => f.advisoryId)).toEqual([REQUESTS.id]);
  });
});
