/**
 * Reading a file of a checkout without ever leaving it. A path is resolved (every symbolic link, in
 * the file name and in every folder above it) and read only when where it really lands is inside the
 * scanned folder; otherwise the link is named in a LinkNotFollowedError and nothing is read.
 *
 * Checking and then reading is a race (a folder could be swapped for a link in between), so the read
 * opens the resolved path with O_NOFOLLOW (and O_NONBLOCK, so a FIFO cannot hang the scan) and then
 * asks the kernel what was actually opened (/proc/self/fd on Linux; elsewhere the path is resolved
 * again and must still name the same inode). A file that moved between the two is refused.
 *
 * The file system is asked synchronously, behind the same promise-returning methods: only the CLI
 * reads checkouts (the bot reads GitHub snapshots from memory), where there is no event loop to keep
 * free, and each asynchronous call is a round trip through libuv's thread pool. Loading a monorepo's
 * 500 manifests (about ten calls a file, one after another) took 430 ms that way and 220 ms this way,
 * parsing included, as the scanner measured for its own reads (src/scan/source.ts).
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { errorLine } from '../error-line.js';

/**
 * The system's realpath(3): one call, where Node's own walks the path with an lstat per component
 * (a third of the time, measured on a monorepo's 500 manifests), with the same answers and error
 * codes but one: the kernel gives up after 40 links in one lookup, which Node's walk does not. An
 * ELOOP is therefore asked again of Node's walk, which says ELOOP only for a real loop.
 */
function realPathOf(path: string): string {
  try {
    return realpathSync.native(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') return realpathSync(path);
    throw err;
  }
}

/** A path that leads through a symbolic link to somewhere it may not go (or nowhere). */
export class LinkNotFollowedError extends Error {
  override name = 'LinkNotFollowedError';
}

/**
 * A path that names something other than a regular file (a pipe, socket, device or folder): said as
 * such, where "file not found" would send the reader looking for a file that is there.
 */
export class NotRegularFileError extends Error {
  override name = 'NotRegularFileError';
}

const NOT_REGULAR = 'not a regular file (a pipe, socket, device or folder); not read';

/**
 * A file that is there but could not be opened or read (no permission, an I/O error): said with the
 * system's reason, as an unlisted folder is (`EACCES: permission denied`), where "file not found"
 * would send the reader looking for a file that `ls` shows.
 */
export class UnreadableFileError extends Error {
  override name = 'UnreadableFileError';
  constructor(readonly reason: string) {
    super(`could not be read (${reason})`);
  }
}

/** The system's reason in one line, without the absolute path Node appends (`EACCES: permission denied`). */
export function systemReason(err: unknown): string {
  return errorLine(err).replace(/, \w+ '.*'$/, '');
}

/** Errors that say the path is not there (or a folder on it is a file): "file not found"; any other is a file that could not be read. */
const MISSING = new Set(['ENOENT', 'ENOTDIR']);

/** How a checkout opens a file: openSync, or in a test one that fails as mode 000 fails for all but root. */
export type OpenFile = (path: string, flags: number) => number;

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export function isInside(realRoot: string, realPath: string): boolean {
  if (realPath === realRoot) return true;
  return realPath.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
}

/** A checkout's root, resolved once (the root itself may be a link: the folder it names is scanned). */
export class CheckoutRoot {
  private realRoot: string | null = null;

  constructor(
    readonly root: string,
    private readonly openFile: OpenFile = openSync,
  ) {}

  private real(): string {
    this.realRoot ??= realPathOf(this.root);
    return this.realRoot;
  }

  /**
   * The real path of `path` (relative, `/` separators) when it lies inside the root; null when it
   * does not exist. Throws LinkNotFollowedError, naming the link, when a link leads out or nowhere.
   */
  async resolve(path: string): Promise<string | null> {
    return this.resolveNow(path);
  }

  /**
   * The bytes of a regular file inside the root; null when missing. Throws NotRegularFileError for
   * anything else that is there, and UnreadableFileError for a file that could not be read.
   */
  async read(path: string): Promise<Buffer | null> {
    const real = this.resolveNow(path);
    if (real === null) return null;
    let fd: number;
    try {
      fd = this.openFile(real, OPEN_FLAGS);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new LinkNotFollowedError(`${path} changed into a symbolic link while being read; not read`);
      // A socket cannot be opened at all (ENXIO; EOPNOTSUPP on some systems): it is there, but not a file.
      if (code === 'ENXIO' || code === 'EOPNOTSUPP') throw new NotRegularFileError(NOT_REGULAR);
      if (code !== undefined && MISSING.has(code)) return null; // gone since it was resolved
      throw new UnreadableFileError(systemReason(err));
    }
    try {
      const info = fstatSync(fd);
      if (!info.isFile()) throw new NotRegularFileError(NOT_REGULAR);
      if (!this.openedInside(fd, real, info)) throw new LinkNotFollowedError(`${path} moved outside the scanned folder while being read; not read`);
      try {
        return readFileSync(fd);
      } catch (err) {
        throw new UnreadableFileError(systemReason(err)); // an I/O error part way
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Size in bytes of a regular file inside the root; null when missing, not a file or refused. */
  async size(path: string): Promise<number | null> {
    try {
      const real = this.resolveNow(path);
      if (real === null) return null;
      const info = statSync(real);
      return info.isFile() ? info.size : null;
    } catch {
      return null; // the read says why
    }
  }

  private resolveNow(path: string): string | null {
    const root = this.real();
    const full = join(this.root, path);
    let real: string;
    try {
      real = realPathOf(full);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const link = this.firstLink(path);
      if (link === null) {
        if (code !== undefined && MISSING.has(code)) return null; // plainly missing
        throw new UnreadableFileError(systemReason(err)); // a folder on the way that may not be searched
      }
      if (code === 'ELOOP') throw new LinkNotFollowedError(`${link} is a symbolic link in a loop; not followed`);
      throw new LinkNotFollowedError(`${link} is a symbolic link to something that does not exist; not followed`);
    }
    if (!isInside(root, real)) {
      throw new LinkNotFollowedError(`${this.firstLink(path) ?? path} is a symbolic link that leads outside the scanned folder; not followed`);
    }
    return real;
  }

  /** Whether the open file is the one inside the root that was resolved, whatever happened since. */
  private openedInside(fd: number, real: string, info: { ino: number; dev: number }): boolean {
    const root = this.real();
    try {
      // Linux names the file behind a descriptor: the truth, not a second lookup.
      return isInside(root, readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      try {
        const again = realPathOf(real);
        const now = statSync(again);
        return again === real && isInside(root, again) && now.ino === info.ino && now.dev === info.dev;
      } catch {
        return false;
      }
    }
  }

  /** The first component of `path` that is a symbolic link (e.g. `etcdir` of `etcdir/passwd`), or null. */
  private firstLink(path: string): string | null {
    const parts = path.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      try {
        if (lstatSync(join(this.root, prefix)).isSymbolicLink()) return prefix;
      } catch {
        return null;
      }
    }
    return null;
  }
}
