/**
 * Token formats of Sentry, Mailgun, Docker Hub, Grafana, HashiCorp Vault and Terraform Cloud, New
 * Relic, Atlassian, Twilio, Doppler, Pulumi, Figma, Fly.io, Square, Alibaba Cloud and Heroku, each
 * in the shape its vendor documents (src/scan/secrets/formats.ts): found where they are written,
 * redacted down to their prefix, and quiet for documentation placeholders and for look-alikes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REDACTION_SIGNS, maskSecrets, redactSecrets } from '../../src/redact.js';
import { KEYWORD_FIRST_CHARACTERS_LIMIT, TOKEN_FORMATS } from '../../src/scan/secrets/formats.js';
import { SECRET_RULES_BY_ID } from '../../src/scan/secrets/rules.js';
import { scanSecrets } from '../../src/scan/secrets/scan-secrets.js';
import { LineIndex } from '../../src/scan/text.js';
import { bestCpuMs, cpuMs } from '../helpers/cpu-time.js';
import { KEY, scanFiles } from './helpers.js';

/** The rules these formats report under. */
const VENDOR_RULES = [
  'secret-sentry-token',
  'secret-mailgun-key',
  'secret-docker-hub-token',
  'secret-grafana-token',
  'secret-vault-token',
  'secret-terraform-cloud-token',
  'secret-newrelic-key',
  'secret-atlassian-token',
  'secret-twilio-key',
  'secret-doppler-token',
  'secret-pulumi-token',
  'secret-figma-token',
  'secret-flyio-token',
  'secret-square-token',
  'secret-alibaba-access-key-id',
  'secret-heroku-key',
];

// Shapes as each vendor documents them, with random characters (no real token), built from parts
// so this file does not itself hold one whole.
const SENTRY_FACTS = 'eyJpYXQiOjE3NjQ1NDcyMDAuMSwidXJsIjoiaHR0cHM6Ly9zZW50cnkuaW8iLCJyZWdpb25fdXJsIjoiaHR0cHM6Ly91cy5zZW50cnkuaW8iLCJvcmciOiJhY21lIn0';
const T = {
  sentryUser: ['sntryu_', '3bf8173eaa901a3652f76b4d4b36abe826bf561e24a88e02f5d2f028f89c764f'],
  sentryOrg: ['sntrys_', `${SENTRY_FACTS}_okP9l3tTVAeRzAFYdvQmbYxNjR0MaJwBGgcGfX4FZLq`],
  mailgun: ['key-', '413ff06584049939400fcc0a82594b0d'],
  dockerHub: ['dckr_pat_', 'iUdFKrD4KJEtX78une6Mwy114DD'],
  grafana: ['glsa_', 'P4l2mJZm7uaTUCCTRXOIJ8uF8bMpHHJN_a91756ee'],
  grafanaCloud: ['glc_', 'eyJvIjoiMTIzNDU2NyIsIm4iOiJzdGFjay1kZXBsb3kiLCJrIjoiOGpWbUhFNm9aNVQ1WkJXTTFKWk5lb0NCIiwibSI6eyJyIjoicHJvZC11cy1lYXN0LTAifX0='],
  vault: ['hvs.', '8lKFVpIZmC45JXiJn1LKr6MC'],
  vaultBatch: ['hvb.', 'AAAAAQVvEM4kI8GUz7edSPJBaibGedBELiTT6dyI2Jv7IwBh7PIHKUcq6PUtcn90bIQ_bRGqTXssYR_LcTX76JKEdVGjKPVBjaEysQx2s528YN8j6rUn4zgi-VCTqtbPyDNX0tt1'],
  terraform: ['KQN5snoi84XaiU.atlasv1.', 'xxixxOafaHfVwnXkZBVlgOtc1fJdZZ_tWat11w_EjKFmStcXa4fzZwlyVnoJl0oElze'],
  newRelic: ['NRAK-', 'TJZV9IDAXKKXP1QFOKIZP4N9WB0'],
  atlassian: ['ATATT3', 'JMXJvJSZNlU5KX83DJ727iieBOpObswoGu9YTZaUKyXvPtNMxmd8W1ns1zOcvNQwRjoPvWeOQGhoGVegQE3JPABYZ_ayMWQ7Clir7NmL0Nu3dl15kNPdfzGDrWnMue3VyOq-c9530LlOLQCgzlX0yWYHJ4qZIxh8mggkOfTum0v_Ad4r1=3E8E2AAA'],
  twilio: ['SK', '60039cb1a5d54f83b9b9941fda4d0268'],
  dopplerPersonal: ['dp.pt.', 'VTQfKgJ38ytZm4IRoOtHgkH5PMKdA19eFx25PajDKdr'],
  dopplerService: ['dp.st.', 'prd.YN08z5oqYpK031FwgPeBRxjtb80TLsYOdR9Iftw5'],
  pulumi: ['pul-', '2fb00fd2548c095c10fe8dcb7021d155acf14e0a'],
  figma: ['figd_', '2pHRUiDCakgTNHX_KqViy_4VXlPr__ZpmK7ZLsV2'],
  fly: ['fo1_', 'lEbgmFm_d5Fazg1mawHqliJHDkpbyCS9R_En4z9qY6G'],
  squareToken: ['sq0atp-', 'Q9bBiHn1WWvt0d5Jh_33S7'],
  squareSecret: ['sq0csp-', 'luUG5jSWhvJPnXFaIWQUFurEcn2NE4H1TEIyJHOyj7j'],
  alibaba: ['LTAI', '5tnEBKYyiZme3uCy0R4m'],
  heroku: ['HRKU-', 'AArbesDEsVr6c1eDAfw219gsPqtqXcDMbEFEOhlvnh0xGu0dJ5rqB1Brymrv'],
} satisfies Record<string, [string, string]>;
const token = (name: keyof typeof T) => T[name].join('');

