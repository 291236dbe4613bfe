/**
 * The blobs of changes git called binary, read through one `git cat-file --batch`, so they are
 * judged as the working-tree scan judges a file: by their content (a NUL byte in the first 8 KB),
 * not by git's attributes. A `.gitattributes` that marks `*.yml` binary (`-diff`) hides every such
 * file from `git log -p`; reading the blob brings it back.
 *
 * The output (`<id> blob <size>\n<bytes>\n`, or `<id> missing\n`) is read as it streams, one blob
 * at a time: a binary one is dropped after its first 8 KB, a text one is kept up to `maxBytes`
 * (past it, said as too large), so memory stays bounded whatever the repository holds.
 */
import { streamGit } from './stream-git.js';

export type BlobOutcome = { text: Buffer } | { binary: true } | { tooLarge: number } | { missing: true };

const HEAD = 8192;

export async function readBlobs(
  dir: string,
  env: Record<string, string>,
  ids: readonly string[],
  maxBytes: number,
  timeLimitMs: number,
  onBlob: (id: string, outcome: BlobOutcome) => void,
): Promise<{ timedOut: boolean; failed: string | null }> {
  if (ids.length === 0) return { timedOut: false, failed: null };
  // The reader's state: a header line being read, or a blob's bytes (and its line break) being taken.
  let header: Buffer[] = [];
  let current: { id: string; size: number; seen: number; kept: Buffer[]; binary: boolean } | null = null;
  const finishBlob = () => {
    const b = current!;
    current = null;
    if (b.binary) onBlob(b.id, { binary: true });
    else if (b.size > maxBytes) onBlob(b.id, { tooLarge: b.size });
    else onBlob(b.id, { text: Buffer.concat(b.kept) });
  };
  const onHeader = (line: string) => {
    const [id = '', type, size] = line.split(' ');
    if (type === 'missing' || size === undefined) return onBlob(id, { missing: true });
    current = { id, size: Number(size), seen: 0, kept: [], binary: false };
  };
  const onStdout = (chunk: Buffer) => {
    let at = 0;
    while (at < chunk.length) {
      if (current === null) {
        const nl = chunk.indexOf(0x0a, at);
        if (nl === -1) {
          header.push(chunk.subarray(at));
          return;
        }
        header.push(chunk.subarray(at, nl));
        const line = Buffer.concat(header).subarray(0, 300).toString('latin1');
        header = [];
        at = nl + 1;
        onHeader(line);
        continue;
      }
      const b: { id: string; size: number; seen: number; kept: Buffer[]; binary: boolean } = current;
      // Bytes of the blob, then its one line break (size + 1 in all).
      const take = Math.min(chunk.length - at, b.size + 1 - b.seen);
      const piece = chunk.subarray(at, at + take);
      const body = piece.subarray(0, Math.max(0, Math.min(take, b.size - b.seen)));
      if (!b.binary) {
        if (b.seen < HEAD && body.subarray(0, HEAD - b.seen).includes(0)) {
          b.binary = true;
          b.kept = [];
        } else if (b.size <= maxBytes) b.kept.push(Buffer.from(body));
      }
      b.seen += take;
      at += take;
      if (b.seen === b.size + 1) finishBlob();
    }
  };
  const run = await streamGit(['cat-file', '--batch'], { dir, env, timeLimitMs, input: ids.join('\n') + '\n', onStdout });
  if (run.spawnError !== undefined) return { timedOut: run.timedOut, failed: run.spawnError };
  if (run.processError !== undefined) return { timedOut: run.timedOut, failed: run.processError };
  return { timedOut: run.timedOut, failed: run.timedOut || run.code === 0 ? null : (run.stderr.split('\n')[0] ?? '').trim() || `exit ${run.code}` };
}
