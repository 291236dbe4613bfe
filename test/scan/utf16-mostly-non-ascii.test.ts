/**
 * UTF-16 without a byte order mark that is mostly not ASCII (a Korean or Russian settings file saved
 * by a Windows tool) has too few NUL bytes for the UTF-16 shape: it is told by what it decodes to,
 * and an ASCII token in it is found; real binaries (wasm, native modules, shared libraries, archives,
 * images, bytecode) still decode to no text and stay binary and quiet.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeUtf16ByContent } from '../../src/scan/text.js';
import { scanFiles } from './helpers.js';

// Built from parts so this test file does not itself look like it holds credentials.
const TOKEN = 'ghp_' + 'sMehGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8';
const GITIGNORE = { '.gitignore': '.env\n*.env\n.env.*\n' };

const utf16le = (text: string) => Buffer.from(text, 'utf16le');
const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();

const KOREAN_LINE = '# 데이터베이스연결설정은운영팀에게문의하십시오\n';
const RUSSIAN_LINE = '# НастройкиПодключенияКБазеДанныхСпроситеУАдминистратора\n';
// Twenty lines of prose, then the token: ASCII is far from half the two-byte units.
const korean = `${KOREAN_LINE.repeat(20)}토큰=${TOKEN}\n`;
const russian = `${RUSSIAN_LINE.repeat(20)}токен=${TOKEN}\n`;

describe('UTF-16 without a byte order mark, mostly not ASCII', () => {
  it('Korean and Russian files of either byte order are decoded and the token found at its line and column', async () => {
    const result = await scanFiles({
      ...GITIGNORE,
      'ko/le.cfg': utf16le(korean),
      'ko/be.cfg': utf16be(korean),
      'ru/le.ini': utf16le(russian),
      'ru/be.ini': utf16be(russian),
    });
    expect(result.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}`).sort()).toEqual([
      'ko/be.cfg:21:4 secret-github-token',
      'ko/le.cfg:21:4 secret-github-token',
      'ru/be.ini:21:7 secret-github-token',
      'ru/le.ini:21:7 secret-github-token',
    ]);
    expect(result.stats).toMatchObject({ binaryFiles: 0, textFiles: 5 });
    expect(result.notes.filter((n) => n.kind === 'binary')).toEqual([]);
    expect(result.partial).toBe(false);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it('a file over 8 KB is judged by its first 8 KB, a surrogate pair cut there included, and its token past them found', async () => {
    // 𝐀 (U+1D400) is a surrogate pair; an odd number of units before it puts its halves either side of the 8 KB cut.
    const head = KOREAN_LINE.repeat(200).slice(0, 4095) + '𝐀';
    const lines = head.split('\n').length;
    const text = `${head}\n${KOREAN_LINE.repeat(200)}gh=${TOKEN}\n`;
    const result = await scanFiles({ ...GITIGNORE, 'big.cfg': utf16le(text) });
    expect(result.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}`)).toEqual([`big.cfg:${lines + 201}:4 secret-github-token`]);
    expect(result.partial).toBe(false);
  });

  it('one whose first 8 KB read as text but whose rest does not decode is a partial not-utf8 skip, not quietly binary', async () => {
    const text = `${KOREAN_LINE.repeat(300)}gh=${TOKEN}\n`;
    const result = await scanFiles({ ...GITIGNORE, 'cut.cfg': Buffer.concat([utf16le(text), Buffer.from('x')]) });
    expect(result.skipped.map((s) => `${s.path} ${s.reason} ${s.partial}`)).toEqual(['cut.cfg not-utf8 true']);
    expect(result.partial).toBe(true);
  });

  it('real binaries stay binary, quiet and not partial', async () => {
    const files = realBinaries();
    expect(Object.keys(files).length).toBeGreaterThanOrEqual(8);
    for (const [path, bytes] of Object.entries(files)) expect(decodeUtf16ByContent(bytes), path).toBeNull();
    const result = await scanFiles({ ...GITIGNORE, ...files });
    expect(result.findings).toEqual([]);
    expect(result.skipped).toEqual([]);
    expect(result.stats.binaryFiles).toBe(Object.keys(files).length);
    expect(result.partial).toBe(false);
  });
});

/** Up to a few files of each kind from the installed packages, the repository's fixtures and (where present) the system: the first 1 MB of each. */
function realBinaries(): Record<string, Buffer> {
  const kinds = ['.wasm', '.node', '.so', '.tar', '.gz', '.png', '.pyc'];
  const roots = ['node_modules', 'test/fixtures', '/usr/lib/python3', '/usr/share/icons', '/usr/share/doc', '/usr/lib/x86_64-linux-gnu'];
  const found: Record<string, Buffer> = {};
  const perKind = new Map<string, number>();
  const walk = (dir: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && depth < 6) walk(path, depth + 1);
      const kind = kinds.find((k) => entry.name.endsWith(k));
      if (!entry.isFile() || kind === undefined || (perKind.get(kind) ?? 0) >= 4) continue;
      if (statSync(path).size < 64) continue;
      perKind.set(kind, (perKind.get(kind) ?? 0) + 1);
      found[`bin/${Object.keys(found).length}${kind}`] = readFileSync(path).subarray(0, 1 << 20);
    }
  };
  for (const root of roots) if (existsSync(root)) walk(root, 0);
  return found;
}
