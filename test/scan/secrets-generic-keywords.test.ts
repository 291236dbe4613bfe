/**
 * gitleaks' generic-api-key keywords that name a secret by a generic word: `key`, `auth`, `creds`.
 * A random value given to such a name is a secret (`FERNET_KEY`, `HMAC_KEY`, `stripe_key`, TOML's
 * `[api] key`, YAML's `auth:` and `DB_CREDS:`), and Docker's config.json `auth` (base64 of
 * user:password) is a login; but the words are far more often dictionary keys, sort keys and auth
 * modes, which stay quiet.
 */
import { describe, expect, it } from 'vitest';
import { scanFiles } from './helpers.js';

// Built from parts so this test file does not itself look like it holds credentials.
const FERNET = 'G8NPRVdD53X83RZJ' + 'zzzzgEOzdmenCkhvMdgaKjIg8xN=';
const HMAC = 'be3nNyjOq9wMxEhh' + '2FDEEtfjgVvVqE1SkHbn88Hx';
const STRIPE = 'wR4y9ojfljoQoaF1' + 'LlqsajAIxNKu8iS2';
const OPENAI = 'Hq3vT9kLm2Xw8Rz5' + 'Pc7Nd1Fb6Jg4Ys0Ea';
const HEX = 'f3a9c2e7b1d84a6f' + '9e0c2b7a5d3f1e8c';
/** base64 of `deploy:Kp9wZx7Lm2Qv8Rt4`, as `docker login` writes it. */
const DOCKER_AUTH = Buffer.from('deploy:' + 'Kp9wZx7Lm2Qv8Rt4').toString('base64');

const secretLines = async (files: Record<string, string>) =>
  (await scanFiles(files)).findings
    .filter((f) => f.kind === 'secret')
    .map((f) => `${f.file}:${f.line} ${f.rule} ${f.severity} ${f.secret!.kind}`)
    .sort();

describe('generic key, auth and creds names', () => {
  it('reports random values under *_KEY, *Key, key, auth and *_CREDS in settings, .env-style config, YAML and TOML', async () => {
    const found = await secretLines({
      'app/settings.py': `FERNET_KEY = "${FERNET}"\nHMAC_KEY = "${HMAC}"\nopenai_key = "${OPENAI}"\nstripeKey = '${STRIPE}'\n`,
      'deploy/prod.conf': `STRIPE_KEY=${STRIPE}\nLICENSE_KEY=${HEX}\n`,
      'config.yaml': `fernet_key: ${FERNET}\nauth: ${OPENAI}\nDB_CREDS: "${HMAC}"\n`,
      'settings.toml': `[api]\nkey = "${STRIPE}"\n`,
      'deploy/task.json': `{"environment": ["FERNET_KEY=${FERNET}"]}\n`,
    });
    expect(found).toEqual([
      'app/settings.py:1 secret-assigned high value of FERNET_KEY',
      'app/settings.py:2 secret-assigned high value of HMAC_KEY',
      'app/settings.py:3 secret-assigned high value of openai_key',
      'app/settings.py:4 secret-assigned high value of stripeKey',
      'config.yaml:1 secret-assigned high value of fernet_key',
      'config.yaml:2 secret-assigned high value of auth',
      'config.yaml:3 secret-assigned high value of DB_CREDS',
      'deploy/prod.conf:1 secret-assigned high value of STRIPE_KEY',
      'deploy/prod.conf:2 secret-assigned high value of LICENSE_KEY',
      'deploy/task.json:1 secret-assigned high value of FERNET_KEY',
      'settings.toml:2 secret-assigned high value of key',
    ]);
  });

  it("reports a Docker config.json registry login (auths.*.auth, base64 of user:password) as a credential, whatever its password looks like", async () => {
    const weak = Buffer.from('ci:Welcome1!').toString('base64');
    const found = await secretLines({
      '.docker/config.json': `{"auths": {"registry.acme-corp.io": {"auth": "${DOCKER_AUTH}"}, "ghcr.io": {"auth": "${weak}"}}}`,
    });
    expect(found).toEqual(['.docker/config.json:1 secret-assigned high login (base64 user:password)', '.docker/config.json:1 secret-assigned high login (base64 user:password)']);
  });

  it('a login whose password is a placeholder, its own user or a stock one is none', async () => {
    const enc = (s: string) => Buffer.from(s).toString('base64');
    const found = await secretLines({
      'config.json': JSON.stringify({ auths: { a: { auth: enc('user:changeme') }, b: { auth: enc('admin:admin') }, c: { auth: enc('me:root') }, d: { auth: enc('deploy:${REGISTRY_PASSWORD}') } } }),
    });
    expect(found).toEqual([]);
  });

  it('stays quiet on look-alikes: words containing key or auth, sort and cache keys, dict keys, flags, public and site keys, i18n keys, auth modes', async () => {
    const found = await secretLines({
      'app/models.py': [
        `monkey = "${STRIPE}"`,
        `keyboard = "${STRIPE}"`,
        `author = "${HMAC}"`,
        `authority = "${HMAC}"`,
        `sort_key = "name"`,
        `cache_key = f"user:{user_id}:{STRIPE}"`,
        `key = "user_id"`,
        `key = "user_profile_image_v2"`,
        `id = models.AutoField(primary_key=True)`,
        `VAPID_PUBLIC_KEY = "${FERNET}"`,
        `RECAPTCHA_SITE_KEY = "${HMAC}"`,
        `idempotency_key = "${HEX}"`,
        `auth_method = "${OPENAI}"`,
        `key = "app.dashboard.headerTitle2"`,
        `key = "templates/email/Welcome2.html"`,
        `for key, value in items.items():`,
        `    auth = get_auth(request)`,
      ].join('\n'),
      'deploy/values.yaml': 'auth:\n  enabled: true\n  type: oauth2\nkey: tls.crt\nsecretKeyRef:\n  key: AWS_SECRET_KEY\ncreds: none\n',
      'README.md': '## Team\n* **A. Maintainer**\n  - Release GPG key: F3EF5F62A87FC27A22E643F714CE4FF5015AA242\n',
      'src/app.ts': `const sortKey = "createdAt";\nconst key = \`\${prefix}-\${id}\`;\n`,
    });
    expect(found).toEqual([]);
  });

  it('in tests and fixtures a generic key counts as any assigned value does there: only generated-looking, rated low', async () => {
    const found = await secretLines({ 'tests/test_crypto.py': `FERNET_KEY = "${FERNET}"\nSIGNING = {"key": "abc12345XYZ"}\n` });
    expect(found).toEqual(['tests/test_crypto.py:1 secret-assigned low value of FERNET_KEY']);
  });

  it('never puts a value, or a login\'s user or password, in any field of the result', async () => {
    const result = await scanFiles({ 'settings.py': `FERNET_KEY = "${FERNET}"\n`, 'config.json': `{"auths": {"r.io": {"auth": "${DOCKER_AUTH}"}}}` });
    const json = JSON.stringify(result);
    expect(result.findings.filter((f) => f.kind === 'secret')).toHaveLength(2);
    for (const v of [FERNET, DOCKER_AUTH, 'Kp9wZx7Lm2Qv8Rt4', 'deploy:']) expect(json).not.toContain(v);
  });
});
