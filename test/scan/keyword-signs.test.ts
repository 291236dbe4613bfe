/**
 * The one pass that finds which token-format keywords a text holds (src/scan/secrets/keyword-signs.ts),
 * shared by the secret scanner (per file) and redaction (per message): it must say exactly what a
 * search for each keyword would, since a keyword it missed is a format never checked.
 */
import { describe, expect, it } from 'vitest';
import { keywordSigns } from '../../src/scan/secrets/keyword-signs.js';
import { TOKEN_FORMATS } from '../../src/scan/secrets/formats.js';
import { bestCpuMs } from '../helpers/cpu-time.js';

const FORMAT_KEYWORDS = [...new Set(TOKEN_FORMATS.flatMap((f) => f.keywords))];
const formatKeywordsIn = keywordSigns(FORMAT_KEYWORDS);
const byIncludes = (text: string) => new Set(FORMAT_KEYWORDS.filter((k) => text.includes(k)));

describe('keywordSigns', () => {
  it('finds nothing in text without a keyword', () => {
    expect(formatKeywordsIn('import os\nprint("hello")\n').size).toBe(0);
    expect(formatKeywordsIn('').size).toBe(0);
  });

  it('finds a keyword and every shorter one that starts it at the same place', () => {
    const signs = keywordSigns(['pypi-', 'pypi-AgE', '://']);
    expect([...signs('token = "pypi-AgEIcHlwaS5vcmc"')].sort()).toEqual(['pypi-', 'pypi-AgE']);
    expect([...signs('pypi-Ag')]).toEqual(['pypi-']);
  });

  it('finds keywords that overlap, whatever their order in the list', () => {
    expect([...keywordSigns(['abc', 'bcd'])('xabcdx')].sort()).toEqual(['abc', 'bcd']);
    expect([...keywordSigns(['bcd', 'abc'])('xabcdx')].sort()).toEqual(['abc', 'bcd']);
  });

  it('reads keywords literally, case and punctuation included', () => {
    expect(formatKeywordsIn('SGx AccountKey:').size).toBe(0);
    expect([...formatKeywordsIn('SG. ')]).toEqual(['SG.']);
    expect([...formatKeywordsIn('hooks.slack.com/x')]).toEqual(['hooks.slack.com/']);
    expect(formatKeywordsIn('HF_ GHP_').size).toBe(0);
  });

  it('says what a search for each format keyword says, on text built from pieces of them', () => {
    const pieces = [...FORMAT_KEYWORDS.flatMap((k) => [k, k.slice(0, -1), k.slice(1)]), ' ', 'x', '_', '-'];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 500; i++) {
      const text = Array.from({ length: 12 }, () => pieces[Math.floor(random() * pieces.length)]).join('');
      expect([...formatKeywordsIn(text)].sort(), text).toEqual([...byIncludes(text)].sort());
    }
  });

  it('refuses an empty keyword (it would be in every text)', () => {
    expect(() => keywordSigns(['a', ''])).toThrow(/empty keyword/);
  });

  it('stays linear on text full of keyword beginnings and overlapping keywords', () => {
    for (const unit of ['github_pa', 'glagen', 'xoxxoxb', 'pypi-Ag']) {
      const small = unit.repeat(2_000);
      const big = unit.repeat(20_000);
      const tenSmall = bestCpuMs(() => {
        for (let i = 0; i < 10; i++) formatKeywordsIn(small);
      }, 200);
      const oneBig = bestCpuMs(() => formatKeywordsIn(big), 200);
      expect(oneBig, unit).toBeLessThan(tenSmall * 3 + 5);
    }
  });
});
