/**
 * Environment → typed configuration. Every name here is documented in README.md and .env.example.
 * Messages name the variable and never echo a secret's value.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { SETTING_NAMES } from './dotenv.js';
import { parseMaxDataAgeDays } from './advisories/max-data-age.js';
import { issuePhrase } from './settings-issue.js';
import { appKeyProblem, pemLinesReadAsNames } from './github/app-key.js';

export const DEFAULT_DB_PATH = './depwatch.db';

const url = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), { message: 'must be an http(s) URL' })
    .transform((v) => v.replace(/\/+$/, ''));

const optionalSecret = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/**
 * Digits only: Number() also reads 0x50 and 3e3, which nobody means as a port. 0 stays allowed: it
 * asks the system for any free port (the bot logs the one it got), which the speed benchmark's
 * `npm start` and tests that start the bot rely on, and which no one sets by mistake.
 */
const port = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const number = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
    if (!(number <= 65535)) {
      ctx.addIssue({ code: 'custom', message: 'must be a port number from 1 to 65535, in digits (0: any free port)' });
      return z.NEVER;
    }
    return number;
  });

/** Slack user ids: U…, or W… on Enterprise Grid. A name here would make nobody an admin, silently. */
const SLACK_USER_ID = /^[UW][A-Z0-9]+$/;

const slackUserIds = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const ids = (value ?? '').split(/[\s,]+/).filter(Boolean);
    const wrong = ids.filter((id) => !SLACK_USER_ID.test(id));
    if (wrong.length > 0) {
      const which = `${wrong.map((id) => `"${id}"`).join(', ')} ${wrong.length === 1 ? 'is not a Slack user id' : 'are not Slack user ids'}`;
      ctx.addIssue({ code: 'custom', message: `${which} (U… or W…: in Slack, a member's profile → ⋮ → Copy member ID)` });
    }
    return ids;
  });

/** GitHub's numeric ids, checked at start-up rather than at the first GitHub call. */
const numericId = (message: string) => optionalSecret.refine((value) => value === undefined || /^\d+$/.test(value), { message });

const EnvSchema = z.object({
  SLACK_BOT_TOKEN: optionalSecret,
  SLACK_APP_TOKEN: optionalSecret,
  SLACK_SIGNING_SECRET: optionalSecret,
  PORT: port.default(3000),
  SLACK_API_URL: url('https://slack.com/api'),
  GITHUB_TOKEN: optionalSecret,
  GITHUB_APP_ID: numericId("must be the App ID (digits only, from the App's settings page; not its client id)"),
  GITHUB_APP_PRIVATE_KEY: optionalSecret,
  GITHUB_APP_INSTALLATION_ID: numericId("must be the installation number (digits only, the end of the installation's settings URL)"),
  GITHUB_API_URL: url('https://api.github.com'),
  OSV_API_URL: url('https://api.osv.dev'),
  OSV_BULK_URL: url('https://osv-vulnerabilities.storage.googleapis.com'),
  PYPI_URL: url('https://pypi.org'),
  DEPWATCH_DB: z.string().trim().min(1).default(DEFAULT_DB_PATH),
  // Holds a password: checked below without echoing it.
  DATABASE_URL: optionalSecret,
  DEPWATCH_ADMINS: slackUserIds,
  // Off unless asked for: opening pull requests needs write permissions Depwatch otherwise never holds.
  DEPWATCH_FIX_PRS: z
    .enum(['0', '1', 'true', 'false', 'yes', 'no', 'on', 'off'], { message: 'must be 1 (on) or 0 (off)' })
    .optional()
    .transform((v) => v === '1' || v === 'true' || v === 'yes' || v === 'on'),
  // Off unless asked for, like fix pull requests: commenting needs Pull requests: write.
  DEPWATCH_PR_COMMENTS: z
    .enum(['0', '1', 'true', 'false', 'yes', 'no', 'on', 'off'], { message: 'must be 1 (on) or 0 (off)' })
    .optional()
    .transform((v) => v === '1' || v === 'true' || v === 'yes' || v === 'on'),
  // On unless turned off: scanning needs only the read access audits already have.
  DEPWATCH_CODE_SCAN: z
    .enum(['0', '1', 'true', 'false', 'yes', 'no', 'on', 'off'], { message: 'must be 1 (on) or 0 (off)' })
    .optional()
    .transform((v) => v === undefined || v === '1' || v === 'true' || v === 'yes' || v === 'on'),
  DEPWATCH_FINGERPRINT_KEY: optionalSecret.refine((v) => v === undefined || v.length >= 32, { message: 'use at least 32 random characters (e.g. openssl rand -hex 32)' }),
  // Read by the CLI's offline commands only (src/cli/offline-limit.ts); checked here as a bad setting is everywhere.
  DEPWATCH_MAX_DATA_AGE_DAYS: z
    .string()
    .optional()
    .refine((v) => v === undefined || parseMaxDataAgeDays(v) !== null, { message: 'must be a whole number of days (0 or more), e.g. 30' }),
  LOG_LEVEL: LogLevel.default('info'),
  TZ: z.string().trim().optional(),
  METRICS_TOKEN: optionalSecret,
});

