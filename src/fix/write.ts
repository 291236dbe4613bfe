/**
 * Writing fixed files back into a checkout without ever leaving it: every file or none, each
 * atomically, keeping its mode and owner.
 *
 * The path is resolved the way the audit read it (src/python/inside-root.ts): a symbolic link that
 * stays inside the folder is followed and the file it names is written (the link stays a link);
 * one that leads out, nowhere or into a loop is refused and nothing is written. The file must
 * still hold exactly the bytes the audit read (a file changed in between is not overwritten). The
 * new bytes go to a temporary file created next to it (O_EXCL, so an existing file or link of
 * that name is never opened), which gets the old file's owner, group and permission bits, is
 * flushed, and replaces the old file with one rename: a reader sees the old file or the new one,
 * never half of one.
 *
 * A fix is one change (a pin moved in requirements.txt and the constraint allowing it widened in
 * constraints.txt): written in part it leaves a project that no longer installs, and a second run
 * finds nothing left to fix. So every temporary file is made first; only when all are ready is
 * any renamed over its file, and on any failure every temporary file is removed and none is.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileProblem } from '../file-error.js';
import { CheckoutRoot, isInside, LinkNotFollowedError, NotRegularFileError, UnreadableFileError } from '../python/inside-root.js';

export class FixWriteError extends Error {
  override name = 'FixWriteError';
}

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/** A file to write: its path relative to the root (`/` separators), the bytes the audit read, the new bytes. */
export interface FileWrite {
  path: string;
  expected: Buffer;
  bytes: Uint8Array;
}

export interface WriteResult {
  /** Paths written, in the order given. */
  written: string[];
  /** One line per file not written: why, or which other file kept it from being written. */
  errors: { file: string; message: string }[];
}

/** Why a file ready to be written was not: another of the same fix could not be. */
export const heldBackLine = (path: string, failed: readonly string[]): string =>
  `${path}: not written, because ${failed.length === 1 ? failed[0] : `${failed.length} other files`} could not be (depwatch fix writes all of its files or none)`;

/**
 * Writes every file or none (see above). Throws nothing for a file that may not be written: each
 * refusal is one line in `errors`, and the files held back with it are named there too.
 */
export async function writeAllInside(root: string, files: readonly FileWrite[]): Promise<WriteResult> {
  const ready: Prepared[] = [];
  const errors: WriteResult['errors'] = [];
  for (const file of files) {
    try {
      ready.push(await prepare(root, file));
    } catch (err) {
      errors.push({ file: file.path, message: lineOf(file.path, err) });
    }
  }
  if (errors.length > 0) {
    await Promise.all(ready.map((p) => unlink(p.temp).catch(() => {})));
    const failed = errors.map((e) => e.file);
    for (const p of ready) errors.push({ file: p.path, message: heldBackLine(p.path, failed) });
    return { written: [], errors: orderOf(files, errors) };
  }
  // Every file is ready: the renames cannot fail for want of space or permission (the folder was
  // written into); only a folder swapped meanwhile is refused, and then what remains is not renamed.
  const written: string[] = [];
  for (const [i, p] of ready.entries()) {
    try {
      await commit(root, p);
      written.push(p.path);
    } catch (err) {
      errors.push({ file: p.path, message: lineOf(p.path, err) });
      for (const rest of ready.slice(i + 1)) {
        await unlink(rest.temp).catch(() => {});
        errors.push({ file: rest.path, message: heldBackLine(rest.path, [p.path]) });
      }
      break;
    }
  }
  return { written, errors };
}

/**
 * Replaces one file (writeAllInside with one file), throwing FixWriteError or LinkNotFollowedError
 * (one clear line) when it may not be written.
 */
export async function writeInside(root: string, path: string, expected: Buffer, bytes: Uint8Array): Promise<void> {
  const p = await prepare(root, { path, expected, bytes });
  await commit(root, p);
}

interface Prepared {
  path: string;
  /** The file's real path, and the temporary file beside it holding the new bytes. */
  real: string;
  temp: string;
}

