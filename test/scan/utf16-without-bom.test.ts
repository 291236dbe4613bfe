/**
 * UTF-16 text without a byte order mark (every other byte NUL) is read for secrets, not passed over
 * as binary; a file passed over as binary that still has the shape of UTF-16 or UTF-32 text makes
 * the result partial; real binaries stay quiet, a tar archive of text files among them.
 */
import { describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { makeTarball } from '../helpers/tarball.js';
import { scanFiles } from './helpers.js';

// Built from parts so this test file does not itself look like it holds credentials.
const TOKEN = 'ghp_' + 'sMehGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8';
const PASSWORD = 'icHTp8hkqdlm7tOt' + 'HWnsCGRlrwZbqcab';
const GITIGNORE = { '.gitignore': '.env\n*.env\n.env.*\n!.env.example\n' };

const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();

/** An old (v7) tar header: name, mode, ids, size and time in octal padded with NULs, no `ustar`, its checksum right. */
function v7TarOf(name: string, content: string): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write('0000644\0', 100);
  header.write('0001750\0', 108);
  header.write('0001750\0', 116);
  header.write(content.length.toString(8).padStart(11, '0') + '\0', 124);
  header.write('14723740000\0', 136);
  header.write('        ', 148);
  const sum = header.reduce((a, b) => a + b, 0);
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const body = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  body.write(content);
  return Buffer.concat([header, body, Buffer.alloc(1024)]);
}

