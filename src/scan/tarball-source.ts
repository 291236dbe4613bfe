/**
 * A repository's tree from one gzipped tarball (GitHub's archive of a commit), for the scanner.
 *
 * The archive is untrusted input, read under limits so that neither memory nor time can be run up:
 * - the decompressed stream is counted as it flows; past `maxTotalBytes` (a tarball bomb, or simply
 *   a huge repository) reading stops, and what was not reached is said, making the scan partial;
 * - at most `maxFiles` entries are listed, and at most `maxKeptBytes` of file content is kept;
 * - a file over `maxFileBytes` is not kept at all (the scanner lists it as too large);
 * - the folders a directory scan never enters (`.git`, `.venv`, `site-packages`, `node_modules`, …:
 *   src/python/discover.ts's isInSkippedDir, the one predicate both sources use) are passed over
 *   unread (named in a note, with how many committed files they held: see skippedByName below), and nothing else is: `build/`, `dist/` and `migrations/` hold deployed code and
 *   credentials as often as generated code, and the CLI scans them, so the bot must too; whatever
 *   else the archive does not read (a refused path, a limit reached) is in `skipped`;
 * - links are listed as links and never followed; a path that is absolute or climbs out of the
 *   archive root (`..`) is refused by name, never written or read anywhere, and makes the scan
 *   partial (what it holds was not scanned).
 * GitHub's archives hold one top folder (`owner-repo-sha/`); it is removed from every path.
 *
 * Nothing touches the disk: the tree lives in memory for the length of one scan.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract, type Headers } from 'tar-stream';
import { errorLine } from '../error-line.js';
import { isInSkippedDir } from '../python/discover.js';
import { DEFAULT_MAX_FILE_BYTES } from './scan.js';
import { HEAD_BYTES, skippedFolderTally, withinLimit, type ScanEntry, type ScanSource } from './source.js';
import type { SkippedFile } from './types.js';
import { compareCodeUnits } from '../text-order.js';

export interface ArchiveLimits {
  /** Decompressed bytes read in all (file contents and tar headers). */
  maxTotalBytes: number;
  /** Entries listed. */
  maxFiles: number;
  /** File content kept in memory for the scan. */
  maxKeptBytes: number;
  /** One file's size; larger files are listed but not kept. */
  maxFileBytes: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxTotalBytes: 512 * 1024 * 1024,
  maxFiles: 50_000,
  maxKeptBytes: 160 * 1024 * 1024,
  maxFileBytes: DEFAULT_MAX_FILE_BYTES,
};

export interface ArchiveTree {
  source: ScanSource;
  /** What the archive itself kept from the scan: refused paths and limits reached (both partial). */
  skipped: SkippedFile[];
  /** Files passed over in folders no scan enters (isInSkippedDir, as the directory walk skips them). */
  vendored: number;
}

type Kept = { bytes: Buffer } | { tooLarge: number; head: Buffer };

const MB = 1024 * 1024;

/**
 * `owner-repo-sha/a/b.py` → `a/b.py` (`''` for the top folder itself); or why the name is refused:
 * it is absolute or climbs out (`..`). A backslash is an ordinary character in a git or tar name
 * (a file made on Linux, a Windows path committed by mistake: GitHub's archive keeps it verbatim,
 * and the directory scan reads such a file), so `conf\\prod.py` is a file like any other.
 */
export function archivePath(name: string): string | { refused: string } {
  if (name.startsWith('/')) return { refused: 'is an absolute path' };
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return { refused: 'climbs out of the archive with `..`' };
  parts.shift();
  return parts.length ? parts.join('/') : '';
}

/** A refused name as the report shows it: without GitHub's top folder, as every other path. Bounded. */
function refusedPath(name: string): string {
  const shown = name.startsWith('/') ? name : name.slice(name.indexOf('/') + 1);
  return shown.slice(0, 200);
}

