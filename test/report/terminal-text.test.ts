import { describe, expect, it } from 'vitest';
import { terminalLines, terminalSafe } from '../../src/report/terminal-text.js';

describe('terminalSafe', () => {
  it('shows every control character a terminal acts on as a visible escape', () => {
    expect(terminalSafe('\u001b[2J\u001b[31mevil\nfake: all clear.py')).toBe('\\e[2J\\e[31mevil\\nfake: all clear.py');
    expect(terminalSafe('a\rb\tc\u0000d\u0007e\u007ff')).toBe('a\\rb\\tc\\x00d\\x07e\\x7ff');
    expect(terminalSafe('csi\u009b31m \u0085nel')).toBe('csi\\x9b31m \\x85nel');
    expect(terminalSafe('line\u2028sep\u2029para')).toBe('line\\u2028sep\\u2029para');
  });

  it('shows bidi controls too, which make a line read in another order than it is written (Trojan Source)', () => {
    expect(terminalSafe('requirements\u202etxt.py')).toBe('requirements\\u202etxt.py');
    expect(terminalSafe('a\u2066b\u2069c\u200fd\u061ce')).toBe('a\\u2066b\\u2069c\\u200fd\\u061ce');
  });

  it('leaves other text alone, non-ASCII and backslashes included', () => {
    for (const text of ['requirements/base.txt:3', 'django 2.1.5 → 2.2.28 clears 9 advisories', 'C:\\src\\app.py', 'naïve 日本語 😀', '\u00a0nbsp']) {
      expect(terminalSafe(text)).toBe(text);
    }
  });

  it('terminalLines ends each line, and only those, with a line break', () => {
    expect(terminalLines(['one', 'two\nthree'])).toBe('one\ntwo\\nthree\n');
    expect(terminalLines([])).toBe('');
  });
});
