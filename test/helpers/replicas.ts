/**
 * Tear-down for tests that run several replicas on one PostgreSQL: each replica's Slack app stops
 * first (it may still be answering), then the world's fakes close, then each replica's local SQLite
 * file, and the test database is dropped last, once no pool can be using it.
 */
import type { Bot } from '../../src/slack/bot.js';
import type { Db } from '../../src/store/db.js';
import type { TestDatabase } from './postgres.js';

export interface ReplicaTestParts {
  bots?: Bot[];
  /** The fakes (and, for the Slack app's world, its replicas' apps). */
  world?: { close(): Promise<void> } | undefined;
  localDbs?: Db[];
  database?: TestDatabase | undefined;
}

export async function closeReplicaParts(parts: ReplicaTestParts): Promise<void> {
  for (const bot of parts.bots?.splice(0) ?? []) await bot.stop(1_000);
  await parts.world?.close();
  for (const db of parts.localDbs?.splice(0) ?? []) if (db.open) db.close();
  await parts.database?.drop();
}
