/**
 * `/audit package` rates typosquats against the names the watched repositories use, read from the
 * watch state: the replica's SQLite file, or PostgreSQL (DATABASE_URL), where that file's repo_state
 * stays empty. A name one swap away from an internal package a watched repository uses is a suspect.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresWatchState } from '../../src/store/watch-state/postgres.js';
import type { WatchStateStore } from '../../src/store/watch-state/types.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { closeReplicaParts } from '../helpers/replicas.js';
import { blockText, CHANNEL, startWorld, USER, waitFor, type World } from './app-world.js';

let world: World | undefined;
let database: TestDatabase | undefined;
afterEach(async () => {
  await closeReplicaParts({ world, database });
  world = undefined;
  database = undefined;
});

const SQUAT = 'internal-paymnets-sdk';

/** Watches octo/payments (it uses internal-payments-sdk), sweeps it, then asks for the card of SQUAT. */
async function cardAfterSweep(state?: WatchStateStore): Promise<{ w: World; text: string }> {
  const w = (world = await startWorld({
    watch: state ? { state } : {},
    repos: [{ owner: 'octo', name: 'payments', files: { 'requirements.txt': 'internal-payments-sdk==1.4.0\n' } }],
    cards: { projects: [{ name: SQUAT, releases: [{ version: '1.4.0', uploadTime: '2026-11-01T00:00:00Z' }] }] },
  }));
  await w.watch!.state.addWatch({ repo: 'octo/payments', channel: CHANNEL, userId: USER, private: false, adminLinked: false, now: new Date() });
  await w.watch!.sweeps.runNow();
  await w.audit(`package ${SQUAT}`);
  // The placeholder the bot posted, edited into the card.
  const card = await waitFor(() => w.slack.callsTo('chat.update').find((c) => String(c.params.text).startsWith(`${SQUAT} `)), 'the card');
  await w.bot.service.idle();
  return { w, text: blockText(card.params.blocks) };
}

function expectSquatOfWatchedName(text: string): void {
  expect(text).toContain(':warning: *caution*');
  expect(text).toContain(`*${SQUAT}* exists, but its name looks like the more popular *internal-payments-sdk*`);
  expect(text).toContain('Name check: looks like internal-payments-sdk (swap, watched repositories)');
}

describe('/audit package and the watched repositories’ names', () => {
  it('flags a look-alike of a package a watched repository uses (watch state in SQLite)', async () => {
    const { text } = await cardAfterSweep();
    expectSquatOfWatchedName(text);
  });

  it('flags it as well when the watch state is in PostgreSQL (DATABASE_URL)', async () => {
    database = await createTestDatabase();
    const { w, text } = await cardAfterSweep(new PostgresWatchState(await database.open({ max: 4 })));
    expect(w.watch!.store.packageUsage()).toEqual([]); // the sweep wrote to PostgreSQL, not the replica's SQLite file
    expectSquatOfWatchedName(text);
  });
});
