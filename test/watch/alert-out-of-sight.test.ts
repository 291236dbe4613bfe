/**
 * A repository an alert listed that the channel no longer watches, or may no longer see (it turned
 * private and no admin linked it), is as vulnerable as it was: the alert says it is out of the
 * channel's sight, never that it is fixed, and "fixed in every watched repository" is said only when
 * every listed repository's finding really was fixed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../src/advisories/types.js';
import { alertMessage } from '../../src/slack/blocks/alert.js';
import { SqliteWatchState } from '../../src/store/watch-state/sqlite.js';
import { WatchStore } from '../../src/store/watches.js';
import { decideAlerts } from '../../src/watch/alerts.js';
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

/** octo/app and octo/api both pin requests 2.2.0, and one alert lists both. */
async function alertedInBoth() {
  world = await startWorld({ records: [URLLIB3], start: '2025-01-06T09:30:00Z' });
  world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'requests==2.2.0\n' } });
  world.github.addRepo({ owner: 'octo', name: 'api', files: { 'requirements.txt': 'requests==2.2.0\n' } });
  const service = world.service();
  for (const repo of ['octo/app', 'octo/api']) await service.watch.handleCommand(`watch ${repo}`, { userId: ADMIN, channelId: CHANNEL });
  await runAlerts(service.watch);
  world.osv.addRecord(REQUESTS);
  await runAlerts(service.watch);
  expect(world.slack.messages(CHANNEL).map((m) => m.text)).toEqual([expect.stringMatching(/hits octo\/api, octo\/app$/)]);
  return service;
}

async function runAlerts(watch: ReturnType<World['service']>['watch']) {
  world.clock.advance(3_600_000);
  return watch.runJob(alertsJob, world.clock.now());
}

describe('an alert listing a repository the channel no longer watches', () => {
  it('says it is no longer watched here, not fixed, and never that the advisory is fixed everywhere', async () => {
    const { watch } = await alertedInBoth();
    await watch.handleCommand('unwatch octo/api', { userId: ADMIN, channelId: CHANNEL });
    expect(await runAlerts(watch)).toMatchObject({ updated: 1, resolved: 0 });
    let [message] = world.slack.messages(CHANNEL);
    expect(message?.text).toMatch(/hits octo\/app$/);
    expect(JSON.stringify(message?.blocks)).toContain('➖ *octo/api*: no longer watched here (not known to be fixed)');
    expect(JSON.stringify(message?.blocks)).not.toMatch(/octo\/api\*: fixed/);

    const appFix = world.github.pushCommit('octo', 'app', { 'requirements.txt': 'requests==2.31.0\n' });
    expect(await runAlerts(watch)).toMatchObject({ resolved: 1 });
    [message] = world.slack.messages(CHANNEL);
    expect(message?.text).toBe(`PYSEC-2014-13 in requests is no longer open in any watched repository: octo/app by ${appFix.slice(0, 7)}, octo/api no longer watched here`);
    expect(JSON.stringify(message?.blocks)).toContain('no longer open in any watched repository (1 repository no longer watched or visible here)');
    expect(JSON.stringify(message?.blocks)).not.toContain('fixed in every');
  });

  it('that turned private and is not linked by an admin: not visible to the channel, not fixed', async () => {
    const { db } = await alertedInBoth();
    // What the sweep records when GitHub says octo/api is private now; whoever watched it was no admin.
    db.prepare("UPDATE repo_state SET private = 1 WHERE repo = 'octo/api'").run();
    db.prepare("UPDATE watches SET admin_linked = 0 WHERE repo = 'octo/api'").run();
    const state = new SqliteWatchState(new WatchStore(db));
    expect(await decideAlerts(CHANNEL, { state, now: () => world.clock.now() })).toMatchObject({ changed: 1 });
    const [alert] = await state.alertsForChannel(CHANNEL);
    const api = alert!.affected.find((a) => a.repo === 'octo/api');
    expect(api).toMatchObject({ fixedBySha: null, closedReason: 'private now, not visible to this channel' });
    expect(JSON.stringify(alertMessage({ unknownAs: 'high', alertId: alert!.id, advisoryId: alert!.advisoryId, aliases: [], summary: '', severity: 'high', cvss: null, malicious: false, package: 'requests', resolved: false, affected: alert!.affected }).blocks)).toContain(
      '➖ *octo/api*: private now, not visible to this channel (not known to be fixed)',
    );
  });
});

