/**
 * Credential formats with a recognisable shape, written for Depwatch from each vendor's own
 * description of its tokens (not copied from any other scanner's rule set):
 * - AWS: access key ids start with AKIA (long-term) or ASIA (temporary), 20 upper-case letters and
 *   digits (IAM user guide, "Understanding unique ID prefixes").
 * - GitHub: ghp_ / gho_ / ghu_ / ghs_ / ghr_ plus 36 base62 characters, and fine-grained
 *   github_pat_ tokens (GitHub blog, "Behind GitHub's new authentication token formats", 2021).
 * - GitLab: glpat-, gldt-, glrt-, glptt-, glft-, glsoat-, gloas-, glimt-, glagent-, glcbt-, glffct-
 *   prefixes (GitLab docs, "GitLab token overview": token prefixes).
 * - Slack: xoxb- (bot), xoxp- (user), xoxa-/xoxr- (rotating), xoxs-, xapp- (app-level) tokens and
 *   hooks.slack.com/services/T…/B…/… webhooks (Slack docs, "Token types", "Incoming webhooks").
 * - Stripe: sk_live_ / rk_live_ secret and restricted keys; sk_test_ keys reach test data only
 *   (Stripe docs, "API keys").
 * - Google: AIza + 35 characters API keys; GOCSPX- OAuth client secrets (Google Cloud docs).
 * - OpenAI: sk-proj-, sk-svcacct-, sk-admin- keys, and the older sk-…T3BlbkFJ… form
 *   (T3BlbkFJ is base64 for "OpenAI").
 * - PyPI: `pypi-` and a Macaroon serialised as base64url, at least 85 characters (PyPI docs,
 *   "Secret reporting API"); version-2 Macaroons start with the bytes 02 01, so every token starts
 *   `pypi-AgE` (Warehouse docs, "Token scanning"), and the location pypi.org (`AgEIcHlwaS5vcmc`) or
 *   test.pypi.org (`AgENdGVzdC5weXBpLm9y`) follows. The random part is the signature at the end.
 * - Anthropic: `sk-ant-` keys, `sk-ant-api03-…` and `sk-ant-admin01-…` (Anthropic console and API docs).
 * - npm: `npm_` and 36 base62 characters (npm docs, "About access tokens"; GitHub blog, 2021).
 * - SendGrid: `SG.`, a 22-character key id, `.`, a 43-character secret (Twilio SendGrid docs, "API keys").
 * - Azure: storage connection strings (`DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…`,
 *   Microsoft Learn, "Configure Azure Storage connection strings"; Cosmos DB's `AccountEndpoint=…;
 *   AccountKey=…` the same) hold a 512-bit account key as 88 base64 characters; Service Bus, Event
 *   Hubs and IoT Hub connection strings (`Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…`,
 *   Microsoft Learn, "Service Bus access control with Shared Access Signatures") a 256-bit key as 44.
 *   Azurite's published development key (Microsoft Learn, "Use the Azurite emulator": the well-known
 *   `devstoreaccount1` account) and the Cosmos DB emulator's (Microsoft Learn, "Develop locally using
 *   the Azure Cosmos DB emulator") are samples.
 * - Hugging Face: user access tokens start `hf_`, then 34 letters (Hugging Face docs, "User access tokens").
 * - Shopify: `shpat_` (Admin API access token), `shpca_` (custom app), `shppa_` (private app) and
 *   `shpss_` (shared secret), then 32 hexadecimal digits (Shopify docs, "About access tokens" / app credentials).
 * - DigitalOcean: `dop_v1_` (personal access token), `doo_v1_` (OAuth token) and `dor_v1_` (OAuth
 *   refresh token), then 64 hexadecimal digits (DigitalOcean, "Introducing token prefixes", 2021).
 * - Databricks: personal access tokens `dapi` and 32 hexadecimal digits, sometimes `-2` after
 *   (Databricks docs, "Authentication using Databricks personal access tokens").
 * - Postman: API keys `PMAK-`, 24 hexadecimal digits, `-`, 34 more (Postman docs, "Generating a Postman API key").
 * - Linear: personal API keys `lin_api_` and 40 letters and digits (Linear developers docs, "Personal API keys").
 * - JSON Web Tokens: three base64url parts joined by `.`, the first two JSON objects, so each starts
 *   `eyJ` (`{"`), per RFC 7519 / RFC 7515's compact serialisation.
 * - Private keys: PEM blocks per RFC 7468 (PRIVATE KEY, RSA/EC/DSA/OPENSSH/ENCRYPTED PRIVATE KEY,
 *   PGP PRIVATE KEY BLOCK); the SSH2 key files of ssh.com's SSH Tectia (a BEGIN SSH2 [ENCRYPTED]
 *   PRIVATE KEY line between four dashes each side, RFC 4716's framing with header lines such as `Comment:` before a base64
 *   body); PuTTY's .ppk files (PuTTY manual, appendix C "PPK file format": a
 *   `PuTTY-User-Key-File-<version>:` first line, then `Public-Lines:` and `Private-Lines: <n>`,
 *   each followed by that many lines of base64).
 *
 * Linear by construction: each pattern is a literal prefix followed by one greedy character class
 * with nothing after it that could make the engine back up, plus an O(1) look-behind. Lengths are
 * checked in code after the match, so a hostile run (`ghp_ghp_ghp_…`) is consumed in one match.
 */
