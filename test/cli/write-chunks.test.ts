/** Long reports written to stdout in blocks: as bytes (the process) or as text (tests), the same output. */
import { describe, expect, it } from 'vitest';
import { writeChunks, type CliIO } from '../../src/cli/io.js';

/**
 * stdout as text, or as bytes written out at once or later (as a pipe does: the bytes are read only
 * when the write completes, so a block filled again before then would come out wrong).
 */
function captured(withBytes: boolean, { later = false } = {}): { io: CliIO; text(): string; writes: number[] } {
  const texts: string[] = [];
  const bytes: Buffer[] = [];
  const writes: number[] = [];
  const takeBytes = (b: Uint8Array): Promise<void> => {
    writes.push(b.length);
    if (!later) {
      bytes.push(Buffer.from(b));
      return Promise.resolve();
    }
    const slot = bytes.push(Buffer.alloc(0)) - 1;
    return new Promise((resolve) =>
      setImmediate(() => {
        bytes[slot] = Buffer.from(b);
        resolve();
      }),
    );
  };
  const io: CliIO = {
    stdout: (t) => void (texts.push(t), writes.push(Buffer.byteLength(t))),
    ...(withBytes ? { stdoutBytes: takeBytes } : {}),
    stderr: () => undefined,
    isTTY: false,
    cwd: '/',
    env: {},
  };
  return { io, text: () => (withBytes ? Buffer.concat(bytes).toString('utf8') : texts.join('')), writes };
}

describe('writing a report in blocks', () => {
  // Accents, an ellipsis, a character outside the BMP (a surrogate pair), a piece larger than a block.
  const pieces = [...Array.from({ length: 20_000 }, (_, i) => `{"summary": "Fälle № ${i} … 🐍"},\n`), 'x'.repeat(200_000), '\n', 'end ✓\n'];

  it('gives the same bytes whether stdout takes bytes or text', async () => {
    const asBytes = captured(true);
    const asText = captured(false);
    await writeChunks(asBytes.io, pieces);
    await writeChunks(asText.io, pieces);
    expect(asBytes.text()).toBe(pieces.join(''));
    expect(asText.text()).toBe(pieces.join(''));
  });

  it('never fills a block again before the stream has written it out', async () => {
    const slow = captured(true, { later: true });
    await writeChunks(slow.io, pieces);
    expect(slow.text()).toBe(pieces.join(''));
  });

  it('writes blocks of at most 64 KB, a piece larger than one spread over blocks, in few writes', async () => {
    const { io, writes } = captured(true);
    await writeChunks(io, pieces);
    expect(Math.max(...writes)).toBeLessThanOrEqual(65_536);
    expect(writes.length).toBeLessThan(Buffer.byteLength(pieces.join('')) / 30_000);
  });

  it('never cuts a character where a large piece crosses from one block to the next', async () => {
    // One to four bytes a character, in runs whose lengths are prime, so block ends fall inside
    // every kind of character (a surrogate pair among them) somewhere.
    const mixed = (n: number) => Array.from({ length: n }, (_, i) => ['a', 'é', '€', '🐍'][i % 4]!.repeat(1 + (i % 7))).join('');
    const large = [mixed(40_000), 'x', mixed(70_001), mixed(3), '🐍'.repeat(50_000), 'é'.repeat(33_333)];
    for (const later of [false, true]) {
      const out = captured(true, { later });
      await writeChunks(out.io, large);
      expect(out.text()).toBe(large.join(''));
      expect(Math.max(...out.writes)).toBeLessThanOrEqual(65_536);
    }
  });
});

describe('a report that cannot be written whole', () => {
  function* failingRenderer(): Generator<string> {
    yield 'x'.repeat(70_000); // a block written out first
    throw new Error('renderer bug');
  }

  it("lets a renderer's own error through, rather than leaving a truncated report behind a passing status", async () => {
    for (const withBytes of [true, false]) {
      await expect(writeChunks(captured(withBytes).io, failingRenderer())).rejects.toThrow('renderer bug');
    }
  });

  it('stops quietly when a write fails (the reader went away): the stream says why', async () => {
    const io: CliIO = { stdout: () => undefined, stdoutBytes: () => Promise.reject(new Error('EPIPE')), stderr: () => undefined, isTTY: false, cwd: '/', env: {} };
    const chunks = Array.from({ length: 10 }, () => 'y'.repeat(30_000));
    await expect(writeChunks(io, chunks)).resolves.toBeUndefined();
  });

  it('stops quietly when a write fails in the middle of a piece larger than a block', async () => {
    let writes = 0;
    const io: CliIO = { stdout: () => undefined, stdoutBytes: () => (++writes > 1 ? Promise.reject(new Error('EPIPE')) : Promise.resolve()), stderr: () => undefined, isTTY: false, cwd: '/', env: {} };
    await expect(writeChunks(io, ['z'.repeat(1_000_000), 'never written'])).resolves.toBeUndefined();
    expect(writes).toBeLessThanOrEqual(3);
  });
});