describe('vendor tokens where they are written', () => {
  it('finds each one, in .env files, YAML under neutral names, a Terraform credentials file and a shell script, with its severity', async () => {
    const result = await scanFiles({
      '.env.production': [
        `SENTRY_AUTH_TOKEN=${token('sentryOrg')}`,
        `MAILGUN_API_KEY=${token('mailgun')}`,
        `DOCKERHUB_TOKEN=${token('dockerHub')}`,
        `GRAFANA_SA_TOKEN=${token('grafana')}`,
        `VAULT_TOKEN=${token('vault')}`,
        `NEW_RELIC_API_KEY=${token('newRelic')}`,
        `TWILIO_API_KEY=${token('twilio')}`,
        `PULUMI_ACCESS_TOKEN=${token('pulumi')}`,
        `HEROKU_API_KEY=${token('heroku')}`,
      ].join('\n'),
      'deploy/values.yaml': [
        `sentry_user: ${token('sentryUser')}`,
        `grafana_cloud: ${token('grafanaCloud')}`,
        `vault_batch: "${token('vaultBatch')}"`,
        `design: ${token('figma')}`,
        `fly: ${token('fly')}`,
        `square_access: ${token('squareToken')}`,
        `square_app: ${token('squareSecret')}`,
        `aliyun_id: ${token('alibaba')}`,
        `jira: ${token('atlassian')}`,
      ].join('\n'),
      'ops/credentials.tfrc.json': JSON.stringify({ credentials: { 'app.terraform.io': { token: token('terraform') } } }, null, 2),
      'scripts/setup.sh': [`doppler configure set token ${token('dopplerPersonal')} --scope /`, `doppler run --token '${token('dopplerService')}' -- ./serve`].join('\n'),
    });
    const secrets = result.findings.filter((f) => f.kind === 'secret');
    expect(secrets.map((f) => `${f.file}:${f.line} ${f.rule} ${f.severity}`).sort()).toEqual(
      [
        '.env.production:1 secret-sentry-token high',
        '.env.production:2 secret-mailgun-key high',
        '.env.production:3 secret-docker-hub-token critical',
        '.env.production:4 secret-grafana-token high',
        '.env.production:5 secret-vault-token critical',
        '.env.production:6 secret-newrelic-key high',
        '.env.production:7 secret-twilio-key high',
        '.env.production:8 secret-pulumi-token critical',
        '.env.production:9 secret-heroku-key critical',
        'deploy/values.yaml:1 secret-sentry-token high',
        'deploy/values.yaml:2 secret-grafana-token high',
        'deploy/values.yaml:3 secret-vault-token critical',
        'deploy/values.yaml:4 secret-figma-token high',
        'deploy/values.yaml:5 secret-flyio-token critical',
        'deploy/values.yaml:6 secret-square-token critical',
        'deploy/values.yaml:7 secret-square-token critical',
        'deploy/values.yaml:8 secret-alibaba-access-key-id critical',
        'deploy/values.yaml:9 secret-atlassian-token critical',
        'ops/credentials.tfrc.json:4 secret-terraform-cloud-token critical',
        'scripts/setup.sh:1 secret-doppler-token critical',
        'scripts/setup.sh:2 secret-doppler-token critical',
      ].sort(),
    );
    // Each finding says where to revoke, and nothing of the value reaches the report.
    expect(secrets.every((f) => /revoke|delete|reset|replace|disable/i.test(f.fix ?? ''))).toBe(true);
    const json = JSON.stringify(result);
    for (const [, random] of Object.values(T)) expect(json).not.toContain(random.slice(-12));
  });

  it('names what it found: "A Mailgun API key", "A Twilio API key SID", "A Terraform Cloud API token"', async () => {
    const result = await scanFiles({ 'a.env': `A=${token('mailgun')}\nB=${token('twilio')}\nC=${token('terraform')}\n` });
    const secrets = result.findings.filter((f) => f.kind === 'secret').sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    expect(secrets.map((f) => f.message.split(' is written')[0])).toEqual(['A Mailgun API key', 'A Twilio API key SID', 'A Terraform Cloud API token']);
  });

  it('leaves a Square access token of the newer `EAAA` shape to the secret-named setting rule, which reports it by its name', async () => {
    // `EAAA` alone also starts Meta's tokens and runs of base64 (formats.ts); under a secret's name it is still reported.
    const eaaa = 'EAAA' + 'ECpfPv_NFZbT7IGmYO0ZR79CluDF2fjR1cyxrPKtkJ_7c7u6e3_VMa4y6Wt7';
    const result = await scanFiles({ 'a.env': `SQUARE_ACCESS_TOKEN=${eaaa}\n`, 'b.yaml': `image_chunk: ${eaaa}\n` });
    expect(result.findings.filter((f) => f.kind === 'secret').map((f) => `${f.file}:${f.line} ${f.rule}`)).toEqual(['a.env:1 secret-assigned']);
  });
});

