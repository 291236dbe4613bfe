/**
 * Two replicas behind a load balancer on one real PostgreSQL, each with its own local SQLite file:
 * each runs the Slack app (createBot) with the incident state in PostgreSQL, as main.ts wires it
 * with DATABASE_URL. `/incident start` reaches replica A, a checklist button reaches replica B;
 * the reminder ticks of both replicas run at the same moment.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OsvApi } from '../../src/advisories/osv-api.js';
import { loadConfig } from '../../src/config.js';
import { runReminderTick } from '../../src/incidents/reminders.js';
import { createLogger } from '../../src/log.js';
import { watchedNamesEvery } from '../../src/packages/sources/known-names.js';
import { createBot, type Bot } from '../../src/slack/bot.js';
import type { Db } from '../../src/store/db.js';
import { PostgresIncidentStore } from '../../src/store/incident-state/postgres.js';
import { PostgresWatchState } from '../../src/store/watch-state/postgres.js';
import { FAKE_BOT_TOKEN, type StoredMessage } from '../fakes/slack-api.js';
import { closeReplicaParts } from '../helpers/replicas.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { blockAction, postToBolt, signedRequest, slashCommand, type SlackRequestBody } from '../helpers/slack-requests.js';
import { waitFor } from '../slack/app-world.js';
import { GITHUB_TOKEN, openTestDb, startWorld, tempDbPath, type World } from '../watch/helpers.js';

const CHANNEL = 'C0INCIDENT1';
const ALICE = 'U0ALICE0001';
const BOB = 'U0BOB000001';
const SIGNING_SECRET = 'replicas-signing-secret-0123456789abcdef';

let world: World | undefined;
let database: TestDatabase | undefined;
const localDbs: Db[] = [];
const bots: Bot[] = [];
afterEach(async () => {
  await closeReplicaParts({ bots, world, localDbs, database });
  world = undefined;
  database = undefined;
});

/** A replica as main.ts wires it with DATABASE_URL: its own pool, its own SQLite file, its own Slack app. */
async function replica(w: World, db: TestDatabase) {
  const local = openTestDb(tempDbPath());
  localDbs.push(local);
  const pool = await db.open({ max: 4 });
  const incidents = new PostgresIncidentStore(pool);
  const watch = w.service({ db: local, state: new PostgresWatchState(pool), advisories: new OsvApi({ baseUrl: w.osv.url, db: local, retries: 1, backoffMs: 1 }) }).watch;
  const config = loadConfig({ SLACK_BOT_TOKEN: FAKE_BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: w.slack.url, GITHUB_API_URL: w.github.url, GITHUB_TOKEN, OSV_API_URL: w.osv.url, DEPWATCH_DB: ':memory:', TZ: 'UTC', LOG_LEVEL: 'silent' });
  const osv = new OsvApi({ baseUrl: w.osv.url, db: local, retries: 1, backoffMs: 1 });
  const bot = createBot({ config, db: local, logger: createLogger('silent'), now: w.clock.now, services: { github: w.octokit, advisories: () => osv, registry: null, watchedNames: watchedNamesEvery(() => watch.state.packageUsage()) }, watch, incidents, clientOptions: { retryConfig: { retries: 0 } } });
  bots.push(bot);
  const { port } = await bot.start({ port: 0, host: '127.0.0.1' });
  return { incidents, watch, send: (body: SlackRequestBody) => postToBolt(`http://127.0.0.1:${port}/slack/events`, signedRequest(SIGNING_SECRET, body)) };
}

/** A button value on a message (the first element with `actionId` whose value starts with `prefix`). */
function valueOf(message: StoredMessage | undefined, actionId: string, prefix: string): string {
  const found = JSON.stringify(message?.blocks ?? []).match(new RegExp(`"action_id":"${actionId}","value":"(${prefix}[^"]*)"`));
  if (!found?.[1]) throw new Error(`no ${actionId} button for ${prefix}`);
  return found[1];
}

