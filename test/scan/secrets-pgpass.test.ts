/**
 * PostgreSQL's password file (`.pgpass`, `pgpass.conf` on Windows): lines
 * `hostname:port:database:username:password`, `#` comments, `\:` and `\\` escapes. Each password
 * written in one is a login to that database: one finding a line, at the password, fingerprinted as
 * libpq reads it (unescaped). Placeholders stay quiet, and the same text in any other file is not read
 * as a password file.
 */
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/scan/secrets/fingerprint.js';
import { isTextLikePath } from '../../src/scan/paths.js';
import { pgpassLogins } from '../../src/scan/secrets/pgpass.js';
import { bestCpuMsTurnAbout } from '../helpers/cpu-time.js';
import { KEY, scanFiles } from './helpers.js';

// Built from parts so this test file does not itself look like it holds credentials.
const RANDOM = 'Kp9wLm2QxR7v' + 'Tz4NaB3c';
const PLAIN = 'Tr0ub4' + 'dor';

function found(result: Awaited<ReturnType<typeof scanFiles>>): string[] {
  return result.findings.filter((f) => f.kind === 'secret').map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}`).sort();
}

describe('a password in a PostgreSQL password file', () => {
  it('each line with a password is one finding at the password, wildcards and escapes read as libpq reads them', async () => {
    const result = await scanFiles({
      '.pgpass': [
        '# hostname:port:database:username:password',
        `db.acme-corp.io:5432:app:app_user:${RANDOM}`, // 2, column 35
        `*:*:*:replicator:${RANDOM}a`, // 3
        `reports\\:db.internal:5432:*:analyst:Pa\\:ss\\\\${RANDOM}`, // 4: an escaped colon in the host and in the password
        'localhost:5432:app:app:', // no password
        `#db.old.acme-corp.io:5432:app:app:${RANDOM}b`, // a comment
        `db.acme-corp.io:5432:app:reporter:${PLAIN}\r`, // 7: a short password is still one (CRLF line end)
        'not a password line',
      ].join('\n'),
      'ops/pgpass.conf': `db.acme-corp.io:5432:*:etl:${RANDOM}c\n`,
      'home/deploy/.pgpass': `*:*:*:deploy:${RANDOM}d`,
    });
    expect(found(result)).toEqual([
      '.pgpass:2:35 secret-pgpass-password',
      '.pgpass:3:18 secret-pgpass-password',
      '.pgpass:4:37 secret-pgpass-password',
      '.pgpass:7:35 secret-pgpass-password',
      'home/deploy/.pgpass:1:14 secret-pgpass-password',
      'ops/pgpass.conf:1:28 secret-pgpass-password',
    ]);
    const escaped = result.findings.find((f) => f.file === '.pgpass' && f.line === 4)!;
    expect(escaped.secret).toEqual({ kind: 'password in a .pgpass file', fingerprint: fingerprint(KEY, `Pa:ss\\${RANDOM}`) });
    const plain = result.findings.find((f) => f.file === '.pgpass' && f.line === 7)!;
    expect(plain.secret!.fingerprint).toBe(fingerprint(KEY, PLAIN));
    expect(plain.severity).toBe('high');
    expect(JSON.stringify(result)).not.toContain(RANDOM);
    expect(JSON.stringify(result)).not.toContain(PLAIN);
  });

  it('placeholders, a password that is its own username and empty passwords stay quiet', async () => {
    const result = await scanFiles({
      '.pgpass': [
        '*:*:*:postgres:changeme',
        '*:*:*:app:<password>',
        '*:*:*:app:${PGPASSWORD}',
        '*:*:*:app:xxxxxxxx',
        '*:*:*:app:your_password',
        '*:*:*:app:password',
        'localhost:5432:app:app:app',
        '*:*:*:postgres:postgres',
        '*:*:*:app:',
      ].join('\n'),
    });
    expect(found(result)).toEqual([]);
  });

  it('in tests and examples only a generated-looking password counts, rated low; other files are not read as password files', async () => {
    const result = await scanFiles({
      'tests/fixtures/.pgpass': `*:*:*:app:${PLAIN}\n*:*:*:ci:${RANDOM}\n`,
      'docs/.pgpass.example': `*:*:*:app:${PLAIN}\n`,
      'notes.txt': `db.acme-corp.io:5432:app:app_user:${RANDOM}\n`,
    });
    expect(found(result)).toEqual(['tests/fixtures/.pgpass:2:10 secret-pgpass-password']);
    expect(result.findings.find((f) => f.kind === 'secret')!.severity).toBe('low');
  });

  it('a .pgpass that is binary by its content is said, as other settings files are', () => {
    expect(isTextLikePath('.pgpass')).toBe(true);
    expect(isTextLikePath('home/deploy/.pgpass')).toBe(true);
    expect(isTextLikePath('ops/pgpass.conf')).toBe(true);
  });

  it('is read in linear time: many logins, one long line of escapes and fields', () => {
    const many = `db.acme-corp.io:5432:app:user:${RANDOM}\n`.repeat(50_000);
    const long = `${'\\:'.repeat(100_000)}:*:*:*:${'\\\\'.repeat(100_000)}${':'.repeat(100_000)}`;
    expect(pgpassLogins(many)).toHaveLength(50_000);
    expect(pgpassLogins(long)).toHaveLength(1);
    // Taken turn about, so a burst of other work (the suite runs files in parallel) spoils both sides alike.
    const { smallMs: small, largeMs: large } = bestCpuMsTurnAbout(
      () => pgpassLogins(many.slice(0, many.length / 10) + long.slice(0, long.length / 10)),
      () => pgpassLogins(many + long),
      600,
    );
    expect(large).toBeLessThan(small * 25 + 20);
  });
});