describe('the rules these formats report under', () => {
  it('are registered secret rules, each format\'s severity the one its rule lists or a lower one', () => {
    const order = ['low', 'medium', 'high', 'critical'];
    for (const format of TOKEN_FORMATS) {
      const rule = SECRET_RULES_BY_ID.get(format.rule);
      expect(rule?.kind, format.rule).toBe('secret');
      expect(order.indexOf(format.severity), format.kind).toBeLessThanOrEqual(order.indexOf(rule!.severity));
    }
    expect(VENDOR_RULES.filter((id) => !TOKEN_FORMATS.some((f) => f.rule === id))).toEqual([]);
  });
});

describe('the one-pass keyword search', () => {
  it('stays on its fast path: the keywords, with redaction\'s own signs, start with at most 16 different characters', () => {
    // src/redact.ts searches for its own signs beside the formats' keywords (URLs, private keys, loose token prefixes).
    const firsts = new Set([...TOKEN_FORMATS.flatMap((f) => f.keywords), ...REDACTION_SIGNS].map((k) => k[0]));
    expect(REDACTION_SIGNS).toEqual(expect.arrayContaining(['://', 'PRIVATE KEY-----', 'ghp_', 'HRKU-', 'ATATT3', 'lasv1.']));
    expect(firsts.size).toBeLessThanOrEqual(KEYWORD_FIRST_CHARACTERS_LIMIT);
  });

  it('has each format\'s keywords in every token it matches', () => {
    for (const [name, [prefix, random]] of Object.entries(T)) {
      const value = prefix + random;
      const format = TOKEN_FORMATS.find((f) => new RegExp(`^(?:${f.pattern.source})$`).test(value));
      expect(format, name).toBeDefined();
      expect(format!.keywords.some((k) => value.includes(k)), name).toBe(true);
    }
  });
});

