import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { syncMirror, type SyncOptions } from '../../src/advisories/sync.js';
import type { OsvRecord } from '../../src/advisories/types.js';
import { ServiceError } from '../../src/http.js';
import { openDb, type Db } from '../../src/store/db.js';
import { startFakeOsv, type FakeOsv } from '../fakes/osv.js';
import { fixtureRecords } from '../fixtures/osv/load.js';

let fake: FakeOsv;
let db: Db;
let mirror: AdvisoryMirror;
let scratch: string;
const all = () => [...fixtureRecords().values()];
/** The advisories of a few packages: enough for the incremental paths, quick to import again and again. */
const SOME_PACKAGES = new Set(['django', 'jinja2', 'loguru', 'requests', 'pillow']);
const some = () => all().filter((r) => r.affected?.some((a) => SOME_PACKAGES.has(a.package?.name.toLowerCase() ?? '')));

async function start(records: OsvRecord[]): Promise<void> {
  fake = await startFakeOsv({ records });
  db = openDb(':memory:');
  mirror = new AdvisoryMirror(db);
  scratch = mkdtempSync(join(tmpdir(), 'depwatch-sync-test-'));
}

afterEach(async () => {
  await fake.close();
  db.close();
  rmSync(scratch, { recursive: true, force: true });
});

const sync = (options: Partial<SyncOptions> = {}) =>
  syncMirror({ bulkUrl: fake.url, mirror, now: new Date('2031-05-01T12:00:00Z'), tempDir: scratch, backoffMs: 5, ...options });

/** A fixture record as OSV would re-publish it after an edit. */
const edited = (id: string, modified: string, change: Partial<OsvRecord> = {}): OsvRecord => ({ ...fixtureRecords().get(id)!, modified, ...change });

describe('first sync', () => {
  beforeEach(() => start(all()));

  it('downloads PyPI/all.zip to disk and imports every record from it', async () => {
    const summary = await sync();

    expect(summary).toMatchObject({ mode: 'full', added: 2_661, updated: 0, unchanged: 0, rejected: 0, fetched: 0 });
    expect(fake.counts).toMatchObject({ allZip: 1, modifiedCsv: 0, recordJson: 0 });
    const zipBytes = Number((await fetch(`${fake.url}/PyPI/all.zip`)).headers.get('content-length'));
    expect(summary.bytes).toBe(zipBytes);
    expect(mirror.get('PYSEC-2019-13')?.aliases).toContain('CVE-2019-14234');
    expect(mirror.get('PYSEC-2022-15')?.withdrawn).toBeDefined(); // the bundle includes withdrawn records
    const status = mirror.status();
    expect(status.records).toBe(2_661);
    expect(status.lastSync).toBe('2031-05-01T12:00:00.000Z');
    expect(status.lastSyncSource).toMatch(/^full 127\.0\.0\.1:\d+\/PyPI\/all\.zip$/);
    expect(summary.highWaterMark).toBe(status.newestModified);
    expect(readdirSync(scratch)).toEqual([]); // the temporary zip is gone

    // The next sync reads only the head of the (newest-first) list, not all ~110 KB of it.
    fake.addRecord(edited('PYSEC-2019-217', '2031-04-29T10:00:00Z'));
    const listBytes = (await (await fetch(`${fake.url}/PyPI/modified_id.csv`)).arrayBuffer()).byteLength;
    const next = await sync();
    expect(next).toMatchObject({ mode: 'incremental', updated: 1, fetched: 1 });
    expect(next.bytes).toBeLessThan(listBytes); // one ~64 KB chunk of the list plus the record
  });

  it('leaves the mirror untouched and says why when the bundle cannot be downloaded', async () => {
    fake.failNext(3, 503);
    const err = await sync({ retries: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as Error).message).toMatch(/^OSV answered 503 to GET 127\.0\.0\.1:\d+\/PyPI\/all\.zip/);
    expect(mirror.status()).toMatchObject({ records: 0, lastSync: null });
    expect(readdirSync(scratch)).toEqual([]);
  });
});

