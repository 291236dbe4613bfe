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
 * - Sentry: user auth tokens `sntryu_` and 64 lower-case hexadecimal digits; organization auth tokens
 *   `sntrys_`, a base64 JSON object of facts (so `eyJ`), `_`, and a random secret (Sentry docs,
 *   "Token and Credential Formats"; Sentry RFC 91, "Structured organization auth tokens").
 * - Mailgun: private API keys `key-` and 32 lower-case hexadecimal digits (Mailgun docs, "API keys").
 *   `key-` starts many names (`key-value`, `key-binding`), so only exactly 32 hexadecimal digits with
 *   nothing word-like either side count; an md5-named cache key (`cache-key-…`) follows a `-` and does not.
 *   The key in Mailgun's own samples (`key-3ax6…`, sending from samples.mailgun.org) is a sample.
 * - Docker Hub: personal access tokens `dckr_pat_`, organization access tokens `dckr_oat_` (Docker
 *   docs, "Personal access tokens", "Organization access tokens"), then base64url characters (27 today).
 * - Grafana: service account tokens `glsa_`, 32 letters and digits, `_`, an 8-digit hexadecimal
 *   CRC-32 checksum (Grafana docs, "Service account tokens"; Grafana's satokengen); Grafana Cloud
 *   access policy tokens `glc_` and a base64 JSON object (`eyJ`) (Grafana Cloud docs, "Access policies").
 * - HashiCorp Vault: service tokens `hvs.`, batch tokens `hvb.` (Vault docs, "Tokens": token prefixes,
 *   Vault 1.10); a service token's random part is 24 base62 characters, longer where it carries more
 *   (Vault Enterprise's server-side consistent tokens). The dev server's token in Vault's getting-started
 *   tutorial (`hvs.6j4cuewowBGit65rheNoceI7`) is a sample.
 * - Terraform Cloud / HCP Terraform: API tokens are a 14-character id, `.atlasv1.`, then a secret of
 *   base64url characters (HashiCorp docs, "API tokens"), 60 to 70 of them (gitleaks'
 *   hashicorp-tf-api-token; 67 in the tokens seen). The keyword is the middle; the id names the
 *   token, so redaction shows only `atlasv1.` (variableLead).
 * - New Relic: user API keys `NRAK-` and 27 upper-case letters and digits (New Relic docs, "API keys").
 * - Atlassian: API tokens `ATATT3`, base64url characters, `=` and an 8-digit upper-case hexadecimal
 *   checksum, 192 characters in all today (gitleaks' atlassian-api-token sample, and every token seen);
 *   Atlassian says the length varies on purpose (support, "Manage API tokens for your Atlassian
 *   account"), so 100 to 300 are accepted and the checksum is what is held to.
 * - Twilio: API key SIDs `SK` and 32 lower-case hexadecimal digits (Twilio docs, "API keys"; every
 *   Twilio SID is two upper-case letters and 32 hexadecimal digits). The SID names the key its secret
 *   unlocks, as an AWS key id does, and is reported the same way. `SKU…` and upper-case hexadecimal are not it.
 * - Doppler: `dp.ct.`, `dp.pt.`, `dp.sa.`, `dp.said.`, `dp.scim.`, `dp.audit.` and 40 to 44 letters and
 *   digits; service tokens `dp.st.`, optionally a config slug and `.`, then the same (Doppler docs,
 *   "Auth Token Formats").
 * - Pulumi: access tokens `pul-` and 40 lower-case hexadecimal digits (Pulumi docs, "Access tokens").
 * - Figma: personal access tokens `figd_` and 40 base64url characters (Figma developer docs, "Access
 *   tokens", give the prefix only; 40 in every token seen, as SonarQube's S6765 and Kingfisher hold them).
 * - Fly.io: tokens `fo1_` and 43 base64url characters, 32 random bytes (Fly.io docs, "Access tokens";
 *   `fly auth token`; gitleaks' flyio-access-token). Macaroon tokens, what `fly tokens create` gives
 *   today (`FlyV1 fm2_…`; superfly/macaroon, Fly.io's token library, and its Elixir port macfly):
 *   `fm2_` (permission), `fm1r_` (older permission) or `fm1a_` (discharge), then a MessagePack
 *   array of four (nonce, location, caveats, signature) in padded standard base64, so every one
 *   starts `lJ` (0x94) and is a multiple of 4 characters long; 100 or more after the prefix (gitleaks'
 *   flyio-access-token; a bare macaroon holds two 16-byte nonce parts and a 32-byte signature). A
 *   token may be several joined by commas (`fm2_…,fm2_…`, a permission and its discharge): one
 *   credential, one finding. The random part is the first one's signature, its last characters.
 * - Square: production access tokens `sq0atp-` and 22 base64url characters, application secrets
 *   `sq0csp-` and 43 (Square developer docs, "Access tokens and other credentials"). Newer access
 *   tokens start `EAAA` and are left out: Meta's (Facebook) tokens start `EAA` too, and `EAAA` starts
 *   runs of base64 wherever binary data holds 0x10 0x00 0x00, so the bare shape says too little.
 * - Alibaba Cloud: AccessKey ids `LTAI` and 12 to 20 letters and digits (Alibaba Cloud docs,
 *   "Create an AccessKey pair"); as with AWS, the id is reported and its secret is beside it.
 * - Heroku: API keys and OAuth tokens `HRKU-`, then `AA` and 58 base64url characters (Heroku changelog,
 *   2024: tokens carry the `HRKU-` prefix for secret scanning; the rest is gitleaks' heroku-api-key-v2,
 *   and every token seen); older keys are bare UUIDs, with no shape of their own.
 *
 * Where a vendor does not promise a length (all but Fly.io's, which its bytes fix), redaction masks
 * any length after the prefix (LOOSE_TOKENS in src/redact.ts): a token of next year's length is not
 * reported until its shape is learnt, but it is never shown.
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
 * Where something follows the class (SendGrid's second part, Atlassian's `=` and checksum), the class
 * cannot hold it, and a match starts only where a run of the class starts: backing up over a run
 * costs its length once, and no run is read from two starts.
 */
import type { ScanSeverity } from '../types.js';
import { readsAsWords } from './reads-as-words.js';

export interface TokenFormat {
  /** Rule id: `secret-<format>`. */
  rule: string;
  /** What kind of credential, in words (shown instead of the value). */
  kind: string;
  /**
   * Cheap substring test before the regex runs at all: text holding none of a format's keywords is
   * never matched against it. All keywords are searched in one pass (keyword-signs.ts), which stays
   * fast only while they start with at most 16 different characters (KEYWORD_FIRST_CHARACTERS_LIMIT):
   * a keyword may be any part of the token that is always there (`ey-` of Mailgun's `key-`), chosen
   * to start with a character another keyword starts with.
   */
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
  /** Whether group 1 is encoded as every token of the format is (Fly.io's padded base64: a multiple of 4 characters). */
  isEncoded?: (body: string) => boolean;
  /** Extra check on the matched text (e.g. Stripe test keys are lower severity). */
  refine?: (match: string) => { severity?: ScanSeverity; kind?: string } | null;
  /**
   * Characters at the start of a match that are not fixed text but name the token (Terraform's
   * 14-character id and its `.`): redaction shows only the fixed text after them, and masking stars
   * them with the random part. Default 0: the fixed text starts the match.
   */
  variableLead?: number;
}

const B = '(?<![A-Za-z0-9_])';

/** A Fly.io macaroon after its prefix: `lJ` (a MessagePack array of four) and 98 or more standard base64 characters, padded. */
const FLY_MACAROON = 'lJ[A-Za-z0-9+/]{98,}={0,2}';

/**
 * How many different first characters the keywords (with redaction's own `://` and `PRIVATE KEY-----`)
 * may have. V8 scans the one alternation of keyword-signs.ts by skipping ahead over characters no
 * keyword starts with, and stops doing so beyond 16 of them: a 17th costs redaction's keyword pass
 * (every log line and report piece) about 70% more (measured on Node 20: 8.9 → 15 ms of CPU over
 * 5.8 MB of report pieces), whatever the keyword. A test holds the keywords to it.
 */
export const KEYWORD_FIRST_CHARACTERS_LIMIT = 16;

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
    // `SPX-` (in every one): no other keyword starts with `G` (KEYWORD_FIRST_CHARACTERS_LIMIT).
    keywords: ['SPX-'],
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
    // `pm_` (in every one): no other keyword starts with `n` (KEYWORD_FIRST_CHARACTERS_LIMIT).
    keywords: ['pm_'],
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
    rule: 'secret-sentry-token',
    kind: 'Sentry user auth token',
    keywords: ['sntryu_'],
    pattern: new RegExp(`${B}sntryu_([a-f0-9]{64,})`, 'g'),
    minLength: 71,
    maxLength: 71,
    severity: 'high',
    fix: 'Revoke the token in Sentry (User settings → Personal Tokens), then read a new one from the environment or a CI secret.',
  },
  {
    rule: 'secret-sentry-token',
    kind: 'Sentry organization auth token',
    keywords: ['sntrys_'],
    // Base64 facts, `_`, base64 secret: one class holds all three, so one greedy run reads the token.
    pattern: new RegExp(`${B}sntrys_(eyJ[A-Za-z0-9+/=_]{60,})`, 'g'),
    minLength: 110,
    maxLength: 600,
    // The facts (issue time, URLs, organisation) are structured; the secret after the last `_` is random.
    randomPart: (body) => body.slice(body.lastIndexOf('_') + 1),
    severity: 'high',
    fix: 'Revoke the token in Sentry (Settings → Auth Tokens), then keep the new one in a CI secret.',
  },
  {
    rule: 'secret-mailgun-key',
    kind: 'Mailgun API key',
    // `ey-`, in every one: no other keyword starts with `k` (KEYWORD_FIRST_CHARACTERS_LIMIT).
    keywords: ['ey-'],
    // Bounded on both sides: `key-` after a word or a `-` (`cache-key-<md5>`) is a name, as is a longer run.
    pattern: /(?<![A-Za-z0-9_-])key-([a-f0-9]{32,})(?![A-Za-z0-9_-])/g,
    minLength: 36,
    maxLength: 36,
    severity: 'high',
    fix: 'Reset the key in Mailgun (Account settings → API security), then read the new one from the environment.',
  },
  {
    rule: 'secret-docker-hub-token',
    kind: 'Docker Hub access token',
    keywords: ['dckr_pat_', 'dckr_oat_'],
    pattern: new RegExp(`${B}dckr_[po]at_([A-Za-z0-9_-]{24,})`, 'g'),
    minLength: 33,
    maxLength: 80,
    // Push rights to the account's images: a poisoned image is a supply-chain attack.
    severity: 'critical',
    fix: 'Delete the token in Docker Hub (Account settings → Personal access tokens, or the organization\'s access tokens), then log in from CI with a token kept in a CI secret.',
  },
  {
    rule: 'secret-grafana-token',
    kind: 'Grafana service account token',
    keywords: ['glsa_'],
    pattern: new RegExp(`${B}glsa_([A-Za-z0-9_]{40,})`, 'g'),
    minLength: 46,
    maxLength: 46,
    // `<32 random>_<8-digit checksum>`: the checksum is as random as any hex, but not the secret.
    randomPart: (body) => body.slice(0, body.lastIndexOf('_') === -1 ? body.length : body.lastIndexOf('_')),
    severity: 'high',
    fix: 'Delete the token in Grafana (Administration → Users and access → Service accounts), then read a new one from the environment.',
  },
  {
    rule: 'secret-grafana-token',
    kind: 'Grafana Cloud access policy token',
    keywords: ['glc_'],
    pattern: new RegExp(`${B}glc_(eyJ[A-Za-z0-9+/=]{40,})`, 'g'),
    minLength: 60,
    maxLength: 600,
    severity: 'high',
    fix: 'Delete the token in Grafana Cloud (Administration → Cloud access policies), then read a new one from the environment.',
  },
  {
    rule: 'secret-vault-token',
    kind: 'HashiCorp Vault token',
    keywords: ['hvs.', 'hvb.'],
    pattern: new RegExp(`${B}hv[sb]\\.([A-Za-z0-9_-]{24,})`, 'g'),
    minLength: 28,
    maxLength: 1024,
    severity: 'critical',
    fix: 'Revoke the token (`vault token revoke`, or its accessor), then have the workload log in with an auth method (AppRole, Kubernetes, cloud IAM) instead of a token in code.',
    isSample: (match) => match === VAULT_TUTORIAL_DEV_TOKEN,
  },
  {
    rule: 'secret-terraform-cloud-token',
    kind: 'Terraform Cloud API token',
    // `lasv1.`, in every one: no other keyword starts with `.` (KEYWORD_FIRST_CHARACTERS_LIMIT).
    keywords: ['lasv1.'],
    // The 14-character id before the keyword is fixed-length; the look-behind lets a match start only
    // where a run of letters and digits starts, so each position is tried once.
    pattern: new RegExp(`${B}[A-Za-z0-9]{14}\\.atlasv1\\.([A-Za-z0-9_=-]{60,})`, 'g'),
    // 14 + `.atlasv1.` + 60 to 70.
    minLength: 83,
    maxLength: 93,
    variableLead: 15,
    severity: 'critical',
    fix: 'Delete the token in HCP Terraform (User settings → Tokens, or the team or organization token), then give CI a team token kept in a CI secret.',
  },
  {
    rule: 'secret-newrelic-key',
    kind: 'New Relic user API key',
    // `AK-`, in every one: no other keyword starts with `N` (KEYWORD_FIRST_CHARACTERS_LIMIT).
    keywords: ['AK-'],
    pattern: new RegExp(`${B}NRAK-([A-Z0-9]{27,})`, 'g'),
    minLength: 32,
    maxLength: 32,
    severity: 'high',
    fix: 'Delete the key in New Relic (API keys), then read a new one from the environment.',
  },
  {
    rule: 'secret-atlassian-token',
    kind: 'Atlassian API token',
    keywords: ['ATATT3'],
    // The body holds no `=`, so the run before the checksum is read once; a match starts only where a
    // run of base64url starts (`-` in the look-behind too), so no run is read from two places.
    pattern: /(?<![A-Za-z0-9_-])ATATT3([A-Za-z0-9_-]{85,}=[0-9A-F]{8})(?![A-Za-z0-9_=-])/g,
    minLength: 100,
    maxLength: 300,
    severity: 'critical',
    fix: 'Revoke the token in your Atlassian account (Security → API tokens), then read a new one from the environment.',
  },
  {
    rule: 'secret-twilio-key',
    kind: 'Twilio API key SID',
    keywords: ['SK'],
    // Upper-case `SK` and lower-case hexadecimal, exactly 32, nothing word-like either side: `SKU1234…`,
    // `SKF00A…` (upper-case hex) and longer runs are not it.
    pattern: new RegExp(`${B}SK([0-9a-f]{32,})(?![A-Za-z0-9_])`, 'g'),
    minLength: 34,
    maxLength: 34,
    severity: 'high',
    fix: 'Delete the API key in the Twilio console (Account → API keys & tokens), then read a new key and secret from the environment.',
  },
  {
    rule: 'secret-doppler-token',
    kind: 'Doppler token',
    keywords: ['dp.ct.', 'dp.pt.', 'dp.sa.', 'dp.said.', 'dp.scim.', 'dp.audit.'],
    pattern: new RegExp(`${B}dp\\.(?:ct|pt|sa|said|scim|audit)\\.([A-Za-z0-9]{40,})`, 'g'),
    // `dp.ct.` + 40 to `dp.audit.` + 44.
    minLength: 46,
    maxLength: 53,
    severity: 'critical',
    fix: 'Revoke the token in Doppler (Access → tokens, or the project\'s service tokens), then inject secrets with `doppler run` or a CI integration.',
  },
  {
    rule: 'secret-doppler-token',
    kind: 'Doppler service token',
    keywords: ['dp.st.'],
    // An optional config slug and `.` come before the random part: the class holds `.`, and the random part is after the last one.
    pattern: new RegExp(`${B}dp\\.st\\.([A-Za-z0-9_.-]{40,})`, 'g'),
    minLength: 46,
    maxLength: 86,
    randomPart: (body) => body.slice(body.lastIndexOf('.') + 1),
    severity: 'critical',
    fix: 'Revoke the service token in Doppler (the config\'s Access tab), then inject secrets with `doppler run` or a CI integration.',
  },
  {
    rule: 'secret-pulumi-token',
    kind: 'Pulumi access token',
    keywords: ['pul-'],
    pattern: /(?<![A-Za-z0-9_-])pul-([a-f0-9]{40,})(?![A-Za-z0-9_-])/g,
    minLength: 44,
    maxLength: 44,
    severity: 'critical',
    fix: 'Delete the token in Pulumi Cloud (Settings → Access tokens), then use OIDC from CI or a token kept in a CI secret.',
  },
  {
    rule: 'secret-figma-token',
    kind: 'Figma personal access token',
    // `gd_`, in every one: `f` is Fly.io's (KEYWORD_FIRST_CHARACTERS_LIMIT).
    keywords: ['gd_'],
    pattern: new RegExp(`${B}figd_([A-Za-z0-9_-]{40,})`, 'g'),
    minLength: 45,
    maxLength: 45,
    severity: 'high',
    fix: 'Revoke the token in Figma (Settings → Security → Personal access tokens), then read a new one from the environment.',
  },
  {
    rule: 'secret-flyio-token',
    kind: 'Fly.io access token',
    keywords: ['fo1_'],
    pattern: new RegExp(`${B}fo1_([A-Za-z0-9_-]{43,})`, 'g'),
    minLength: 47,
    maxLength: 47,
    severity: 'critical',
    fix: 'Revoke the token (`fly tokens revoke`, or the dashboard\'s Tokens page), then give CI a deploy token scoped to the app, kept in a CI secret.',
  },
  {
    rule: 'secret-flyio-token',
    kind: 'Fly.io macaroon token',
    keywords: ['fm2_', 'fm1a_', 'fm1r_'],
    // One macaroon, then any more joined by commas; nothing base64 or base64url right after. Each
    // macaroon's run is a class a comma and the next prefix end, so backing up costs it once.
    pattern: new RegExp(`${B}fm(?:2|1[ar])_(${FLY_MACAROON}(?:,fm(?:2|1[ar])_${FLY_MACAROON})*)(?![A-Za-z0-9+/=_-])`, 'g'),
    minLength: 104,
    // Many caveats make a long token, and a bundle holds several: far beyond any seen.
    maxLength: 16_384,
    severity: 'critical',
    fix: 'Revoke the token (`fly tokens revoke`, or the dashboard\'s Tokens page), then give CI a deploy token scoped to the app, kept in a CI secret.',
    // The first macaroon's signature, at its end: nonce, location and caveats are structured (runs of `A` where they hold zeros).
    randomPart: (body) => body.slice(0, body.indexOf(',') === -1 ? body.length : body.indexOf(',')).replace(/=+$/, '').slice(-40),
    isEncoded: (body) => body.split(',').every((member) => (member.length - (member.indexOf('_') + 1)) % 4 === 0),
  },
  {
    rule: 'secret-square-token',
    kind: 'Square access token',
    keywords: ['sq0atp-'],
    pattern: new RegExp(`${B}sq0atp-([A-Za-z0-9_-]{22,})`, 'g'),
    minLength: 29,
    maxLength: 29,
    severity: 'critical',
    fix: 'Revoke the token in the Square Developer Dashboard (the application\'s Credentials), then read a new one from the environment.',
  },
  {
    rule: 'secret-square-token',
    kind: 'Square application secret',
    keywords: ['sq0csp-'],
    pattern: new RegExp(`${B}sq0csp-([A-Za-z0-9_-]{43,})`, 'g'),
    minLength: 50,
    maxLength: 50,
    severity: 'critical',
    fix: 'Replace the application secret in the Square Developer Dashboard (the application\'s OAuth page), then read the new one from the environment.',
  },
  {
    rule: 'secret-alibaba-access-key-id',
    kind: 'Alibaba Cloud AccessKey id',
    // `TAI`, in every one: no other keyword starts with `L` (KEYWORD_FIRST_CHARACTERS_LIMIT).
    keywords: ['TAI'],
    pattern: new RegExp(`${B}LTAI([A-Za-z0-9]{12,})`, 'g'),
    minLength: 16,
    maxLength: 24,
    severity: 'critical',
    fix: 'Disable and delete the AccessKey pair in the Alibaba Cloud RAM console, then use a RAM role (STS) or read credentials from the environment.',
  },
  {
    rule: 'secret-heroku-key',
    kind: 'Heroku API key',
    keywords: ['HRKU-'],
    pattern: new RegExp(`${B}HRKU-(AA[A-Za-z0-9_-]{58,})`, 'g'),
    minLength: 65,
    maxLength: 65,
    severity: 'critical',
    fix: 'Revoke the key (`heroku authorizations:revoke`, or regenerate it under Account settings), then read a new one from the environment.',
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

/**
 * The root token of the dev server in Vault's getting-started tutorial (developer.hashicorp.com,
 * "Starting the server"), copied into countless READMEs; a dev server holds nothing and forgets it on exit.
 */
const VAULT_TUTORIAL_DEV_TOKEN = 'hvs.6j4cuewowBGit65rheNoceI7';

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
 * The API key in Mailgun's own documentation and client samples (sending from samples.mailgun.org),
 * copied into countless READMEs. Not hexadecimal, so no Mailgun format matches it; named
 * (`MAILGUN_API_KEY=…`, `curl --user 'api:…'`) it would still read as a credential.
 */
const MAILGUN_DOCUMENTATION_KEY = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0';

/**
 * Whether a value is a vendor's published sample (an emulator's fixed key, a tutorial's token, a
 * documentation key): never a credential, however it is named or passed.
 */
export function isPublishedSample(value: string): boolean {
  return isPublishedAzureKey(value) || value === VAULT_TUTORIAL_DEV_TOKEN || value === MAILGUN_DOCUMENTATION_KEY;
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
