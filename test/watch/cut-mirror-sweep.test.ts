/**
 * The bot's sweeps use the mirror when it is fresh, and fall back to it when OSV does not answer.
 * A mirror whose last sync stopped early holds part of the feed however recent that sync: a sweep
 * does not take it as fresh, and when it answers for OSV the repository's stored result is partial
 * with the same reason an offline audit gives.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { chooseAdvisorySource } from '../../src/advisories/select.js';
import type { AdvisorySource } from '../../src/advisories/types.js';
import { ServiceError } from '../../src/service-error.js';
import { openDb } from '../../src/store/db.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { startWorld, type World } from './helpers.js';

const CHANNEL = 'C0AAAAAAAA1';
const START = '2025-01-06T09:00:00Z';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const downOsv: AdvisorySource = {
  kind: 'api',
  affecting: () => Promise.reject(new ServiceError('OSV', 'OSV answered 503 to POST osv.example/v1/querybatch')),
  forPackage: () => Promise.reject(new ServiceError('OSV', 'OSV answered 503 to POST osv.example/v1/query')),
};

/** A mirror synced an hour before the sweep (with a record OSV changed just before), whose sync then stopped early. */
async function cutMirror(): Promise<AdvisoryMirror> {
  const mirror = new AdvisoryMirror(openDb(':memory:'));
  const syncedAt = new Date(Date.parse(START) - 3_600_000);
  await mirror.importRecords([fixtureRecord('PYSEC-2019-132'), { ...fixtureRecord('PYSEC-2019-13'), modified: new Date(syncedAt.getTime() - 3_600_000).toISOString() }]);
  mirror.markSynced(syncedAt, 'full osv.example/PyPI/all.zip');
  mirror.markIncomplete(syncedAt, { source: 'osv.example/PyPI/all.zip', kind: 'sync', reason: 'corrupt zip archive (invalid central directory)', kept: 2 });
  return mirror;
}

describe('a sweep over a mirror whose last sync stopped early', () => {
  it('with OSV down: the repository is stored as partial, saying the sync stopped early', async () => {
    const w = (world = await startWorld({ records: [], start: START }));
    w.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'urllib3==1.24.1\n' } });
    const mirror = await cutMirror();
    const { watch } = w.service({ advisories: () => chooseAdvisorySource({ offline: false, mirror, api: downOsv, now: w.clock.now() }) });
    watch.store.addWatch({ repo: 'octo/app', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: w.clock.now() });
    await watch.sweeps.runNow();
    const reasons = watch.store.repoState('octo/app')?.partialReasons ?? [];
    expect(reasons).toContainEqual(
      expect.objectContaining({
        text: expect.stringContaining(
          'the local advisory mirror answered for OSV, but the last sync from osv.example/PyPI/all.zip (2025-01-06T08:00:00.000Z) stopped early, with 2 records kept (corrupt zip archive (invalid central directory)): advisories after that point were not read',
        ),
      }),
    );
    // What the mirror held was still matched.
    expect(watch.store.openFindings('octo/app').map((f) => f.advisoryId)).toContain('PYSEC-2019-132');
  });
});