describe('later syncs', () => {
  let size: number;
  beforeEach(async () => {
    await start(some());
    size = some().length;
    await sync();
    fake.resetCounts();
  });

  it('read modified_id.csv only down to the high-water mark and fetch just the new and changed records', async () => {
    const brandNew: OsvRecord = { ...edited('PYSEC-2021-66', '2031-04-30T08:00:00.123456Z'), id: 'PYSEC-2031-1', aliases: ['CVE-2031-0001'] };
    fake.addRecord(brandNew);
    fake.addRecord(edited('PYSEC-2019-217', '2031-04-29T10:00:00Z', { aliases: ['CVE-2019-10906', 'GHSA-462w-v97r-4m45'] }));
    const sizeOf = async (path: string) => (await (await fetch(`${fake.url}${path}`)).arrayBuffer()).byteLength;
    // A list this small arrives in one chunk, so all of it counts; the zip would be far larger.
    const expectedBytes = (await sizeOf('/PyPI/modified_id.csv')) + (await sizeOf('/PyPI/PYSEC-2031-1.json')) + (await sizeOf('/PyPI/PYSEC-2019-217.json'));
    fake.resetCounts();

    const summary = await sync({ now: new Date('2031-05-02T00:00:00Z') });

    expect(summary).toMatchObject({ mode: 'incremental', added: 1, updated: 1, unchanged: 0, rejected: 0, fetched: 2 });
    expect(fake.counts).toMatchObject({ allZip: 0, modifiedCsv: 1, recordJson: 2 });
    expect(fake.requests.filter((r) => r.endpoint === 'recordJson').map((r) => r.path).sort()).toEqual([
      '/PyPI/PYSEC-2019-217.json',
      '/PyPI/PYSEC-2031-1.json',
    ]);
    expect(summary.bytes).toBe(expectedBytes);
    expect(mirror.get('PYSEC-2031-1')?.aliases).toEqual(['CVE-2031-0001']);
    expect(mirror.get('PYSEC-2019-217')?.modified).toBe('2031-04-29T10:00:00Z');
    expect(mirror.status()).toMatchObject({
      records: size + 1,
      newestModified: '2031-04-30T08:00:00.123456Z',
      lastSync: '2031-05-02T00:00:00.000Z',
    });
    expect(mirror.status().lastSyncSource).toMatch(/^incremental /);
  });

  it('never start from a record modified in the future (an imported fixture): the mark stays at the newest record the feed gave', async () => {
    await mirror.importRecords([{ ...edited('PYSEC-2021-66', '2039-01-01T00:00:00Z'), id: 'TEST-FUTURE-1' }]);
    mirror.markSynced(new Date('2031-05-01T12:00:00Z'), 'test');
    fake.addRecord(edited('PYSEC-2019-217', '2031-05-01T18:00:00Z'));

    const summary = await sync({ now: new Date('2031-05-02T00:00:00Z') });

    expect(summary).toMatchObject({ mode: 'incremental', updated: 1, fetched: 1, highWaterMark: '2031-05-01T18:00:00Z' });
    expect(mirror.get('PYSEC-2019-217')?.modified).toBe('2031-05-01T18:00:00Z');
    expect(mirror.status(new Date('2031-05-02T00:00:00Z'))).toMatchObject({ newestModified: '2031-05-01T18:00:00Z', futureModified: 1 });
  });

  it('fetch nothing when nothing changed', async () => {
    const summary = await sync();
    expect(summary).toMatchObject({ mode: 'incremental', added: 0, updated: 0, fetched: 0 });
    expect(fake.counts).toMatchObject({ allZip: 0, modifiedCsv: 1, recordJson: 0 });
  });

  it('pick up a second record sharing the high-water mark timestamp that was published after the last sync', async () => {
    const mark = mirror.status().newestModified!;
    fake.addRecord({ ...edited('PYSEC-2021-66', mark), id: 'PYSEC-2031-2' });
    const summary = await sync();
    expect(summary).toMatchObject({ mode: 'incremental', added: 1, fetched: 1 });
    expect(mirror.get('PYSEC-2031-2')).not.toBeNull();
  });

  it('fall back to the full bundle when the list is unavailable', async () => {
    fake.addRecord(edited('PYSEC-2019-217', '2031-04-29T10:00:00Z'));
    fake.failNext(1, 404);
    const summary = await sync();
    expect(summary).toMatchObject({ mode: 'full', added: 0, updated: 1, unchanged: size - 1 });
    expect(summary.fallbackReason).toMatch(/^OSV answered 404 to GET .*\/PyPI\/modified_id\.csv$/);
    expect(fake.counts).toMatchObject({ modifiedCsv: 1, allZip: 1, recordJson: 0 });
  });

  it('fall back to the full bundle when more records changed than is worth fetching one by one', async () => {
    fake.addRecord(edited('PYSEC-2019-217', '2031-04-29T10:00:00Z'));
    fake.addRecord(edited('PYSEC-2021-66', '2031-04-29T11:00:00Z'));
    const summary = await sync({ maxIncremental: 1 });
    expect(summary).toMatchObject({ mode: 'full', updated: 2 });
    expect(summary.fallbackReason).toContain('more than 1 advisories changed');
    expect(fake.counts.recordJson).toBe(0);
  });

  it('count a changed record that is not valid JSON as rejected, and import the rest', async () => {
    fake.addRecord(edited('PYSEC-2019-217', '2031-04-29T10:00:00Z'));
    fake.addRecord(edited('PYSEC-2021-66', '2031-04-29T11:00:00Z'));
    const corrupting = async (input: string | URL, init?: RequestInit): Promise<Response> => {
      const res = await fetch(input, init);
      if (!String(input).endsWith('/PYSEC-2021-66.json')) return res;
      await res.arrayBuffer();
      return new Response('{"id": "PYSEC-2021-66", "modif', { status: 200 });
    };
    const summary = await sync({ fetch: corrupting });
    expect(summary).toMatchObject({ mode: 'incremental', updated: 1, rejected: 1, fetched: 2 });
    expect(summary.rejections).toEqual([{ where: 'PYSEC-2021-66.json', id: null, reason: 'not valid JSON' }]);
    // The mark is the newest record stored, so PYSEC-2021-66 is still newer than it and is retried next time.
    expect(mirror.status().newestModified).toBe('2031-04-29T10:00:00Z');
    const retry = await sync();
    expect(retry).toMatchObject({ mode: 'incremental', updated: 1, fetched: 1 });
  });
});