describe('redactSecrets on vendor tokens', () => {
  const prefixes: [keyof typeof T, string][] = [
    ['sentryUser', 'sntryu_'],
    ['sentryOrg', 'sntrys_'],
    ['mailgun', 'key-'],
    ['dockerHub', 'dckr_pat_'],
    ['grafana', 'glsa_'],
    ['grafanaCloud', 'glc_'],
    ['vault', 'hvs.'],
    ['vaultBatch', 'hvb.'],
    // The 14-character token id comes first and names the token: only the fixed `atlasv1.` after it is kept.
    ['terraform', 'atlasv1.'],
    ['newRelic', 'NRAK-'],
    ['atlassian', 'ATATT3'],
    ['twilio', 'SK'],
    ['dopplerPersonal', 'dp.pt.'],
    ['dopplerService', 'dp.st.'],
    ['pulumi', 'pul-'],
    ['figma', 'figd_'],
    ['fly', 'fo1_'],
    ['squareToken', 'sq0atp-'],
    ['squareSecret', 'sq0csp-'],
    ['alibaba', 'LTAI'],
    ['heroku', 'HRKU-'],
  ];

  it.each(prefixes)('masks a %s token in a message, keeping only %s', (name, kept) => {
    const line = `deploy failed: 401 for credential "${token(name)}" (check the CI secret)`;
    const redacted = redactSecrets(line);
    expect(redacted).toBe(`deploy failed: 401 for credential "${kept}…[redacted]" (check the CI secret)`);
    expect(redacted).not.toContain(T[name][1].slice(-8));
    expect(redactSecrets(redacted)).toBe(redacted);
  });
});

