/**
 * Where manifest text comes from: a local directory or a repository snapshot. The loader reads
 * through this interface so discovery, include following and limits behave the same for both.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { isSkippedDir } from './discover.js';

export interface FileSource {
  /** Every file path under the root, relative, `/` separators (skipped directories need not be listed). */
  list(): Promise<string[]>;
  /** The file's bytes, or null when it does not exist (or is not a regular file). */
  read(path: string): Promise<Buffer | null>;
  /** Size in bytes without reading, when cheap; null when unknown or missing. */
  size?(path: string): Promise<number | null>;
}

const toPosix = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));

/** A local directory. Symbolic links are not followed: they could lead outside the scanned root. */
export function directorySource(root: string): FileSource {
  return {
    async list() {
      const out: string[] = [];
      const walk = async (dir: string): Promise<void> => {
        let entries;
        try {
          entries = await readdir(dir, { withFileTypes: true });
        } catch {
          return; // unreadable directory: nothing to list there
        }
        for (const entry of entries) {
          const full = join(dir, entry.name);
          if (entry.isDirectory()) {
            if (!isSkippedDir(entry.name)) await walk(full);
          } else if (entry.isFile()) {
            out.push(toPosix(relative(root, full)));
          }
        }
      };
      await walk(root);
      return out.sort();
    },
    async read(path) {
      try {
        const full = join(root, path);
        const info = await lstat(full);
        if (!info.isFile()) return null;
        return await readFile(full);
      } catch {
        return null;
      }
    },
    async size(path) {
      try {
        const info = await lstat(join(root, path));
        return info.isFile() ? info.size : null;
      } catch {
        return null;
      }
    },
  };
}

/** An in-memory tree (a GitHub snapshot, or a test). */
export function memorySource(files: Record<string, string | Buffer>): FileSource {
  const map = new Map(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? Buffer.from(v) : v]));
  return {
    async list() {
      return [...map.keys()].sort();
    },
    async read(path) {
      return map.get(path) ?? null;
    },
    async size(path) {
      return map.get(path)?.length ?? null;
    },
  };
}