describe('an alert an older version stored as fixed for a repository the channel stopped watching', () => {
  /** The alert as versions before review s16 H2 left it: octo/api "fixed" when it was unwatched, by no commit and for no reason. */
  function asOlderVersionsStoredIt(db: ReturnType<World['service']>['db']) {
    const row = db.prepare<[], { id: number; affected_json: string }>('SELECT id, affected_json FROM watch_alerts').get()!;
    const affected = (JSON.parse(row.affected_json) as { repo: string; closedReason?: string | null }[]).map(({ closedReason: _, ...a }) => (a.repo === 'octo/api' ? { ...a, fixedAt: '2025-01-06T12:30:00.000Z', fixedBySha: null } : a));
    db.prepare('UPDATE watch_alerts SET affected_json = ? WHERE id = ?').run(JSON.stringify(affected), row.id);
  }

  it('is corrected on the next alerts run: "no longer watched here", and a resolved alert no longer says "fixed in every watched repository"', async () => {
    const { watch, db } = await alertedInBoth();
    await watch.handleCommand('unwatch octo/api', { userId: ADMIN, channelId: CHANNEL });
    const appFix = world.github.pushCommit('octo', 'app', { 'requirements.txt': 'requests==2.31.0\n' });
    expect(await runAlerts(watch)).toMatchObject({ resolved: 1 });
    asOlderVersionsStoredIt(db);

    await runAlerts(watch);
    const [alert] = await watch.state.alertsForChannel(CHANNEL);
    expect(alert).toMatchObject({ state: 'resolved' });
    expect(alert!.affected.find((a) => a.repo === 'octo/api')).toMatchObject({ fixedBySha: null, closedReason: 'no longer watched here' });
    const [message] = world.slack.messages(CHANNEL);
    expect(message?.text).toMatch(/^PYSEC-2014-13 in requests is no longer open in any watched repository: /);
    expect(message?.text).toContain('octo/api no longer watched here');
    expect(message?.text).toContain(`octo/app by ${appFix.slice(0, 7)}`);

    // Once: the next run has nothing to correct.
    const edits = world.slack.callsTo('chat.update').length;
    await runAlerts(watch);
    expect(world.slack.callsTo('chat.update')).toHaveLength(edits);
  });

  it('is left fixed when the repository was fixed before it was unwatched (its finding closed)', async () => {
    const { watch, db } = await alertedInBoth();
    world.github.pushCommit('octo', 'api', { 'requirements.txt': 'requests==2.31.0\n' });
    await runAlerts(watch);
    await watch.handleCommand('unwatch octo/api', { userId: ADMIN, channelId: CHANNEL });
    // A fix the alert recorded by no commit (a re-match closes a finding without one).
    const row = db.prepare<[], { affected_json: string }>('SELECT affected_json FROM watch_alerts').get()!;
    db.prepare('UPDATE watch_alerts SET affected_json = ?').run(JSON.stringify((JSON.parse(row.affected_json) as { repo: string }[]).map((a) => (a.repo === 'octo/api' ? { ...a, fixedBySha: null, closedReason: null } : a))));
    const edits = world.slack.callsTo('chat.update').length;

    await runAlerts(watch);
    const [alert] = await watch.state.alertsForChannel(CHANNEL);
    expect(alert!.affected.find((a) => a.repo === 'octo/api')).toMatchObject({ fixedAt: expect.any(String), closedReason: null });
    expect(world.slack.callsTo('chat.update')).toHaveLength(edits);
  });
});
