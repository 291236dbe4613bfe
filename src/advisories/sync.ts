/**
 * Keeps the local mirror current from OSV's bulk bucket (OSV_BULK_URL).
 *
 * First sync (empty mirror): download `PyPI/all.zip` to a temporary file, streamed to disk, and
 * import it. Later syncs: stream `PyPI/modified_id.csv` (newest first), stop at the first row not
 * newer than the mirror's high-water mark, and download only those `PyPI/<id>.json`. When the list
 * cannot be read (missing, unreadable, or so long that the zip is cheaper) the full zip is used.
 *
 * The high-water mark is the newest `modified` the mirror holds. Incremental records are imported
 * oldest first, so a sync that dies midway leaves a mark that never skips a record it did not store.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { describeRequest, mapLimit, request, ServiceError, type FetchLike } from '../http.js';
import { ImportedItem, readImportSource, UnreadableItem } from './import-sources.js';
import type { AdvisoryMirror, ImportRejection, ImportSummary } from './mirror.js';
import { osvTimestampKey } from './osv-schema.js';

export interface SyncOptions {
  /** OSV_BULK_URL, e.g. https://osv-vulnerabilities.storage.googleapis.com */
  bulkUrl: string;
  mirror: AdvisoryMirror;
  fetch?: FetchLike;
  /** When the sync happened, as recorded by mirror.markSynced. */
  now: Date;
  /** Parallel record downloads in an incremental sync. */
  concurrency?: number;
  /** Per request; the zip download gets `downloadTimeoutMs`. */
  timeoutMs?: number;
  downloadTimeoutMs?: number;
  retries?: number;
  backoffMs?: number;
  /** More changed records than this and the full zip is fetched instead (it is cheaper). */
  maxIncremental?: number;
  /** Where the zip is written while it is imported (a fresh directory inside, removed after). */
  tempDir?: string;
  /** Ignore the mirror's contents and import the whole zip. */
  full?: boolean;
}

export interface SyncSummary {
  mode: 'full' | 'incremental';
  added: number;
  updated: number;
  unchanged: number;
  rejected: number;
  rejections: ImportRejection[];
  /** Bytes downloaded: the zip, or the part of the list read plus every record. */
  bytes: number;
  /** Records downloaded one by one (incremental mode). */
  fetched: number;
  /** The mirror's newest `modified` after the sync. */
  highWaterMark: string | null;
  /** Why an incremental sync became a full one, when it did. */
  fallbackReason?: string;
  /** Matchers derived for records stored before this version kept them (see ImportSummary). */
  matchersDerived?: number;
  /** Records with a range that cannot be read (see ImportSummary). */
  unreadableRanges?: number;
  unreadableRangeIds?: string[];
}

const DEFAULT_MAX_INCREMENTAL = 5_000;

export async function syncMirror(options: SyncOptions): Promise<SyncSummary> {
  const base = options.bulkUrl.replace(/\/+$/, '');
  // `now` decides which `modified` is in the future: such a record is never the mark (mirror-status.ts).
  const status = options.mirror.status(options.now);
  // The high-water mark says "every record up to here is held" only after a sync: an import may
  // hold one recent record and nothing else, and a sync from its mark would then vouch for a mirror
  // that lacks most of the feed. After an import (or with records and no sync at all), the whole bundle.
  // An update that stopped early (incomplete-update.ts) read a zip in its own order, not by
  // `modified`: its newest record says nothing of what it missed. The whole bundle too.
  const imported = status.records > 0 && status.lastSyncKind !== 'sync';
  const cutShort = status.records > 0 && status.lastUpdateIncomplete !== null;
  const mark = options.full || imported || cutShort ? null : status.newestModified;
  const markKey = mark === null ? null : osvTimestampKey(mark);

  let fallbackReason: string | undefined = options.full
    ? undefined
    : cutShort
      ? 'the last update of the mirror stopped early: downloading the whole bundle'
      : imported
        ? 'the mirror was last filled by an import, not a sync: downloading the whole bundle'
        : undefined;
  if (markKey !== null) {
    const changes = await readChangeList(base, markKey, options).catch((err: unknown) => {
      fallbackReason = err instanceof Error ? err.message : String(err);
      return null;
    });
    if (changes !== null) {
      const summary = await syncIncremental(base, changes, options);
      options.mirror.markSynced(options.now, `incremental ${describeRequest('GET', `${base}/PyPI/modified_id.csv`).slice(4)}`);
      return summary;
    }
  }
  const summary = await syncFull(base, options);
  options.mirror.markSynced(options.now, `full ${describeRequest('GET', `${base}/PyPI/all.zip`).slice(4)}`);
  return fallbackReason === undefined ? summary : { ...summary, fallbackReason };
}

interface ChangeList {
  /** Changed ids, oldest change first. */
  ids: string[];
  bytes: number;
}

const toSummary = (mode: SyncSummary['mode'], s: ImportSummary, bytes: number, fetched: number, mirror: AdvisoryMirror, now: Date): SyncSummary => ({
  mode,
  added: s.added,
  updated: s.updated,
  unchanged: s.unchanged,
  rejected: s.rejected,
  rejections: s.rejections,
  bytes,
  fetched,
  highWaterMark: mirror.status(now).newestModified,
  ...(s.matchersDerived ? { matchersDerived: s.matchersDerived } : {}),
  ...(s.unreadableRanges ? { unreadableRanges: s.unreadableRanges, unreadableRangeIds: s.unreadableRangeIds ?? [] } : {}),
});

/**
 * Reads `modified_id.csv` only as far as needed. Rows at exactly the mark are included unless the
 * mirror already holds that id at that `modified` (two records can share a timestamp).
 */
