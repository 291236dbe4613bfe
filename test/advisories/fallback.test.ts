/**
 * OSV does not answer and the local mirror answers instead. The contract makes a data source that
 * did not answer a partial result; the mirror stands in for OSV only as far as it is fresh (synced
 * from OSV's feed within MIRROR_FRESH_MS, with data as recent as that feed's: the rule that makes an
 * audit use the mirror without asking OSV at all). A fresh fallback is a notice; a stale one is a
 * `data-source` partial reason, as a failure is. An import is never fresh.
 */
import { describe, expect, it } from 'vitest';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { chooseAdvisorySource, FallbackSource, MIRROR_FRESH_MS, MIRROR_SYNC_LAG_MS } from '../../src/advisories/select.js';
import type { AdvisorySource } from '../../src/advisories/types.js';
import { auditFileSource } from '../../src/audit/run.js';
import { memorySource } from '../../src/python/files.js';
import { ServiceError } from '../../src/service-error.js';
import { openDb } from '../../src/store/db.js';
import { createAuditWorkerPool, runInWorkers } from '../../src/workers/audit-runner.js';
import { fixtureRecords } from '../fixtures/osv/load.js';
import { queryKey } from '../../src/advisories/types.js';

const now = new Date('2026-11-28T12:00:00Z');
const HOUR = 3_600_000;

const downOsv: AdvisorySource = {
  kind: 'api',
  affecting: async () => Promise.reject(new ServiceError('OSV', 'OSV did not answer POST osv.example/v1/querybatch within 100 ms')),
  forPackage: async () => Promise.reject(new ServiceError('OSV', 'OSV did not answer POST osv.example/v1/query within 100 ms')),
};

/**
 * The PyPA fixture (newest record 2024) plus, as OSV's live feed always has, a record changed an
 * hour before the sync: what a real sync `agoMs` before `now` leaves behind.
 */
async function mirrorSynced(agoMs: number): Promise<AdvisoryMirror> {
  const mirror = new AdvisoryMirror(openDb(':memory:'));
  const syncedAt = new Date(now.getTime() - agoMs);
  await mirror.importRecords([...fixtureRecords().values(), { ...fixtureRecords().get('PYSEC-2021-66')!, modified: new Date(syncedAt.getTime() - HOUR).toISOString() }]);
  mirror.markSynced(syncedAt, 'test');
  return mirror;
}

/** The OSV API, answering from the fixture, counting the questions it is asked. */
function answeringOsv() {
  const asked: string[] = [];
  const api: AdvisorySource = {
    kind: 'api',
    affecting: async (queries) => {
      asked.push(...queries.map((q) => q.name));
      const records = fixtureRecords();
      return new Map(queries.map((q) => [queryKey(q), q.name === 'django' && q.version === '2.1.5' ? [records.get('PYSEC-2019-13')!] : []]));
    },
    forPackage: async () => [],
  };
  return { api, asked };
}

const tree = memorySource({ 'requirements.txt': 'django==2.1.5\n' });
const audit = (advisories: AdvisorySource) => auditFileSource(tree, { target: 'app', advisories, registry: null, now });
const FALLBACK_NOTICE = /^OSV did not answer \(OSV did not answer POST osv\.example\/v1\/querybatch within 100 ms\); used the local advisory mirror instead$/;

