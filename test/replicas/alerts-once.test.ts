/**
 * Two replicas on one real PostgreSQL: each is the real watch service (createWatchService) with a
 * local SQLite file of its own for caches and the watch state in PostgreSQL, over loopback fakes
 * of GitHub, OSV and Slack. A new advisory appears; both replicas sweep and run every channel's
 * alerts job at the same moment; each channel gets the alert exactly once, and its fix is one edit.
 * With the Slack app (createBot) on each replica, an alert's Ignore… button works whichever
 * replica Slack sends the click and the modal's submission to.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OsvApi } from '../../src/advisories/osv-api.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { ALERT_ACTIONS } from '../../src/slack/blocks/alert.js';
import { IGNORE_BLOCKS } from '../../src/slack/blocks/ignore-modal.js';
import { watchedNamesEvery } from '../../src/packages/sources/known-names.js';
import { createBot, type Bot } from '../../src/slack/bot.js';
import { ALERT_IGNORE_CALLBACK } from '../../src/slack/listeners/actions/alert-ignore.js';
import type { WatchService } from '../../src/watch/service.js';
import { FAKE_BOT_TOKEN } from '../fakes/slack-api.js';
import { blockAction, postToBolt, signedRequest, slashCommand, viewSubmission, type SlackRequestBody } from '../helpers/slack-requests.js';
import type { OsvRecord } from '../../src/advisories/types.js';
import type { Db } from '../../src/store/db.js';
import { PostgresWatchState } from '../../src/store/watch-state/postgres.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { closeReplicaParts } from '../helpers/replicas.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { waitFor } from '../slack/app-world.js';
import { GITHUB_TOKEN, openTestDb, startWorld, tempDbPath, type World } from '../watch/helpers.js';

const URLLIB3 = fixtureRecord('PYSEC-2019-132');
const REQUESTS: OsvRecord = { ...fixtureRecord('PYSEC-2014-13'), modified: '2025-01-06T10:00:00Z' };
const SECURITY = 'C0SECURITY1';
const PLATFORM = 'C0PLATFORM1';
const alertsJob = (channel: string) => ({ key: `alerts:${channel}`, channel, kind: 'alerts' as const, cron: '0 * * * *', timeZone: 'UTC', since: new Date(0) });

let world: World | undefined;
let database: TestDatabase | undefined;
const localDbs: Db[] = [];
const bots: Bot[] = [];
afterEach(async () => {
  await closeReplicaParts({ bots, world, localDbs, database });
  world = undefined;
  database = undefined;
});

/** A replica: its own pool on the shared database, its own local SQLite file, nothing else shared. */
async function replica(w: World, db: TestDatabase) {
  const local = openTestDb(tempDbPath());
  localDbs.push(local);
  const state = new PostgresWatchState(await db.open({ max: 4 }));
  const watch = world!.service({ db: local, state, advisories: new OsvApi({ baseUrl: w.osv.url, db: local, retries: 1, backoffMs: 1 }) }).watch;
  return Object.assign(watch, { local });
}

const SIGNING_SECRET = 'replicas-signing-secret-0123456789abcdef';

/** The Slack app of a replica, wired as main.ts wires it, on that replica's watch service. */
async function botOf(w: World, watch: WatchService, db: Db): Promise<{ send: (body: SlackRequestBody) => ReturnType<typeof postToBolt> }> {
  const config = loadConfig({ SLACK_BOT_TOKEN: FAKE_BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: w.slack.url, GITHUB_API_URL: w.github.url, GITHUB_TOKEN, OSV_API_URL: w.osv.url, DEPWATCH_DB: ':memory:', TZ: 'UTC', LOG_LEVEL: 'silent' });
  const osv = new OsvApi({ baseUrl: w.osv.url, db, retries: 1, backoffMs: 1 });
  const bot = createBot({ config, db, logger: createLogger('silent'), services: { github: w.octokit, advisories: () => osv, registry: null, watchedNames: watchedNamesEvery(() => watch.state.packageUsage()) }, watch, clientOptions: { retryConfig: { retries: 0 } } });
  bots.push(bot);
  const { port } = await bot.start({ port: 0, host: '127.0.0.1' });
  return { send: (body) => postToBolt(`http://127.0.0.1:${port}/slack/events`, signedRequest(SIGNING_SECRET, body)) };
}

