/**
 * The round trip a fix rests on: bytes → text (decodeExact) → the same bytes (encodeExact), for
 * every encoding a manifest the audit reads may be saved in, and a clear refusal for bytes that
 * would not come back as they were.
 */
import { describe, expect, it } from 'vitest';
import { decodeExact, EncodingError, encodeExact, encodingName } from '../../src/fix/encoding.js';
import { decode } from '../../src/scan/text.js';

const TEXT = '# pins\r\ndjango==2.1.5  # pinned\r\nnaïve-lib==1.0 ; python_version >= "3.8"  # ünïcödé 🐍\r\nsix==1.16.0';
const le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
const be = (text: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
const utf8Bom = (text: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);

const cases = [
  { name: 'UTF-16 LE with its mark, CRLF', bytes: le(TEXT), charset: 'utf-16le', bom: true },
  { name: 'UTF-16 BE with its mark, CRLF', bytes: be(TEXT), charset: 'utf-16be', bom: true },
  { name: 'UTF-8 with a byte order mark, CRLF', bytes: utf8Bom(TEXT), charset: 'utf-8', bom: true },
  { name: 'UTF-8, LF', bytes: Buffer.from(TEXT.replace(/\r\n/g, '\n') + '\n', 'utf8'), charset: 'utf-8', bom: false },
  { name: 'UTF-16 LE, a mark and nothing else', bytes: Buffer.from([0xff, 0xfe]), charset: 'utf-16le', bom: true },
  { name: 'empty', bytes: Buffer.alloc(0), charset: 'utf-8', bom: false },
] as const;

describe('decodeExact → encodeExact', () => {
  for (const c of cases) {
    it(`gives back the very bytes of an untouched file: ${c.name}`, () => {
      const read = decodeExact(c.bytes);
      expect(read).toMatchObject({ ok: true, encoding: { charset: c.charset, bom: c.bom } });
      if (!read.ok) return;
      expect(encodeExact(read.text, read.encoding).equals(c.bytes)).toBe(true);
    });
  }

  it('reads the text the audit reads (src/scan/text.ts), with the mark kept as U+FEFF and CRLF as it is', () => {
    for (const bytes of [le(TEXT), be(TEXT), utf8Bom(TEXT)]) {
      const read = decodeExact(bytes);
      const audited = decode(bytes, false);
      expect(audited.kind).toBe('text');
      expect(read.ok && read.text).toBe(`\uFEFF${audited.kind === 'text' ? audited.text : ''}`);
      expect(read.ok && read.text).toContain('\r\n');
    }
  });

  it('an edit of the text changes only the bytes of the edit, in the file’s encoding', () => {
    const bytes = le(TEXT);
    const read = decodeExact(bytes);
    if (!read.ok) throw new Error(read.reason);
    const edited = encodeExact(read.text.replace('django==2.1.5', 'django==2.1.11'), read.encoding);
    expect(edited.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
    expect(edited).toEqual(le(TEXT.replace('django==2.1.5', 'django==2.1.11')));
    const at = bytes.indexOf(Buffer.from('2.1.5', 'utf16le'));
    expect(edited.subarray(0, at)).toEqual(bytes.subarray(0, at));
    expect(edited.subarray(at + Buffer.byteLength('2.1.11', 'utf16le'))).toEqual(bytes.subarray(at + Buffer.byteLength('2.1.5', 'utf16le')));
  });

  it('names the encoding for people', () => {
    expect(encodingName({ charset: 'utf-16le', bom: true })).toBe('UTF-16 LE with a byte order mark');
    expect(encodingName({ charset: 'utf-8', bom: false })).toBe('UTF-8');
  });
});

describe('bytes that cannot be written back as they were are refused, with the reason', () => {
  it('UTF-16 with an odd byte count', () => {
    expect(decodeExact(Buffer.concat([le('django==2.1.5\r\n'), Buffer.from([0x0a])]))).toEqual({
      ok: false,
      reason: 'it starts with a UTF-16 LE byte order mark but is not valid UTF-16 LE (its byte count is odd)',
    });
  });

  it('UTF-16 with a lone surrogate', () => {
    const lone = Buffer.concat([le('django==2.1.5 # '), Buffer.from([0x00, 0xd8]), Buffer.from('\r\n', 'utf16le')]);
    expect(decodeExact(lone)).toEqual({ ok: false, reason: 'it starts with a UTF-16 LE byte order mark but is not valid UTF-16 LE (it holds a lone surrogate)' });
    expect(decodeExact(Buffer.concat([Buffer.from([0xfe, 0xff, 0xdc, 0x00])]))).toMatchObject({ ok: false, reason: expect.stringContaining('UTF-16 BE') });
  });

  it('invalid UTF-8 (Latin-1 bytes)', () => {
    expect(decodeExact(Buffer.from('django==2.1.5 # caf\xe9\n', 'latin1'))).toEqual({ ok: false, reason: 'it is not valid UTF-8' });
  });

  it('a rewritten text that lost its mark, or holds a lone surrogate, is never encoded', () => {
    expect(() => encodeExact('django==2.1.11\r\n', { charset: 'utf-16le', bom: true })).toThrow(EncodingError);
    expect(() => encodeExact('\uFEFFdjango==2.1.11\r\n', { charset: 'utf-8', bom: false })).toThrow(/gained its byte order mark/);
    expect(() => encodeExact('\uFEFFdjango==2.1.11 # \uD800\r\n', { charset: 'utf-8', bom: true })).toThrow(/cannot be written as UTF-8 exactly/);
    expect(() => encodeExact('\uFEFFdjango==2.1.11 # \uD800\r\n', { charset: 'utf-16le', bom: true })).toThrow(/cannot be written as UTF-16 LE exactly/);
  });
});

describe('a requirements file whose coding line declares its encoding (pip decodes it so)', () => {
  const latin1 = (text: string) => Buffer.from(text, 'latin1');

  it('is read in that codec and written back in it, every other byte as it was', () => {
    const bytes = latin1('# -*- coding: latin-1 -*-\r\ndjango==2.1.5  # caf\xe9 \x80\r\n');
    const read = decodeExact(bytes, { pipCoding: true });
    // Python's latin-1 is byte for byte (0x80 is U+0080), not the WHATWG decoder's windows-1252.
    expect(read).toEqual({ ok: true, text: '# -*- coding: latin-1 -*-\r\ndjango==2.1.5  # caf\u00e9 \u0080\r\n', encoding: { charset: 'declared', bom: false, codec: 'latin-1', label: 'iso-8859-1' } });
    if (!read.ok) return;
    expect(encodeExact(read.text, read.encoding).equals(bytes)).toBe(true);
    expect(encodeExact(read.text.replace('2.1.5', '2.1.11'), read.encoding)).toEqual(latin1('# -*- coding: latin-1 -*-\r\ndjango==2.1.11  # caf\xe9 \x80\r\n'));
    expect(encodingName(read.encoding)).toBe('latin-1, the encoding its coding line declares');
    // Another one-byte codec: whatever character the decoder gives each byte, the bytes come back the same.
    const cp1252 = latin1('#coding=cp1252\ndjango==2.1.5  # 5 \x80 \xe9\n');
    const again = decodeExact(cp1252, { pipCoding: true });
    expect(again).toMatchObject({ ok: true, encoding: { charset: 'declared', codec: 'cp1252', label: 'windows-1252' } });
    if (again.ok) expect(encodeExact(again.text, again.encoding).equals(cp1252)).toBe(true);
  });

  it('refuses, with one reason, a codec it cannot write back or read, and a character the codec has no byte for', () => {
    const sjis = Buffer.concat([latin1('# coding: shift_jis\ndjango==2.1.5  # '), Buffer.from([0x93, 0xfa, 0x96, 0x7b]), latin1('\n')]);
    expect(decodeExact(sjis, { pipCoding: true })).toEqual({ ok: false, reason: 'its coding line declares shift_jis, which Depwatch reads but cannot write back' });
    expect(decodeExact(latin1('# coding: utf-7\ndjango==2.1.5\n'), { pipCoding: true })).toEqual({ ok: false, reason: 'its coding line declares the encoding utf-7, which Depwatch cannot read' });
    expect(() => encodeExact('# coding: latin-1\ndjango==2.1.11  # \u20ac\n', { charset: 'declared', bom: false, codec: 'latin-1', label: 'iso-8859-1' })).toThrow(/cannot be written as latin-1 exactly; not written/);
    // Not a requirements file's own bytes (pipCoding unset): UTF-8 as before.
    expect(decodeExact(latin1('# coding: latin-1\ndjango==2.1.5 # caf\xe9\n'))).toEqual({ ok: false, reason: 'it is not valid UTF-8' });
  });
});
