/**
 * A sync that stops part way (the disk fills, the download arrived cut) keeps what it stored, and
 * records that it stopped early: the mirror then never answers in OSV's place however recent its
 * last sync, a fallback to it is partial, the next sync downloads the whole bundle (its mark says
 * nothing of what a zip read in its own order missed), and a sync that reads everything clears it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportSummary } from '../../src/advisories/mirror.js';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { chooseAdvisorySource, isMirrorFresh, mirrorStaleness } from '../../src/advisories/select.js';
import { syncMirror } from '../../src/advisories/sync.js';
import type { AdvisorySource } from '../../src/advisories/types.js';
import { ServiceError } from '../../src/service-error.js';
import { openDb } from '../../src/store/db.js';
import { startFakeOsv, type FakeOsv } from '../fakes/osv.js';
import { fixtureRecords } from '../fixtures/osv/load.js';

/** A mirror whose disk fails after `storable` records of an import, as many times as asked. */
class FailingMirror extends AdvisoryMirror {
  storable = Number.POSITIVE_INFINITY;
  override importRecords(records: AsyncIterable<unknown> | Iterable<unknown>, summary?: ImportSummary): Promise<ImportSummary> {
    const limit = this.storable;
    async function* cut(): AsyncGenerator<unknown> {
      let n = 0;
      for await (const record of records) {
        if (n++ >= limit) throw new Error('SQLITE_FULL: database or disk is full\nstack line');
        yield record;
      }
    }
    return super.importRecords(cut(), summary);
  }
}

const now = new Date('2031-05-01T12:00:00Z');
const some = () => [...fixtureRecords().values()].filter((r) => r.affected?.some((a) => a.package?.name.toLowerCase() === 'django'));
let fake: FakeOsv;
let mirror: FailingMirror;
let scratch: string;
const sync = (at = now, full = false) => syncMirror({ bulkUrl: fake.url, mirror, now: at, tempDir: scratch, backoffMs: 5, full });