/** Checks the file may be written and makes its temporary file, ready to be renamed over it. */
async function prepare(root: string, { path, expected, bytes }: FileWrite): Promise<Prepared> {
  const checkout = new CheckoutRoot(root);
  const current = await checkout.read(path).catch((err: unknown) => {
    // Replaced by a pipe, socket or folder since the audit: said with the path, as every other refusal here.
    if (err instanceof NotRegularFileError) throw new FixWriteError(`${path}: no longer a regular file; not written`);
    if (err instanceof UnreadableFileError) throw new FixWriteError(`${path}: ${err.message}; not written`);
    throw err;
  });
  if (current === null) throw new FixWriteError(`${path}: no longer there; not written`);
  if (!current.equals(expected)) throw new FixWriteError(`${path}: changed since it was audited; not written (run depwatch fix again)`);
  const real = await checkout.resolve(path);
  if (real === null) throw new FixWriteError(`${path}: no longer there; not written`);
  const info = await stat(real);
  await refuseUnwritable(path, real, info);

  const temp = join(dirname(real), `.${basename(real)}.depwatch-${randomBytes(6).toString('hex')}.tmp`);
  let handle;
  try {
    handle = await open(temp, CREATE_FLAGS, 0o600);
  } catch (err) {
    // Said of the manifest and its folder, never of the temporary name nobody asked for.
    throw new FixWriteError(`${path}: cannot be written: its folder does not take a new file (${fileProblem(err)}); not written`);
  }
  try {
    try {
      await handle.writeFile(bytes);
      // The rename gives the file the temporary file's owner: the old one is kept (as root, fixing
      // a checkout owned by someone else must not hand it to root), or it is not written at all.
      const made = await handle.stat();
      if (info.uid !== made.uid || info.gid !== made.gid) {
        await handle.chown(info.uid, info.gid).catch((err: unknown) => {
          throw new FixWriteError(`${path}: its owner (uid ${info.uid}, gid ${info.gid}) could not be kept (${fileProblem(err)}); not written`);
        });
      }
      // Created with 0600 (nobody else can read it half-written), then given the old file's bits
      // exactly, after chown (which clears set-id bits): fchmod is not subject to the umask.
      await handle.chmod(info.mode & 0o7777);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    await unlink(temp).catch(() => {});
    if (err instanceof FixWriteError) throw err;
    throw new FixWriteError(`${path}: cannot be written (${fileProblem(err)}); not written`);
  }
  return { path, real, temp };
}

/**
 * A file its mode says is not to be written, and one with other hard links, are refused: a rename
 * would replace either silently.
 * - Read-only by mode (0444, or not writable by this user): someone made it so; pip and editors
 *   refuse to write it, and so does this (root included: root may, but should not, without asking).
 * - More than one hard link: another name shares its content, possibly outside the checkout (a
 *   tool's store, another working copy). A rename would leave that name with the old, vulnerable
 *   pins while this one changed; writing in place would change a file outside the checkout and
 *   lose the atomic replacement. Neither is what a fix may do on its own: refused, with how to
 *   proceed.
 */
async function refuseUnwritable(path: string, real: string, info: { mode: number; nlink: number }): Promise<void> {
  const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
  const writable = (info.mode & 0o222) !== 0 && (await access(real, constants.W_OK).then(() => true, () => false));
  if (!writable) throw new FixWriteError(`${path}: read-only (mode ${mode}); not written (make it writable, or change it by hand)`);
  if (info.nlink > 1) {
    throw new FixWriteError(`${path}: has ${info.nlink} hard links (another name shares its content); not written (break the link with a copy, or change it by hand)`);
  }
}

/** Renames the temporary file over the file, once its folder is still the one resolved inside the root. */
async function commit(root: string, { path, real, temp }: Prepared): Promise<void> {
  const dir = dirname(real);
  try {
    const realRoot = await realpath(root);
    if ((await realpath(dir)) !== dir || !isInside(realRoot, dir)) throw new FixWriteError(`${path}: its folder moved while being written; not written`);
    await rename(temp, real);
  } catch (err) {
    await unlink(temp).catch(() => {});
    if (err instanceof FixWriteError) throw err;
    throw new FixWriteError(`${path}: cannot be written (${fileProblem(err)}); not written`);
  }
}

/** The one line for a refusal: its own words, or the system's reason said of the manifest. */
function lineOf(path: string, err: unknown): string {
  if (err instanceof FixWriteError || err instanceof LinkNotFollowedError) return err.message;
  return `${path}: cannot be written (${fileProblem(err)}); not written`;
}

/** The errors in the order the files were given. */
function orderOf(files: readonly FileWrite[], errors: WriteResult['errors']): WriteResult['errors'] {
  const at = new Map(files.map((f, i) => [f.path, i]));
  return [...errors].sort((a, b) => (at.get(a.file) ?? 0) - (at.get(b.file) ?? 0));
}
