/**
 * Two replicas on one real PostgreSQL run a channel's alerts job at the same moment for an alert on
 * more repositories than its message lists: the complete list goes to the alert's thread once, and
 * the message is edited once to point at it. The list's post is written with the alert in the
 * shared outbox (one transaction), so neither replica can post it again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OsvApi } from '../../src/advisories/osv-api.js';
import type { OsvRecord } from '../../src/advisories/types.js';
import type { Db } from '../../src/store/db.js';
import { PostgresWatchState } from '../../src/store/watch-state/postgres.js';
import { ADVISORY_ALERT_LIST, ALERT_REPOS_LISTED } from '../../src/watch/messages.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { closeReplicaParts } from '../helpers/replicas.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { openTestDb, startWorld, tempDbPath, type World } from '../watch/helpers.js';

const URLLIB3 = fixtureRecord('PYSEC-2019-132');
const REQUESTS: OsvRecord = { ...fixtureRecord('PYSEC-2014-13'), modified: '2025-01-06T10:00:00Z' };
const CHANNEL = 'C0SECURITY1';
const alertsJob = { key: `alerts:${CHANNEL}`, channel: CHANNEL, kind: 'alerts' as const, cron: '0 * * * *', timeZone: 'UTC', since: new Date(0) };
const REPOS = Array.from({ length: ALERT_REPOS_LISTED + 3 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);

let world: World | undefined;
let database: TestDatabase | undefined;
const localDbs: Db[] = [];
afterEach(async () => {
  await closeReplicaParts({ bots: [], world, localDbs, database });
  world = undefined;
  database = undefined;
});

async function replica(w: World, db: TestDatabase) {
  const local = openTestDb(tempDbPath());
  localDbs.push(local);
  const state = new PostgresWatchState(await db.open({ max: 4 }));
  return w.service({ db: local, state, advisories: new OsvApi({ baseUrl: w.osv.url, db: local, retries: 1, backoffMs: 1 }) }).watch;
}

describe('two replicas on one PostgreSQL, an alert on more repositories than its message lists', () => {
  it('post its complete list in its thread once, and point at it with one edit', async () => {
    world = await startWorld({ records: [URLLIB3], start: '2025-01-06T09:30:00Z' });
    database = await createTestDatabase();
    for (const name of REPOS) world.github.addRepo({ owner: 'octo', name, files: { 'requirements.txt': 'requests==2.2.0\n' } });
    const [a, b] = [await replica(world, database), await replica(world, database)];
    for (const name of REPOS) await a.state.addWatch({ repo: `octo/${name}`, channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
    const bothAtOnce = () => Promise.all([a, b].map((r) => r.runJob(alertsJob, world!.clock.now())));
    await bothAtOnce();
    world.osv.addRecord(REQUESTS);
    world.clock.advance(3_600_000);
    await bothAtOnce();
    // Whichever replica wrote the edit may leave it to the other's next round: one more run each.
    world.clock.advance(60_000);
    await bothAtOnce();

    const [alert] = world.slack.messages(CHANNEL).filter((m) => !m.text.startsWith('Now watching'));
    const thread = world.slack.thread(CHANNEL, alert!.ts);
    expect(thread).toHaveLength(1);
    for (const name of REPOS) expect(JSON.stringify(thread[0]!.blocks)).toContain(`*octo/${name}*`);
    expect(JSON.stringify(world.slack.message(CHANNEL, alert!.ts)!.blocks)).toContain('…and 3 more repositories (the complete list is in this thread): ');
    const [record] = await b.state.alertsForChannel(CHANNEL);
    const rows = (await b.state.outbox.rows({ channel: CHANNEL })).filter((r) => r.messageKey === record!.clientKey);
    expect(rows.map((r) => [r.op, r.kind === ADVISORY_ALERT_LIST ? 'list' : 'alert', r.state])).toEqual([
      ['post', 'alert', 'posted'],
      ['reply', 'list', 'posted'],
      ['update', 'alert', 'posted'],
    ]);
    expect(world.slack.callsTo('chat.update')).toHaveLength(1);
    expect(world.slack.violations).toEqual([]);
  });
});
