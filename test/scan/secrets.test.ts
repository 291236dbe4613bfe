/**
 * Secrets in any text file: known token formats, private keys, URLs with passwords, high-entropy
 * values assigned to secret-looking names; placeholders, tests and examples allowed; the value never
 * in any field of any finding.
 */
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/scan/secrets/fingerprint.js';
import { scanSecrets } from '../../src/scan/secrets/scan-secrets.js';
import { LineIndex } from '../../src/scan/text.js';
import { KEY, scanFiles } from './helpers.js';
import { bestCpuMs, cpuMs } from '../helpers/cpu-time.js';

// Built from parts so this test file does not itself look like it holds credentials.
const GITHUB = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';
const AWS_ID = 'AKIA' + 'Q3EGRZ7XK2N5WBVH';
const SLACK = 'xoxb-' + '2384092384-2384092384098-Zx8Qm2Lp9Rt4Vw6Yb1Nc3Kd5';
const STRIPE = 'sk_live_' + '51HqLw2Kx9Vb3Nm7Qp4Rt8Zy';
const GOOGLE = 'AIza' + 'SyD8x-3kLm9QpR2tVw5Yz7Bc4Nf6Hj1Kq0e';
const OPENAI = 'sk-proj-' + 'Xq7Lm2Np9Rt4Vw6Yb1Nc3Kd5Fg8Hj0Zs2Ae4Ti6Uo8Py1Qw3';
const GITLAB = 'glpat-' + 'Xq7Lm2Np9Rt4Vw6Yb1Nc';
const PASSWORD = 'Tr0ub4dor&3-x9QzLm2v';
/** Twenty random letters and digits, as a generated key is. */
const RANDOM = 'Zx9qL2mP7vK4tR8wQ3nB';
const HEX = 'f3a9c2e7b1d84a6f' + '9e0c2b7a5d3f1e8c';
const PEM = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun', 'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK', '-----END RSA PRIVATE KEY-----'].join('\n');

