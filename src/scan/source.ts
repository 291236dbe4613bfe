/**
 * Where the scanner's files come from. Unlike the manifest loader's FileSource, a scan must say what
 * it passed over: symbolic links and special files are listed (and noted, never followed), and a
 * file over the size limit is refused before it is read, so memory stays bounded.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { EnclosingIgnores } from './tree-rule.js';
import { workTreeOf } from './work-tree.js';
import { isInSkippedDir, isVcsDir, skippedFolderOf } from '../python/discover.js';
import { compareCodeUnits } from '../text-order.js';
import { directoryWalk, isFolderAt, type DirectoryWalk, type WalkedEntry } from '../python/directory-walk.js';
import { UnreadableFileError, type FileSource } from '../python/files.js';
import { systemReason } from '../python/inside-root.js';

/** A path the scan was given: a file, a symbolic link, a special file or a folder that could not be listed (see WalkedEntry). */
export type ScanEntry = WalkedEntry;

/**
 * A file's bytes; its size when over the limit, with its first bytes (at most HEAD_BYTES, so a
 * large image or model can be told binary without reading it: scan.ts) when the source has them;
 * the system's reason when it is there but could not be read (`EACCES: permission denied`); null
 * when it is gone.
 */
export type ReadResult = { bytes: Buffer } | { tooLarge: number; head?: Buffer } | { unreadable: string } | null;

/** How much of a file over the size limit is read to tell whether it is binary: the first 8 KB, where git looks for a NUL. */
export const HEAD_BYTES = 8192;

/** A file's bytes already in memory, as a read within `maxBytes` gives them: whole, or too large with their head. */
export function withinLimit(bytes: Buffer, maxBytes: number): ReadResult {
  return bytes.length > maxBytes ? { tooLarge: bytes.length, head: bytes.subarray(0, HEAD_BYTES) } : { bytes };
}

export interface ScanSource {
  entries(): Promise<readonly ScanEntry[]>;
  /** A regular file's bytes; `{ tooLarge }` with its size when over `maxBytes` (nothing read); `{ unreadable }` with why; null when it is gone. */
  read(path: string, maxBytes: number): Promise<ReadResult>;
  /** Whether the path names a folder, as FileSource.isFolder (an empty one has no entry). */
  isFolder?(path: string): Promise<boolean>;
  /**
   * A checkout on disk, which may hold files git does not track (a local `.env` that `.gitignore`
   * keeps out): the tree rules then ask `.gitignore` what would be committed. Absent for archives,
   * where every file was committed.
   */
  workingTree?: boolean;
  /**
   * The folders passed over by their name (isSkippedDir: dependencies, virtual environments,
   * caches), outermost only, version control data left out; with, for an archive, how many
   * committed files they held. The scan names them in a note (scan.ts, skippedByNameNote).
   */
  skippedByName?(): Promise<FoldersSkippedByName>;
  /** A checkout's subfolder: the `.gitignore` files above it, up to its git work tree (TreeView.enclosingIgnores); null when there are none to read. */
  enclosingIgnores?(): Promise<EnclosingIgnores | null>;
}

export interface FoldersSkippedByName {
  /** In code-unit order. */
  folders: readonly string[];
  /** Files listed in them (an archive lists them; a directory walk never enters them, so cannot say). */
  files?: number;
}

/** The folders among `paths`' skipped ones (skippedFolderOf) worth naming, with the files in them; one pass. */
function foldersSkippedIn(paths: Iterable<string>): FoldersSkippedByName {
  const tally = skippedFolderTally();
  for (const path of paths) tally.add(path);
  return tally.result();
}

/**
 * foldersSkippedIn, a path at a time: for a reader that meets the paths one by one (an archive's
 * entries, tarball-source.ts) and keeps only the folders, not every path passed over.
 */
export function skippedFolderTally(): { add(path: string): void; result(): FoldersSkippedByName } {
  const folders = new Set<string>();
  let files = 0;
  return {
    add(path) {
      const folder = skippedFolderOf(path);
      if (folder === null || isVcsDir(folder.slice(folder.lastIndexOf('/') + 1))) return;
      folders.add(folder);
      files++;
    },
    result: () => ({ folders: [...folders].sort(compareCodeUnits), files }),
  };
}

/** The most bytes of a `.gitignore` above the scanned folder that are read (a larger one is said, and its answers unknown). */
const MAX_ENCLOSING_GITIGNORE_BYTES = 1024 * 1024;