import type { ScanSeverity } from '../types.js';
import { readsAsWords } from './reads-as-words.js';

export interface TokenFormat {
  /** Rule id: `secret-<format>`. */
  rule: string;
  /** What kind of credential, in words (shown instead of the value). */
  kind: string;
  /** Cheap substring test before the regex runs at all. */
  keywords: readonly string[];
  /** Global regex; group 1, when present, is the random part judged for placeholders. */
  pattern: RegExp;
  /** Accepted total lengths of the match. */
  minLength: number;
  maxLength: number;
  severity: ScanSeverity;
  fix: string;
  /**
   * The generated part of group 1, when the rest is structured (Slack's numeric team and user ids,
   * a webhook's T…/B… path): only it is judged for placeholders. Default: all of group 1.
   */
  randomPart?: (body: string) => string;
  /** A published sample of the format (documentation's own example token), never a credential. */
  isSample?: (match: string) => boolean;
  /**
   * Group 1 spelled as a name of words (reads-as-words.ts), for a format whose random part is
   * letters only: code naming something (`hf_TokenizerFastConfigurationHelpers`), not a token.
   */
  isName?: (body: string) => boolean;
  /** Extra check on the matched text (e.g. Stripe test keys are lower severity). */
  refine?: (match: string) => { severity?: ScanSeverity; kind?: string } | null;
}

const B = '(?<![A-Za-z0-9_])';