export type Env = z.infer<typeof EnvSchema>;

/** The variables the schema reads: the same list as SETTING_NAMES (README, .env.example). */
export const CONFIG_VARIABLES = Object.keys(EnvSchema.shape);

export interface Config {
  slack: {
    botToken?: string;
    appToken?: string;
    signingSecret?: string;
    apiUrl: string;
    port: number;
  };
  github: {
    apiUrl: string;
    token?: string;
    app?: { appId: string; privateKey: string; installationId: string };
  };
  osv: { apiUrl: string; bulkUrl: string };
  pypi: { url: string };
  dbPath: string;
  /**
   * DATABASE_URL: all shared state (watches, schedules, findings, alerts, /audit replies, reviews,
   * incidents, the Slack outbox) in PostgreSQL, shared by replicas; `dbPath` then keeps caches;
   * absent: everything in the SQLite file `dbPath`, as always.
   */
  databaseUrl?: string;
  admins: string[];
  /** DEPWATCH_FIX_PRS: the "Open fix PR" button (needs Contents and Pull requests write on GitHub). */
  fixPullRequests: boolean;
  /** DEPWATCH_PR_COMMENTS: pull-request dependency reviews also kept as one comment on the pull request (needs Pull requests write). */
  pullRequestComments: boolean;
  /** DEPWATCH_CODE_SCAN: /audit and sweeps scan code and configuration too (default on). */
  codeScan: boolean;
  /**
   * Key for fingerprints of hardcoded secrets: DEPWATCH_FINGERPRINT_KEY, or one derived from the
   * Slack secret (stable for the installation, never stored). Fingerprints compare across scans.
   */
  fingerprintKey: string;
  logLevel: z.infer<typeof LogLevel>;
  timeZone: string;
  /** When set, GET /metrics asks for `Authorization: Bearer <token>`. */
  metricsToken?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

export { loadDotEnv } from './dotenv.js';

/**
 * The settings that are set: `NAME=` (an empty or blank value, as .env.example writes every one of
 * them) means the same as no NAME at all, so every default applies.
 */
function setValues(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of SETTING_NAMES) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') out[name] = value;
  }
  return out;
}

/**
 * The machine's IANA zone. Node names it "Etc/Unknown" when it cannot tell (an empty TZ, a container
 * without zone data); dates are then computed in UTC, so UTC is what schedules use too.
 */
export function machineTimeZone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone && isValidTimeZone(zone) ? zone : 'UTC';
}

