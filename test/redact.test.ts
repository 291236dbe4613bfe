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
    expect(redactSecrets(`upload with pypi-AgEIcHlwaS5vcmc${'A'.repeat(80)}`)).toBe('upload with pypi-…[redacted]');
  });

  it('masks a PyPI token shorter than the scanner reports, as it masks other lengths (its keyword `pypi-AgE` starts the loose `pypi-`)', () => {
    // 30 characters after the prefix: too short for the scanner's PyPI format, long enough for the loose rule.
    expect(redactSecrets(`upload with pypi-AgE${'A'.repeat(30)} failed`)).toBe('upload with pypi-…[redacted] failed');
    expect(redactSecrets(`upload with pypi-${'A'.repeat(30)} failed`)).toBe('upload with pypi-…[redacted] failed');
  });

  // One token of each format the secret scanner knows (src/scan/secrets/formats.ts), built from parts
  // so this file holds none whole. Each keeps its fixed prefix, so a message still says what was there.
  const tokens: [string, string, string][] = [
    ['AWS access key id', 'AKIA' + 'QWERTYUIOPASDFGH', 'AKIA…[redacted]'],
    ['GitHub token', 'ghp_' + 'Ba5el1neT0k3nV4lu3abcdefGHIJKLmnopq0', 'ghp_…[redacted]'],
    ['GitHub fine-grained token', 'github_pat_' + 'A1b2C3d4E5'.repeat(7), 'github_pat_…[redacted]'],
    ['GitLab token', 'glpat-' + 'Xy9zQw8rTv7uLm6nKp5o', 'glpat-…[redacted]'],
    ['Slack bot token', 'xoxb-' + '80417326655-2957718340261-' + 'Qw3rTy7UiOp9AsDfGhJkLzXc', 'xoxb-…[redacted]'],
    ['Slack webhook', 'https://hooks.slack.com/services/' + 'T0AB1CD2E/B0FG3HI4J/' + 'Zx8Yw7Vu6Ts5Rq4Po3Nm2Lk1', 'https://hooks.slack.com/…[redacted]'],
    ['Stripe live key', 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dcQw8xZ9', 'sk_live_…[redacted]'],
    ['Stripe restricted key', 'rk_live_' + '4eC39HqLyjWDarjtT1zdp7dcQw8xZ9', 'rk_live_…[redacted]'],
    ['Google API key', 'AIza' + 'SyD8f7G6h5J4k3L2m1N0pQrStUvWxYz1234', 'AIza…[redacted]'],
    ['Google OAuth secret', 'GOCSPX-' + 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9v', 'GOCSPX-…[redacted]'],
    ['OpenAI project key', 'sk-proj-' + 'q1W2e3R4t5Y6u7I8o9P0'.repeat(3), 'sk-proj-…[redacted]'],
    ['OpenAI legacy key', 'sk-' + 'a1B2c3D4e5F6g7H8i9J0' + 'T3BlbkFJ' + 'k1L2m3N4o5P6q7R8s9T0', 'sk-…[redacted]'],
    ['Anthropic key', 'sk-ant-api03-' + 'Zq9Xw8Vu7Ts6Rp5On4Ml3Kj2Ih1Gf0E'.repeat(3), 'sk-ant-api03-…[redacted]'],
    ['npm token', 'npm_' + 'Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2', 'npm_…[redacted]'],
    ['SendGrid key', 'SG.' + 'aB1cD2eF3gH4iJ5kL6mN7o' + '.' + 'pQ8rS9tU0vW1xY2zA3bC4dE5fG6hI7jK8lM9nO0pQ1'.slice(0, 43).padEnd(43, 'x'), 'SG.…[redacted]'],
    ['Azure account key', 'AccountKey=' + 'k9J8h7G6f5D4s3A2'.repeat(5) + 'AbCdEfGh==', 'AccountKey=…[redacted]'],
    ['JSON Web Token', 'eyJhbGciOiJIUzI1NiJ9' + '.' + 'eyJzdWIiOiJvY3RvIn0' + '.' + 'c2lnbmF0dXJlLXZhbHVlLWhlcmU', 'eyJhbGciOiJIUzI1…[redacted]'],
  ];

  it.each(tokens)('masks a %s, keeping only its prefix', (_kind, token, masked) => {
    const random = token.slice(-8);
    const line = `Invalid requirement: 'foo ${token} bar'`;
    expect(redactSecrets(line)).toBe(`Invalid requirement: 'foo ${masked} bar'`);
    expect(redactSecrets(line)).not.toContain(random);
    expect(redactSecrets(redactSecrets(line))).toBe(redactSecrets(line));
  });

  it('masks a token in a path, so the path still says where to look', () => {
    expect(redactSecrets(`keys/ghp_${'Ba5el1neT0k3nV4lu3abcdefGHIJKLmnopq0'}/requirements.txt:2`)).toBe('keys/ghp_…[redacted]/requirements.txt:2');
  });

  it('masks every format the scanner knows, in linear time on hostile runs of prefixes', () => {
    const run = (n: number) => 'sk_live_AKIAxoxb-eyJ.eyJ.SG.AccountKey='.repeat(n / 40);
    redactSecrets(run(100_000));
    const tenSmall = bestCpuMs(() => {
      for (let i = 0; i < 10; i++) redactSecrets(run(10_000));
    }, 200);
    const oneBig = bestCpuMs(() => redactSecrets(run(100_000)), 200);
    expect(oneBig / Math.max(tenSmall, 1)).toBeLessThan(4);
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
  it('never writes a token of any format the scanner knows to a log line: a Stripe key in the message, a nested field, a binding or an error', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    // Built from parts, so this file holds none whole.
    const stripeKey = 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dcQw8xZ9';
    const awsKey = 'AKIA' + 'QWERTYUIOPASDFGH';
    const logger = createLogger('debug', sink).child({ file: `keys/${awsKey}/requirements.txt` });
    logger.warn({ result: { errors: [{ file: 'requirements.txt', line: 2, message: `Invalid marker: '${stripeKey}'` }] } }, `manifest quotes ${stripeKey}`);
    logger.error({ err: new Error(`cannot parse ${stripeKey}`) }, 'boom');
    const out = lines.join('');
    expect(out).not.toContain(stripeKey);
    expect(out).not.toContain(awsKey);
    expect(out).toContain("Invalid marker: 'sk_live_…[redacted]'");
    expect(out).toContain('keys/AKIA…[redacted]/requirements.txt');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });
});