/**
 * The `.gitignore` files of the folders between `root`'s git work tree and `root` (the tree's own
 * are read from the tree). Without them `depwatch scan svc/` reported the `.env` the repository's
 * root `.gitignore` keeps out as committed, and "There is no .gitignore". The folder is taken with
 * its symbolic links resolved, as git finds its work tree. Each file is read as the tree's own are:
 * never through a symbolic link (git does not follow one either), never a FIFO or a device (opened
 * without waiting, then refused unless a regular file), and only up to a size.
 */
async function enclosingIgnoresOf(root: string): Promise<EnclosingIgnores | null> {
  const at = await realpath(resolve(root)).catch(() => resolve(root));
  const top = await workTreeOf(at);
  if (top === null) return null;
  const way = relative(top, at);
  if (way === '') return null;
  const names = way.split(sep);
  const files: EnclosingIgnores['files'][number][] = [];
  for (let depth = 0; depth < names.length; depth++) {
    const dir = names.slice(0, depth).map((name) => `${name}/`).join('');
    const read = readRegularFile(join(top, dir, '.gitignore'), MAX_ENCLOSING_GITIGNORE_BYTES);
    if (read === null || 'unreadable' in read) continue; // as git, which reads only what it can
    if ('tooLarge' in read) files.push({ dir, text: null, why: `over ${MAX_ENCLOSING_GITIGNORE_BYTES.toLocaleString('en')} bytes (${read.tooLarge.toLocaleString('en')})` });
    else if (read.bytes.includes(0)) files.push({ dir, text: null, why: 'binary' });
    else files.push({ dir, text: read.bytes.toString('utf8') });
  }
  return { prefix: `${names.join('/')}/`, files };
}

/**
 * A regular file's bytes, read without following a symbolic link at the path (O_NOFOLLOW: a file
 * swapped for a link after listing is refused) and without waiting on a FIFO (O_NONBLOCK: opened,
 * then refused as not a file); its size when over `maxBytes` (at most maxBytes + 1 bytes are read,
 * even if it grows meanwhile); the system's reason when it cannot be opened; null when it is gone
 * or not a regular file.
 */
function readRegularFile(path: string, maxBytes: number): ReadResult {
  // Synchronous on purpose: measured on 2,000 files, open/fstat/read/close through FileHandle
  // cost 440 ms of event-loop time against 57 ms for the sync calls; only the CLI scans a
  // directory (the bot scans archives in memory), so there is no event loop to keep free here.
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? null : { unreadable: systemReason(err) };
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return null;
    if (info.size > maxBytes) return { tooLarge: info.size, head: readStart(fd, Math.min(HEAD_BYTES, info.size)) };
    // One byte more than the limit: a file that grew since fstat is still told too large.
    const bytes = readStart(fd, Math.min(info.size, maxBytes) + 1);
    return bytes.length > maxBytes ? { tooLarge: bytes.length } : { bytes };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Up to `length` bytes from the start of an open file: fewer when it ends first. */
function readStart(fd: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const bytesRead = readSync(fd, buffer, filled, length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/**
 * A local directory, walked without following symbolic links (they could lead outside the tree):
 * the directory's walk (directory-walk.ts), shared with an audit's manifest listing when given.
 */
export function directoryScanSource(root: string, walk: DirectoryWalk = directoryWalk(root)): ScanSource {
  return {
    workingTree: true,
    enclosingIgnores: () => enclosingIgnoresOf(root),
    async entries() {
      return walk();
    },
    async skippedByName() {
      return { folders: (walk.skippedFolders?.() ?? []).filter((path) => !isVcsDir(path.slice(path.lastIndexOf('/') + 1))) };
    },
    isFolder: async (path) => isFolderAt(root, path),
    async read(path, maxBytes) {
      return readRegularFile(join(root, path), maxBytes);
    },
  };
}

/** Any FileSource (a GitHub snapshot, an in-memory tree): every listed path is a regular file. */
export function scanSourceFromFiles(files: FileSource): ScanSource {
  return {
    ...(files.isFolder ? { isFolder: (path: string) => files.isFolder!(path) } : {}),
    async entries() {
      return (await files.list()).filter((p) => !isInSkippedDir(p)).map((path) => ({ path, type: 'file' as const }));
    },
    async skippedByName() {
      return foldersSkippedIn(await files.list());
    },
    async read(path, maxBytes) {
      const size = (await files.size?.(path)) ?? null;
      if (size !== null && size > maxBytes) return { tooLarge: size };
      let bytes: Buffer | null;
      try {
        bytes = await files.read(path);
      } catch (err) {
        if (err instanceof UnreadableFileError) return { unreadable: err.reason };
        throw err;
      }
      if (!bytes) return null;
      return withinLimit(bytes, maxBytes);
    },
  };
}
