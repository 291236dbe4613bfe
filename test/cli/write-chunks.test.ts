/** Long reports written to stdout in blocks: as bytes (the process) or as text (tests), the same output. */
import { describe, expect, it } from 'vitest';
import { writeChunks, type CliIO } from '../../src/cli/io.js';

function captured(withBytes: boolean): { io: CliIO; text(): string; writes: number[] } {
  const texts: string[] = [];
  const bytes: Buffer[] = [];
  const writes: number[] = [];
  const io: CliIO = {
    stdout: (t) => void (texts.push(t), writes.push(Buffer.byteLength(t))),
    ...(withBytes ? { stdoutBytes: (b: Uint8Array) => void (bytes.push(Buffer.from(b)), writes.push(b.length)) } : {}),
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

  it('gives the same bytes whether stdout takes bytes or text', () => {
    const asBytes = captured(true);
    const asText = captured(false);
    writeChunks(asBytes.io, pieces);
    writeChunks(asText.io, pieces);
    expect(asBytes.text()).toBe(pieces.join(''));
    expect(asText.text()).toBe(pieces.join(''));
  });

  it('writes blocks of at most 64 KB but for a piece larger than one, in few writes', () => {
    const { io, writes } = captured(true);
    writeChunks(io, pieces);
    expect(writes.filter((n) => n > 65_536)).toEqual([200_000]);
    expect(writes.length).toBeLessThan(Buffer.byteLength(pieces.join('')) / 30_000);
  });
});