export const TOKEN_FORMATS: readonly TokenFormat[] = [
  {
    rule: 'secret-aws-access-key-id',
    kind: 'AWS access key id',
    keywords: ['AKIA', 'ASIA'],
    pattern: new RegExp(`${B}(?:AKIA|ASIA)([A-Z0-9]{16,})`, 'g'),
    minLength: 20,
    maxLength: 20,
    severity: 'critical',
    fix: 'Deactivate the key in IAM now, then load credentials from the environment or an instance/role profile (never from code).',
  },
  {
    rule: 'secret-github-token',
    kind: 'GitHub token',
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    pattern: new RegExp(`${B}gh[pousr]_([A-Za-z0-9]{36,})`, 'g'),
    minLength: 40,
    maxLength: 40,
    severity: 'critical',
    fix: 'Revoke the token on GitHub (Settings → Developer settings), then read it from the environment or a secret store.',
  },
  {
    rule: 'secret-github-token',
    kind: 'GitHub fine-grained token',
    keywords: ['github_pat_'],
    pattern: new RegExp(`${B}github_pat_([A-Za-z0-9_]{60,})`, 'g'),
    minLength: 71,
    maxLength: 255,
    severity: 'critical',
    fix: 'Revoke the token on GitHub (Settings → Developer settings), then read it from the environment or a secret store.',
  },
  {
    rule: 'secret-gitlab-token',
    kind: 'GitLab token',
    keywords: ['glpat-', 'gldt-', 'glrt-', 'glptt-', 'glft-', 'glsoat-', 'gloas-', 'glimt-', 'glagent-', 'glcbt-', 'glffct-'],
    pattern: new RegExp(`${B}gl(?:pat|dt|rt|ptt|ft|soat|oas|imt|agent|cbt|ffct)-([A-Za-z0-9_.-]{20,})`, 'g'),
    minLength: 25,
    maxLength: 200,
    severity: 'critical',
    fix: 'Revoke the token in GitLab, then read it from the environment or a CI/CD variable.',
  },
  {
    rule: 'secret-slack-token',
    kind: 'Slack token',
    keywords: ['xoxb-', 'xoxp-', 'xoxa-', 'xoxr-', 'xoxs-', 'xoxe', 'xapp-'],
    pattern: new RegExp(`${B}(?:xox[abprse](?:\\.xox[abprse])?|xapp)-([A-Za-z0-9-]{10,})`, 'g'),
    randomPart: (body) => body.slice(body.lastIndexOf('-') + 1),
    minLength: 20,
    maxLength: 300,
    severity: 'critical',
    fix: 'Rotate the token in the Slack app settings (or revoke it with auth.revoke), then read it from the environment.',
  },
  {
    rule: 'secret-slack-webhook',
    kind: 'Slack incoming webhook URL',
    keywords: ['hooks.slack.com/'],
    pattern: /hooks\.slack\.com\/(?:services|workflows|triggers)\/([A-Za-z0-9_/]{20,})/g,
    randomPart: (body) => body.slice(body.lastIndexOf('/') + 1),
    minLength: 45,
    maxLength: 200,
    severity: 'high',
    fix: 'Delete the webhook in the Slack app settings and create a new one; keep its URL in the environment.',
  },
  {
    rule: 'secret-stripe-key',
    kind: 'Stripe secret key',
    keywords: ['sk_live_', 'rk_live_', 'sk_test_', 'rk_test_'],
    pattern: new RegExp(`${B}[sr]k_(?:live|test)_([A-Za-z0-9]{20,})`, 'g'),
    minLength: 28,
    maxLength: 260,
    severity: 'critical',
    fix: 'Roll the key in the Stripe dashboard (Developers → API keys), then read it from the environment.',
    refine: (m) => (m.includes('_test_') ? { severity: 'medium', kind: 'Stripe test-mode secret key' } : null),
  },
  {
    rule: 'secret-google-api-key',
    kind: 'Google API key',
    keywords: ['AIza'],
    pattern: new RegExp(`${B}AIza([A-Za-z0-9_-]{35,})`, 'g'),
    minLength: 39,
    maxLength: 39,
    severity: 'high',
    fix: 'Delete or regenerate the key in Google Cloud (APIs & Services → Credentials), restrict the new one, and read it from the environment.',
  },
  {
    rule: 'secret-google-oauth-client-secret',
    kind: 'Google OAuth client secret',
    keywords: ['GOCSPX-'],
    pattern: new RegExp(`${B}GOCSPX-([A-Za-z0-9_-]{28,})`, 'g'),
    minLength: 35,
    maxLength: 35,
    severity: 'high',
    fix: 'Reset the client secret in Google Cloud (APIs & Services → Credentials) and read it from the environment.',
  },
  {
    rule: 'secret-openai-key',
    kind: 'OpenAI API key',
    keywords: ['sk-proj-', 'sk-svcacct-', 'sk-admin-', 'T3BlbkFJ'],
    pattern: new RegExp(`${B}sk-(?:proj|svcacct|admin)-([A-Za-z0-9_-]{40,})`, 'g'),
    minLength: 50,
    maxLength: 300,
    severity: 'critical',
    fix: 'Revoke the key on the OpenAI platform (API keys) and read the new one from the environment.',
  },
  {
    rule: 'secret-openai-key',
    kind: 'OpenAI API key',
    keywords: ['T3BlbkFJ'],
    pattern: new RegExp(`${B}sk-([A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20,})`, 'g'),
    minLength: 51,
    maxLength: 51,
    severity: 'critical',
    fix: 'Revoke the key on the OpenAI platform (API keys) and read the new one from the environment.',
  },
  {
    rule: 'secret-pypi-token',
    kind: 'PyPI API token',
    keywords: ['pypi-AgE'],
    pattern: new RegExp(`${B}pypi-(AgE[A-Za-z0-9_-]{82,})`, 'g'),
    minLength: 90,
    maxLength: 4000,
    severity: 'critical',
    fix: 'Remove the token on PyPI (Account settings → API tokens) now, then publish with a trusted publisher (OIDC from CI) or a token kept in a CI secret.',
    // The Macaroon's signature: its header and caveats are structured text, the signature is random.
    randomPart: (body) => body.slice(-43),
    refine: (m) => (m.startsWith('pypi-AgENdGVzdC5weXBpLm9y') ? { severity: 'medium', kind: 'TestPyPI API token' } : null),
  },
  {
    rule: 'secret-anthropic-key',
    kind: 'Anthropic API key',
    keywords: ['sk-ant-'],
    pattern: new RegExp(`${B}sk-ant-(?:api|admin)[0-9]{2}-([A-Za-z0-9_-]{80,})`, 'g'),
    minLength: 93,
    maxLength: 300,
    severity: 'critical',
    fix: 'Delete the key in the Anthropic console (API keys) and read the new one from the environment.',
  },
  {
    rule: 'secret-npm-token',
    kind: 'npm access token',
    keywords: ['npm_'],
    pattern: new RegExp(`${B}npm_([A-Za-z0-9]{36,})`, 'g'),
    minLength: 40,
    maxLength: 40,
    severity: 'critical',
    fix: 'Revoke the token on npmjs.com (Access Tokens) or with `npm token revoke`, and keep the new one in a CI secret.',
  },
  {
    rule: 'secret-sendgrid-key',
    kind: 'SendGrid API key',
    keywords: ['SG.'],
    // Fixed lengths, and neither class holds `.`: one way to match from each `SG.`, no backing up past a part.
    pattern: new RegExp(`${B}SG\\.([A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])`, 'g'),
    minLength: 69,
    maxLength: 69,
    severity: 'high',
    fix: 'Delete the key in SendGrid (Settings → API Keys), create one with only the scopes it needs, and read it from the environment.',
  },
  {
    rule: 'secret-azure-key',
    kind: 'Azure storage account key',
    keywords: ['AccountKey='],
    // The class holds no `=`: the padding after it is read once, with nothing to back up into.
    pattern: new RegExp(`${B}AccountKey=([A-Za-z0-9+/]{40,}={0,2})`, 'g'),
    minLength: 99,
    maxLength: 99,
    severity: 'critical',
    fix: 'Rotate the account key in the Azure portal (Storage account → Access keys), then use a managed identity, or read the connection string from the environment or Key Vault.',
    isSample: (match) => isPublishedAzureKey(match.slice('AccountKey='.length)),
  },
  {
    rule: 'secret-azure-key',
    kind: 'Azure shared access key',
    keywords: ['SharedAccessKey='],
    pattern: new RegExp(`${B}SharedAccessKey=([A-Za-z0-9+/]{40,}={0,2})`, 'g'),
    minLength: 60,
    maxLength: 60,
    severity: 'critical',
    fix: 'Regenerate the key of that shared access policy (Service Bus, Event Hubs or IoT Hub → Shared access policies), then use a managed identity, or read the connection string from the environment or Key Vault.',
  },
  {
    rule: 'secret-huggingface-token',
    kind: 'Hugging Face access token',
    keywords: ['hf_'],
    pattern: new RegExp(`${B}hf_([A-Za-z0-9]{30,})`, 'g'),
    minLength: 37,
    maxLength: 37,
    // 34 letters are also a CamelCase name's length: `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` is code.
    isName: readsAsWords,
    // A write token publishes models and datasets under the account (a poisoned model is a supply-chain attack).
    severity: 'high',
    fix: 'Invalidate the token in Hugging Face (Settings → Access Tokens), make a fine-grained one with only what it needs, and read it from the environment.',
  },
  {
    rule: 'secret-shopify-token',
    kind: 'Shopify access token',
    keywords: ['shpat_', 'shpca_', 'shppa_', 'shpss_'],
    pattern: new RegExp(`${B}shp(?:at|ca|pa|ss)_([a-fA-F0-9]{32,})`, 'g'),
    minLength: 38,
    maxLength: 38,
    severity: 'critical',
    fix: "Rotate the app's credentials in the Shopify admin (Apps → Develop apps → API credentials) and read them from the environment.",
  },
  {
    rule: 'secret-digitalocean-token',
    kind: 'DigitalOcean token',
    keywords: ['dop_v1_', 'doo_v1_', 'dor_v1_'],
    pattern: new RegExp(`${B}do[por]_v1_([a-f0-9]{64,})`, 'g'),
    minLength: 71,
    maxLength: 71,
    severity: 'critical',
    fix: 'Delete the token in the DigitalOcean control panel (API → Tokens), then read a new one from the environment.',
  },
  {
    rule: 'secret-databricks-token',
    kind: 'Databricks personal access token',
    keywords: ['dapi'],
    // The class holds no `-`: the optional `-N` after it is read once, nothing to back up into.
    pattern: new RegExp(`${B}dapi([a-f0-9]{32,}(?:-[0-9])?)(?![A-Za-z0-9_-])`, 'g'),
    minLength: 36,
    maxLength: 38,
    severity: 'critical',
    fix: 'Revoke the token in Databricks (User settings → Developer → Access tokens), then use OAuth or a token kept in a secret scope or CI secret.',
  },
  {
    rule: 'secret-postman-key',
    kind: 'Postman API key',
    keywords: ['PMAK-'],
    // Fixed lengths, and the class holds no `-`: one way to match from each `PMAK-`.
    pattern: new RegExp(`${B}PMAK-([a-fA-F0-9]{24}-[a-fA-F0-9]{34})(?![A-Za-z0-9_-])`, 'g'),
    minLength: 64,
    maxLength: 64,
    severity: 'high',
    fix: 'Delete the key in Postman (Settings → API keys) and read a new one from the environment.',
  },
  {
    rule: 'secret-linear-key',
    kind: 'Linear API key',
    keywords: ['lin_api_'],
    pattern: new RegExp(`${B}lin_api_([A-Za-z0-9]{40,})`, 'g'),
    minLength: 48,
    maxLength: 48,
    severity: 'high',
    fix: 'Revoke the key in Linear (Settings → Security & access → Personal API keys) and read a new one from the environment.',
  },
  {
    rule: 'secret-jwt',
    kind: 'JSON Web Token',
    keywords: ['eyJ'],
    // Starts only where a run of base64url characters starts (the look-behind excludes `-` too), and
    // no class holds `.`: each run is read by at most the three attempts whose parts it can be.
    pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{7,}\.eyJ[A-Za-z0-9_-]{7,}\.([A-Za-z0-9_-]{16,})/g,
    minLength: 40,
    maxLength: 8000,
    // Medium: a JWT expires, and those in tests and samples are signed with throwaway keys; a
    // long-lived one is still worth a look, so it is shown, without failing the default gate.
    severity: 'medium',
    fix: 'Treat the token as leaked: revoke it or rotate the key that signed it (a JWT stays valid until it expires), and load tokens at run time.',
    isSample: isJwtIoSample,
  },
];