const VALUES = [GITHUB, AWS_ID, SLACK, STRIPE, GOOGLE, OPENAI, GITLAB, PASSWORD, 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun', 'hunter2-Xk9'];

function rules(result: Awaited<ReturnType<typeof scanFiles>>) {
  return result.findings.filter((f) => f.kind === 'secret').map((f) => `${f.file}:${f.line} ${f.rule}`).sort();
}

describe('known token formats', () => {
  it('finds each vendor format, in Python, YAML, .env, JSON notebooks and config files alike', async () => {
    const result = await scanFiles({
      'app/settings.py': `GITHUB_TOKEN = "${GITHUB}"\nAWS_ACCESS_KEY_ID = "${AWS_ID}"\n`,
      'deploy/values.yaml': `slack:\n  token: ${SLACK}\nstripe: "${STRIPE}"\n`,
      '.env.production': `GOOGLE_API_KEY=${GOOGLE}\nOPENAI_API_KEY=${OPENAI}\n`,
      'notebooks/explore.ipynb': JSON.stringify({ cells: [{ source: [`gl = "${GITLAB}"\n`] }] }, null, 1),
      'ops/id_rsa': PEM,
      'README.md': 'Set GITHUB_TOKEN to a token with repo scope (ghp_…).\n',
    });
    expect(rules(result)).toEqual([
      '.env.production:1 secret-google-api-key',
      '.env.production:2 secret-openai-key',
      'app/settings.py:1 secret-github-token',
      'app/settings.py:2 secret-aws-access-key-id',
      'deploy/values.yaml:2 secret-slack-token',
      'deploy/values.yaml:3 secret-stripe-key',
      'notebooks/explore.ipynb:5 secret-gitlab-token',
      'ops/id_rsa:1 secret-private-key',
    ]);
  });

  it('never puts the value in any field: kind, file, line and a keyed fingerprint only', async () => {
    const result = await scanFiles({ 'app/settings.py': `GITHUB_TOKEN = "${GITHUB}"\nDB_PASSWORD = "${PASSWORD}"\n`, 'k.pem': PEM });
    const json = JSON.stringify(result);
    for (const v of VALUES) expect(json).not.toContain(v);
    const gh = result.findings.find((f) => f.rule === 'secret-github-token')!;
    expect(gh.secret).toEqual({ kind: 'GitHub token', fingerprint: fingerprint(KEY, GITHUB) });
    expect(gh.secret!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('fingerprints depend on the key, so a short password cannot be looked up without it', async () => {
    expect(fingerprint('key-one', 'hunter2')).not.toBe(fingerprint('key-two', 'hunter2'));
    expect(fingerprint('key-one', 'hunter2')).toBe(fingerprint('key-one', 'hunter2'));
  });

  it('passes over placeholders and documentation: changeme, EXAMPLE keys, xxxx tokens, a header without a key', async () => {
    const result = await scanFiles({
      'app/settings.py': [
        'API_KEY = "changeme"',
        'AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"',
        `GITHUB_TOKEN = "ghp_${'x'.repeat(36)}"`,
        'SECRET_KEY = os.environ["SECRET_KEY"]',
        'password = get_password()',
        'PASSWORD = "${DB_PASSWORD}"',
        'TOKEN_URL = "https://auth.example.com/oauth/token"',
        'if line.startswith("-----BEGIN RSA PRIVATE KEY-----"):',
        'max_tokens = 4096',
      ].join('\n'),
      'config.yaml': 'database:\n  password: <your-password>\n  url: postgres://app:password@localhost/app\n',
    });
    expect(rules(result)).toEqual([]);
  });

  it('reports tokens and generated-looking assigned values in tests and examples, with low confidence; tokens keep their severity, assigned values are low', async () => {
    const result = await scanFiles({
      'tests/test_client.py': `TOKEN = "${GITHUB}"\nPASSWORD = "${PASSWORD}"\n`,
      'examples/settings.example': `DB_PASSWORD=${PASSWORD}\n`,
    });
    expect(result.findings.filter((f) => f.kind === 'secret').map((f) => `${f.file}:${f.line} ${f.rule} ${f.severity} ${f.confidence}`).sort()).toEqual([
      'examples/settings.example:1 secret-assigned low low',
      'tests/test_client.py:1 secret-github-token critical low',
      'tests/test_client.py:2 secret-assigned low low',
    ]);
  });
});

describe('test, example, documentation and template paths', () => {
  // Built from parts, like the tokens above: forty base64 characters, as AWS secret access keys are.
  const AWS_SECRET = 'q8Xr3Lk9Vt2Wb7Nz0Pm5' + 'Yc1Hd6Jf4Gs8Ka2Ub9Qe';
  const DB = 'Zq7vP2mX9kR4tL8w';
  const DJANGO = 'k#9x@2m!v8q$w5z^7p&' + '3n*6r(1t)4y_0u+e=b-c';

  it('finds hard-coded passwords, generic secrets and AWS secret keys in .env.example, tests, docs and templates (rated low confidence)', async () => {
    const settings = `AWS_SECRET_ACCESS_KEY = "${AWS_SECRET}"\nDATABASE_PASSWORD = "${DB}"\n`;
    const result = await scanFiles({
      '.gitignore': '.env\n',
      '.env.example': `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}\nDATABASE_PASSWORD=${DB}\nDJANGO_SECRET_KEY=${DJANGO}\n`,
      'tests/conftest.py': `AWS_SECRET_ACCESS_KEY = "${AWS_SECRET}"\n`,
      'config/database.test.yml': `production:\n  password: "${DB}Q3"\n`,
      'docs/settings.py': settings,
      'demo/settings.py': settings,
      'spec/settings.py': settings,
      'mocks/settings.py': settings,
      'config.yml.dist': `database:\n  password: ${DB}\n`,
      'deploy/values.template': `aws_secret_access_key: ${AWS_SECRET}\n`,
      'deploy/settings.py': settings,
    });
    const secrets = result.findings.filter((f) => f.kind === 'secret');
    expect(secrets.map((f) => `${f.file}:${f.line} ${f.rule}`).sort()).toEqual([
      '.env.example:1 secret-aws-secret-access-key',
      '.env.example:2 secret-assigned',
      '.env.example:3 secret-assigned',
      'config.yml.dist:2 secret-assigned',
      'config/database.test.yml:2 secret-assigned',
      'demo/settings.py:1 secret-aws-secret-access-key',
      'demo/settings.py:2 secret-assigned',
      'deploy/settings.py:1 secret-aws-secret-access-key',
      'deploy/settings.py:2 secret-assigned',
      'deploy/values.template:1 secret-aws-secret-access-key',
      'docs/settings.py:1 secret-aws-secret-access-key',
      'docs/settings.py:2 secret-assigned',
      'mocks/settings.py:1 secret-aws-secret-access-key',
      'mocks/settings.py:2 secret-assigned',
      'spec/settings.py:1 secret-aws-secret-access-key',
      'spec/settings.py:2 secret-assigned',
      'tests/conftest.py:1 secret-aws-secret-access-key',
    ]);
    // Only the application's own settings keep their confidence; the rest say they may be fakes.
    expect(secrets.filter((f) => f.confidence !== 'low').map((f) => f.file)).toEqual(['deploy/settings.py', 'deploy/settings.py']);
    // Judged by name and randomness alone, values in tests and docs are capped below the default
    // gate: an AWS secret key by name at medium, any other secret-named value at low. A dotenv
    // template is rated as a .env (real values are copied into it from the .env beside it), as are
    // the application's own settings.
    expect(secrets.filter((f) => f.file === '.env.example').map((f) => `${f.line} ${f.severity}`)).toEqual(['1 critical', '2 high', '3 high']);
    expect(secrets.filter((f) => f.file === 'tests/conftest.py').map((f) => `${f.line} ${f.severity}`)).toEqual(['1 medium']);
    expect(secrets.filter((f) => f.file === 'deploy/settings.py').map((f) => `${f.line} ${f.severity}`)).toEqual(['1 critical', '2 high']);
    const json = JSON.stringify(result);
    for (const v of [AWS_SECRET, DB, DJANGO]) expect(json).not.toContain(v);
  });

  it('keeps random-looking fakes in tests, fixtures and docs below the default gate, and fixed-format tokens at their severity', async () => {
    const UUID = '123e4567-e89b-12d3-a456-426614174000';
    const result = await scanFiles({
      'tests/settings.py': `SECRET_KEY = "${DJANGO}"\n`,
      'tests/test_client.py': `API_KEY = "${UUID}"\nTOKEN = "${GITHUB}"\nresp = client.post("/login", json={"password": "correct-horse-battery-staple-42"})\n`,
      'tests/fixtures/config.yaml': `password: pg_test_Pa55w0rd_2024\nclient_secret: ${UUID}\napi_token: tok_2f8b1c9d4e7a6b3c\nslack_token: ${SLACK}\n`,
      'docs/config.rst': 'api_key = 9f86d081884c7d659a2feaa0c55ad015\n',
    });
    const secrets = result.findings.filter((f) => f.kind === 'secret').map((f) => `${f.file}:${f.line} ${f.rule} ${f.severity}`).sort();
    expect(secrets).toEqual([
      'docs/config.rst:1 secret-assigned low',
      'tests/fixtures/config.yaml:1 secret-assigned low',
      'tests/fixtures/config.yaml:2 secret-assigned low',
      'tests/fixtures/config.yaml:3 secret-assigned low',
      'tests/fixtures/config.yaml:4 secret-slack-token critical',
      'tests/settings.py:1 secret-assigned low',
      'tests/test_client.py:1 secret-assigned low',
      'tests/test_client.py:2 secret-github-token critical',
      'tests/test_client.py:3 secret-assigned low',
    ]);
  });

  it('rates passwords in URLs in tests and examples below the default gate, by where they log in, but not in a dotenv template', async () => {
    const password = 'Kz93mPq71Lx' + 'v8TqW2';
    const result = await scanFiles({
      'tests/conftest.py': [
        `LOCAL = "postgres://app:${password}@localhost:5432/app"`,
        `SERVICE = "postgres://app:${password}@db:5432/app"`,
        `REMOTE = "postgres://app:${password}@db.internal.corp:5432/app"`,
      ].join('\n'),
      'docs/deploy.md': `Set DATABASE_URL=postgres://app:${password}@10.0.3.4/app\n`,
      '.env.example': `DATABASE_URL=postgres://app:${password}@db:5432/app\n`,
      'app/settings.py': `DATABASE_URL = "postgres://app:${password}@db:5432/app"\n`,
    });
    expect(result.findings.filter((f) => f.rule === 'secret-url-password').map((f) => `${f.file}:${f.line} ${f.severity}`).sort()).toEqual([
      '.env.example:1 high',
      'app/settings.py:1 high',
      'docs/deploy.md:1 medium',
      'tests/conftest.py:1 low',
      'tests/conftest.py:2 low',
      'tests/conftest.py:3 medium',
    ]);
  });

  it("rates Django's development keys (django-insecure-…) low anywhere, and other Django keys as usual", async () => {
    const developmentKey = 'django-insecure-' + '8x#r!k2@p0z^w7m$3j5q&h1v(t9c)e4n6b_y-u+s=a';
    const result = await scanFiles({
      'myproject/settings.py': `SECRET_KEY = "${developmentKey}"\n`,
      'prod/settings.py': `SECRET_KEY = "${DJANGO}"\n`,
    });
    expect(result.findings.filter((f) => f.kind === 'secret').map((f) => `${f.file}:${f.line} ${f.severity}`).sort()).toEqual([
      'myproject/settings.py:1 low',
      'prod/settings.py:1 high',
    ]);
  });

  it('stays quiet on the placeholders and short made-up passwords tests and examples are full of', async () => {
    const result = await scanFiles({
      'tests/test_login.py': [
        'password = "secret"',
        'PASSWORD = "test"',
        'api_key = "test-api-key"',
        'token = "fake-token-123"',
        'client_secret = "Passw0rd!"',
        'DB_PASSWORD = "hunter22"',
        'SECRET_KEY = "not-a-real-secret-key"',
        'assert user.password == "correct horse"',
      ].join('\n'),
      '.env.example': 'DATABASE_PASSWORD=changeme\nAPI_TOKEN=${API_TOKEN}\nSECRET_KEY=<your-secret-key>\nAWS_SECRET_ACCESS_KEY=\nSTRIPE_KEY=xxxxxxxxxxxxxxxx\n',
      'docs/deploy.md': 'Set `DB_PASSWORD=<password>` and `export API_KEY=your-api-key` before running.\n',
      'deploy/run.sh.template': "mysql -u app -p'${DB_PASSWORD}' app\n",
    });
    expect(result.findings.filter((f) => f.kind === 'secret').map((f) => `${f.file}:${f.line} ${f.rule}`)).toEqual([]);
  });
});

describe('passwords and high-entropy values', () => {
  it('reports high-entropy values assigned to secret-looking names, once per value', async () => {
    const result = await scanFiles({
      'app/config.py': `DB_PASSWORD = "${PASSWORD}"\nclient_secret: str = "q8Zr3LmX9vTb2NwK7pYc"\nPASSWORD_MIN_LENGTH = 12\nSECRET_NAME = "prod/db/password"\n`,
      'docker/app.env.sample': `API_KEY=${PASSWORD}\n`,
      'settings.json': `{"apiKey": "Zq81mXv93LbT2wKr7YpN", "token_type": "bearer"}\n`,
      'app/urls.py': `BROKER = "amqp://celery:Kz93mPq71Lx@rabbit.internal:5672//"\n`,
    });
    expect(rules(result)).toEqual(['app/config.py:1 secret-assigned', 'app/config.py:2 secret-assigned', 'app/urls.py:1 secret-url-password', 'docker/app.env.sample:1 secret-assigned', 'settings.json:1 secret-assigned']);
    const config = result.findings.find((f) => f.file === 'app/config.py' && f.line === 1)!;
    expect(config.secret!.kind).toBe('value of DB_PASSWORD');
    expect(config.message).not.toContain(PASSWORD);
  });

  it('a Dockerfile\'s legacy `ENV NAME value` assigns too, its value\'s own `=` and all; only after ENV at the start of a line', async () => {
    const result = await scanFiles({
      Dockerfile: [
        'FROM python:3.12-slim@sha256:' + 'a'.repeat(64),
        'ENV API_KEY dGhpcyBpcyBhIHNlY3JldCB0b2tlbiB2YWw=', // 2
        'ENV DJANGO_SECRET_KEY k8Jd93hsLq0aZ7xP2mWv+q=w9e', // 3
        `  env AUTH_TOKEN ${RANDOM}`, // 4
        'ENV API_TOKEN $API_TOKEN',
        `RUN echo ENV API_KEY ${RANDOM}`,
        `LABEL api_key ${RANDOM}`,
        'USER app',
      ].join('\n'),
      'notes.txt': `ENV API_KEY ${RANDOM}\n`,
    });
    expect(rules(result)).toEqual(['Dockerfile:2 secret-assigned', 'Dockerfile:3 secret-assigned', 'Dockerfile:4 secret-assigned']);
    expect(result.findings.find((f) => f.line === 3)!.secret!.kind).toBe('value of DJANGO_SECRET_KEY');
    // One finding a line: the secret (with its fingerprint), not docker-secret-in-build beside it.
    expect(result.findings.filter((f) => f.file === 'Dockerfile' && f.line! <= 4).map((f) => f.rule)).toEqual(['secret-assigned', 'secret-assigned', 'secret-assigned']);
    expect(JSON.stringify(result.findings)).not.toContain('k8Jd93hsLq0aZ7xP2mWv');
  });

  it('a password in a URL whose host is reserved for documentation (example.com, .example, .test, .invalid) opens nothing: not reported', async () => {
    const result = await scanFiles({
      'app/urls.py': [
        'class URL:',
        '    """',
        '    url = httpx.URL("HTTPS://jo%40email.com:Kz93mPq71Lx@www.example.com:1234/path")',
        '    """',
        'DOCS = "postgres://app:Kz93mPq71Lx@db.example.org/app"',
        'A = "redis://:Kz93mPq71Lx@cache.example/0"',
        'B = "amqp://u:Kz93mPq71Lx@broker.test:5672//"',
        'C = "https://u:Kz93mPq71Lx@host.invalid/"',
        'D = "https://u:Kz93mPq71Lx@EXAMPLE.NET"',
        // Not reserved: a real host, a name merely containing "example", a docker service name.
        'E = "https://u:Kz93mPq71Lx@example.com.attacker.io/"',
        'F = "https://u:Kz93mPq71Lx@myexample.com/"',
        'G = "postgres://u:Kz93mPq71Lx@db:5432/app"',
        'H = "https://u:Kz93mPq71Lx@test.example.co/"',
      ].join('\n'),
    });
    expect(rules(result)).toEqual(['app/urls.py:10 secret-url-password', 'app/urls.py:11 secret-url-password', 'app/urls.py:12 secret-url-password', 'app/urls.py:13 secret-url-password']);
  });

  it('names of types and labels are not credentials: annotations, enum labels, GraphQL fields, codecov badge tokens, a URL password that is its user\'s or database\'s name', async () => {
    const result = await scanFiles({
      // saleor: a parameter annotated with a forward reference, an enum label, GraphQL field types.
      'app/manager.py': 'def fetch(self, gateway: str, token_config: "TokenConfig", channel_slug: str):\n    pass\n\nclass Kind:\n    SECRET_MULTILINE = "SecretMultiline"\n    PASSWORD_FIELD = "PasswordField"\n    api_token: "Optional[ApiToken]" = None\n',
      'app/schema.graphql': 'type Shop {\n  passwordLoginMode: PasswordLoginModeEnum\n  checkoutToken: UUIDFilterInput\n}\n',
      'README.md': '<img src="https://codecov.io/gh/saleor/saleor/graph/badge.svg?token=qkNcTJ4TmI" alt="Coverage"/>\n',
      'app/settings.py': '# default="postgres://saleor_read_only:saleor@localhost:5432/saleor",\nB = "postgres://app:shopdb@db:5432/shopdb"\n',
      // Still credentials: random values, however they are written, and a token elsewhere in a URL.
      'app/real.py': `def f(api_token: "str" = "${'Zx9qL2mP7vK4tR8wQ3nB'}"):\n    pass\nSECRET = "KqPw7LmZtRs2XvB9"\nD = "postgres://app:Kz93mPq71Lx@db:5432/app"\n`,
      'BADGES.md': '![ci](https://evil.io/gh/o/r/graph/badge.svg?token=Zx9qL2mP7vK4tR8w)\n',
    });
    // A password naming its database is skipped on loopback only: `db` is a host like any other.
    expect(rules(result)).toEqual(['BADGES.md:1 secret-assigned', 'app/real.py:1 secret-assigned', 'app/real.py:3 secret-assigned', 'app/real.py:4 secret-url-password', 'app/settings.py:2 secret-url-password']);
  });

  it('a placeholder inside Markdown inline code is a placeholder: the closing backtick is not part of the value', async () => {
    const result = await scanFiles({
      'checklists/release.md': '- ` export CVE_USER=<user-email>@example.org CVE_API_KEY=<user-api-key>`\n- `export API_TOKEN=Zx9qL2mP7vK4tR8wQ3nB`\n',
    });
    expect(rules(result)).toEqual(['checklists/release.md:2 secret-assigned']);
  });

  it('real credentials that merely look like names are still reported: a value starting with its key then digits, a CamelCase passphrase outside GraphQL, YAML inside a Python string, a commented config line', async () => {
    const result = await scanFiles({
      'app/settings.py': [
        'JWT_SECRET = "jwt-secret-8f3KqX2mZ9vR7tL4"',
        'SECRET_KEY = "secretkey_4fA9bX2kQ7mZ8vL3"',
        'API_TOKEN = "ApiTokenA9f8e7d6c5b4a3f2e1"',
        'ADMIN_PASSWORD = "CorrectHorseBatteryStaple"',
        'X = """',
        'password: "Xk9mP2qR7vL4zT8w"',
        '"""',
        '# api_key: "Zx8Qm2Lr9Tk4Vb7NcQ"',
      ].join('\n'),
      'config.yml': 'password: CorrectHorseBatteryStaple\n',
      'app.ini': 'JWT_SECRET=jwt-secret-8f3KqX2mZ9vR7tL4\n',
      'app.env': 'DB_PASSWORD=Xk9`mP2qR7vL4zT8wQq\n',
    });
    expect(rules(result)).toEqual([
      'app.env:1 secret-assigned',
      'app.ini:1 secret-assigned',
      'app/settings.py:1 secret-assigned',
      'app/settings.py:2 secret-assigned',
      'app/settings.py:3 secret-assigned',
      'app/settings.py:4 secret-assigned',
      'app/settings.py:6 secret-assigned',
      'app/settings.py:8 secret-assigned',
      'config.yml:1 secret-assigned',
    ]);
  });

  it('URL passwords: only dotted reserved names are documentation, the host is after the last @, and a password naming its user is skipped on loopback only', async () => {
    const result = await scanFiles({
      'app/urls.py': [
        'A = "postgres://app:Xk9mP2qR7vL4zT8w@test_db:5432/app"',
        'B = "amqp://app:Xk9mP2qR7vL4zT8w@example.com@rabbit.prod.internal/vhost"',
        'C = "postgres://billing_svc:billing@10.0.3.4:5432/payments"',
        'D = "postgres://app:Xk9mP2qR7vL4zT8w@test:5432/app"',
        'E = "postgres://saleor_ro:saleor@localhost:5432/saleor"',
      ].join('\n'),
    });
    expect(rules(result)).toEqual(['app/urls.py:1 secret-url-password', 'app/urls.py:2 secret-url-password', 'app/urls.py:3 secret-url-password', 'app/urls.py:4 secret-url-password']);
  });

  it('reads Python string prefixes (b, r, u, rb …) as the quote they are; an f-string with a field is an expression', async () => {
    const result = await scanFiles({
      'app/web.py': [
        `app.secret_key = b"${RANDOM}"`,
        `SECRET_KEY = r"${RANDOM}x"`,
        `PASSWORD = u'${RANDOM}y'`,
        `API_TOKEN = RB"${RANDOM}z"`,
        `db = connect(password=Br'${RANDOM}w')`,
        `AUTH_KEY = f"${RANDOM}v"`,
      ].join('\n'),
      'app/ok.py': [
        'SECRET_KEY = f"{prefix}-Zx9qL2mP7vK4tR8wQ3"',
        'TOKEN = f"Bearer {token}"',
        'password = br"\\x00"',
        'api_key = bytes(key)',
        'token = rb',
        'secret = b""',
        'PASSWORD_PATTERN = r"^(?=.*[A-Z])(?=.*\\d).{12,}$"',
      ].join('\n'),
    });
    expect(rules(result)).toEqual(['app/web.py:1 secret-assigned', 'app/web.py:2 secret-assigned', 'app/web.py:3 secret-assigned', 'app/web.py:4 secret-assigned', 'app/web.py:5 secret-assigned', 'app/web.py:6 secret-assigned']);
    expect(JSON.stringify(result)).not.toContain(RANDOM);
  });

  it('reads unquoted shell assignments (`NAME=value`, `export NAME=value`) as values, expansions and commands as not', async () => {
    const result = await scanFiles({
      'deploy.sh': ['#!/bin/sh', 'export DB_PASSWORD=Zx9qL2mP7vK4tR8w', `API_KEY=${HEX} ./run.sh`, `cd /srv && SECRET_TOKEN=${RANDOM}; ./start`].join('\n'),
      'scripts/ok.bash': [
        'export PATH=$HOME/bin:$PATH',
        'TOKEN=$(curl -s http://metadata/token)',
        'PASSWORD=${DB_PASSWORD:-}',
        'SECRET=`cat /run/secrets/app`',
        'API_KEY=$1',
        'API_KEY="$API_KEY_FROM_VAULT"',
        'TOKEN_FILE=/run/secrets/token',
        'PASSWORD_LENGTH=32',
        'read -rs PASSWORD',
        'for token in $TOKENS; do echo "$token"; done',
        'if [ "$TOKEN" = "" ]; then exit 1; fi',
        'docker login -u ci --password-stdin < token.txt',
        'echo "API_KEY=Zx9qL2mP7vK4tR8wQ3nB is not set"',
        'local secret=$(openssl rand -hex 32)',
        'export AWS_SECRET_ACCESS_KEY',
        'git config credential.helper store',
        'TOKEN=${TOKEN:?set TOKEN}',
      ].join('\n'),
    });
    expect(rules(result)).toEqual(['deploy.sh:2 secret-assigned', 'deploy.sh:3 secret-assigned', 'deploy.sh:4 secret-assigned']);
    expect(JSON.stringify(result)).not.toContain('Zx9qL2mP7vK4tR8w');
  });

  it('reads command-line flags in shell scripts (--password=v, --password v, -p\'v\') as the secret-named setting given a literal value; expansions, other flags and boolean flags as not', async () => {
    const result = await scanFiles({
      'deploy.sh': [
        '#!/bin/sh',
        'mysql -u app --password=Zx9qL2mP7vK4tR8w appdb',
        `curl --user admin --password '${PASSWORD}' https://example.com/api`,
        `mysqldump -u root -p'${RANDOM}' appdb > dump.sql`,
        `./publish --api-key ${HEX}`,
        `gcloud auth --client-secret="${RANDOM}" \\`,
        `  --db-password "${RANDOM}q"`,
      ].join('\n'),
      'scripts/ok.sh': [
        'mysql -u app --password="$DB_PASSWORD" appdb',
        'mysql --password=${DB_PASSWORD} appdb',
        'mysql --password=$(cat /run/secrets/db) appdb',
        'mysql --password=`cat /run/secrets/db` appdb',
        'mysql -p"$MYSQL_PWD" appdb',
        'mysql -p"${MYSQL_PWD}" appdb',
        'mysql -p appdb',
        'docker login --password-stdin registry-1.docker.io',
        'pg_dump --password mydb_prod2024 > out.sql',
        'psql --password production_database_2024',
        'ssh -p\'2222\' deploy@example.com',
        'docker run -p\'127.0.0.1:8080:80\' web',
        'tool --token-file /run/secrets/token',
        'tool --password changeme',
        'tool --password -u user',
        'tool --no-password build2024x',
        'tool --password-file=/etc/app/pw',
        'gcc -pthread -pipe -o app main.c',
        'tool --password \\',
        '  --user admin',
      ].join('\n'),
    });
    expect(rules(result)).toEqual(['deploy.sh:2 secret-assigned', 'deploy.sh:3 secret-assigned', 'deploy.sh:4 secret-assigned', 'deploy.sh:5 secret-assigned', 'deploy.sh:6 secret-assigned', 'deploy.sh:7 secret-assigned']);
    expect(JSON.stringify(result)).not.toContain(RANDOM);
    expect(JSON.stringify(result)).not.toContain(HEX);
  });

  it('takes a bare PASS as the last segment of a name (DB_PASS, dbPass), not inside words (passenger, bypass) or before another (pass_rate)', async () => {
    const result = await scanFiles({
      'app/db.py': `DB_PASS = "${RANDOM}"\nsmtpPass = "${RANDOM}1"\nftp_pass: str = "${RANDOM}2"\n`,
      '.env.production': `REDIS_PASS=${RANDOM}3\nredis.pass=${RANDOM}4\n`,
      'app/ok.py': [
        `PASSENGER_ID_SEED = "${RANDOM}"`,
        `BYPASS = "${RANDOM}5"`,
        `compass = "${RANDOM}6"`,
        `PASSTHROUGH = "${RANDOM}7"`,
        `passport = "${RANDOM}8"`,
        `PASSENGER = "${RANDOM}9"`,
        'def check():',
        '    pass',
        'PASS_RATE = 0.95',
        'on_pass = "mark_build_green"',
        'PASS_MSG = "All 12 checks passed"',
        `PASS_ARG = "${RANDOM}a"`,
        `extra_resolution_pass_for_module = "${RANDOM}b"`,
      ].join('\n'),
      'package.json': '{"scripts": {"wasm": "wasm-opt x.wasm --asyncify --pass-arg=asyncify-imports@env.await_promise_sync -Oz"}}\n',
    });
    expect(rules(result)).toEqual(['.env.production:1 secret-assigned', '.env.production:2 secret-assigned', 'app/db.py:1 secret-assigned', 'app/db.py:2 secret-assigned', 'app/db.py:3 secret-assigned']);
  });

  it('passes over regular expressions, format strings and calls given to secret-looking names', async () => {
    const result = await scanFiles({
      'lexers/shell.py': [
        "_token_terminator = r'(?=\\^?[%s]|[%s%s])' % (_ws, _punct, _nl)",
        "_core_token = r'(?:(?:(?:\\^[%s]?)?[^\"%s%s])+)' % (_nl, _nlws, _punct)",
        'TOKEN_RE = r"[A-Za-z0-9_]{32,}"',
        'api_key_pattern = r"\\b[0-9a-f]{32}\\b"',
        'secret_value = "%(user)s:%(secret)s"',
      ].join('\n'),
      'README.md': "```js\nvar pgPass = require('pgpass');\nconst apiToken = getToken(process.env);\n```\n",
    });
    expect(rules(result)).toEqual([]);
  });

  it('reports a secret-named variable compared with a random literal (bandit B105), not comparisons with words or other names', async () => {
    const result = await scanFiles({
      'app/auth.py': `def login(password):\n    if password == "${RANDOM}":\n        return True\n    if api_token != '${RANDOM}x':\n        abort(403)\n`,
      'web/auth.js': `if (req.query.token === "${RANDOM}y") next();\n`,
      'app/ok.py': [
        'if password == confirm_password:',
        'if token_type == "bearer":',
        'if password == "":',
        'if password == "changeme":',
        'if secret == os.environ["SECRET"]:',
        'assert token == expected_token',
        'if password == password2:',
        'if password_hash == "pbkdf2_sha256":',
        'if token.kind == "Ident":',
        'if token == "halfAMinute":',
        'if last_significant_token == "?NonExpressionParenKeyword":',
      ].join('\n'),
    });
    expect(rules(result)).toEqual(['app/auth.py:2 secret-assigned', 'app/auth.py:4 secret-assigned', 'web/auth.js:1 secret-assigned']);
    expect(JSON.stringify(result)).not.toContain(RANDOM);
  });

  it('reads a comparison written the other way round ("…" == password) like password == "…", with the same rules for words and names', async () => {
    const result = await scanFiles({
      'app/auth.py': `def login(password, api_token):\n    if "${RANDOM}" == password:\n        return True\n    if '${RANDOM}x' != api_token:\n        abort(403)\n    return b"${RANDOM}z" == password\n`,
      'web/auth.js': `if ("${RANDOM}y" === req.query.token) next();\n`,
      'app/ok.py': [
        'if "bearer" == token_type:',
        'if "" == password:',
        'if "changeme" == password:',
        'if "halfAMinute" == token:',
        'if "pbkdf2_sha256" == password_hash:',
        'if "?NonExpressionParenKeyword" == last_significant_token:',
        'if confirm_password == password:',
        'if f"{prefix}Zx9qL2mP7vK4" == token:',
        'if "Zx9qL2mP7vK4tR8wQ3nB" == token_type:',
        'x = "Zx9qL2mP7vK4tR8wQ3nB" + password',
        'print("Zx9qL2mP7vK4tR8wQ3nB", password)',
        'if "Zx9qL2mP7vK4tR8wQ3nB" == user and password:',
      ].join('\n'),
    });
    expect(rules(result)).toEqual(['app/auth.py:2 secret-assigned', 'app/auth.py:4 secret-assigned', 'app/auth.py:6 secret-assigned', 'web/auth.js:1 secret-assigned']);
    expect(JSON.stringify(result)).not.toContain(RANDOM);
  });

  it('reads name/value pairs (Kubernetes env, ECS task definitions) as the named variable given the value', async () => {
    const result = await scanFiles({
      'k8s/deployment.yaml': [
        'spec:',
        '  containers:',
        '    - name: api',
        '      env:',
        '        - name: DB_PASSWORD',
        `          value: "${RANDOM}"`,
        '        - name: LOG_LEVEL',
        '          value: debug',
        "        - name: 'STRIPE_API_KEY'",
        `          value: ${RANDOM}x`,
        '        - {name: SESSION_SECRET, value: ' + RANDOM + 'y}',
      ].join('\n'),
      'ecs/task.json': JSON.stringify({ environment: [{ name: 'APP_TOKEN', value: `${RANDOM}z` }, { Name: 'REDIS_PASS', Value: `${RANDOM}w` }] }, null, 2),
      'k8s/ok.yaml': [
        'env:',
        '  - name: DB_PASSWORD',
        '    valueFrom:',
        '      secretKeyRef: {name: db, key: password}',
        '  - name: API_TOKEN_FILE',
        `    value: /run/secrets/${RANDOM}`,
        '  - name: SECRET_SAUCE',
        '  - value: ' + RANDOM,
        '  - name: api_key',
        '    description: the key',
        '    value: "${API_KEY}"',
        'containers:',
        '  - name: token-refresher',
        '    image: ghcr.io/acme/token-refresher:1.4.2',
        '    name_suffix: x',
        '  - name: password',
        '    value:',
        '      nested: ' + RANDOM,
      ].join('\n'),
    });
    expect(rules(result)).toEqual([
      'ecs/task.json:5 secret-assigned',
      'ecs/task.json:9 secret-assigned',
      'k8s/deployment.yaml:10 secret-assigned',
      'k8s/deployment.yaml:11 secret-assigned',
      'k8s/deployment.yaml:6 secret-assigned',
    ]);
    expect(result.findings.find((f) => f.line === 6)!.secret!.kind).toBe('value of DB_PASSWORD');
    expect(JSON.stringify(result)).not.toContain(RANDOM);
  });

  it('passes over objects and arrays given to secret-looking keys in compact JSON and YAML', async () => {
    const result = await scanFiles({
      'settings.json': '{"auth":{"token":{"enabled":true,"ttl":3600},"password":{"minLength":12}}}\n',
      'policy.yaml': 'security:\n  apiKeys: [primaryKey, secondaryKey]\n  tokens: {rotateDays: 30}\n  secret: {name: app-secrets-v2x9}\n',
      'package-lock.json': '{"packages":{"node_modules/tokenx":{"resolved":"https://registry.npmjs.org/tokenx/-/tokenx-1.2.3.tgz","integrity":"sha512-Zx9qL2mP7vK4tR8wQ3nB"}}}\n',
      'deploy.yaml': `auth:\n  token: {secret: ${RANDOM}}\n`,
    });
    // The object itself is not a value; a credential inside one still is.
    expect(rules(result)).toEqual(['deploy.yaml:2 secret-assigned']);
  });

  it('passes over Helm values that name a Kubernetes Secret (secretRef, passwordSecret, existingSecret …), not ones that hold one', async () => {
    const result = await scanFiles({
      'chart/values.yaml': [
        'envFrom:',
        '  secretRef: app-secrets-v2x9',
        'postgresql:',
        '  passwordSecret: "db-pass-3c9f2a1b"',
        '  existingSecret: pg-credentials-7f2a',
        '  existingSecretPasswordKey: pg-password-2024',
        '  secretKeyRef: db-creds-prod-01',
        '  tokenSecretRef: gh-token-9x2',
        '  secret_ref: api-keys-2024-v3',
        '  tlsSecret: web-tls-2025-01',
        'oauth:',
        `  clientSecret: "${RANDOM}"`,
        `  appSecret: ${RANDOM}a`,
        `  passwordSecret: ${RANDOM}b`,
      ].join('\n'),
    });
    expect(rules(result)).toEqual(['chart/values.yaml:12 secret-assigned', 'chart/values.yaml:13 secret-assigned', 'chart/values.yaml:14 secret-assigned']);
  });

  it('passes over environment variable names, named regex groups, prose and HTML given to secret-looking names', async () => {
    const result = await scanFiles({
      'lib/shim.py': "ENV = {\n    'proxy_pass': 'CLOUDSDK_PROXY_PASSWORD',\n    'api_token': 'GITHUB_TOKEN_FOR_RELEASES',\n}\n_REMOTE_SECRET_VERSION = r':(?P<version_short>.+)'\n",
      'README.rst': 'To remove a default value from a\nParameter, pass :attr:`Parameter.empty`.\n',
      'ref/module.html': '<var>proxy_user=None</var><big>]</big><var>, </var><big>[</big><var>proxy_pass=None</var><big>]</big>\n',
      'data/cli.json': JSON.stringify({ help: 'Settings:\n- proxy_user: CLOUDSDK_PROXY_USERNAME\n- proxy_pass: CLOUDSDK_PROXY_PASSWORD\n- proxy_rdns: X' }) + '\n',
      'notes.txt': 'Set the token :envvar:`TOKEN_A1` before you pass :attr:`Client.secret`\n',
    });
    expect(rules(result)).toEqual([]);
    // Still found: random capitals and digits (not a NAME_LIKE_THIS), unquoted after a key's own colon.
    // (In code a spaced annotation still reads: `password : str = "…"`.)
    const real = await scanFiles({ 'config.yaml': `password: ${RANDOM}\nsecret: ZX9QL2MP7VK4TR8WQ3NB\n`, 'app/db.py': `password : str = "${RANDOM}"\n` });
    expect(rules(real)).toEqual(['app/db.py:1 secret-assigned', 'config.yaml:1 secret-assigned', 'config.yaml:2 secret-assigned']);
  });

  it('names an AWS secret access key as such', async () => {
    const result = await scanFiles({ 'app/aws.py': 'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8Lm2Np9R"\n' });
    expect(rules(result)).toEqual(['app/aws.py:1 secret-aws-secret-access-key']);
  });
});

describe('fixed-format tokens: placeholders judged on the whole generated part', () => {
  it('reports real tokens whose random part happens to hold test, fake, todo, xxxx or a 1234567890 id', async () => {
    const result = await scanFiles({
      'app/settings.py': [
        `GITHUB_TOKEN = "ghp_${'Kq8Zr3LmtestX9vTb2NwK7pYc4Hd6Jf1Gs0a'}"`,
        `AWS_ACCESS_KEY_ID = "AKIA${'Q3EGFAKEXK2N5WBV'}"`,
        `SLACK_BOT_TOKEN = "xoxb-1234567890-2384092384098-${'Zx8Qm2Lp9Rt4Vw6Yb1Nc3Kd5'}"`,
        `STRIPE = "sk_live_${'51HqLwxxxxKx9Vb3Nm7Qp4Rt8Zy'}"`,
        `GITLAB = "glpat-${'Xq7Lm2todoRt4Vw6Yb1Nc'}"`,
      ].join('\n'),
    });
    expect(rules(result)).toEqual([
      'app/settings.py:1 secret-github-token',
      'app/settings.py:2 secret-aws-access-key-id',
      'app/settings.py:3 secret-slack-token',
      'app/settings.py:4 secret-stripe-key',
      'app/settings.py:5 secret-gitlab-token',
    ]);
  });

  it('passes over tokens that plainly are placeholders', async () => {
    const result = await scanFiles({
      'README.md': [
        `export GITHUB_TOKEN=ghp_${'x'.repeat(36)}`,
        `export GITHUB_TOKEN=ghp_${'1234567890abcdefghijklmnopqrstuvwxyz'}`,
        'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE',
        `STRIPE_KEY=sk_live_${'0'.repeat(24)}`,
        `SLACK_BOT_TOKEN=xoxb-1234567890-1234567890123-${'x'.repeat(24)}`,
        'GITLAB_TOKEN=glpat-your_token_goes_here',
        `NPM_TOKEN=npm_${'X'.repeat(36)}`,
        `PYPI_TOKEN=pypi-AgEIcHlwaS5vcmc${'x'.repeat(80)}`,
      ].join('\n'),
    });
    expect(rules(result)).toEqual([]);
  });
});

describe('more token formats', () => {
  // Generated for this test and built from parts, like the tokens above.
  const PYPI = 'pypi-AgEIcHlwaS5vcmc' + '1MULwJodFX1GOZrhrztAQpiN0k8s0Rc3VgTg9VaZEoBFUhIiJyqGNSOvQmIQbgSc7I8gzNHj-crZ-YxzGtoBgNOOgu1lNGZ9jkEC';
  const TEST_PYPI = 'pypi-AgENdGVzdC5weXBpLm9y' + 'ZwIkMULwJodFX1GOZrhrztAQpiN0k8s0Rc3VgTg9VaZEoBFUhIiJyqGNSOvQmIQbgSc7I8gzNHj-crZ-YxzGtoBgNOOgu1lNGZ9';
  const ANTHROPIC = 'sk-ant-api03-' + 'HuLg-Y-C04j6BD9OyUd2gQvDOVwBM3T5lnbyw575r85bLHxb7RQBgImbdo8MAmd6CdZp2hhyHITS1ZaRkeKPPpQqF_K4pAA';
  const NPM = 'npm_' + 'qpeRAtRmExinGYKjYsfBCH5yXHMW5jQJjkLI';
  const SENDGRID = 'SG.' + 'O_K0iEvtE2P4qKF_GyVapQ' + '.' + '_j3lWFvjLjKR7PttINXPs3nGEBBV3WIkNZAObehT-Z2';
  const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9' + '.' + 'eyJzdWIiOiJzdmMtZGVwbG95IiwiaWF0IjoxNzY3MjI1NjAwfQ' + '.' + 'HM5u1ByAUzDWj6zTq94lqE3YDZW-QEPXBw_b8m09mx_';
  const JWT_IO = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9' + '.' + 'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ' + '.' + 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

  it('finds PyPI upload tokens in code, in a twine command and in .pypirc, and rates a TestPyPI one medium', async () => {
    const result = await scanFiles({
      'release.py': `PYPI = "${PYPI}"\n`,
      'scripts/publish.sh': `twine upload -u __token__ -p ${PYPI} dist/*\n`,
      '.pypirc': `[testpypi]\n  username = __token__\n  password = ${TEST_PYPI}\n`,
    });
    const secrets = result.findings.filter((f) => f.kind === 'secret');
    expect(secrets.map((f) => `${f.file}:${f.line} ${f.rule} ${f.severity} ${f.secret!.kind}`).sort()).toEqual([
      '.pypirc:3 secret-pypi-token medium TestPyPI API token',
      'release.py:1 secret-pypi-token critical PyPI API token',
      'scripts/publish.sh:1 secret-pypi-token critical PyPI API token',
    ]);
    expect(secrets[0]!.message).toMatch(/^A (?:Test)?PyPI API token is written/);
    expect(JSON.stringify(result)).not.toContain(PYPI.slice(20, 60));
  });

  it('finds Anthropic, npm and SendGrid keys and JSON Web Tokens, and not jwt.io\'s sample or placeholders', async () => {
    const result = await scanFiles({
      'app/clients.py': [`ANTHROPIC_API_KEY = "${ANTHROPIC}"`, `NPM = "${NPM}"`, `SENDGRID = "${SENDGRID}"`, `AUTH = "Bearer ${JWT}"`].join('\n'),
      'docs/auth.md': [
        `curl -H "Authorization: Bearer ${JWT_IO}" https://api.internal`,
        'ANTHROPIC_API_KEY=sk-ant-api03-...',
        `SENDGRID_API_KEY=SG.${'x'.repeat(22)}.${'x'.repeat(43)}`,
        `NPM_TOKEN=npm_${'0'.repeat(36)}`,
        `token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.${'x'.repeat(43)}"`,
      ].join('\n'),
    });
    const secrets = result.findings.filter((f) => f.kind === 'secret');
    expect(secrets.map((f) => `${f.file}:${f.line} ${f.rule} ${f.severity}`)).toEqual([
      'app/clients.py:1 secret-anthropic-key critical',
      'app/clients.py:2 secret-npm-token critical',
      'app/clients.py:3 secret-sendgrid-key high',
      'app/clients.py:4 secret-jwt medium',
    ]);
    expect(secrets.map((f) => f.message.split(' is written')[0])).toEqual(['An Anthropic API key', 'An npm access token', 'A SendGrid API key', 'A JSON Web Token']);
    const json = JSON.stringify(result);
    for (const v of [ANTHROPIC, NPM, SENDGRID, JWT]) expect(json).not.toContain(v.slice(-20));
  });

  it('finds Hugging Face, Shopify, DigitalOcean, Databricks, Postman and Linear tokens under neutral names, and not placeholders', async () => {
    // Shapes as each vendor documents them; the characters are random here (no real token).
    const tokens = {
      hf: 'hf_' + 'kQzWmRtYpLxNvBsDcFgHjKaEuIoPlMnBvC',
      shopify: 'shpat_' + '3f9a0c1e7b2d4c6a8e0f1a2b3c4d5e6f',
      digitalocean: 'dop_v1_' + '9c3e1a7f5b2d8e0c4a6f1b3d5e7a9c0b2d4f6a8c1e3b5d7f9a0c2e4b6d8f1a3c',
      databricks: 'dapi' + '8f2c4e6a0b1d3f5a7c9e1b3d5f7a9c0e',
      postman: 'PMAK-' + '65f1a2b3c4d5e6f7a8b9c0d1' + '-' + '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a',
      linear: 'lin_api_' + 'Zq7Xk2Pm9Rt4Wv6Ys1Bn3Cd5Fg8Hj0KlMnQpRsTu',
    };
    const result = await scanFiles({
      'deploy.yaml': Object.entries(tokens).map(([name, value]) => `${name}_value: ${value}`).join('\n'),
      'docs/setup.md': ['HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', `SHOPIFY=shpat_${'0'.repeat(32)}`, `DO=dop_v1_${'x'.repeat(64)}`].join('\n'),
    });
    const secrets = result.findings.filter((f) => f.kind === 'secret');
    expect(secrets.map((f) => `${f.file}:${f.line} ${f.rule} ${f.severity}`)).toEqual([
      'deploy.yaml:2 secret-shopify-token critical',
      'deploy.yaml:3 secret-digitalocean-token critical',
      'deploy.yaml:4 secret-databricks-token critical',
      'deploy.yaml:1 secret-huggingface-token high',
      'deploy.yaml:5 secret-postman-key high',
      'deploy.yaml:6 secret-linear-key high',
    ]);
    const json = JSON.stringify(result);
    for (const value of Object.values(tokens)) expect(json).not.toContain(value.slice(-16));
  });

  it('says "An AWS access key id", with the article its sound takes', async () => {
    const result = await scanFiles({ 'app/settings.py': `AWS_ACCESS_KEY_ID = "${AWS_ID}"\n` });
    expect(result.findings[0]!.message).toMatch(/^An AWS access key id is written in this file/);
  });
});

describe('the name a secret-assigned finding prints', () => {
  it('is the key when it plainly is one: at a boundary, before its separator', async () => {
    const result = await scanFiles({
      'app/settings.py': `DB_PASSWORD = "${RANDOM}"\nif "${HEX}" == api_token:\n    pass\n`,
      'config.json': `{"stripeApiKey": "${PASSWORD}"}\n`,
      'deploy/run.sh': `export SMTP_PASSWORD=${RANDOM}\ncurl --api-key '${PASSWORD}' https://api.internal\n`,
    });
    expect(result.findings.filter((f) => f.rule === 'secret-assigned').map((f) => f.secret!.kind).sort()).toEqual([
      'value of --api-key',
      'value of DB_PASSWORD',
      'value of SMTP_PASSWORD',
      'value of api_token',
      'value of stripeApiKey',
    ]);
  });

  it('is never a slice of a value that merely contains a secret word: a generic "a secret-named setting" then', async () => {
    // Each value holds `token=` / `secret:` / `pwd=` inside it; the first part of the value must not be printed.
    const SLICE = 'q5XJQEhFXGW3jDMLOrb9uP8umkMhynQZozXpK_zVatHUsIckhVMJViGO841viS3d';
    const result = await scanFiles({
      'a.env': `CALLBACK=${SLICE}token=${RANDOM}\n`,
      'b.yml': `blob: Sx3cb/gZmPAcwPi_secret: ${PASSWORD}\n`,
      'c.env': `NOTE=Kx8vQ2pL9wZ4tR7y3nB5mC1dF6gH0jA8sE2uI4oU_pwd=${RANDOM}\n`,
    });
    const secrets = result.findings.filter((f) => f.rule === 'secret-assigned');
    expect(secrets.map((f) => `${f.file}:${f.line} ${f.secret!.kind}`).sort()).toEqual([
      'a.env:1 value of a secret-named setting',
      'b.yml:1 value of a secret-named setting',
      'c.env:1 value of a secret-named setting',
    ]);
    expect(secrets.every((f) => f.message.startsWith('A secret-named setting is given a hard-coded value'))).toBe(true);
    const json = JSON.stringify(result);
    for (const fragment of [SLICE.slice(0, 12), 'Sx3cb', 'gZmPAcwPi', 'Kx8vQ2pL9w']) expect(json).not.toContain(fragment);
  });
});

describe('linear time on hostile input', () => {
  /** Best of five: CPU ms to scan `text` `times` times (timings are only compared with each other). */
  function time(text: string, times: number, path = 'x.py'): number {
    let best = Infinity;
    for (let round = 0; round < 5; round++) {
      best = Math.min(best, cpuMs(() => {
        for (let i = 0; i < times; i++) scanSecrets({ path, text, fingerprintKey: KEY, lines: new LineIndex(text) });
      }));
    }
    return best;
  }

  const hostile: Record<string, (n: number) => string> = {
    'repeated token prefixes': (n) => 'ghp_glpat-xoxb-AKIAsk_live_AIza'.repeat(Math.ceil(n / 31)).slice(0, n),
    'secret words without values': (n) => 'password_token_secret='.repeat(Math.ceil(n / 22)).slice(0, n),
    'unterminated URL credentials': (n) => 'a://b:c'.repeat(Math.ceil(n / 7)).slice(0, n),
    'one long line of base64': (n) => 'ghp_' + 'A'.repeat(n - 4),
    'private key headers without bodies': (n) => '-----BEGIN RSA PRIVATE KEY-----'.repeat(Math.ceil(n / 31)).slice(0, n),
    'quotes that never close': (n) => 'api_key = "'.repeat(Math.ceil(n / 11)).slice(0, n),
    'pass inside words and comparisons without literals': (n) => 'bypass passenger DB_PASS == password != b'.repeat(Math.ceil(n / 43)).slice(0, n),
    'objects after secret keys': (n) => '{"token":{"password":['.repeat(Math.ceil(n / 24)).slice(0, n),
    'name keys without values': (n) => ('- name: "TOKEN",' + ' '.repeat(150) + '\n  ').repeat(Math.ceil(n / 170)).slice(0, n),
    'reversed comparisons without literals': (n) => ('x" == password "y == token ' + "' != secret ").repeat(Math.ceil(n / 40)).slice(0, n),
    'a long string before each comparison': (n) => ('"' + 'Zx9q'.repeat(100) + '" == password\n').repeat(Math.ceil(n / 415)).slice(0, n),
    'JSON Web Token parts that never make three': (n) => ('-eyJ' + 'eyJa.'.repeat(2)).repeat(Math.ceil(n / 14)).slice(0, n),
    'one JSON Web Token header with no end': (n) => 'eyJ' + 'A-'.repeat(Math.ceil(n / 2)).slice(0, n - 3),
    'argument pairs and subscripts without literals': (n) => ('get("token", x) d["password"] ||= y define( \'secret\', ').repeat(Math.ceil(n / 60)).slice(0, n),
    'expansion defaults that never close': (n) => 'X: ${PASSWORD:-${token-'.repeat(Math.ceil(n / 23)).slice(0, n),
    'quoted expansion defaults nested past the limit': (n) => ('PASSWORD="${A:-"${B:-"${C:-"${D:-"${E:-"${F:-' + '"}'.repeat(3) + '\n').repeat(Math.ceil(n / 48)).slice(0, n),
    'getattr on calls whose brackets never match': (n) => ('getattr(' + 'f('.repeat(40) + ')'.repeat(60) + ', "password", "Zx9q")\n').repeat(Math.ceil(n / 250)).slice(0, n),
    'getattr on one endless call chain': (n) => 'x' + '.f()'.repeat(Math.ceil(n / 4)).slice(0, n - 30) + ', "password", "Zx9q")',
    'newer token prefixes, repeated': (n) => 'SG.pypi-AgEsk-ant-api03-npm_'.repeat(Math.ceil(n / 28)).slice(0, n),
    'vendor prefixes with runs that never end right': (n) => ('hf_shpat_dop_v1_dapi' + 'a'.repeat(40) + '-PMAK-' + 'b'.repeat(24) + '-lin_api_').repeat(Math.ceil(n / 100)).slice(0, n),
  };

  it('a generated .env with tens of thousands of findings: ten times the findings cost about ten times as much', () => {
    // Each finding is checked against the ones before it (a token inside an assignment is one
    // finding); that check must not look at all of them, or 40,000 findings cost 8·10⁸ comparisons.
    const env = (length: number) => 'pwd=Ab3xK9mQ2z\n'.repeat(length / 15);
    const scan = (text: string) => scanSecrets({ path: 'deploy/generated.env', text, fingerprintKey: KEY, lines: new LineIndex(text) });
    expect(scan(env(60_000))).toHaveLength(4_000);
    let growth = Infinity;
    for (const budgetMs of [0, 200]) {
      const small = bestCpuMs(() => scan(env(60_000)), budgetMs);
      const large = bestCpuMs(() => scan(env(600_000)), budgetMs);
      growth = Math.min(growth, large / Math.max(small, 1));
      if (growth < 30) break;
    }
    expect(growth).toBeLessThan(30);
  });

  for (const [name, make] of Object.entries(hostile)) {
    // Ten scans of 10k characters against one of 100k: the same work if linear, ten times more if quadratic.
    it(`${name}: one 100k-character input costs about as much as ten 10k ones`, () => {
      const small = make(10_000);
      const large = make(100_000);
      time(small, 10); // warm up
      // A 100k scan takes about a millisecond, near the clock's grain: ten of each side (a hundred
      // small scans against ten large ones) make the windows long enough to compare.
      const ratio = time(large, 10) / Math.max(time(small, 100), 0.5);
      expect(ratio).toBeLessThan(4);
    });
  }

  it('shell assignments by the thousand, then one endless word: one 100k-character script costs about as much as ten 10k ones', () => {
    // Thousands of short assignments, then a word that runs past the value limit.
    const make = (n: number) => (' TOKEN=' + 'Zx9q TOKEN='.repeat(n / 11) + 'Zx9q'.repeat(n)).slice(0, n);
    time(make(10_000), 10, 'x.sh');
    expect(time(make(100_000), 10, 'x.sh') / Math.max(time(make(10_000), 100, 'x.sh'), 0.5)).toBeLessThan(4);
  });

  it('command-line flags by the thousand, with values that never end or never close: one 100k-character script costs about as much as ten 10k ones', () => {
    const makers = [
      (n: number) => (' --password ' + '--token='.repeat(n / 8)).slice(0, n),
      (n: number) => (" -p'" + 'Zx9q -p"'.repeat(n / 8)).slice(0, n),
      (n: number) => (' --password "' + 'Zx9q'.repeat(n)).slice(0, n),
      (n: number) => (' --api-key ' + 'Zx9q'.repeat(n)).slice(0, n),
      (n: number) => (' --token=${A:-' + '--token="${B:-"${C:-'.repeat(n / 20)).slice(0, n),
    ];
    for (const make of makers) {
      time(make(10_000), 10, 'x.sh');
      expect(time(make(100_000), 10, 'x.sh') / Math.max(time(make(10_000), 100, 'x.sh'), 0.5)).toBeLessThan(4);
    }
  });
});