describe('incidents on two replicas sharing PostgreSQL', () => {
  it('starts an incident on one replica, takes a checklist click on the other, and redraws each message once', async () => {
    world = await startWorld({ records: [], start: '2025-01-06T09:30:00Z' });
    database = await createTestDatabase();
    const w = world;
    const [a, b] = [await replica(w, database), await replica(w, database)];

    // /incident start reaches replica A.
    const started = await a.send(slashCommand({ command: '/incident', text: 'start high Leaked deploy token in CI logs', user_id: ALICE, channel_id: CHANNEL, response_url: w.slack.responseUrl('start', { channel: CHANNEL, user: ALICE }) }));
    expect(started.status).toBe(200);
    const root = await waitFor(() => w.slack.messages(CHANNEL).find((m) => m.text.startsWith('🚨 Incident #1')), 'the root message');
    const checklist = await waitFor(() => w.slack.thread(CHANNEL, root.ts).filter((m) => m.text.startsWith('Checklist for')).at(-1), 'the checklist');
    const parts = w.slack.thread(CHANNEL, root.ts).filter((m) => m.text.startsWith('Checklist for'));
    expect(await b.incidents.listOpenIncidents({ channel: CHANNEL })).toEqual([expect.objectContaining({ id: 1, title: 'Leaked deploy token in CI logs', severity: 'high', rootTs: root.ts, createdBy: ALICE })]);

    // Bob's click on "Done" for step 1 reaches replica B, which never saw the incident start.
    const clicked = await b.send(blockAction({ actionId: 'incident_step_done', value: valueOf(parts[0] ?? checklist, 'incident_step_done', '1:1:'), channel: CHANNEL, user: BOB, message_ts: parts[0]?.ts ?? checklist.ts }));
    expect(clicked.status).toBe(200);
    const updatesOf = (ts: string) => w.slack.callsTo('chat.update').filter((c) => c.params.ts === ts);
    await waitFor(() => updatesOf(root.ts).length > 0 && updatesOf(parts[0]!.ts).length > 0 || undefined, 'the redraw of the root and the first checklist part');
    // Both replicas' delivery loops run again: nothing is edited twice.
    await Promise.all([a.watch.delivery.deliver(), b.watch.delivery.deliver(), a.watch.delivery.deliver()]);
    await Promise.all([a.watch.delivery.idle(), b.watch.delivery.idle()]);
    expect(updatesOf(root.ts)).toHaveLength(1);
    expect(updatesOf(parts[0]!.ts)).toHaveLength(1);
    expect(w.slack.callsTo('chat.update')).toHaveLength(2);
    expect(w.slack.messages(CHANNEL).find((m) => m.ts === root.ts)?.text).toMatch(/1 of \d+ steps$/);
    expect(JSON.stringify(w.slack.thread(CHANNEL, root.ts).find((m) => m.ts === parts[0]!.ts)?.blocks)).toContain('✅ ~1. ');

    // The state is in PostgreSQL, read alike through either replica.
    for (const r of [a, b]) expect(await r.incidents.getStep(1, 1)).toMatchObject({ status: 'done', changedBy: BOB, version: 1 });
    expect((await a.incidents.listTimeline(1)).map((e) => [e.type, e.actor])).toEqual([
      ['started', ALICE],
      ['step', BOB],
    ]);
    expect((await a.incidents.outbox.rows({ channel: CHANNEL })).map((r) => [r.op, r.state, r.messageTs])).toEqual([
      ['update', 'posted', root.ts],
      ['update', 'posted', parts[0]!.ts],
    ]);
    expect(w.slack.violations).toEqual([]);
  });

  it('posts each due reminder once when both replicas tick at the same moment', async () => {
    world = await startWorld({ records: [], start: '2025-01-06T09:30:00Z' });
    database = await createTestDatabase();
    const w = world;
    const [a, b] = [await replica(w, database), await replica(w, database)];
    await a.send(slashCommand({ command: '/incident', text: 'start critical Malicious package in the lockfile', user_id: ALICE, channel_id: CHANNEL, response_url: w.slack.responseUrl('start', { channel: CHANNEL, user: ALICE }) }));
    const root = await waitFor(() => w.slack.messages(CHANNEL).find((m) => m.text.startsWith('🚨 Incident #1')), 'the root message');
    await waitFor(() => w.slack.thread(CHANNEL, root.ts).some((m) => m.text.startsWith('Checklist for')) || undefined, 'the checklist');

    w.clock.advance(45 * 60_000);
    const due = await a.incidents.overdueSteps(w.clock.now().toISOString(), 60);
    expect(due.length).toBeGreaterThan(1);
    const posts = () => w.slack.callsTo('chat.postMessage').filter((c) => String(c.params.text).startsWith('Reminder:'));
    // The two ticks read the clock a second apart: only the claim in PostgreSQL keeps them from both reminding.
    const at = w.clock.now().getTime();
    const [ta, tb] = await Promise.all([
      runReminderTick({ incidents: a.incidents, delivery: a.watch.delivery, now: () => new Date(at) }),
      runReminderTick({ incidents: b.incidents, delivery: b.watch.delivery, now: () => new Date(at + 1_000) }),
    ]);
    // Replica B's reminders are queued at its clock, a second on: whichever replica won a step,
    // its reminder is due once the world's clock has caught up (it was a flaky race before).
    w.clock.advance(1_000);
    await Promise.all([a.watch.delivery.deliver(), b.watch.delivery.deliver()]);
    expect(ta.reminded + tb.reminded).toBe(due.length);
    expect(ta.direct + tb.direct).toBe(due.length);
    const inThread = w.slack.thread(CHANNEL, root.ts).filter((m) => m.text.startsWith('Reminder:'));
    expect(inThread.map((m) => m.text).sort()).toEqual(due.map((d) => expect.stringContaining(`“${d.step.title}”`)).sort());
    expect(new Set(inThread.map((m) => m.text)).size).toBe(due.length);
    // Each overdue step: one reply in the thread and one DM to its owner (the commander, Alice).
    expect(posts()).toHaveLength(2 * due.length);
    expect((await b.incidents.listTimeline(1)).filter((e) => e.type === 'reminder')).toHaveLength(due.length);

    // Ticking again on both within the interval reminds nobody.
    const again = await Promise.all([a, b].map((r) => runReminderTick({ incidents: r.incidents, delivery: r.watch.delivery, now: () => new Date(at + 60_000) })));
    expect(again).toEqual([
      { reminded: 0, direct: 0 },
      { reminded: 0, direct: 0 },
    ]);
    expect(posts()).toHaveLength(2 * due.length);
    expect(w.slack.violations).toEqual([]);
  });
});
