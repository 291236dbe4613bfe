/** The command line's view of the world, injectable so tests run commands in-process. */
import { redactSecrets } from '../redact.js';

export interface CliIO {
  stdout: (text: string) => void;
  /**
   * Where long reports go as bytes (the process's stdout); absent in tests that capture text.
   * Encoding a report piece by piece into blocks cost a tenth of joining thousands of pieces into
   * strings and encoding those (see writeChunks). Resolves once the bytes are written out (their
   * memory may then be filled again); rejects when they cannot be.
   */
  stdoutBytes?: (bytes: Uint8Array) => Promise<void>;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress is shown only then). */
  isTTY: boolean;
  /**
   * Whether stdout is a terminal: output meant for another program (a patch for `git apply`) keeps
   * its bytes when piped, and has its control characters shown as escapes only on a terminal.
   */
  stdoutIsTTY?: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function processIO(): CliIO {
  watchStdoutErrors();
  watchStderrErrors();
  return {
    stdout: (t) => process.stdout.write(t),
    stdoutBytes: (b) => new Promise((resolve, reject) => process.stdout.write(b, (err) => (err ? reject(err) : resolve()))),
    stderr: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    cwd: process.cwd(),
    env: process.env,
  };
}

/**
 * A failed write to stdout is an 'error' event, and one nobody listens to ends the process with a
 * stack trace: what `depwatch audit --json | head` printed once head had its lines. The reader
 * going away (EPIPE) is not our failure and stays quiet; anything else (a full disk under `>`) is
 * one line and exit status 2, whatever the findings said, so a truncated report never passes.
 */
function watchStdoutErrors(): void {
  if (process.stdout.listenerCount('error') > 0) return;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') return;
    if (!outputFailed) process.stderr.write(`depwatch: cannot write the output: ${err.message}\n`);
    outputFailed = true;
    process.exitCode = EXIT.error;
  });
}

/**
 * The same for stderr: `depwatch audit --json DIR 2>&1 | head -1` closes stderr's pipe too, and an
 * unheard 'error' there ended the process with status 1 whatever the audit said. The reader going
 * away stays quiet (the command's own status stands); any other failure cannot be told on stderr
 * itself, and still makes the status 2: lines that say a result is partial may be lost.
 */
function watchStderrErrors(): void {
  if (process.stderr.listenerCount('error') > 0) return;
  process.stderr.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') return;
    outputFailed = true;
    process.exitCode = EXIT.error;
  });
}

let outputFailed = false;

/** Whether writing to stdout or stderr failed (other than its reader going away): then the exit status is 2. */
export const stdoutFailed = (): boolean => outputFailed;

/** Bytes per block written (about 64 KB: one write per piece cost a system call each, 130 ms for 6,000 findings). */
const BLOCK_BYTES = 1 << 16;
/** UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units). */
const MAX_UTF8_PER_UNIT = 3;
/** Encodes a piece into what is left of a block and says how much of it went in (never half a character). */
const encoder = new TextEncoder();

/**
 * Writes a report made in pieces (a ChunkedRenderer's) to stdout in blocks of about 64 KB, never
 * holding it whole. With `stdoutBytes` each piece is encoded straight into the blocks (one larger
 * than what a block has left goes on in the next, never cut inside a character); otherwise pieces
 * are joined into text blocks. Pieces never split a character (renderers cut between values and
 * lines), so both give the same bytes.
 *
 * Two blocks take turns: one is filled while the other is written out, and a block is filled again
 * only once its bytes are out. A fresh block per write was new memory every 64 KB, whose page
 * faults cost more than the encoding (about 100 ms of a 28 MB report), and a pipe holds what it
 * has not written yet: the whole report, when nothing waited for it. A write that fails stops the
 * report; the stream's error listener (processIO) says why.
 */
export async function writeChunks(io: CliIO, given: Iterable<string>): Promise<void> {
  // The last line of defence for every report format: a piece holds whole values, so a token that
  // slipped past the redaction at its source is masked here (most pieces only pay a keyword test).
  const chunks = redactedPieces(given);
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
  const blocks = [Buffer.allocUnsafe(BLOCK_BYTES), Buffer.allocUnsafe(BLOCK_BYTES)];
  const writing: (Promise<void> | null)[] = [null, null];
  let current = 0;
  let used = 0;
  /** Sends the current block and waits until the other one may be filled again. */
  const send = async (): Promise<void> => {
    const sent = write(blocks[current]!.subarray(0, used));
    // Awaited below, or left when an earlier write failed: never an unhandled rejection.
    sent.catch(() => undefined);
    writing[current] = sent;
    current ^= 1;
    used = 0;
    await writing[current];
  };
  // A write that fails (the reader went away, EPIPE, or the output failed) ends the report quietly:
  // nothing more can be written. A renderer's own error is not that: it propagates (exit status 2),
  // rather than leaving a truncated report behind a passing status.
  let writeFailed = false;
  const written = async (pending: Promise<void> | null | undefined): Promise<void> => {
    try {
      await pending;
    } catch {
      writeFailed = true;
    }
  };
  for (const chunk of chunks) {
    if (used + chunk.length * MAX_UTF8_PER_UNIT <= BLOCK_BYTES) {
      used += blocks[current]!.write(chunk, used, 'utf8');
      continue;
    }
    // A piece that may not fit (a batch of findings is 16-64 KB of text) is encoded into the blocks
    // in turn, as much as fits each time. Such a piece got a buffer of its own (Buffer.from): new
    // memory per piece, whose page faults the two blocks are there to avoid.
    let rest = chunk;
    for (;;) {
      const { read, written: bytes } = encoder.encodeInto(rest, blocks[current]!.subarray(used));
      used += bytes;
      if (read === rest.length) break;
      rest = rest.slice(read);
      await written(send());
      if (writeFailed) return;
    }
  }
  if (used > 0) await written(send());
  if (!writeFailed) await written(writing[current ^ 1]);
}

/** A usage or runtime error: one clear line on stderr, exit status 2. */
export class CliError extends Error {
  override name = 'CliError';
}

export const EXIT = { ok: 0, findings: 1, error: 2 } as const;

function* redactedPieces(chunks: Iterable<string>): Iterable<string> {
  for (const chunk of chunks) yield redactSecrets(chunk);
}
