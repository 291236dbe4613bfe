/**
 * `depwatch review owner/repo base...head` and compare URLs: what names two refs, and the one line
 * that refuses anything else before GitHub is asked.
 */
import { describe, expect, it } from 'vitest';
import { compareInUrl, parseRefRange } from '../../src/github/compare-refs.js';

describe('parseRefRange', () => {
  it('takes base...head of branches, tags and commits, slashes included', () => {
    expect(parseRefRange('main...feature/deps')).toEqual({ base: 'main', head: 'feature/deps' });
    expect(parseRefRange('v1.2.0...0123456789abcdef0123456789abcdef01234567')).toEqual({ base: 'v1.2.0', head: '0123456789abcdef0123456789abcdef01234567' });
  });

  it('refuses two dots, saying what three would name', () => {
    expect(parseRefRange('main..feature')).toEqual({ problem: '"main..feature" is not base...head; with two dots the comparison would start from base\'s tip: write "main...feature"' });
  });

  it('refuses what git would not take as a ref name, and a leading "-", escaping what a terminal would act on', () => {
    for (const bad of ['main...a b', 'main...a~1', 'main...@', 'main...x//y', 'main...x.', '-f...main', 'main...\u001b]0;x\u0007']) {
      const parsed = parseRefRange(bad);
      expect('problem' in parsed, bad).toBe(true);
      // eslint-disable-next-line no-control-regex
      expect((parsed as { problem: string }).problem, bad).not.toMatch(/[\u0000-\u001f]/);
    }
  });
});

describe('compareInUrl', () => {
  it('reads base...head from a compare URL, %-escapes decoded, and nothing from other URLs', () => {
    expect(compareInUrl('https://github.com/octo/shop/compare/main...feature%2Fdeps')).toBe('main...feature/deps');
    expect(compareInUrl('https://ghe.example/octo/shop/compare/main...feature/deps?expand=1')).toBe('main...feature/deps');
    expect(compareInUrl('https://github.com/octo/shop/pull/2')).toBeNull();
    expect(compareInUrl('octo/shop#2')).toBeNull();
  });
});
