/**
 * Where manifest text comes from: a local directory or a repository snapshot. The loader reads
 * through this interface so discovery, include following and limits behave the same for both.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { isSkippedDir } from './discover.js';
import { CheckoutRoot, LinkNotFollowedError, NotRegularFileError } from './inside-root.js';

export { LinkNotFollowedError, NotRegularFileError };

export interface FileSource {
  /** Every path under the root that is not a folder (pipes, sockets and devices too), relative, `/` separators (skipped directories need not be listed). */
  list(): Promise<string[]>;
  /**
   * The file's bytes, or null when it does not exist. Throws LinkNotFollowedError, naming the link,
   * when the path leads through a symbolic link that may not be followed (nothing of its target is
   * read), and NotRegularFileError when it names a pipe, socket, device or folder.
   */
  read(path: string): Promise<Buffer | null>;
  /** Size in bytes without reading, when cheap; null when unknown or missing. */
  size?(path: string): Promise<number | null>;
}

const toPosix = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));

/**
 * A local directory. A file is read only where its real path (every symbolic link resolved) lies
 * inside the directory, so a link inside the checkout is followed and a link out of it is refused
 * (src/python/inside-root.ts). The listing never enters a linked folder: one inside the root only
 * repeats files listed under their real path, one outside is not ours, and never entering links
 * means no link cycle can trap the walk. Linked files are listed, so that a manifest that is a link
 * out of the folder is reported rather than silently skipped.
 */
export function directorySource(root: string): FileSource {
  const checkout = new CheckoutRoot(root);
  return {
    // Walked synchronously, as files are read (see inside-root.ts): the CLI alone lists checkouts.
    async list() {
      const out: string[] = [];
      const walk = (dir: string): void => {
        let entries: Dirent[];
        try {
          entries = readdirSync(dir, { withFileTypes: true });
        } catch {
          return; // unreadable directory: nothing to list there
        }
        for (const entry of entries) {
          const full = join(dir, entry.name);
          if (entry.isDirectory()) {
            if (!isSkippedDir(entry.name)) walk(full);
          } else if (entry.isFile()) {
            out.push(toPosix(relative(root, full)));
          } else if (entry.isSymbolicLink()) {
            // Where it leads decides only whether it is a folder (never entered); reading decides the rest.
            if (!leadsToFolder(full)) out.push(toPosix(relative(root, full)));
          } else {
            // A pipe, socket or device: listed, so one named like a manifest is said to be no file
            // (the read refuses it) rather than the tree seeming to hold no manifest at all.
            out.push(toPosix(relative(root, full)));
          }
        }
      };
      walk(root);
      return out.sort();
    },
    read: (path) => checkout.read(path),
    size: (path) => checkout.size(path),
  };
}

/** Whether a symbolic link leads to a folder (false when it leads nowhere, in a loop, or is unreadable). */
function leadsToFolder(link: string): boolean {
  try {
    return statSync(link).isDirectory();
  } catch {
    return false;
  }
}

export interface MemorySourceOptions {
  /**
   * Paths that are symbolic links in the tree and were not resolved into files (a GitHub snapshot's
   * mode 120000 entries). Reading one of them, or anything below one, is refused naming the link.
   */
  links?: Iterable<string>;
}

/** An in-memory tree (a GitHub snapshot, or a test). */
export function memorySource(files: Record<string, string | Buffer>, options: MemorySourceOptions = {}): FileSource {
  const map = new Map(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? Buffer.from(v) : v]));
  const links = new Set(options.links ?? []);
  const linkOnPath = (path: string): string | undefined => {
    if (links.size === 0) return undefined;
    for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) if (links.has(path.slice(0, i))) return path.slice(0, i);
    return links.has(path) ? path : undefined;
  };
  return {
    async list() {
      return [...map.keys()].sort();
    },
    async read(path) {
      const bytes = map.get(path);
      if (bytes !== undefined) return bytes;
      const link = linkOnPath(path);
      if (link !== undefined) throw new LinkNotFollowedError(`${link} is a symbolic link in the repository; links are not followed there`);
      return null;
    },
    async size(path) {
      return map.get(path)?.length ?? null;
    },
  };
}
