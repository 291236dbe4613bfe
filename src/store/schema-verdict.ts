/**
 * What a store's schema version means for this build, in one set of words for the start-up refusal
 * and for /healthz: a database migrated past this build was written by a newer Depwatch (upgrade
 * this replica), one behind it has migrations not applied. Told apart because the fixes differ.
 */
export type StoreKind = 'SQLite' | 'PostgreSQL';

/** The database's schema is newer than this build knows: what the refusal at start says, and the health reason. */
export function newerSchemaText(kind: StoreKind, databaseVersion: number, buildVersion: number): string {
  const database = kind === 'PostgreSQL' ? 'the PostgreSQL database' : 'the database';
  return `${database} was written by a newer version of Depwatch (schema ${databaseVersion}, this version knows ${buildVersion}); upgrade Depwatch`;
}

/**
 * The schema against this build: `newer` (a newer Depwatch migrated it: this build's background work
 * must stop, src/ops/background-work.ts) or `behind` (migrations not applied), with the one line
 * /healthz answers with (after "store: ").
 */
export type SchemaVerdict = { state: 'current' } | { state: 'newer' | 'behind'; reason: string };

export function schemaVerdict(kind: StoreKind, databaseVersion: number, buildVersion: number): SchemaVerdict {
  if (databaseVersion === buildVersion) return { state: 'current' };
  if (databaseVersion > buildVersion) return { state: 'newer', reason: newerSchemaText(kind, databaseVersion, buildVersion) };
  const engine = kind === 'PostgreSQL' ? 'PostgreSQL schema' : 'schema';
  return { state: 'behind', reason: `${engine} version ${databaseVersion}, this build needs ${buildVersion} (migrations not applied)` };
}

/** Null when the schema is this build's; otherwise the one line /healthz answers with (after "store: "). */
export function schemaMismatchReason(kind: StoreKind, databaseVersion: number, buildVersion: number): string | null {
  const verdict = schemaVerdict(kind, databaseVersion, buildVersion);
  return verdict.state === 'current' ? null : verdict.reason;
}
