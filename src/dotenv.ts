import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/**
 * Every setting Depwatch reads from the environment: README "Configuration", .env.example and the
 * schema in config.ts list the same names (a test keeps them together).
 */
export const SETTING_NAMES = [
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'PORT',
  'SLACK_API_URL',
  'GITHUB_TOKEN',
  'GITHUB_APP_ID',
  'GITHUB_APP_PRIVATE_KEY',
  'GITHUB_APP_INSTALLATION_ID',
  'GITHUB_API_URL',
  'OSV_API_URL',
  'OSV_BULK_URL',
  'PYPI_URL',
  'DEPWATCH_DB',
  'DATABASE_URL',
  'DEPWATCH_ADMINS',
  'DEPWATCH_FIX_PRS',
  'DEPWATCH_PR_COMMENTS',
  'DEPWATCH_CODE_SCAN',
  'DEPWATCH_FINGERPRINT_KEY',
  'DEPWATCH_MAX_DATA_AGE_DAYS',
  'LOG_LEVEL',
  'TZ',
  'METRICS_TOKEN',
] as const;

/**
 * Loads `.env` (when present) into process.env without overriding what is already set, through
 * Node's own loader, then treats every setting written as `NAME=` (how .env.example lists them) as
 * not set. Apart from config.ts so the CLI can call it without loading zod at start-up.
 */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
  unsetEmptySettings(process.env);
}

/** A file named as a dotenv file that is not one: its bytes are not text. The message says why. */
export class DotenvNotTextError extends Error {
  override name = 'DotenvNotTextError';
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The file's text. Node's parser takes any bytes and finds no setting in a binary file (a wrong
 * path, an image, a compiled file), so the command would run silently without the settings meant:
 * a file with NUL bytes or that is not UTF-8 is refused instead.
 */
function dotenvText(bytes: Buffer): string {
  if (bytes.includes(0)) throw new DotenvNotTextError('not a text file (it holds NUL bytes); give a file of NAME=value lines');
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new DotenvNotTextError('not a text file (it is not UTF-8); give a file of NAME=value lines');
  }
}

/**
 * The CLI's `--dotenv PATH`: the settings of a file someone named, added to `env` without
 * overriding what is already set (as `.env` for the bot), then empty
 * settings unset. The CLI never reads `.env` by itself: the current folder is often the checkout
 * it audits, and that repository must not configure its own gate. Throws (ENOENT…) when the file
 * cannot be read, DotenvNotTextError when its bytes are not text.
 */
export function loadEnvFileInto(env: NodeJS.ProcessEnv, path: string): void {
  const settings = parseEnv(dotenvText(readFileSync(path)));
  for (const [name, value] of Object.entries(settings)) if (env[name] === undefined && value !== undefined) env[name] = value;
  unsetEmptySettings(env);
}

/**
 * Removes settings whose value is empty or blank. For TZ this matters beyond our own configuration:
 * Node reads an empty TZ as a zone named "Etc/Unknown" for every date it formats, while an unset TZ
 * means the machine's zone; deleting the variable makes Node return to the machine's zone at once.
 */
export function unsetEmptySettings(env: NodeJS.ProcessEnv): void {
  for (const name of SETTING_NAMES) {
    const value = env[name];
    if (value !== undefined && value.trim() === '') delete env[name];
  }
}
