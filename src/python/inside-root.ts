/**
 * Reading a file of a checkout without ever leaving it. A path is resolved (every symbolic link, in
 * the file name and in every folder above it) and read only when where it really lands is inside the
 * scanned folder; otherwise the link is named in a LinkNotFollowedError and nothing is read.
 *
 * Checking and then reading is a race (a folder could be swapped for a link in between), so the read
 * opens the resolved path with O_NOFOLLOW (and O_NONBLOCK, so a FIFO cannot hang the scan) and then
 * asks the kernel what was actually opened (/proc/self/fd on Linux; elsewhere the path is resolved
 * again and must still name the same inode). A file that moved between the two is refused.
 */
import { constants } from 'node:fs';
import { lstat, open, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';

/** A path that leads through a symbolic link to somewhere it may not go (or nowhere). */
export class LinkNotFollowedError extends Error {
  override name = 'LinkNotFollowedError';
}

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export function isInside(realRoot: string, realPath: string): boolean {
  if (realPath === realRoot) return true;
  return realPath.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
}

/** A checkout's root, resolved once (the root itself may be a link: the folder it names is scanned). */
export class CheckoutRoot {
  private realRoot: Promise<string> | null = null;

  constructor(readonly root: string) {}

  private real(): Promise<string> {
    this.realRoot ??= realpath(this.root);
    return this.realRoot;
  }

  /**
   * The real path of `path` (relative, `/` separators) when it lies inside the root; null when it
   * does not exist. Throws LinkNotFollowedError, naming the link, when a link leads out or nowhere.
   */
  async resolve(path: string): Promise<string | null> {
    const root = await this.real();
    const full = join(this.root, path);
    let real: string;
    try {
      real = await realpath(full);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const link = await this.firstLink(path);
      if (link === null) return null; // plainly missing
      if (code === 'ELOOP') throw new LinkNotFollowedError(`${link} is a symbolic link in a loop; not followed`);
      throw new LinkNotFollowedError(`${link} is a symbolic link to something that does not exist; not followed`);
    }
    if (!isInside(root, real)) {
      throw new LinkNotFollowedError(`${(await this.firstLink(path)) ?? path} is a symbolic link that leads outside the scanned folder; not followed`);
    }
    return real;
  }

  /** The bytes of a regular file inside the root; null when missing or not a regular file. */
  async read(path: string): Promise<Buffer | null> {
    const real = await this.resolve(path);
    if (real === null) return null;
    let handle: FileHandle;
    try {
      handle = await open(real, OPEN_FLAGS);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new LinkNotFollowedError(`${path} changed into a symbolic link while being read; not read`);
      return null;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) return null;
      if (!(await this.openedInside(handle, real, info))) throw new LinkNotFollowedError(`${path} moved outside the scanned folder while being read; not read`);
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  }

  /** Size in bytes of a regular file inside the root; null when missing, not a file or refused. */
  async size(path: string): Promise<number | null> {
    try {
      const real = await this.resolve(path);
      if (real === null) return null;
      const info = await stat(real);
      return info.isFile() ? info.size : null;
    } catch {
      return null; // the read says why
    }
  }

  /** Whether the open file is the one inside the root that was resolved, whatever happened since. */
  private async openedInside(handle: FileHandle, real: string, info: { ino: number; dev: number }): Promise<boolean> {
    const root = await this.real();
    try {
      // Linux names the file behind a descriptor: the truth, not a second lookup.
      return isInside(root, await readlink(`/proc/self/fd/${handle.fd}`));
    } catch {
      try {
        const again = await realpath(real);
        const now = await stat(again);
        return again === real && isInside(root, again) && now.ino === info.ino && now.dev === info.dev;
      } catch {
        return false;
      }
    }
  }

  /** The first component of `path` that is a symbolic link (e.g. `etcdir` of `etcdir/passwd`), or null. */
  private async firstLink(path: string): Promise<string | null> {
    const parts = path.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      try {
        if ((await lstat(join(this.root, prefix))).isSymbolicLink()) return prefix;
      } catch {
        return null;
      }
    }
    return null;
  }
}