/** What is wrong across settings, or in a setting's meaning beyond its form, from the values as set. */
function crossSettingProblems(values: Readonly<Record<string, string>>, env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const key = values.GITHUB_APP_PRIVATE_KEY?.trim();
  const keyProblem = key ? appKeyProblem(key, pemLinesReadAsNames(env)) : undefined;
  if (keyProblem) problems.push(`GITHUB_APP_PRIVATE_KEY: ${keyProblem}`);
  const appParts = ['GITHUB_APP_ID', 'GITHUB_APP_PRIVATE_KEY', 'GITHUB_APP_INSTALLATION_ID'].map((name) => values[name] !== undefined);
  if (appParts.some(Boolean) && !appParts.every(Boolean)) {
    problems.push(
      'GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and GITHUB_APP_INSTALLATION_ID: set all three to use a GitHub App (or use GITHUB_TOKEN)',
    );
  }
  const databaseUrl = values.DATABASE_URL?.trim();
  const databaseUrlWrong = databaseUrl ? databaseUrlProblem(databaseUrl) : null;
  if (databaseUrlWrong) problems.push(databaseUrlWrong);
  const tz = values.TZ?.trim();
  if (tz && !isValidTimeZone(tz)) problems.push('TZ: not an IANA time zone (for example Europe/Berlin)');
  return problems;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const values = setValues(env);
  const parsed = EnvSchema.safeParse(values);
  // Every problem in one pass: the checks across settings read the values as set, so a user who
  // fixes the lines of a first start does not meet new ones on the second.
  // zod issues carry the path (the variable's name) and a message; never the value itself.
  const problems = [...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${issuePhrase(i, values)}`)), ...crossSettingProblems(values, env)];
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  const e = parsed.data;
  // The machine's zone is asked for when first needed: loading ICU's zone data costs a CLI command
  // that never schedules anything (`depwatch db status`) more than the rest of its start-up.
  let machineZone: string | undefined;

  return {
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      appToken: e.SLACK_APP_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      apiUrl: e.SLACK_API_URL,
      port: e.PORT,
    },
    github: {
      apiUrl: e.GITHUB_API_URL,
      token: e.GITHUB_TOKEN,
      app:
        e.GITHUB_APP_ID && e.GITHUB_APP_PRIVATE_KEY && e.GITHUB_APP_INSTALLATION_ID
          ? {
              appId: e.GITHUB_APP_ID,
              // Private keys in .env files are usually written on one line with literal \n.
              privateKey: e.GITHUB_APP_PRIVATE_KEY.replace(/\\n/g, '\n'),
              installationId: e.GITHUB_APP_INSTALLATION_ID,
            }
          : undefined,
    },
    osv: { apiUrl: e.OSV_API_URL, bulkUrl: e.OSV_BULK_URL },
    pypi: { url: e.PYPI_URL },
    dbPath: e.DEPWATCH_DB,
    ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}),
    admins: e.DEPWATCH_ADMINS,
    fixPullRequests: e.DEPWATCH_FIX_PRS,
    codeScan: e.DEPWATCH_CODE_SCAN,
    pullRequestComments: e.DEPWATCH_PR_COMMENTS,
    fingerprintKey: e.DEPWATCH_FINGERPRINT_KEY ?? derivedFingerprintKey(e.SLACK_SIGNING_SECRET ?? e.SLACK_APP_TOKEN ?? e.SLACK_BOT_TOKEN ?? ''),
    logLevel: e.LOG_LEVEL,
    ...(e.METRICS_TOKEN ? { metricsToken: e.METRICS_TOKEN } : {}),
    get timeZone() {
      machineZone ??= e.TZ || machineTimeZone();
      return machineZone;
    },
  };
}

/**
 * A fingerprint key from a secret the installation already keeps in its environment: an HMAC of a
 * fixed label, so the key is stable across restarts yet reveals nothing about the secret it came
 * from, and nothing new has to be stored.
 */
function derivedFingerprintKey(secret: string): string {
  return createHmac('sha256', secret || 'depwatch').update('depwatch secret fingerprints v1').digest('hex');
}

/**
 * What the bot needs from Slack before it can start: a bot token, and either an app-level token
 * (Socket Mode) or a signing secret (HTTP). Returns one line per missing variable.
 */
export function missingSlackSettings(config: Config): string[] {
  const missing: string[] = [];
  if (!config.slack.botToken) missing.push('SLACK_BOT_TOKEN: the bot token (xoxb-…) from OAuth & Permissions');
  if (!config.slack.appToken && !config.slack.signingSecret) {
    missing.push(
      'SLACK_APP_TOKEN or SLACK_SIGNING_SECRET: an app-level token (xapp-…, Socket Mode) or the signing secret (HTTP mode)',
    );
  }
  return missing;
}

const POSTGRES_SCHEME = /^postgres(?:ql)?:\/\//i;

/** What is wrong with a DATABASE_URL, in one line that never holds its value; null when it reads as a postgres:// URL. */
export function databaseUrlProblem(databaseUrl: string): string | null {
  if (isReadablePostgresUrl(databaseUrl)) return null;
  return POSTGRES_SCHEME.test(databaseUrl)
    ? // Its scheme is right, so what broke it is in the rest: nearly always a password with a "#", "/" or "?" left as typed.
      'DATABASE_URL: not a URL that can be read: special characters in the user name or password must be percent-encoded (# as %23, / as %2F, ? as %3F, @ as %40, % as %25)'
    : 'DATABASE_URL: must be a postgres:// (or postgresql://) URL, for example postgres://depwatch:PASSWORD@db:5432/depwatch';
}

/**
 * A postgres:// URL that reads as written. One with a fragment is not: a "#" in a password ends
 * the password there, and `postgres://u:12#pw@db/x` would otherwise connect to host "u", port 12.
 */
function isReadablePostgresUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return /^postgres(?:ql)?:$/.test(url.protocol) && !value.includes('#');
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
