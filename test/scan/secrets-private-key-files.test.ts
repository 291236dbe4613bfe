/**
 * Private keys beyond PEM: PuTTY's .ppk files (versions 2 and 3) and SSH2 key files (SSH Tectia's,
 * encrypted or not). One finding a key, at its header; a header with no key after it (code that
 * looks for such files, documentation) is not one; the key never in any field.
 */
import { describe, expect, it } from 'vitest';
import { scanSecrets } from '../../src/scan/secrets/scan-secrets.js';
import { LineIndex } from '../../src/scan/text.js';
import { KEY, scanFiles } from './helpers.js';
import { cpuMs } from '../helpers/cpu-time.js';

// Random base64 lines, as a key's body is (built from parts so this file holds no key).
const LINES = [
  'HMWndqNCIEPx3mnPQC4vkRB5ICpe' + 'yOxJRkSq1LI7S1L10e0tza93Ce6KRDiKpFfe',
  'z3gb9pvMEc0goRqG9hTCzppvEJqa' + '+ZgIFI2g8Pahqfpgi9el+OuOjSXXMUHyQ2pq',
  'aWkwfV6Wf3gV/O116cFBIj2C2qdP' + 'Vp7pWnOna8sEXflmWwdRpdo9KMleEnmhPxj',
];
const PUBLIC = ['EqV8ib8HDy88YtDtXbiufMdI8X2Y' + '4rUmer/BH3M1XS0DRdJuPnBIKpi99lSi0tcL', '21pffWQJEeNajnez0LHtfROUrWW6' + 'XnI3EM3HMRb1OcWrhQ7TTJ+chcVG6MOwUxOV'];

const ppk = (version: number, encryption = 'none') =>
  [`PuTTY-User-Key-File-${version}: ssh-rsa`, `Encryption: ${encryption}`, 'Comment: deploy', 'Public-Lines: 2', ...PUBLIC, 'Private-Lines: 3', ...LINES, 'Private-MAC: 0a1b2c3d4e5f60718293a4b5c6d7e8f901234567', ''].join('\n');
const ssh2 = (label: string) => [`---- BEGIN ${label} ----`, 'Comment: "rsa-key-20250101"', 'Subject: deploy \\', '  continued', ...LINES, `---- END ${label} ----`, ''].join('\n');

function found(result: Awaited<ReturnType<typeof scanFiles>>): string[] {
  return result.findings.filter((f) => f.kind === 'secret').map((f) => `${f.file}:${f.line} ${f.rule} ${f.secret!.kind}`).sort();
}

