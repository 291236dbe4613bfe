/**
 * Alerts through the outbox: the alert and the message announcing it are written in one
 * transaction, as a domain message (kind + data, no Slack blocks); a fix is an update of the same
 * message, delivered after the post.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../src/advisories/types.js';
import { ADVISORY_ALERT } from '../../src/watch/messages.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { startWorld, type World } from './helpers.js';

const URLLIB3 = fixtureRecord('PYSEC-2019-132');
const REQUESTS: OsvRecord = { ...fixtureRecord('PYSEC-2014-13'), modified: '2025-01-06T10:00:00Z' };
const CHANNEL = 'C0SECURITY1';
const ADMIN = 'U0ADMIN0001';
const alertsJob = { key: `alerts:${CHANNEL}`, channel: CHANNEL, kind: 'alerts' as const, cron: '0 * * * *', timeZone: 'UTC', since: new Date(0) };

let world: World;
afterEach(async () => {
  await world?.close();
});

/** A channel watching these repositories (octo/<name>: its requirements.txt), swept once, then alerted of REQUESTS an hour later. */
async function alertedOfRequests(repos: Record<string, string>) {
  world = await startWorld({ records: [URLLIB3], start: '2025-01-06T09:30:00Z' });
  for (const [name, requirements] of Object.entries(repos)) world.github.addRepo({ owner: 'octo', name, files: { 'requirements.txt': requirements } });
  const { watch } = world.service();
  for (const name of Object.keys(repos)) await watch.handleCommand(`watch octo/${name}`, { userId: ADMIN, channelId: CHANNEL });
  await watch.runJob(alertsJob, world.clock.now());
  world.osv.addRecord(REQUESTS);
  world.clock.advance(3_600_000);
  await watch.runJob(alertsJob, world.clock.now());
  return watch;
}

describe('alerts written to the outbox', () => {
  it('records the alert and its outbox post together, as what to say rather than how', async () => {
    world = await startWorld({ records: [URLLIB3], start: '2025-01-06T09:30:00Z' });
    world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'requests==2.2.0\n' } });
    const crashing = world.service({
      afterAlertRecorded: () => {
        throw new Error('simulated crash before delivery');
      },
    });
    await crashing.watch.handleCommand('watch octo/app', { userId: ADMIN, channelId: CHANNEL });
    await crashing.watch.runJob(alertsJob, world.clock.now());
    world.osv.addRecord(REQUESTS);
    world.clock.advance(3_600_000);
    await expect(crashing.watch.runJob(alertsJob, world.clock.now())).rejects.toThrow('simulated crash');

    const [alert] = crashing.watch.store.alertsForChannel(CHANNEL);
    const rows = await crashing.watch.outbox.rows({ channel: CHANNEL });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: ADVISORY_ALERT, op: 'post', state: 'pending', idempotencyKey: alert!.clientKey, messageKey: alert!.clientKey });
    expect(rows[0]!.data).toMatchObject({ alertId: alert!.id, advisoryId: 'PYSEC-2014-13', package: 'requests', resolved: false });
    expect(JSON.stringify(rows[0]!.data)).not.toContain('"blocks"');
    expect(world.slack.messages(CHANNEL)).toEqual([]);
  });

  it('turns a fix into an update of the alert’s own message, after its post', async () => {
    const watch = await alertedOfRequests({ app: 'requests==2.2.0\n' });
    world.github.pushCommit('octo', 'app', { 'requirements.txt': 'requests==2.31.0\n' });
    world.clock.advance(3_600_000);
    expect(await watch.runJob(alertsJob, world.clock.now())).toMatchObject({ posted: 0, updated: 1, resolved: 1 });

    const rows = await watch.outbox.rows({ channel: CHANNEL });
    expect(rows.map((r) => [r.op, r.state])).toEqual([
      ['post', 'posted'],
      ['update', 'posted'],
    ]);
    expect(rows[1]!.messageTs).toBe(rows[0]!.messageTs);
    expect(rows[1]!.data).toMatchObject({ resolved: true });
    expect(watch.store.alertsForChannel(CHANNEL)[0]).toMatchObject({ state: 'resolved', messageTs: rows[0]!.messageTs });
    expect(world.slack.messages(CHANNEL)).toHaveLength(1);
  });

  it('prunes finished outbox rows after a month and old run records, and still edits an alert whose fix comes later', async () => {
    const watch = await alertedOfRequests({ app: 'requests==2.2.0\nflask==2.0.0\n', api: 'requests==2.2.0\n' });
    world.github.pushCommit('octo', 'app', { 'requirements.txt': 'requests==2.31.0\nflask==2.0.0\n' });
    world.clock.advance(3_600_000);
    expect(await watch.runJob(alertsJob, world.clock.now())).toMatchObject({ updated: 1 });
    watch.store.claimJobRun(alertsJob.key, new Date('2023-11-01T09:00:00Z'), new Date('2023-11-01T09:00:00Z'));
    watch.store.finishJobRun(alertsJob.key, new Date('2023-11-01T09:00:00Z'), new Date('2023-11-01T09:01:00Z'));

    // A week on, nothing is old enough; a month on, the edit's row goes, the post's stays.
    world.clock.advance(7 * 86_400_000);
    expect(await watch.maintain()).toEqual({ outboxRows: 0, jobRuns: 1, jobKeys: 0 });
    world.clock.advance(30 * 86_400_000);
    expect(await watch.maintain()).toEqual({ outboxRows: 1, jobRuns: 0, jobKeys: 0 });
    expect((await watch.outbox.rows({ channel: CHANNEL })).map((r) => [r.op, r.state])).toEqual([['post', 'posted']]);

    // The last repository is fixed: the alert's own message is edited, found by its kept post.
    world.github.pushCommit('octo', 'api', { 'requirements.txt': 'requests==2.31.0\n' });
    world.clock.advance(3_600_000);
    expect(await watch.runJob(alertsJob, world.clock.now())).toMatchObject({ posted: 0, updated: 1, resolved: 1 });
    expect(world.slack.messages(CHANNEL)).toHaveLength(1);
    expect(world.slack.callsTo('chat.update').map((c) => c.params.ts)).toEqual([world.slack.messages(CHANNEL)[0]!.ts, world.slack.messages(CHANNEL)[0]!.ts]);
  });
});