describe('two replicas on one PostgreSQL', () => {
  it('alert a new advisory exactly once per channel when both sweep and decide at once, and edit it once when fixed', async () => {
    world = await startWorld({ records: [URLLIB3], start: '2025-01-06T09:30:00Z' });
    database = await createTestDatabase();
    world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'requests==2.2.0\nurllib3==1.24.1\n' } });
    world.github.addRepo({ owner: 'octo', name: 'api', files: { 'requirements.txt': 'requests==2.2.0\n' } });
    const [a, b] = [await replica(world, database), await replica(world, database)];
    const now = world.clock.now();
    await a.state.addWatch({ repo: 'octo/app', channel: SECURITY, userId: 'U1', private: false, adminLinked: true, now });
    await b.state.addWatch({ repo: 'octo/api', channel: SECURITY, userId: 'U1', private: false, adminLinked: true, now });
    await b.state.addWatch({ repo: 'octo/app', channel: PLATFORM, userId: 'U1', private: false, adminLinked: true, now });

    const everyJobOnBoth = () => Promise.all([SECURITY, PLATFORM].flatMap((channel) => [a, b].map((replica) => replica.runJob(alertsJob(channel), world!.clock.now()))));

    // First sweeps on both replicas at once: the baseline (urllib3 is known already), no alert, and
    // each channel told once, by one replica, what the repository already has.
    await everyJobOnBoth();
    const told = (channel: string) => world!.slack.messages(channel).map((m) => m.text.split(':')[0]);
    expect(told(SECURITY)).toEqual(['Now watching octo/app']);
    expect(told(PLATFORM)).toEqual(['Now watching octo/app']);
    expect((await a.state.openFindings('octo/app')).filter((f) => f.kind === 'vulnerability').map((f) => f.advisoryId)).toEqual(['PYSEC-2019-132']);

    world.osv.addRecord(REQUESTS);
    world.clock.advance(3_600_000);
    await everyJobOnBoth();

    const alerts = (channel: string) => world!.slack.messages(channel).filter((m) => !m.text.startsWith('Now watching'));
    const security = alerts(SECURITY);
    const platform = alerts(PLATFORM);
    expect(security).toHaveLength(1);
    expect(platform).toHaveLength(1);
    expect(security[0]!.text).toContain('PYSEC-2014-13');
    expect(security[0]!.text).toContain('octo/app');
    expect(security[0]!.text).toContain('octo/api');
    expect(platform[0]!.text).not.toContain('octo/api');
    // Two "Now watching" messages and two alerts: nothing twice.
    expect(world.slack.callsTo('chat.postMessage')).toHaveLength(4);
    // Both replicas see the same alerts, each posted with the ts Slack gave.
    for (const replica of [a, b]) {
      expect((await replica.state.alertsForChannel(SECURITY)).map((x) => [x.advisoryId, x.state, x.messageTs])).toEqual([['PYSEC-2014-13', 'posted', security[0]!.ts]]);
      expect((await replica.state.alertsForChannel(PLATFORM)).map((x) => [x.advisoryId, x.state, x.messageTs])).toEqual([['PYSEC-2014-13', 'posted', platform[0]!.ts]]);
    }

    // octo/app is fixed: PLATFORM's alert is resolved by one edit, SECURITY's list changes by one.
    world.github.pushCommit('octo', 'app', { 'requirements.txt': 'requests==2.31.0\nurllib3==1.24.1\n' });
    world.clock.advance(3_600_000);
    await everyJobOnBoth();
    expect(world.slack.callsTo('chat.postMessage')).toHaveLength(4);
    expect(world.slack.callsTo('chat.update')).toHaveLength(2);
    expect((await a.state.outbox.rows({ channel: PLATFORM })).map((r) => [r.op, r.state])).toEqual([
      ['post', 'posted'],
      ['post', 'posted'],
      ['update', 'posted'],
    ]);
    expect((await b.state.alertsForChannel(PLATFORM))[0]?.state).toBe('resolved');
    expect((await b.state.alertsForChannel(SECURITY))[0]?.state).toBe('posted');
  });

  it("handle an alert's Ignore… button on one replica and its modal on the other, the ignore kept in PostgreSQL", async () => {
    world = await startWorld({ records: [URLLIB3], start: '2025-01-06T09:30:00Z' });
    database = await createTestDatabase();
    world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'requests==2.2.0\n' } });
    const [a, b] = [await replica(world, database), await replica(world, database)];
    await a.state.addWatch({ repo: 'octo/app', channel: SECURITY, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
    await a.runJob(alertsJob(SECURITY), world.clock.now());
    world.osv.addRecord(REQUESTS);
    world.clock.advance(3_600_000);
    await a.runJob(alertsJob(SECURITY), world.clock.now());
    const [alert] = await a.state.alertsForChannel(SECURITY);
    expect(alert).toMatchObject({ advisoryId: 'PYSEC-2014-13', state: 'posted' });
    const [appA, appB] = [await botOf(world, a, a.local), await botOf(world, b, b.local)];

    // The click reaches replica B, which never recorded that alert itself.
    await appB.send(blockAction({ actionId: ALERT_ACTIONS.ignore, value: String(alert!.id), channel: SECURITY, user: 'U0ALICE0001', trigger_id: 'trigger-replica', response_url: world.slack.responseUrl('alert-click', { channel: SECURITY, user: 'U0ALICE0001' }) }));
    const opened = await waitFor(() => world!.slack.callsTo('views.open')[0], 'views.open');
    const raw = opened.params.view;
    const view = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe(ALERT_IGNORE_CALLBACK);

    // Its submission reaches replica A.
    const submitted = await appA.send(
      viewSubmission({
        callbackId: ALERT_IGNORE_CALLBACK,
        privateMetadata: view.private_metadata,
        user: 'U0ALICE0001',
        values: {
          [IGNORE_BLOCKS.advisory]: { value: { type: 'plain_text_input', value: 'PYSEC-2014-13' } },
          [IGNORE_BLOCKS.reason]: { value: { type: 'plain_text_input', value: 'requests is only used offline' } },
          [IGNORE_BLOCKS.until]: { value: { type: 'datepicker', selected_date: '2099-01-01' } },
        },
      }),
    );
    expect(submitted.status).toBe(200);
    expect(submitted.json).toBeUndefined();
    expect(await b.state.ignoreRulesForChannel(SECURITY)).toEqual([{ id: 'PYSEC-2014-13', reason: 'requests is only used offline', until: '2099-01-01', package: null, source: `channel ${SECURITY}` }]);
    expect(world.slack.violations).toEqual([]);
  });

  it('takes /audit watch through one replica and sweeps, schedules and alerts it from the other', async () => {
    world = await startWorld({ records: [URLLIB3], start: '2025-01-06T09:30:00Z' });
    database = await createTestDatabase();
    world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'requests==2.2.0\n' } });
    const [a, b] = [await replica(world, database), await replica(world, database)];
    const appA = await botOf(world, a, a.local);

    // The slash command reaches replica A.
    const answered = await appA.send(slashCommand({ text: 'watch octo/app', channel_id: SECURITY, user_id: 'U0ALICE0001' }));
    expect(answered.status).toBe(200);
    for (let tries = 0; (await b.state.watchesForChannel(SECURITY)).length === 0; tries++) {
      if (tries > 500) throw new Error('the watch never reached PostgreSQL');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await b.state.watchesForChannel(SECURITY)).toMatchObject([{ repo: 'octo/app', channel: SECURITY, addedBy: 'U0ALICE0001' }]);

    // Replica B builds its schedules from the shared ones: the channel's four, in its own timers.
    b.scheduler.start();
    await b.scheduler.idle();
    expect(b.scheduler.specs().map((s) => s.key).sort()).toEqual([`alerts:${SECURITY}`, `monthly:${SECURITY}`, `quarterly:${SECURITY}`, `weekly:${SECURITY}`]);
    await b.scheduler.stop();

    // Replica B sweeps it (a baseline first), then alerts the new advisory once.
    await b.runJob(alertsJob(SECURITY), world.clock.now());
    world.osv.addRecord(REQUESTS);
    world.clock.advance(3_600_000);
    await b.runJob(alertsJob(SECURITY), world.clock.now());
    const posted = world.slack.messages(SECURITY).filter((m) => m.text.includes('PYSEC-2014-13'));
    expect(posted).toHaveLength(1);
    expect(posted[0]!.text).toContain('octo/app');
    // Replica A sees the alert B recorded.
    expect((await a.state.alertsForChannel(SECURITY)).map((x) => [x.advisoryId, x.state])).toEqual([['PYSEC-2014-13', 'posted']]);
    expect(world.slack.violations).toEqual([]);
  });
});