describe('UTF-16 text without a byte order mark', () => {
  it('little- and big-endian files are decoded and their secrets found, at the right line and column', async () => {
    const result = await scanFiles({
      ...GITIGNORE,
      'settings.json': Buffer.from(`{"github_token": "${TOKEN}", "password": "${PASSWORD}"}`, 'utf16le'),
      'win.cfg': Buffer.from(`password=${PASSWORD}\r\ngh=${TOKEN}\r\n`, 'utf16le'),
      'deploy/app.yml': utf16be(`name: app\ntoken: ${TOKEN}\n`),
    });
    expect(result.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}`).sort()).toEqual([
      'deploy/app.yml:2:8 secret-github-token',
      'settings.json:1:19 secret-github-token',
      'settings.json:1:75 secret-assigned',
      'win.cfg:1:10 secret-assigned',
      'win.cfg:2:4 secret-github-token',
    ]);
    expect(result.stats).toMatchObject({ binaryFiles: 0, textFiles: 4 });
    expect(result.partial).toBe(false);
    const json = JSON.stringify(result);
    expect(json).not.toContain(TOKEN);
    expect(json).not.toContain(PASSWORD);
  });

  it('a file that looks like text but decodes as neither UTF-8 nor UTF-16 is not passed over quietly: partial', async () => {
    const utf32 = Buffer.alloc(4 * 40);
    [...`token=${TOKEN}`].slice(0, 40).forEach((c, i) => utf32.writeUInt32LE(c.charCodeAt(0), 4 * i));
    const result = await scanFiles({
      ...GITIGNORE,
      'config/utf32.cfg': utf32,
      'notes/cut.txt': Buffer.concat([Buffer.from(`gh=${TOKEN}`, 'utf16le'), Buffer.from('x')]), // an odd length: not UTF-16
    });
    expect(result.skipped.map((s) => `${s.path} ${s.reason} ${s.partial}`)).toEqual(['config/utf32.cfg not-utf8 true', 'notes/cut.txt not-utf8 true']);
    expect(result.skipped[0]!.message).toContain('looks like text');
    expect(result.partial).toBe(true);
    expect(result.stats.binaryFiles).toBe(0);
  });

  it('binaries whose bytes alternate with NULs in places, or hold ASCII runs, stay binary and quiet', async () => {
    const result = await scanFiles({
      ...GITIGNORE,
      // A BMP header and an ELF: `00 00` units and control bytes.
      'assets/icon.bmp': Buffer.concat([Buffer.from('BM'), Buffer.from([0x36, 0x10, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0]), Buffer.from(`t\0o\0k\0${TOKEN}`)]),
      'build/tool': Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01'), Buffer.alloc(64), Buffer.from(TOKEN)]),
    });
    expect(result.findings).toEqual([]);
    expect(result.skipped).toEqual([]);
    expect(result.stats.binaryFiles).toBe(2);
    expect(result.partial).toBe(false);
  });

  it('an uncompressed tar of text files is an archive, binary as ever: its headers are printable ASCII padded with NULs, not UTF-16 or UTF-32', async () => {
    const text = { 'a.txt': 'hello\n', 'config/app.cfg': `name = app\nregion = eu\n` };
    const ustar = gunzipSync(await makeTarball(Object.entries(text).map(([name, content]) => ({ name, content })), null));
    const result = await scanFiles({
      ...GITIGNORE,
      'fixtures/sample.tar': ustar,
      'fixtures/old.tar': v7TarOf('notes.txt', 'just some notes\n'),
      // A made-up format with an ASCII header padded with NULs, as many have.
      'data/model.bin': Buffer.concat([Buffer.from('MODELv2\0\0\0\0\0name=demo\0\0\0\0\0\0\0layers=12\0\0\0'), Buffer.alloc(256), Buffer.from('weights follow')]),
    });
    expect(result.skipped).toEqual([]);
    expect(result.stats.binaryFiles).toBe(3);
    expect(result.partial).toBe(false);
  });

  it('UTF-32 of either byte order, with or without a mark, is text that was not read: partial', async () => {
    const utf32 = (text: string, bigEndian: boolean) => {
      const out = Buffer.alloc(4 * text.length);
      [...text].forEach((c, i) => (bigEndian ? out.writeUInt32BE(c.codePointAt(0)!, 4 * i) : out.writeUInt32LE(c.codePointAt(0)!, 4 * i)));
      return out;
    };
    const result = await scanFiles({
      ...GITIGNORE,
      'a.cfg': utf32(`token=${TOKEN}\n`, true),
      'b.cfg': utf32(`\ufeffpassword=${PASSWORD}\n`, false),
    });
    expect(result.skipped.map((s) => `${s.path} ${s.reason} ${s.partial}`)).toEqual(['a.cfg not-utf8 true', 'b.cfg not-utf8 true']);
  });

  it('a character whose other byte is 0x00 (가, 一, ─, က, Ѐ, Ā) does not make the file binary, in either byte order', async () => {
    const files: Record<string, Buffer> = {};
    for (const [i, c] of ['가', '一', '─', 'က', 'Ѐ', 'Ā'].entries()) {
      const text = `# ${c} settings\npassword=${PASSWORD}\n`;
      files[`le/${i}.cfg`] = Buffer.from(text, 'utf16le');
      files[`be/${i}.cfg`] = utf16be(text);
    }
    const result = await scanFiles({ ...GITIGNORE, ...files });
    expect(result.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}`).sort()).toEqual(
      Object.keys(files).map((path) => `${path}:2:10 secret-assigned`).sort(),
    );
    expect(result.notes.filter((n) => n.kind === 'binary')).toEqual([]);
    expect(result.stats.binaryFiles).toBe(0);
    expect(result.partial).toBe(false);
  });

  it('a file with the UTF-16 shape and such a character that does not decode is a partial not-utf8 skip, not a binary note', async () => {
    const result = await scanFiles({
      ...GITIGNORE,
      'cut.cfg': Buffer.concat([Buffer.from(`# 가\ngh=${TOKEN}\n`, 'utf16le'), Buffer.from('x')]),
      'lone.cfg': utf16be(`# ─ \ud800\ngh=${TOKEN}\n`),
    });
    expect(result.skipped.map((s) => `${s.path} ${s.reason} ${s.partial}`)).toEqual(['cut.cfg not-utf8 true', 'lone.cfg not-utf8 true']);
    expect(result.notes.filter((n) => n.kind === 'binary')).toEqual([]);
    expect(result.partial).toBe(true);
  });
});
