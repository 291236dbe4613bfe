/**
 * Credentials in URLs, found and removed by the one stripper (src/python/urls.ts) wherever text
 * leaves Depwatch: parsed URLs, free text quoting them, logs, and manifest text kept in the cache.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { redactSecrets } from '../src/redact.js';
import { isSecretParam, maskUrlSecrets, redactUrlSecrets, stripUrlCredentials } from '../src/python/urls.js';
import { bestCpuMs } from './helpers/cpu-time.js';

describe('stripUrlCredentials', () => {
  it.each([
    ['https://u:pa55w0rd@h/x.whl', 'https://h/x.whl'],
    ['git+https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/r.git@v1#egg=r', 'git+https://github.com/o/r.git@v1#egg=r'],
    ['https://__token__:pypi-AgEIcHlwaS5vcmc@upload.example/legacy/', 'https://upload.example/legacy/'],
    ['https://p@ss:w@rd@h/simple', 'https://h/simple'],
    ['git+ssh://git@github.com/o/r.git', 'git+ssh://git@github.com/o/r.git'],
    ['git+ssh://git:pw@github.com/o/r.git', 'git+ssh://github.com/o/r.git'],
    ['https://h/x.whl?token=abc&v=1#sha256=ff', 'https://h/x.whl?token=****&v=1#sha256=ff'],
    ['https://b.s3.amazonaws.com/x.whl?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=ab==&X-Amz-Date=1', 'https://b.s3.amazonaws.com/x.whl?X-Amz-Credential=****&X-Amz-Signature=****&X-Amz-Date=1'],
    ['https://a.blob.core.windows.net/c/x.whl?sv=2022&sig=zz%2B?yy&se=2030', 'https://a.blob.core.windows.net/c/x.whl?sv=2022&sig=****&se=2030'],
    ['https://h/a.whl#egg=x&subdirectory=pkg&api_key=K', 'https://h/a.whl#egg=x&subdirectory=pkg&api_key=****'],
    ['https://h/?next=https://u:p@x/&TOKEN=abc', 'https://h/?next=https://x/&TOKEN=****'],
    ['https://pypi.org/simple', 'https://pypi.org/simple'],
    ['./libs/foo?token=x', './libs/foo?token=x'],
  ])('%s → %s', (url, expected) => {
    expect(stripUrlCredentials(url)).toBe(expected);
  });

  it('knows which parameters are secrets, in any case', () => {
    const secret = ['token', 'access_token', 'Private-Token', 'key', 'KEY', 'sig', 'signature', 'Signature', 'password', 'passwd', 'pwd', 'auth', 'X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Security-Token', 'X-Goog-Signature', 'X-Goog-Credential', 'api_key', 'apikey', 'api-key', 'client_secret', 'secret', 'private_key', 'account-key', 'jwt', 'session'];
    const plain = ['egg', 'subdirectory', 'sha256', 'v', 'sv', 'se', 'monkey', 'keyboard', 'X-Amz-Date', 'X-Amz-Expires', 'ref', 'version'];
    expect(secret.filter((p) => !isSecretParam(p))).toEqual([]);
    expect(plain.filter((p) => isSecretParam(p))).toEqual([]);
  });
});

describe('redactUrlSecrets (free text)', () => {
  it('removes credentials from every URL quoted in a message, and stops each URL at a blank or a quote', () => {
    expect(redactUrlSecrets('Invalid requirement "bad @ https://u:pa55w0rd@h/x.whl?Token=x ;; ((": Expected a marker (at column 35)')).toBe(
      'Invalid requirement "bad @ https://h/x.whl?Token=**** ;; ((": Expected a marker (at column 35)',
    );
    expect(redactUrlSecrets("two: 'https://a:b@one/x' and https://two/y?sig=s, done")).toBe("two: 'https://one/x' and https://two/y?sig=**** done");
    expect(redactUrlSecrets('no url here: token=abc user:pass@host')).toBe('no url here: token=abc user:pass@host');
  });
});

describe('maskUrlSecrets (text kept for later parsing)', () => {
  const text = [
    '-i https://deploy:s3cret@pypi.corp/simple',
    'x @ https://h/x.whl?token=abc&v=1',
    'git+ssh://git@github.com/o/r.git#egg=r',
    'bad @ https://u:pw@h/x.whl ;; ((',
  ].join('\n');

  it('overwrites secrets character for character, so lines and columns stay put', () => {
    const masked = maskUrlSecrets(text);
    expect(masked).toBe(
      ['-i https://******:******@pypi.corp/simple', 'x @ https://h/x.whl?token=***&v=1', 'git+ssh://git@github.com/o/r.git#egg=r', 'bad @ https://*:**@h/x.whl ;; (('].join('\n'),
    );
  });

  it('redacts to exactly what the original redacts to', () => {
    for (const line of text.split('\n')) expect(redactUrlSecrets(maskUrlSecrets(line))).toBe(redactUrlSecrets(line));
    expect(maskUrlSecrets(maskUrlSecrets(text))).toBe(maskUrlSecrets(text));
  });
});

describe('linear time on hostile text', () => {
  const hostile: [string, (n: number) => string][] = [
    ['scheme-like runs', (n) => 'a'.repeat(n) + '://'],
    ['repeated separators', (n) => 'a://'.repeat(n / 4)],
    ['nested URLs in queries', (n) => 'https://h/?u='.repeat(n / 14)],
    ['many @ in an authority', (n) => 'https://' + '@:'.repeat(n / 2)],
    ['many empty parameters', (n) => 'https://h/?' + '&'.repeat(n)],
    ['parameters without =, then one far =', (n) => 'https://h/?' + 'a&'.repeat(n / 2) + '='],
  ];
  // Ten runs on 10k characters against one on 100k, in CPU time (the neighbours on a loaded machine
  // do not count): the same work if linear, ten times more if quadratic.
  it.each(hostile)('%s: one 100k-character input costs about as much as ten 10k ones', (_name, make) => {
    const small = make(10_000);
    const big = make(100_000);
    for (const fn of [redactUrlSecrets, maskUrlSecrets, stripUrlCredentials]) {
      fn(big); // warm up
      const tenSmall = bestCpuMs(() => {
        for (let i = 0; i < 10; i++) fn(small);
      }, 200);
      const oneBig = bestCpuMs(() => fn(big), 200);
      expect(oneBig / Math.max(tenSmall, 1)).toBeLessThan(4);
      expect(oneBig).toBeLessThan(500);
    }
  });
});

describe('redactSecrets and the logger', () => {
  it('masks URL credentials and tokens in free text', () => {
    expect(redactSecrets('fetch https://u:p4ss@h/x?access_token=abc failed')).toBe('fetch https://h/x?access_token=**** failed');
    expect(redactSecrets(`upload with pypi-${'A'.repeat(60)}`)).toBe('upload with pypi-…[redacted]');
  });

  it('redacts URL credentials at any depth of a log line, in its message and bindings, without touching the caller\'s objects', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger('debug', sink).child({ repo: 'https://x:bound@h/r' });
    const payload = { result: { errors: [{ file: 'pyproject.toml', message: 'bad @ https://u:deep@h/x.whl ;; ((' }] }, url: 'https://h/?sig=top' };
    logger.info(payload, 'parsed https://u:inmsg@h/x');
    logger.error({ err: new Error('GET https://h/x?token=inerr failed') }, 'boom');
    const out = lines.join('');
    for (const secret of ['bound', 'deep', 'top', 'inmsg', 'inerr']) expect(out).not.toContain(secret);
    expect(out).toContain('bad @ https://h/x.whl ;; ((');
    expect(payload.result.errors[0]!.message).toBe('bad @ https://u:deep@h/x.whl ;; ((');
  });
});
