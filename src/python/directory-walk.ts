/**
 * One walk of a checkout, shared by everything that lists it. An audit of a directory lists it for
 * manifests (python/files.ts) and for code (scan/source.ts), and a large tree's scan listed it
 * again for its parts: three walks of the same folders, each `readdir` of thousands of them.
 * A DirectoryWalk walks on the first request and hands every later one the same entries.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { errorLine } from '../error-line.js';
import { isSkippedDir } from './discover.js';
import { compareCodeUnits } from '../text-order.js';

export type WalkedEntry =
  | {
      /** Relative to the root, `/` separators. */
      readonly path: string;
      /** `other`: a pipe, socket or device. A symbolic link is never followed by the walk (see below). */
      readonly type: 'file' | 'symlink' | 'other';
    }
  | {
      /** A folder that could not be listed (`.` for the root itself): what it holds is unknown. */
      readonly path: string;
      readonly type: 'unlisted';
      /** Why, in one line (`EACCES: permission denied`), without the absolute path. */
      readonly reason: string;
    };

/**
 * What a reader of the walk says about an `unlisted` folder: `read` (the manifests) or `scanned`
 * (the code). One place for the words, so the reports can tell that the audit and the scan of one
 * checkout speak of the same folder (see partial.ts, forReaders).
 */
export const unlistedFolderMessage = (reason: string, what: string): string => `folder could not be listed (${reason}); nothing in it was ${what}`;

/** How a folder is listed; a test hands the walk one that fails, as mode 000 fails for all but root. */
export type ListFolder = (dir: string) => Dirent[];

const listFolder: ListFolder = (dir) => readdirSync(dir, { withFileTypes: true });

/**
 * Whether `path` (relative to `root`) is a folder, or a link to one: only asked of a name the walk
 * lists nothing under (an empty folder has no entry), and nothing in it is read.
 */
export function isFolderAt(root: string, path: string): boolean {
  try {
    return statSync(join(root, path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Every entry under the root that is not a folder, and every folder it could not list, in code-unit
 * order of path; walked once. `skippedFolders`: the folders it did not enter because of their name
 * (isSkippedDir: `node_modules`, `venv`, `__pycache__`…), in the same order, walking first if need be.
 */
export type DirectoryWalk = (() => readonly WalkedEntry[]) & { readonly skippedFolders?: () => readonly string[] };

const toPosix = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));

/**
 * Walks `root` on the first call, synchronously (only the CLI walks checkouts, and measured on
 * 2,000 files the sync calls cost a fraction of the promise-based ones). Folders the product skips
 * (isSkippedDir) are not entered, and neither is a linked folder: one inside the root only repeats
 * files listed under their real path, one outside may not be read (the manifest listing reports it
 * as a link not followed), and never entering links means no link cycle can trap the walk. A folder that cannot be listed is an `unlisted` entry, never just
 * absent: its files are unknown, and every reader must say so (fail closed), not see a smaller tree.
 */
export function directoryWalk(root: string, list: ListFolder = listFolder): DirectoryWalk {
  let walked: { entries: WalkedEntry[]; skipped: string[] } | undefined;
  const entries = () => (walked ??= walk(root, list)).entries;
  return Object.assign(entries, { skippedFolders: () => (walked ??= walk(root, list)).skipped });
}

function walk(root: string, list: ListFolder): { entries: WalkedEntry[]; skipped: string[] } {
  const out: WalkedEntry[] = [];
  const skipped: string[] = [];
  const visit = (dir: string): void => {
    let entries: Dirent[];
    try {
      entries = list(dir);
    } catch (err) {
      out.push({ path: toPosix(relative(root, dir)) || '.', type: 'unlisted', reason: oneLineReason(err) });
      return;
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!isSkippedDir(entry.name)) visit(full);
        else skipped.push(toPosix(relative(root, full)));
        continue;
      }
      const path = toPosix(relative(root, full));
      if (entry.isFile()) out.push({ path, type: 'file' });
      else if (entry.isSymbolicLink()) out.push({ path, type: 'symlink' });
      else out.push({ path, type: 'other' });
    }
  };
  visit(root);
  return { entries: out.sort((a, b) => compareCodeUnits(a.path, b.path)), skipped: skipped.sort(compareCodeUnits) };
}

/** `EACCES: permission denied` from Node's `EACCES: permission denied, scandir '/abs/path'`: the entry names the folder already. */
function oneLineReason(err: unknown): string {
  return errorLine(err).replace(/, scandir '.*'$/, '');
}