/** Azurite's well-known development account key, the same in every install (Microsoft Learn, "Use the Azurite emulator"). */
const AZURITE_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/**
 * The Azure Cosmos DB emulator's well-known key, the same in every install (Microsoft Learn,
 * "Develop locally using the Azure Cosmos DB emulator": "Authenticate requests with the well-known
 * key"; it only opens the emulator on localhost:8081).
 */
const COSMOS_EMULATOR_KEY = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

/** Whether a value is an Azure emulator's published key: a sample however it is named (`"AccountKey": …`, `AZURE_STORAGE_KEY=…`). */
export function isPublishedAzureKey(value: string): boolean {
  return value === AZURITE_ACCOUNT_KEY || value === COSMOS_EMULATOR_KEY;
}

/**
 * jwt.io's example token (sub `1234567890`, name `John Doe`), copied into countless tests and
 * READMEs; its key is published with it. Decodes the payload (at most a few kilobytes: maxLength).
 */
function isJwtIoSample(token: string): boolean {
  const payload = token.split('.')[1] ?? '';
  const json = Buffer.from(payload, 'base64url').toString('utf8');
  return json.includes('"John Doe"') || json.includes('"sub":"1234567890"');
}

/** PEM private key headers (RFC 7468 labels). The body must follow, or it is only a mention of the format. */
export const PRIVATE_KEY_HEADER = /-----BEGIN (?:[A-Z0-9]+ )?PRIVATE KEY(?: BLOCK)?-----/g;
/** SSH2 private key headers (SSH Tectia's files, in RFC 4716's `---- BEGIN … ----` framing), encrypted or not. */
export const SSH2_PRIVATE_KEY_HEADER = /---- BEGIN SSH2 (?:ENCRYPTED )?PRIVATE KEY ----/g;
/** A PuTTY key file's first line (versions 1 to 3 so far); the private part is under `Private-Lines:`. */
export const PUTTY_KEY_HEADER = /PuTTY-User-Key-File-[0-9]+:/g;
export const PUTTY_PRIVATE_LINES = 'Private-Lines:';
