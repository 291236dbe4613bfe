/**
 * In Python a `# depwatch: ignore[…]` marker on the first or last line of a statement over several
 * lines covers the whole statement (README, docs/cli-contract.md), for a secret as for a code
 * finding; one on an inner line covers only that line, and one on another statement nothing.
 */
import { describe, expect, it } from 'vitest';
import { scanFiles } from './helpers.js';

// Built from parts so this test file does not itself look like it holds credentials.
const TOKEN = (last: string) => 'ghp_' + 'Jk3mN8pQr2StUv5WxYz7Ab9Cd1Ef4Gh6Ij0' + last;

async function secrets(code: string) {
  const result = await scanFiles({ 'app/m.py': code, '.gitignore': '.env\n*.env\n.env.*\n' });
  const lines = (findings: typeof result.findings) => findings.filter((f) => f.kind === 'secret').map((f) => f.line!).sort((a, b) => a - b);
  return { reported: lines(result.findings), ignored: lines(result.ignored), result };
}

describe('suppression markers on a multi-line Python statement cover the secrets in it', () => {
  it('a marker on the first or the last line of the statement covers a secret on an inner line', async () => {
    const { reported, ignored, result } = await secrets(
      [
        'CONFIG = {  # depwatch: ignore[secret-github-token]',
        '    "a": "x",',
        `    "b": "${TOKEN('L')}",`,
        '}',
        'CONFIG2 = {',
        '    "a": "x",',
        `    "b": "${TOKEN('M')}",`,
        '}  # depwatch: ignore[secret-github-token]',
        'call(  # depwatch: ignore',
        `    "${TOKEN('N')}",`,
        ')',
      ].join('\n'),
    );
    expect(reported).toEqual([]);
    expect(ignored).toEqual([3, 7, 10]);
    expect(result.ignored.find((f) => f.line === 3)!.ignoredBy!.reason).toBe('# depwatch: ignore on line 1');
  });

  it('a marker covers nothing outside its statement, another rule\'s id nothing, and an inner line only itself', async () => {
    const { reported, ignored } = await secrets(
      [
        'A = 1  # depwatch: ignore[secret-github-token]',
        'CONFIG = {',
        `    "b": "${TOKEN('P')}",`,
        '}',
        'OTHER = {  # depwatch: ignore[py-exec]',
        `    "b": "${TOKEN('Q')}",`,
        '}',
        'BOTH = [',
        `    "${TOKEN('R')}",  # depwatch: ignore[secret-github-token]`,
        `    "${TOKEN('S')}",`,
        ']',
      ].join('\n'),
    );
    expect(reported).toEqual([3, 6, 10]);
    expect(ignored).toEqual([9]);
  });
});
