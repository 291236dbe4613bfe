/** The command line's view of the world, injectable so tests run commands in-process. */
export interface CliIO {
  stdout: (text: string) => void;
  /**
   * Where long reports go as bytes (the process's stdout); absent in tests that capture text.
   * Encoding a report piece by piece into blocks cost a tenth of joining thousands of pieces into
   * strings and encoding those (see writeChunks).
   */
  stdoutBytes?: (bytes: Uint8Array) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress is shown only then). */
  isTTY: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function processIO(): CliIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stdoutBytes: (b) => process.stdout.write(b),
    stderr: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
    env: process.env,
  };
}

/** Bytes per block written (about 64 KB: one write per piece cost a system call each, 130 ms for 6,000 findings). */
const BLOCK_BYTES = 1 << 16;
/** UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units). */
const MAX_UTF8_PER_UNIT = 3;

/**
 * Writes a report made in pieces (a ChunkedRenderer's) to stdout in blocks of about 64 KB, never
 * holding it whole. With `stdoutBytes` each piece is encoded straight into the block; otherwise
 * pieces are joined into text blocks. Pieces never split a character (renderers cut between
 * values and lines), so both give the same bytes.
 */
export function writeChunks(io: CliIO, chunks: Iterable<string>): void {
  const write = io.stdoutBytes;
  if (write === undefined) {
    let block = '';
    for (const chunk of chunks) {
      block += chunk;
      if (block.length >= BLOCK_BYTES) {
        io.stdout(block);
        block = '';
      }
    }
    if (block) io.stdout(block);
    return;
  }
  // A fresh block after each write: a stream may still hold the one it was given.
  let block = Buffer.allocUnsafe(BLOCK_BYTES);
  let used = 0;
  for (const chunk of chunks) {
    if (used + chunk.length * MAX_UTF8_PER_UNIT > block.length) {
      if (used > 0) {
        write(block.subarray(0, used));
        block = Buffer.allocUnsafe(BLOCK_BYTES);
        used = 0;
      }
      if (chunk.length * MAX_UTF8_PER_UNIT > block.length) {
        write(Buffer.from(chunk, 'utf8'));
        continue;
      }
    }
    used += block.write(chunk, used, 'utf8');
  }
  if (used > 0) write(block.subarray(0, used));
}

/** A usage or runtime error: one clear line on stderr, exit status 2. */
export class CliError extends Error {
  override name = 'CliError';
}

export const EXIT = { ok: 0, findings: 1, error: 2 } as const;