describe('a fallback to the mirror when OSV does not answer', () => {
  it('to a mirror synced more than 24 hours ago: partial, with a data-source reason saying how old it is', async () => {
    const mirror = await mirrorSynced(3 * 24 * HOUR);
    const source = chooseAdvisorySource({ offline: false, mirror, api: downOsv, now });
    const result = await audit(source);
    const warning = `the local advisory mirror answered for OSV, but it was last synced ${new Date(now.getTime() - 3 * 24 * HOUR).toISOString()}, over 24 hours ago: advisories published or changed since then were not checked`;
    expect(result.partial).toBe(true);
    expect(result.warnings).toEqual([warning]);
    expect(result.partialReasons).toEqual([{ kind: 'data-source', message: warning }]);
    expect(result.notices).toContainEqual(expect.stringMatching(FALLBACK_NOTICE));
    // The mirror's answers are still used: what it knows is reported.
    expect(result.advisorySource).toBe('mirror');
    expect(result.findings.some((f) => f.id === 'PYSEC-2019-13')).toBe(true);
  });

  it('to a mirror synced within the freshness limit: a notice only, the result complete', async () => {
    const mirror = await mirrorSynced(MIRROR_FRESH_MS - HOUR);
    const result = await audit(new FallbackSource(downOsv, mirror, () => now));
    expect(result.partial).toBe(false);
    expect(result.warnings).toEqual([]);
    expect(result.notices).toContainEqual(expect.stringMatching(FALLBACK_NOTICE));
  });

  it('says so the same from a worker thread (the bot audits there)', async () => {
    const pool = createAuditWorkerPool({ size: 1 });
    try {
      const mirror = await mirrorSynced(3 * 24 * HOUR);
      const { result } = await runInWorkers(pool).auditTree({ files: [{ path: 'requirements.txt', text: 'django==2.1.5\n' }], target: 'app', now }, { advisories: new FallbackSource(downOsv, mirror, () => now), registry: null });
      expect(result.partial).toBe(true);
      expect(result.partialReasons).toEqual([expect.objectContaining({ kind: 'data-source', message: expect.stringContaining('over 24 hours ago') })]);
    } finally {
      await pool.close();
    }
  });
});