describe('PuTTY and SSH2 private key files', () => {
  it('each key file is one critical finding at its first line, whatever its version or encryption', async () => {
    const result = await scanFiles({
      'keys/deploy.ppk': ppk(2),
      'keys/deploy3.ppk': ppk(3, 'aes256-cbc'),
      'keys/id_ssh2': ssh2('SSH2 ENCRYPTED PRIVATE KEY'),
      'keys/plain_ssh2': ssh2('SSH2 PRIVATE KEY'),
      'deploy/values.json': JSON.stringify({ ppk: ppk(3) }),
    });
    expect(found(result)).toEqual([
      'deploy/values.json:1 secret-private-key PuTTY private key',
      'keys/deploy.ppk:1 secret-private-key PuTTY private key',
      'keys/deploy3.ppk:1 secret-private-key PuTTY private key',
      'keys/id_ssh2:1 secret-private-key SSH2 encrypted private key',
      'keys/plain_ssh2:1 secret-private-key SSH2 private key',
    ]);
    expect(result.findings.filter((f) => f.kind === 'secret').every((f) => f.severity === 'critical')).toBe(true);
    const json = JSON.stringify(result);
    for (const line of [...LINES, ...PUBLIC]) expect(json).not.toContain(line.slice(0, 24));
  });

  it('a header with no key after it, and a public key file, are not reported', async () => {
    const result = await scanFiles({
      'tools/convert.py': 'if first.startswith("PuTTY-User-Key-File-"):\n    kind = "ppk"\nHEADER = "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----"\n',
      'docs/keys.md': 'A .ppk file starts `PuTTY-User-Key-File-3: ssh-ed25519` and holds `Private-Lines: N`.\n\n---- BEGIN SSH2 PRIVATE KEY ----\n(your key here)\n---- END SSH2 PRIVATE KEY ----\n',
      'keys/id_rsa.pub': ['---- BEGIN SSH2 PUBLIC KEY ----', 'Comment: "deploy"', ...PUBLIC, '---- END SSH2 PUBLIC KEY ----'].join('\n'),
    });
    expect(found(result)).toEqual([]);
  });

  it('an SSH2 key with a long wrapped Comment, or more header lines than are read, and a PuTTY key with a very long comment, are still found', async () => {
    const longComment = `Comment: "${'word '.repeat(300)}"`;
    const wrapped = `Comment: "${'word '.repeat(150)}\\\n${'more '.repeat(150)}"`;
    const headers = Array.from({ length: 17 }, (_, i) => `x-header-${i}: v${i}`);
    const ssh2With = (lines: string[]) => ['---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----', ...lines, ...LINES, '---- END SSH2 ENCRYPTED PRIVATE KEY ----', ''].join('\n');
    const result = await scanFiles({
      'keys/long_comment.ssh2': ssh2With([longComment]),
      'keys/wrapped.ssh2': ssh2With([wrapped]),
      'keys/many_headers.ssh2': ssh2With(headers),
      'keys/unended.ssh2': ssh2With(headers).split('---- END')[0]!,
      'keys/long.ppk': ppk(3).replace('Comment: deploy', `Comment: ${'x'.repeat(9_000)}`),
    });
    expect(found(result)).toEqual([
      'keys/long.ppk:1 secret-private-key PuTTY private key',
      'keys/long_comment.ssh2:1 secret-private-key SSH2 encrypted private key',
      'keys/many_headers.ssh2:1 secret-private-key SSH2 encrypted private key',
      'keys/unended.ssh2:1 secret-private-key SSH2 encrypted private key',
      'keys/wrapped.ssh2:1 secret-private-key SSH2 encrypted private key',
    ]);
    // Two keys with the same headers are told apart by their bodies.
    const other = await scanFiles({ 'keys/many_headers.ssh2': ssh2With(headers).replace(LINES[2]!, LINES[0]!) });
    expect(other.findings.find((f) => f.kind === 'secret')!.secret!.fingerprint).not.toBe(result.findings.find((f) => f.file === 'keys/many_headers.ssh2')!.secret!.fingerprint);
    expect(JSON.stringify(result)).not.toContain(LINES[2]!.slice(0, 24));
  });

  it('SSH2 headers by the thousand, each with too many header lines and no end: ten times the text costs about ten times as much', () => {
    const make = (n: number) => ('---- BEGIN SSH2 PRIVATE KEY ----\n' + 'a: b\n'.repeat(17)).repeat(n / 118);
    const time = (text: string, times: number) => {
      let best = Infinity;
      for (let round = 0; round < 5; round++) best = Math.min(best, cpuMs(() => { for (let i = 0; i < times; i++) scanSecrets({ path: 'k.ssh2', text, fingerprintKey: KEY, lines: new LineIndex(text) }); }));
      return best;
    };
    time(make(10_000), 10);
    expect(time(make(100_000), 10) / Math.max(time(make(10_000), 100), 0.5)).toBeLessThan(4);
  });

  it('PuTTY headers by the thousand with one Private-Lines at the end: ten times the text costs about ten times as much', () => {
    const make = (n: number) => 'PuTTY-User-Key-File-3: x\n'.repeat(n / 25) + 'Private-Lines: 1\n' + 'A'.repeat(64);
    const time = (text: string, times: number) => {
      let best = Infinity;
      for (let round = 0; round < 5; round++) best = Math.min(best, cpuMs(() => { for (let i = 0; i < times; i++) scanSecrets({ path: 'k.ppk', text, fingerprintKey: KEY, lines: new LineIndex(text) }); }));
      return best;
    };
    time(make(10_000), 10);
    expect(time(make(100_000), 10) / Math.max(time(make(10_000), 100), 0.5)).toBeLessThan(4);
  });
});
