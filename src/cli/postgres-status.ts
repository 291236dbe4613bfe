/**
 * `depwatch db status` with DATABASE_URL: the PostgreSQL store's schema, the database's beside this
 * build's. Only reads (no migration, no table created): looking must change nothing a running bot
 * relies on. The URL is shown without user, password or parameters; an error never holds them.
 */
import pg from 'pg';
import { databaseUrlProblem } from '../config.js';
import { redactSecrets } from '../redact.js';
import { listMigrations } from '../store/db.js';
import { POSTGRES_MIGRATIONS_DIR, untrustedCertificateHint, withPgSslMode } from '../store/postgres.js';
import { CliError } from './io.js';

export interface PostgresStatus {
  /** postgres://host:port/database: what DATABASE_URL points at, without credentials. */
  url: string;
  /** The newest migration applied to the database (0: none yet); null when it was not reached. */
  schemaVersion: number | null;
  /** The newest migration this build ships. */
  buildSchemaVersion: number;
  state: 'current' | 'behind' | 'newer' | 'unreachable';
  /** Why it was not reached (one line), or null. */
  error: string | null;
}

const CONNECT_TIMEOUT_MS = 10_000;

/** DATABASE_URL as it may be shown: scheme, host, port and database only. */
export function shownDatabaseUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Without what DATABASE_URL holds that is secret, whatever the driver put in its message. */
function withoutCredentials(message: string, databaseUrl: string): string {
  const url = new URL(databaseUrl);
  let out = redactSecrets(message.split('\n')[0]!.slice(0, 300));
  for (const secret of [url.password, decodeURIComponent(url.password)]) if (secret) out = out.split(secret).join('[password]');
  return out;
}

export async function postgresStatus(databaseUrl: string): Promise<PostgresStatus> {
  const problem = databaseUrlProblem(databaseUrl);
  if (problem) throw new CliError(problem);
  const buildSchemaVersion = listMigrations(POSTGRES_MIGRATIONS_DIR).at(-1)?.version ?? 0;
  const url = shownDatabaseUrl(databaseUrl);
  const client = new pg.Client({ connectionString: withPgSslMode(databaseUrl), connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A connection dropped after the answer must not end the command with an unhandled error.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const table = (await client.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t")).rows[0]?.t ?? null;
    const schemaVersion = table === null ? 0 : Number((await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations')).rows[0]?.v ?? 0);
    const state = schemaVersion === buildSchemaVersion ? 'current' : schemaVersion > buildSchemaVersion ? 'newer' : 'behind';
    return { url, schemaVersion, buildSchemaVersion, state, error: null };
  } catch (err) {
    const message = err instanceof Error ? err.message || (err as { code?: string }).code || 'connection failed' : String(err);
    return { url, schemaVersion: null, buildSchemaVersion, state: 'unreachable', error: withoutCredentials(message, databaseUrl) + untrustedCertificateHint(err) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The status's line for `db status`'s text output. */
export function postgresStatusLine(s: PostgresStatus): string {
  const head = `PostgreSQL ${s.url}: `;
  switch (s.state) {
    case 'current':
      return `${head}schema version ${s.schemaVersion}, this build's`;
    case 'behind':
      return `${head}schema version ${s.schemaVersion}, this build needs ${s.buildSchemaVersion} (migrations not applied: the bot applies them when it starts)`;
    case 'newer':
      return `${head}schema version ${s.schemaVersion}, written by a newer version of Depwatch (this version knows ${s.buildSchemaVersion}); upgrade Depwatch`;
    case 'unreachable':
      return `${head}not reached`;
  }
}