async function readChangeList(base: string, markKey: string, options: SyncOptions): Promise<ChangeList> {
  const url = `${base}/PyPI/modified_id.csv`;
  const what = describeRequest('GET', url);
  const res = await request(url, httpOptions(options, options.timeoutMs));
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    throw new ServiceError('OSV', `OSV answered ${res.status} to ${what}`, { status: res.status });
  }
  const max = options.maxIncremental ?? DEFAULT_MAX_INCREMENTAL;
  const ids: string[] = [];
  let bytes = 0;
  let buffered = '';
  let lineNo = 0;
  let done = false;
  const decoder = new TextDecoder();
  const reader = res.body.getReader();

  const takeLine = (line: string): void => {
    lineNo++;
    if (line.trim() === '') return;
    const comma = line.indexOf(',');
    const modified = comma > 0 ? line.slice(0, comma).trim() : '';
    const id = comma > 0 ? line.slice(comma + 1).trim() : '';
    const key = osvTimestampKey(modified);
    // A garbled list could make us believe nothing changed; the full zip is the safe answer.
    if (key === null || !/^[\x21-\x7e]{1,200}$/.test(id)) throw new ServiceError('OSV', `OSV's ${what} has an unreadable line ${lineNo}`);
    if (key < markKey) {
      done = true;
      return;
    }
    if (key === markKey) {
      const stored = options.mirror.modifiedOf(id);
      if (stored !== null && osvTimestampKey(stored) === key) return;
    }
    ids.push(id);
    if (ids.length > max) throw new ServiceError('OSV', `more than ${max} advisories changed since the last sync; downloading the full bundle instead`);
  };

  try {
    while (!done) {
      const { value, done: ended } = await reader.read();
      if (ended) {
        buffered += decoder.decode();
        if (buffered) takeLine(buffered.replace(/\r$/, ''));
        break;
      }
      bytes += value.byteLength;
      buffered += decoder.decode(value, { stream: true });
      let newline: number;
      while (!done && (newline = buffered.indexOf('\n')) >= 0) {
        takeLine(buffered.slice(0, newline).replace(/\r$/, ''));
        buffered = buffered.slice(newline + 1);
      }
    }
  } catch (err) {
    if (err instanceof ServiceError) throw err;
    throw new ServiceError('OSV', `OSV broke off ${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  } finally {
    // Stop the download: the rest of the list is history we already have.
    await reader.cancel().catch(() => undefined);
  }
  return { ids: ids.reverse(), bytes };
}

async function syncIncremental(base: string, changes: ChangeList, options: SyncOptions): Promise<SyncSummary> {
  let bytes = changes.bytes;
  const items = await mapLimit(changes.ids, options.concurrency ?? 16, async (id): Promise<ImportedItem | UnreadableItem> => {
    const where = `${id}.json`;
    const url = `${base}/PyPI/${encodeURIComponent(id)}.json`;
    const what = describeRequest('GET', url);
    const res = await request(url, httpOptions(options, options.timeoutMs));
    if (res.status === 404) {
      // Listed but gone (withdrawn from the bucket since the list was written): nothing to import.
      await res.body?.cancel().catch(() => undefined);
      return new UnreadableItem(where, 'listed in modified_id.csv but not downloadable (404)');
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new ServiceError('OSV', `OSV answered ${res.status} to ${what}`, { status: res.status });
    }
    const text = await res.text().catch((err: unknown) => {
      throw new ServiceError('OSV', `OSV broke off its answer to ${what}`, { cause: err });
    });
    bytes += Buffer.byteLength(text);
    try {
      return new ImportedItem(where, JSON.parse(text) as unknown);
    } catch {
      // One bad file is one rejected record, as in a zip import; it does not stop the sync.
      return new UnreadableItem(where, 'not valid JSON');
    }
  });
  // A sync that stops part way is recorded as incomplete (importOrMarkIncomplete), never as a sync.
  const summary = await options.mirror.importOrMarkIncomplete(items, { source: describeRequest('GET', `${base}/PyPI/modified_id.csv`).slice(4), kind: 'sync', stoppedAt: () => options.now });
  return toSummary('incremental', summary, bytes, items.length, options.mirror, options.now);
}

async function syncFull(base: string, options: SyncOptions): Promise<SyncSummary> {
  const url = `${base}/PyPI/all.zip`;
  const what = describeRequest('GET', url);
  const dir = await mkdtemp(join(options.tempDir ?? tmpdir(), 'depwatch-sync-'));
  try {
    const file = join(dir, 'all.zip');
    const res = await request(url, httpOptions(options, options.downloadTimeoutMs ?? 15 * 60_000));
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      throw new ServiceError('OSV', `OSV answered ${res.status} to ${what}`, { status: res.status });
    }
    let bytes = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, callback) {
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), count, createWriteStream(file));
    } catch (err) {
      throw new ServiceError('OSV', `downloading ${what} failed after ${bytes} bytes: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    // The temporary file's name starts the reader's errors, and tells the user nothing.
    const summary = await options.mirror.importOrMarkIncomplete(readImportSource(file), { source: what.slice(4), kind: 'sync', reasonPrefix: `${file}: `, stoppedAt: () => options.now });
    return toSummary('full', summary, bytes, 0, options.mirror, options.now);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function httpOptions(options: SyncOptions, timeoutMs: number | undefined) {
  return {
    service: 'OSV' as const,
    method: 'GET' as const,
    headers: { accept: '*/*' },
    fetch: options.fetch,
    timeoutMs: timeoutMs ?? 60_000,
    retries: options.retries ?? 3,
    backoffMs: options.backoffMs ?? 500,
  };
}