describe('when an online audit uses the mirror without asking OSV', () => {
  it('after a sync of the live feed in the last 24 hours: the mirror answers, OSV is not asked', async () => {
    const mirror = await mirrorSynced(HOUR);
    const { api, asked } = answeringOsv();
    const result = await audit(chooseAdvisorySource({ offline: false, mirror, api, now }));
    expect(result.advisorySource).toBe('mirror');
    expect(asked).toEqual([]);
    expect(result.partial).toBe(false);
  });

  it('never after an import, however recent: OSV is asked (a file may be a backup, an old bundle, a fixture)', async () => {
    const mirror = await mirrorSynced(HOUR);
    mirror.markImported(now, 'advisories.jsonl.gz');
    const { api, asked } = answeringOsv();
    const result = await audit(chooseAdvisorySource({ offline: false, mirror, api, now }));
    expect(result.advisorySource).toBe('api');
    expect(asked).toEqual(['django']);
    expect(result.partial).toBe(false);
    expect(result.findings.some((f) => f.id === 'PYSEC-2019-13')).toBe(true);
  });

  it('imported and OSV down: the mirror answers, partial, saying the data was imported and how old it is', async () => {
    const mirror = new AdvisoryMirror(openDb(':memory:'));
    await mirror.importRecords(fixtureRecords().values());
    mirror.markImported(now, 'advisories.jsonl.gz');
    const result = await audit(chooseAdvisorySource({ offline: false, mirror, api: downOsv, now }));
    const warning = `the local advisory mirror answered for OSV, but its data was imported from a file (advisories.jsonl.gz at ${now.toISOString()}), not synced from OSV: advisories the file did not hold (its newest record was modified 2024-10-10T17:22:00.587279Z) were not checked`;
    expect(result.partialReasons).toEqual([{ kind: 'data-source', message: warning }]);
    expect(result.advisorySource).toBe('mirror');
  });

  it('not after a "sync" whose newest record is days older than it (an old copy of the feed): OSV is asked, and a fallback is partial', async () => {
    const mirror = new AdvisoryMirror(openDb(':memory:'));
    await mirror.importRecords(fixtureRecords().values()); // newest record 2024-10-10
    mirror.markSynced(new Date(now.getTime() - HOUR), 'test');
    const { api, asked } = answeringOsv();
    expect((await audit(chooseAdvisorySource({ offline: false, mirror, api, now }))).advisorySource).toBe('api');
    expect(asked).toEqual(['django']);

    const result = await audit(chooseAdvisorySource({ offline: false, mirror, api: downOsv, now }));
    expect(result.partial).toBe(true);
    expect(result.warnings).toEqual([expect.stringMatching(/^the local advisory mirror answered for OSV, but its newest record was modified 2024-10-10T17:22:00\.587279Z, over 3 days before its last sync \(2026-11-28T11:00:00\.000Z\)/)]);
  });

  it('a sync whose newest record is within the lag of it counts', async () => {
    const mirror = await mirrorSynced(HOUR);
    const newest = Date.parse(mirror.status().newestModified!);
    expect(now.getTime() - HOUR - newest).toBeLessThan(MIRROR_SYNC_LAG_MS);
    const { api } = answeringOsv();
    expect(chooseAdvisorySource({ offline: false, mirror, api, now })).toBe(mirror);
  });

  it('not because of a record modified in the future (an imported fixture): the newest one not in the future dates the data', async () => {
    const mirror = new AdvisoryMirror(openDb(':memory:'));
    await mirror.importRecords([...fixtureRecords().values(), { ...fixtureRecords().get('PYSEC-2021-66')!, id: 'TEST-FUTURE-1', modified: '2027-06-01T00:00:00Z' }]);
    mirror.markSynced(new Date(now.getTime() - HOUR), 'test');
    expect(mirror.status(now)).toMatchObject({ newestModified: '2024-10-10T17:22:00.587279Z', futureModified: 1 });
    const { api, asked } = answeringOsv();
    expect((await audit(chooseAdvisorySource({ offline: false, mirror, api, now }))).advisorySource).toBe('api');
    expect(asked).toEqual(['django']);

    const result = await audit(chooseAdvisorySource({ offline: false, mirror, api: downOsv, now }));
    expect(result.partial).toBe(true);
    expect(result.warnings).toEqual([expect.stringMatching(/^the local advisory mirror answered for OSV, but its newest record was modified 2024-10-10T17:22:00\.587279Z, over 3 days before its last sync/)]);
    // Within a day of now is a clock's skew, not the future: it still dates the data.
    await mirror.importRecords([{ ...fixtureRecords().get('PYSEC-2021-66')!, id: 'TEST-SKEW-1', modified: new Date(now.getTime() + 12 * HOUR).toISOString() }]);
    expect(mirror.status(now)).toMatchObject({ newestModified: new Date(now.getTime() + 12 * HOUR).toISOString(), futureModified: 1 });
  });

  it('--offline uses an imported mirror within the limit as it is, saying how old its data is (a notice, not partial)', async () => {
    const mirror = new AdvisoryMirror(openDb(':memory:'));
    await mirror.importRecords(fixtureRecords().values());
    mirror.markImported(now, 'advisories.jsonl.gz');
    const result = await audit(chooseAdvisorySource({ offline: { maxDataAgeDays: 778 }, mirror, api: downOsv, now }));
    expect(result.advisorySource).toBe('mirror');
    expect(result.partial).toBe(false);
    expect(result.notices).toContain(
      `advisories from the local mirror: newest record modified 2024-10-10T17:22:00.587279Z (778 days old); imported ${now.toISOString()} (an import, not synced from OSV since)`,
    );
  });

  it('--offline with data older than the limit answers, and the result is partial, saying how old the data is and what to do', async () => {
    const mirror = new AdvisoryMirror(openDb(':memory:'));
    await mirror.importRecords(fixtureRecords().values());
    mirror.markImported(now, 'advisories.jsonl.gz');
    const result = await audit(chooseAdvisorySource({ offline: { maxDataAgeDays: 777 }, mirror, api: downOsv, now }));
    expect(result.findings.map((f) => f.id)).toContain('PYSEC-2019-13');
    expect(result.partial).toBe(true);
    expect(result.partialReasons).toEqual([
      {
        kind: 'data-source',
        message:
          "the local advisory mirror's data is 778 days old (newest record modified 2024-10-10T17:22:00.587279Z), over the 777-day limit for --offline: advisories published or changed since were not checked; " +
          'run `depwatch db sync` (or `depwatch db import` a newer file), or raise the limit with --max-data-age DAYS or DEPWATCH_MAX_DATA_AGE_DAYS',
      },
    ]);
    expect(result.notices).toContain(
      `advisories from the local mirror: newest record modified 2024-10-10T17:22:00.587279Z (778 days old); imported ${now.toISOString()} (an import, not synced from OSV since)`,
    );
  });
});