/** `n` characters of `alphabet`, scrambled by a fixed seed: constructed like a token, never a real one. */
function scrambled(alphabet: string, n: number, seed: number): string {
  let x = seed;
  let out = '';
  // The high bits of the generator: its low bits repeat within a few dozen steps.
  for (let i = 0; i < n; i++) out += alphabet[Math.floor(((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * alphabet.length)];
  return out;
}

describe('Atlassian, Heroku, Figma, Fly.io and Terraform Cloud tokens are held to the shape each has', () => {
  const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  const ALNUM = B64URL.slice(0, 62);
  const HEX = '0123456789ABCDEF';
  /** Atlassian's shape: `ATATT3`, base64url, `=` and an 8-digit upper-case hexadecimal checksum; `total` characters in all. */
  const atlassian = (total: number, seed: number) => `ATATT3${scrambled(B64URL, total - 15, seed)}=${scrambled(HEX, 8, seed + 1)}`;
  const heroku = (after: number, seed: number) => `HRKU-AA${scrambled(B64URL, after, seed)}`;
  const figma = (after: number, seed: number) => `figd_${scrambled(B64URL, after, seed)}`;
  const fly = (after: number, seed: number) => `fo1_${scrambled(B64URL, after, seed)}`;
  const terraform = (secret: number, seed: number) => `${scrambled(ALNUM, 14, seed)}.atlasv1.${scrambled(B64URL, secret, seed + 1)}`;

  /** The vendor-format findings of one YAML file of neutral names, `line rule` each. */
  async function found(values: string[]): Promise<string[]> {
    const result = await scanFiles({ 'deploy/values.yaml': values.map((v, i) => `v${i}: "${v}"`).join('\n') + '\n' });
    return result.findings
      .filter((f) => f.kind === 'secret')
      .sort((a, b) => a.line! - b.line!)
      .map((f) => `${f.line} ${f.rule}`);
  }

  it('finds tokens of the shape every one has: Atlassian at the lengths it varies between, Heroku 65, Figma 45, Fly.io 47, Terraform with 60 to 70 after `.atlasv1.`', async () => {
    expect(await found([atlassian(192, 1), atlassian(176, 2), atlassian(210, 3), heroku(58, 4), figma(40, 5), fly(43, 6), terraform(60, 7), terraform(70, 8)])).toEqual([
      '1 secret-atlassian-token',
      '2 secret-atlassian-token',
      '3 secret-atlassian-token',
      '4 secret-heroku-key',
      '5 secret-figma-token',
      '6 secret-flyio-token',
      '7 secret-terraform-cloud-token',
      '8 secret-terraform-cloud-token',
    ]);
  });

  it('leaves near misses quiet: a length, a checksum or an alphabet no such token has', async () => {
    const body = scrambled(B64URL, 186, 11);
    expect(
      await found([
        `ATATT3${body}`, // no `=` and checksum
        `ATATT3${body.slice(0, 177)}=${scrambled(HEX, 8, 12).toLowerCase()}`, // lower-case checksum
        `ATATT3${body.slice(0, 178)}=${scrambled(HEX, 7, 13)}`, // seven digits
        heroku(57, 14),
        heroku(59, 15),
        `HRKU-${scrambled(B64URL, 60, 16).replace(/^AA/, 'Zq')}`, // not `AA` after the prefix
        figma(39, 17),
        figma(41, 18),
        `figd_${scrambled(B64URL, 20, 19)}+${scrambled(B64URL, 19, 20)}`, // `+` is not base64url
        fly(42, 21),
        fly(44, 22),
        terraform(59, 23),
        terraform(71, 24),
      ]),
    ).toEqual([]);
  });

  it('redaction still masks each near miss after its prefix (a vendor may change its lengths), and a Terraform token’s id too', () => {
    const misses = [`ATATT3${scrambled(B64URL, 186, 31)}`, heroku(70, 32), figma(52, 33), fly(50, 34)];
    for (const miss of misses) {
      const redacted = redactSecrets(`token "${miss}" refused`);
      expect(redacted).toMatch(/^token "(?:ATATT3|HRKU-|figd_|fo1_)…\[redacted\]" refused$/);
      expect(redactSecrets(redacted)).toBe(redacted);
    }
    const id = scrambled(ALNUM, 14, 35);
    for (const secret of [67, 90]) {
      const value = `${id}.atlasv1.${scrambled(B64URL, secret, 36)}`;
      const redacted = redactSecrets(`TF token ${value} expired`);
      expect(redacted).toBe('TF token atlasv1.…[redacted] expired');
      expect(redactSecrets(redacted)).toBe(redacted);
    }
  });

  it('redacting and masking those loose shapes stays linear on hostile runs of them', () => {
    const runs: Record<string, (n: number) => string> = {
      'ids and `.atlasv1.` with no secret after': (n) => ('Ab3Cd5Ef7Gh9Jk'.repeat(3) + '.atlasv1.').repeat(Math.ceil(n / 51)).slice(0, n),
      'one long id before `.atlasv1.`': (n) => 'Ab3'.repeat(Math.ceil(n / 3)).slice(0, n - 30) + '.atlasv1.' + 'x'.repeat(21),
      'one long run of letters and digits, `.atlasv1.` elsewhere': (n) => 'Ab3'.repeat(Math.ceil(n / 3)).slice(0, n - 40) + ' ' + 'x'.repeat(10) + '.atlasv1.' + '-'.repeat(20),
      'prefixes run together': (n) => 'ATATT3=HRKU-figd_fo1_x.atlasv1.'.repeat(Math.ceil(n / 31)).slice(0, n),
    };
    for (const [name, make] of Object.entries(runs)) {
      for (const fn of [redactSecrets, maskSecrets]) {
        const small = make(10_000);
        const big = make(100_000);
        fn(big);
        const tenSmall = bestCpuMs(() => {
          for (let i = 0; i < 10; i++) fn(small);
        }, 200);
        const oneBig = bestCpuMs(() => fn(big), 200);
        expect(oneBig / Math.max(tenSmall, 1), `${fn.name}: ${name}`).toBeLessThan(4);
      }
    }
  });

  it('text kept for parsing later stars a Terraform token’s id with its secret, character for character, keeping `atlasv1.`', () => {
    const value = terraform(67, 41);
    const masked = maskSecrets(`token = "${value}"\n`);
    expect(masked).toBe(`token = "${'*'.repeat(15)}atlasv1.${'*'.repeat(67)}"\n`);
    expect(maskSecrets(masked)).toBe(masked);
  });
});

describe('Fly.io macaroon tokens (`FlyV1 fm2_…`, what `fly tokens create` gives)', () => {
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  /**
   * A macaroon's shape after its prefix: `lJPE` (a MessagePack array of four, its nonce first), the
   * zeros of a key id as `A`s, standard base64, and `==`; `length` characters in all.
   */
  const macaroon = (length: number, seed: number) => `lJPECAAAAAAAA${scrambled(B64, length - 15, seed)}==`;
  const permission = macaroon(240, 1);
  const discharge = macaroon(196, 2);
  const header = `FlyV1 fm2_${permission},fm2_${discharge}`;

  /** The secret findings of one file, `line rule kind` each. */
  async function found(file: string, lines: string[]): Promise<string[]> {
    const result = await scanFiles({ [file]: lines.join('\n') + '\n' });
    const secrets = result.findings.filter((f) => f.kind === 'secret');
    expect(JSON.stringify(result)).not.toContain(permission.slice(-20, -2));
    return secrets.sort((a, b) => a.line! - b.line!).map((f) => `${f.line} ${f.rule} ${f.message.split(' is written')[0]}`);
  }

  it('finds a token as flyctl prints it (one finding for the macaroons joined by commas), and fm1r_ and fm1a_ ones, under neutral names', async () => {
    expect(
      await found('deploy/values.yaml', [
        `deploy: "${header}"`,
        `older: fm1r_${macaroon(300, 3)}`,
        `discharge: 'fm1a_${macaroon(148, 4)}'`,
        `# FLY_API_TOKEN: FlyV1 fm2_${macaroon(400, 5)}`,
      ]),
    ).toEqual([
      '1 secret-flyio-token A Fly.io macaroon token',
      '2 secret-flyio-token A Fly.io macaroon token',
      '3 secret-flyio-token A Fly.io macaroon token',
      '4 secret-flyio-token A Fly.io macaroon token',
    ]);
    expect(await found('.github/workflows/deploy.yml', ['env:', `  FLY_API_TOKEN: ${header}`])).toEqual(['2 secret-flyio-token A Fly.io macaroon token']);
  });

  it('leaves near misses quiet: no `lJ`, too short, not padded to 4, base64url, inside a word, another prefix, a placeholder, an ellipsis', async () => {
    const body = macaroon(200, 6);
    expect(
      await found('deploy/values.yaml', [
        `a: fm2_${body.replace(/^lJ/, 'kJ')}`, // not a MessagePack array of four
        `b: fm2_${macaroon(96, 7)}`, // 96 characters
        `c: fm2_${body.slice(0, -3)}`, // 197: not padded base64
        `d: fm2_${body.slice(0, 100)}_${body.slice(100, 120)}`, // base64url runs on
        `e: fm2_${body.slice(0, 100)}-x`,
        `f: Nfm2_${body}`, // inside a word (an image URL's path)
        `g: fm3_${body}`,
        `h: fm2_lJ${'x'.repeat(198)}`,
        `i: fm2_lJPE${'A'.repeat(196)}`,
        'j: FlyV1 fm2_lJPE...,fm2_lJPE...',
        `k: fm2_lJPE${scrambled(B64, 150, 8)}...`,
      ]),
    ).toEqual([]);
  });

  it('redaction never shows any of it: a whole header, each macaroon, and near misses after their prefix', () => {
    const redacted = redactSecrets(`flyctl failed with token "${header}"`);
    expect(redacted).toBe('flyctl failed with token "FlyV1 fm2_…[redacted]"');
    expect(redactSecrets(redacted)).toBe(redacted);
    for (const miss of [`fm2_${macaroon(200, 9).slice(0, -3)}`, `fm1a_kJ${scrambled(B64, 30, 10)}`, `fm1r_${scrambled(B64, 20, 11)}+/`]) {
      const out = redactSecrets(`token ${miss} refused`);
      expect(out).toMatch(/^token fm(?:2|1a|1r)_…\[redacted\] refused$/);
    }
    const masked = maskSecrets(`FLY_API_TOKEN="${header}"\n`);
    expect(masked).toHaveLength(`FLY_API_TOKEN="${header}"\n`.length);
    expect(masked).not.toContain(permission.slice(-20, -2));
    expect(masked).not.toContain(discharge.slice(-20, -2));
    expect(masked.startsWith('FLY_API_TOKEN="FlyV1 fm2_***')).toBe(true);
  });

  it('stays linear on hostile runs: macaroons joined by commas that never end right, prefixes run together', () => {
    const runs: Record<string, (n: number) => string> = {
      'members ending in base64url': (n) => ('fm2_lJ' + 'aB3+'.repeat(30) + '=,').repeat(Math.ceil(n / 128)).slice(0, n - 1) + '-',
      'one long member ending in ===': (n) => 'fm2_lJ' + 'aB3/'.repeat(Math.ceil(n / 4)).slice(0, n - 9) + '===',
      'prefixes run together': (n) => 'fm2_lJfm1a_fm1r_lJ,'.repeat(Math.ceil(n / 19)).slice(0, n),
    };
    for (const [name, make] of Object.entries(runs)) {
      const small = make(10_000);
      const big = make(100_000);
      const scan = (text: string) => scanSecrets({ path: 'x.env', text, fingerprintKey: KEY, lines: new LineIndex(text) });
      scan(big);
      for (const fn of [scan, redactSecrets, maskSecrets]) {
        const tenSmall = bestCpuMs(() => {
          for (let i = 0; i < 10; i++) fn(small);
        }, 200);
        const oneBig = bestCpuMs(() => fn(big), 200);
        expect(oneBig / Math.max(tenSmall, 1), `${fn.name}: ${name}`).toBeLessThan(4);
      }
    }
  });
});

describe('documentation placeholders and look-alikes stay quiet', () => {
  it('leaves out the placeholders vendors and READMEs write in place of a token', async () => {
    const result = await scanFiles({
      'docs/setup.md': [
        `MAILGUN_API_KEY=key-${'x'.repeat(32)}`,
        `MAILGUN_API_KEY=key-${'0'.repeat(32)}`,
        'MAILGUN_API_KEY=key-3ax6xnjp29jd6fds4gc373sgvjxteol0',
        `SENTRY_AUTH_TOKEN=sntryu_${'0'.repeat(64)}`,
        `DOCKER_PAT=dckr_pat_${'x'.repeat(27)}`,
        'DOCKER_PAT=dckr_pat_124509ugsdjga93',
        `GRAFANA_TOKEN=glsa_${'x'.repeat(32)}_${'0'.repeat(8)}`,
        'export VAULT_TOKEN="hvs.6j4cuewowBGit65rheNoceI7"',
        `VAULT_TOKEN=hvs.${'X'.repeat(24)}`,
        `TFE_TOKEN=${'x'.repeat(14)}.atlasv1.${'x'.repeat(67)}`,
        `NEW_RELIC_API_KEY=NRAK-${'X'.repeat(27)}`,
        `TWILIO_API_KEY=SK${'0'.repeat(32)}`,
        `DOPPLER_TOKEN=dp.pt.${'x'.repeat(43)}`,
        `PULUMI_ACCESS_TOKEN=pul-${'0'.repeat(40)}`,
        `FIGMA_TOKEN=figd_${'x'.repeat(40)}`,
        `SQUARE=sq0atp-${'X'.repeat(22)}`,
        `ALIBABA_ID=LTAI${'x'.repeat(20)}`,
        `HEROKU_API_KEY=HRKU-${'x'.repeat(60)}`,
        `JIRA_TOKEN=ATATT3${'x'.repeat(186)}`,
        `FLY_API_TOKEN=fo1_${'x'.repeat(43)}`,
        // Mailgun's own samples send from samples.mailgun.org with this key.
        "curl -s --user 'api:key-3ax6xnjp29jd6fds4gc373sgvjxteol0' https://api.mailgun.net/v3/samples.mailgun.org/messages",
      ].join('\n'),
    });
    expect(result.findings.filter((f) => f.kind === 'secret').map((f) => `${f.line} ${f.rule}`)).toEqual([]);
  });

  it('does not read names, hashes and product codes as tokens: `key-value`, an md5 after `cache-key-`, a bare hash, `SKU…`', async () => {
    const md5 = 'd41d8cd98f00b204e9800998ecf8427e';
    const sha1 = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';
    const result = await scanFiles({
      'app/catalog.py': [
        'STORE = "key-value"',
        'BINDINGS = ["key-binding-ctrl-shift-alt-enter"]',
        `CACHE = "cache-key-${md5}"`,
        `NAME = "key-${md5}z"`,
        `LONGER = "key-${md5}0"`,
        `REVISION = "${md5}"`,
        `COMMIT = "SK${sha1}"`,
        'PRODUCT = "SKU12345678901234567890123456789012"',
        'PART = "SKU-2024-0001-BLACK-XL"',
        `UPPER = "SK${md5.toUpperCase()}"`,
        `TASK = "TASK${md5}"`,
        'STAR = "ALTAIR8800DELTAIDENTIFIER"',
        `PULL = "spul-${sha1}"`,
      ].join('\n'),
    });
    expect(result.findings.filter((f) => VENDOR_RULES.includes(f.rule)).map((f) => `${f.line} ${f.rule}`)).toEqual([]);
  });
});

describe("the new formats on this repository's own code and dependencies", () => {
  /** Every file under `root`, at most 5 MB each (the scanner's default limit), as [path, text]. */
  function* filesUnder(root: string): Generator<[string, string]> {
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      const path = join(root, entry.name);
      if (entry.isDirectory()) yield* filesUnder(path);
      else if (entry.isFile() && statSync(path).size <= 5 * 1024 * 1024) yield [path, readFileSync(path, 'utf8')];
    }
  }

  it('finds nothing in src/ or node_modules: none of them is shaped like a vendor token it is not', () => {
    const formats = TOKEN_FORMATS.filter((f) => VENDOR_RULES.includes(f.rule)).map((f) => ({ keywords: f.keywords, pattern: new RegExp(f.pattern.source, f.pattern.flags) }));
    expect(formats.length).toBeGreaterThanOrEqual(VENDOR_RULES.length);
    const found: string[] = [];
    let scanned = 0;
    for (const root of ['src', 'node_modules']) {
      for (const [path, text] of filesUnder(root)) {
        scanned++;
        // Only a file one of the new patterns matches can gain a finding from them: the scanner judges those.
        const matched = formats.some((f) => f.keywords.some((k) => text.includes(k)) && ((f.pattern.lastIndex = 0), f.pattern.test(text)));
        if (!matched) continue;
        const reports = scanSecrets({ path: relative('.', path), text, fingerprintKey: KEY, lines: new LineIndex(text) });
        for (const r of reports) if (VENDOR_RULES.includes(r.rule)) found.push(`${path}:${r.line} ${r.rule}`);
      }
    }
    expect(scanned).toBeGreaterThan(1000);
    expect(found).toEqual([]);
  }, 120_000);
});

describe('linear time on hostile input', () => {
  function time(text: string, times: number): number {
    let best = Infinity;
    for (let round = 0; round < 5; round++) {
      best = Math.min(best, cpuMs(() => {
        for (let i = 0; i < times; i++) scanSecrets({ path: 'x.env', text, fingerprintKey: KEY, lines: new LineIndex(text) });
      }));
    }
    return best;
  }

  const hostile: Record<string, (n: number) => string> = {
    'vendor prefixes, repeated': (n) => 'sntrys_eyJdckr_pat_glsa_hvs.NRAK-ATATT3SKdp.st.pul-key-figd_fo1_sq0atp-LTAIHRKU-glc_eyJ'.repeat(Math.ceil(n / 84)).slice(0, n),
    'token ids before `.atlasv1.`, with no secret after': (n) => ('Ab3Cd5Ef7Gh9Jk' + '.atlasv1.').repeat(Math.ceil(n / 23)).slice(0, n),
    'one run of letters and digits, then `.atlasv1.`': (n) => 'Ab3'.repeat(Math.ceil(n / 3)).slice(0, n - 40) + '.atlasv1.' + 'x'.repeat(31),
    'hexadecimal runs after `key-` and `SK` that never end right': (n) => ('key-' + 'ab12'.repeat(10) + ' SK' + 'cd34'.repeat(10) + ' ').repeat(Math.ceil(n / 88)).slice(0, n),
    'Doppler service slugs that never end': (n) => 'dp.st.' + 'ab.'.repeat(Math.ceil(n / 3)).slice(0, n - 6),
    'Atlassian bodies that end in no checksum, one after another': (n) => ('=ATATT3' + 'aB3-'.repeat(30) + '=ABCDEF1').repeat(Math.ceil(n / 135)).slice(0, n),
    'one Atlassian body of tokens run together, `-` between them': (n) => 'ATATT3' + '-ATATT3aB3'.repeat(Math.ceil(n / 10)).slice(0, n - 6),
  };

  for (const [name, make] of Object.entries(hostile)) {
    it(`${name}: one 100k-character input costs about as much as ten 10k ones`, () => {
      const small = make(10_000);
      const large = make(100_000);
      time(small, 10);
      expect(time(large, 10) / Math.max(time(small, 100), 0.5)).toBeLessThan(4);
    });
  }
});