beforeEach(async () => {
  // As OSV's live feed always has, a record changed an hour before the sync.
  fake = await startFakeOsv({ records: [...some(), { ...fixtureRecords().get('PYSEC-2019-13')!, modified: '2031-05-01T11:00:00Z' }] });
  mirror = new FailingMirror(openDb(':memory:'));
  scratch = mkdtempSync(join(tmpdir(), 'depwatch-incomplete-'));
});
afterEach(async () => {
  await fake.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('a sync that stops part way', () => {
  it('is recorded with why and how much it kept, and the mirror is not fresh though synced an hour before', async () => {
    await sync(new Date(now.getTime() - 3_600_000));
    expect(isMirrorFresh(mirror, now)).toBe(true);
    mirror.storable = 10;
    await expect(sync(now, true)).rejects.toThrow(/SQLITE_FULL/);
    const incomplete = mirror.status(now).lastUpdateIncomplete;
    expect(incomplete).toEqual({ at: now.toISOString(), source: expect.stringMatching(/^127\.0\.0\.1:\d+\/PyPI\/all\.zip$/), kind: 'sync', reason: 'SQLITE_FULL: database or disk is full', kept: 10 });
    expect(isMirrorFresh(mirror, now)).toBe(false);
    expect(mirrorStaleness(mirror.status(now), now)).toMatch(/^the last sync from .+ \(2031-05-01T12:00:00\.000Z\) stopped early, with 10 records kept \(SQLITE_FULL: database or disk is full\): advisories after that point were not read$/);
  });

  it('makes a fallback to the mirror partial, saying so', async () => {
    await sync(new Date(now.getTime() - 3_600_000));
    mirror.markIncomplete(now, { source: 'osv.example/PyPI/all.zip', kind: 'sync', reason: 'corrupt zip archive', kept: 10 });
    const down: AdvisorySource = { kind: 'api', affecting: () => Promise.reject(new ServiceError('OSV', 'OSV answered 503')), forPackage: () => Promise.reject(new ServiceError('OSV', 'OSV answered 503')) };
    const source = chooseAdvisorySource({ offline: false, mirror, api: down, now });
    expect(source.kind).toBe('api');
    await source.affecting([{ name: 'django', version: '2.1.5' }]);
    expect(source.warnings?.()).toEqual([
      'the local advisory mirror answered for OSV, but the last sync from osv.example/PyPI/all.zip (2031-05-01T12:00:00.000Z) stopped early, with 10 records kept (corrupt zip archive): advisories after that point were not read',
    ]);
  });

  it('makes the next sync download the whole bundle, which clears it', async () => {
    await sync(new Date(now.getTime() - 3_600_000));
    mirror.markIncomplete(now, { source: 'x', kind: 'sync', reason: 'corrupt zip archive', kept: 10 });
    fake.resetCounts();
    const summary = await sync();
    expect(summary).toMatchObject({ mode: 'full', fallbackReason: 'the last update of the mirror stopped early: downloading the whole bundle' });
    expect(fake.counts).toMatchObject({ allZip: 1, modifiedCsv: 0 });
    expect(mirror.status(now).lastUpdateIncomplete).toBeNull();
    expect(isMirrorFresh(mirror, now)).toBe(true);
  });

  it('that stored nothing records nothing: the mirror is as it was', async () => {
    await sync(new Date(now.getTime() - 3_600_000));
    mirror.storable = 0;
    await expect(sync(now, true)).rejects.toThrow(/SQLITE_FULL/);
    expect(mirror.status(now).lastUpdateIncomplete).toBeNull();
  });
});

describe('an import or sync through AdvisoryMirror.importOrMarkIncomplete, the one place both record a stop', () => {
  /** The fixture records, then the reader's error, as readImportSource throws it: the file's name first. */
  async function* cutFile(kept: number): AsyncGenerator<unknown> {
    yield* some().slice(0, kept);
    throw new Error('/tmp/all.zip: unexpected end of zip file\nat offset 1234');
  }
  const synced = new Date('2031-04-30T12:00:00Z');

  it('records an import that kept records as an import that stopped early, the file name not said twice', async () => {
    mirror.markSynced(synced, 'osv.example/PyPI/all.zip');
    await expect(mirror.importOrMarkIncomplete(cutFile(3), { source: '/tmp/all.zip', kind: 'import', reasonPrefix: '/tmp/all.zip: ', stoppedAt: () => now })).rejects.toThrow(/unexpected end/);
    const status = mirror.status(now);
    expect(status).toMatchObject({ lastSyncKind: 'import', lastSync: now.toISOString(), lastSyncSource: '/tmp/all.zip' });
    expect(status.lastUpdateIncomplete).toEqual({ at: now.toISOString(), source: '/tmp/all.zip', kind: 'import', reason: 'unexpected end of zip file', kept: 3 });
  });

  it('records a sync that kept records as a sync that stopped early, and leaves the last sync as it was', async () => {
    mirror.markSynced(synced, 'osv.example/PyPI/all.zip');
    await expect(mirror.importOrMarkIncomplete(cutFile(3), { source: 'osv.example/PyPI/all.zip', kind: 'sync', reasonPrefix: '/tmp/all.zip: ', stoppedAt: () => now })).rejects.toThrow(/unexpected end/);
    const status = mirror.status(now);
    expect(status).toMatchObject({ lastSyncKind: 'sync', lastSync: synced.toISOString() });
    expect(status.lastUpdateIncomplete).toMatchObject({ kind: 'sync', reason: 'unexpected end of zip file', kept: 3 });
  });

  it('records nothing for an update that kept nothing, import or sync', async () => {
    mirror.markSynced(synced, 'osv.example/PyPI/all.zip');
    for (const kind of ['import', 'sync'] as const) {
      await expect(mirror.importOrMarkIncomplete(cutFile(0), { source: '/tmp/all.zip', kind })).rejects.toThrow(/unexpected end/);
    }
    expect(mirror.status(now)).toMatchObject({ lastSyncKind: 'sync', lastSync: synced.toISOString(), lastUpdateIncomplete: null });
  });

  it('passes a source read to its end through, recording nothing: the caller marks the update that ended well', async () => {
    const summary = await mirror.importOrMarkIncomplete(some().slice(0, 2), { source: '/tmp/all.zip', kind: 'import' });
    expect(summary.added).toBe(2);
    expect(mirror.status(now)).toMatchObject({ lastSync: null, lastUpdateIncomplete: null });
  });
});
