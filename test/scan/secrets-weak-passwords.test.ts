/**
 * bandit's B105/B106/B107: a password written in Python code (assigned, given as a keyword
 * argument, a parameter's default, compared) is reported even when it is too short or too plain to
 * look generated, as a team replacing bandit expects, but rated medium: below the default gate,
 * which random-looking secrets fail. Placeholders, references and tests' fixtures stay quiet.
 */
import { describe, expect, it } from 'vitest';
import { scanFiles } from './helpers.js';

const passwordFindings = async (files: Record<string, string>) =>
  (await scanFiles(files)).findings
    .filter((f) => f.kind === 'secret')
    .map((f) => `${f.file}:${f.line} ${f.severity}/${f.confidence} ${f.secret!.kind}`)
    .sort();

describe('weak hard-coded passwords in Python (bandit B105, B106, B107)', () => {
  it('reports a short or plain password assigned, passed as an argument, given as a default or compared, at medium severity', async () => {
    const found = await passwordFindings({
      'app/db.py': [
        'import psycopg2',
        'PASSWORD = "admin123"', // B105
        'conn = psycopg2.connect(host="db", user="app", password="Welcome1")', // B106
        'def login(user, smtp_pass="Summer24"):', // B107
        '    if password == "hunter42":', // B105, compared
        '        return True',
        'DB_PWD = b"s3cr3t!x"',
      ].join('\n'),
    });
    expect(found).toEqual([
      'app/db.py:2 medium/medium value of PASSWORD',
      'app/db.py:3 medium/medium value of password',
      'app/db.py:4 medium/medium value of smtp_pass',
      'app/db.py:5 medium/medium value of password',
      'app/db.py:7 medium/medium value of DB_PWD',
    ]);
  });

  it('a weak password does not fail the default gate; a random-looking one still does', async () => {
    const weak = await scanFiles({ 'app/db.py': 'PASSWORD = "admin123"\n' });
    expect(weak.findings.filter((f) => f.kind === 'secret').map((f) => f.severity)).toEqual(['medium']);
    const strong = await scanFiles({ 'app/db.py': 'PASSWORD = "Tr0ub4dor&3-x9QzLm2v"\n' });
    expect(strong.findings.filter((f) => f.kind === 'secret').map((f) => f.severity)).toEqual(['high']);
  });

  it('stays quiet on empty strings, placeholders, references, plain words, field names and other names', async () => {
    const found = await passwordFindings({
      'app/forms.py': [
        'PASSWORD = ""',
        'password = "changeme1"',
        'db_password = "mysecretpassword"',
        'password = "${DB_PASSWORD}"',
        'password = "{password}"',
        'password = os.environ["DB_PASSWORD"]',
        'password = os.environ.get("DB_PASSWORD", "")',
        'password = f"{prefix}2024"',
        'password = "hunter"',
        'password = "password"',
        'PASSWORD_FIELD = "pass_1"',
        'password_hash = "x1y2z3w4"',
        'bypass = "abc123def"',
        'compass = "N12-E34"',
        'password = "<password>"',
        'password = "********"',
        'PASSWORD_ENV = "DB_PASSWORD"',
      ].join('\n'),
    });
    expect(found).toEqual([]);
  });

  it('only in Python: other code and config keep asking for a generated-looking value', async () => {
    const found = await passwordFindings({ 'config/app.yaml': 'password: admin123\n', 'src/db.js': 'const password = "Welcome1";\n' });
    expect(found).toEqual([]);
  });

  it('not in tests and their fixtures, where made-up passwords are the norm', async () => {
    const found = await passwordFindings({ 'tests/test_login.py': 'def test_login(client):\n    client.login(username="u", password="Welcome1")\n', 'app/tests/fixtures.py': 'PASSWORD = "admin123"\n' });
    expect(found).toEqual([]);
  });
});
