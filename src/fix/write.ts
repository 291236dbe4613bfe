/**
 * Writing a fixed file back into a checkout without ever leaving it, atomically, keeping its mode.
 *
 * The path is resolved the way the audit read it (src/python/inside-root.ts): a symbolic link that
 * stays inside the folder is followed and the file it names is written (the link stays a link);
 * one that leads out, nowhere or into a loop is refused and nothing is written. The file must
 * still hold exactly the bytes the audit read (a file changed in between is not overwritten). The
 * new bytes go to a temporary file created next to it (O_EXCL, so an existing file or link of
 * that name is never opened), is flushed, gets the old file's permission bits, and replaces the
 * old file with one rename: a reader sees the old file or the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CheckoutRoot, isInside, NotRegularFileError, UnreadableFileError } from '../python/inside-root.js';

export class FixWriteError extends Error {
  override name = 'FixWriteError';
}

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/**
 * Replaces `path` (relative to `root`, `/` separators) with `bytes` (the new text already encoded as
 * the file was: src/fix/encoding.ts), provided it still holds `expected`.
 * Throws FixWriteError (one clear line) or LinkNotFollowedError when it may not be written.
 */
export async function writeInside(root: string, path: string, expected: Buffer, bytes: Uint8Array): Promise<void> {
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
  const { mode } = await stat(real);

  const dir = dirname(real);
  const temp = join(dir, `.${basename(real)}.depwatch-${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, CREATE_FLAGS, 0o600);
  try {
    try {
      await handle.writeFile(bytes);
      // Created with 0600 (nobody else can read it half-written), then given the old file's bits
      // exactly: fchmod is not subject to the umask.
      await handle.chmod(mode & 0o7777);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // The folder must still be the one inside the root that was resolved (not swapped for a link).
    const realRoot = await realpath(root);
    if ((await realpath(dir)) !== dir || !isInside(realRoot, dir)) throw new FixWriteError(`${path}: its folder moved while being written; not written`);
    await rename(temp, real);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw err;
  }
}