export async function readTarball(gzipped: Uint8Array, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<ArchiveTree> {
  const entries: ScanEntry[] = [];
  const kept = new Map<string, Kept>();
  const skipped: SkippedFile[] = [];
  let vendored = 0;
  /** The folders passed over by their name and the committed files in them, for the note that says so. */
  const passedOver = skippedFolderTally();
  let total = 0;
  let keptBytes = 0;
  let stopped: string | null = null;

  const input = Readable.from([Buffer.from(gzipped.buffer, gzipped.byteOffset, gzipped.byteLength)]);
  const gunzip = createGunzip();
  const tar = extract();
  // Counting after gunzip: what the archive expands to is what costs time and memory.
  gunzip.on('data', (chunk: Buffer) => {
    total += chunk.length;
    if (total > limits.maxTotalBytes && stopped === null) {
      stopped = `the archive expands to more than ${Math.round(limits.maxTotalBytes / MB)} MB (a tarball bomb, or a very large repository); files after that point were not scanned`;
      gunzip.destroy();
      tar.destroy();
    }
  });

  const stop = (reason: string): void => {
    if (stopped === null) stopped = reason;
    gunzip.destroy();
    tar.destroy();
  };

  tar.on('entry', (header: Headers, stream, next) => {
    const drain = (): void => {
      stream.on('end', next);
      stream.resume();
    };
    const path = archivePath(header.name);
    if (header.type === 'directory' || header.type === 'pax-global-header' || path === '') return drain();
    if (typeof path !== 'string') {
      // Never in an archive GitHub makes; whatever it holds was not scanned, so the result is partial.
      const shown = refusedPath(header.name);
      skipped.push({ path: shown, reason: 'unreadable', partial: true, message: `${shown}: the name ${path.refused}; refused, not scanned` });
      return drain();
    }
    if (isInSkippedDir(path)) {
      vendored++;
      passedOver.add(path);
      return drain();
    }
    if (entries.length >= limits.maxFiles) {
      stop(`the archive lists more than ${limits.maxFiles} files; the rest were not scanned`);
      return drain();
    }
    if (header.type === 'symlink' || header.type === 'link') {
      entries.push({ path, type: 'symlink' });
      return drain();
    }
    if (header.type !== 'file' && header.type !== 'contiguous-file') {
      entries.push({ path, type: 'other' });
      return drain();
    }
    const size = header.size ?? 0;
    if (size <= limits.maxFileBytes && keptBytes + size > limits.maxKeptBytes) {
      stop(`the archive holds more than ${Math.round(limits.maxKeptBytes / MB)} MB of files to scan; ${path} and the files after it were not scanned`);
      return drain();
    }
    entries.push({ path, type: 'file' });
    // A file over the limit keeps only its first bytes, from which the scan tells a large image or
    // model (binary, passed over) from large text (too large to scan: partial).
    const chunks: Buffer[] = [];
    let length = 0;
    stream.on('data', (chunk: Buffer) => {
      const before = length;
      length += chunk.length;
      if (size > limits.maxFileBytes) {
        if (before < HEAD_BYTES) chunks.push(chunk.subarray(0, HEAD_BYTES - before));
      } else if (length <= limits.maxFileBytes) chunks.push(chunk);
    });
    stream.on('end', () => {
      const tooLarge = size > limits.maxFileBytes || length > limits.maxFileBytes;
      keptBytes += tooLarge ? 0 : length;
      const whole = Buffer.concat(chunks);
      // A copy of the head: a file larger than its header said was held whole until here, and is not kept.
      kept.set(path, tooLarge ? { tooLarge: Math.max(size, length), head: Buffer.from(whole.subarray(0, HEAD_BYTES)) } : { bytes: whole });
      next();
    });
  });

  await new Promise<void>((resolve) => {
    let settled = false;
    const done = (): void => {
      if (!settled) {
        settled = true;
        resolve();
      }
    };
    tar.on('finish', done);
    tar.on('close', done);
    const fail = (err: Error): void => {
      if (stopped === null) stopped = `the archive could not be read (${errorLine(err).slice(0, 200)}); files after that point were not scanned`;
      done();
    };
    tar.on('error', fail);
    gunzip.on('error', fail);
    input.on('error', fail);
    input.pipe(gunzip).pipe(tar);
  });

  if (stopped !== null) skipped.push({ path: '(archive)', reason: 'too-large', partial: true, message: stopped });
  entries.sort((a, b) => compareCodeUnits(a.path, b.path));
  // Committed files in folders skipped by name (a `venv/` or `node_modules/` checked in by mistake)
  // are named in a note, not scanned, and the result is not partial for them: the directory scan of
  // the same checkout passes them over the same way, and the list of such folders is documented.
  // Decided, not forgotten: gitleaks would read them for secrets, and a credential committed there
  // is as leaked as anywhere. Reading them for secrets only needs its own budget first: a committed
  // node_modules is tens of thousands of files, which would spend this archive's file and byte
  // limits and leave the project's own files unscanned (partial). Until then the note says, in every
  // report, that they were not looked at, not even for secrets.
  const skippedByName = passedOver.result();
  const source: ScanSource = {
    entries: async () => entries,
    skippedByName: async () => skippedByName,
    read: async (path, maxBytes) => {
      const file = kept.get(path);
      if (!file) return null;
      if ('tooLarge' in file) return file;
      return withinLimit(file.bytes, maxBytes);
    },
  };
  return { source, skipped, vendored };
}
