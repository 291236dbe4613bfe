/**
 * Redaction masks what the secret scanner reports by the name or command around a value, not only
 * token formats and URL credentials: `FERNET_KEY=…`, YAML's `auth: …`, Docker's `"auth": "…"`, a
 * weak `password="…"`, curl's `-H "Authorization: …"`. A commit subject, an error line quoting a
 * config file, or stored JSON holding such text never carries the value on.
 */
import { describe, expect, it } from 'vitest';
import { maskSecrets, redactSecrets } from '../src/redact.js';
import { bestCpuMs } from './helpers/cpu-time.js';

// Built from parts so this test file does not itself look like it holds credentials.
const FERNET = 'G8NPRVdD53X83RZJ' + 'zzzzgEOzdmenCkhvMdgaKjIg8xN=';
const HMAC = 'be3nNyjOq9wMxEhh' + '2FDEEtfjgVvVqE1SkHbn88Hx';
const DOCKER_AUTH = Buffer.from('deploy:' + 'Kp9wZx7Lm2Qv8Rt4').toString('base64');
const PASSWORD = 'Tr0ub4dor&3-x9QzLm2v';
const GITHUB = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';

describe('redaction of values the scanner finds by their names', () => {
  it('masks generic keys, auth and creds values, Docker logins and passwords, weak ones included', () => {
    expect(redactSecrets(`rotate FERNET_KEY=${FERNET} after the leak`)).toBe('rotate FERNET_KEY=…[redacted] after the leak');
    expect(redactSecrets(`config.yaml line 4: auth: ${HMAC}`)).toBe('config.yaml line 4: auth: …[redacted]');
    expect(redactSecrets(`DB_CREDS: "${HMAC}"`)).toBe('DB_CREDS: "…[redacted]"');
    expect(redactSecrets(`{"auths": {"r.io": {"auth": "${DOCKER_AUTH}"}}}`)).toBe('{"auths": {"r.io": {"auth": "…[redacted]"}}}');
    expect(redactSecrets(`DB_PASSWORD=${PASSWORD}`)).toBe('DB_PASSWORD=…[redacted]');
    expect(redactSecrets('psycopg2.connect(password="Welcome1")')).toBe('psycopg2.connect(password="…[redacted]")');
    expect(redactSecrets(`curl -H "Authorization: Bearer ${HMAC}" https://api.acme-corp.io`)).not.toContain(HMAC);
  });

  it('leaves look-alikes, placeholders and references as they are', () => {
    for (const text of ['sort_key = "name"', 'monkey = "Zx9qL2mP7vK4tR8wQ3nB"', 'key = "user_id"', 'password = "${DB_PASSWORD}"', 'password = "changeme"', 'auth: enabled', 'author: Jane Doe <jane@acme-corp.io>', 'Release GPG key: F3EF5F62A87FC27A22E643F714CE4FF5015AA242'])
      expect(redactSecrets(text)).toBe(text);
  });

  it('keeps a token of a known format to its own rule (its prefix stays), and a URL query to the URL rule', () => {
    expect(redactSecrets(`GITHUB_TOKEN=${GITHUB}`)).toBe('GITHUB_TOKEN=ghp_…[redacted]');
    expect(redactSecrets(`--extra-index-url https://pypi.internal/simple?token=${HMAC}`)).toBe('--extra-index-url https://pypi.internal/simple?token=****');
  });

  it('keeps stored JSON valid: an unquoted value read inside a JSON string stops at its closing quote, and escapes stay whole', () => {
    const stored = JSON.stringify({ message: `cannot parse settings: FERNET_KEY=${FERNET}`, detail: `password: ${PASSWORD}\\"x`, next: 1 });
    const redacted = redactSecrets(stored);
    expect(redacted).not.toContain(FERNET);
    expect(redacted).not.toContain(PASSWORD);
    expect(JSON.parse(redacted)).toMatchObject({ message: 'cannot parse settings: FERNET_KEY=…[redacted]', next: 1 });
    const masked = maskSecrets(stored);
    expect(masked).toHaveLength(stored.length);
    expect(JSON.parse(masked)).toMatchObject({ next: 1 });
  });

  it('masks character for character in kept text, so lines and columns stay put, and redacting again changes nothing', () => {
    const text = `[api]\nkey = "${HMAC}"\npassword = "${PASSWORD}"\n`;
    expect(maskSecrets(text)).toBe(`[api]\nkey = "${'*'.repeat(HMAC.length)}"\npassword = "${'*'.repeat(PASSWORD.length)}"\n`);
    expect(maskSecrets(maskSecrets(text))).toBe(maskSecrets(text));
    expect(redactSecrets(redactSecrets(text))).toBe(redactSecrets(text));
  });

  it('finds the values in linear time on hostile runs of names, separators, quotes and escapes', () => {
    const unit = 'key=auth: "creds":"\\"password="a1b2c3\\" monkey_key=';
    const run = (n: number) => unit.repeat(n / unit.length);
    redactSecrets(run(100_000));
    const tenSmall = bestCpuMs(() => {
      for (let i = 0; i < 10; i++) redactSecrets(run(10_000));
    }, 200);
    const oneBig = bestCpuMs(() => redactSecrets(run(100_000)), 200);
    expect(oneBig / Math.max(tenSmall, 1)).toBeLessThan(4);
  });
});
