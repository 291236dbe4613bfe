/**
 * New-advisory alerts end to end, over loopback fakes of GitHub, OSV and Slack with a controllable
 * clock: alerted exactly once across sweeps and across a crash between "recorded" and "posted",
 * updated when repositories are fixed, and never dropped by a 429.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../src/advisories/types.js';
import { ALERT_ACTIONS } from '../../src/slack/blocks/alert.js';
import { IgnoreStore } from '../../src/store/ignores.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { afterWatchStarted, startWorld, type World } from './helpers.js';
import { watchReplyMessage } from '../../src/slack/blocks/watch-reply.js';
import { buildMonthlyDigest } from '../../src/watch/digests.js';

// Real PyPA advisories: urllib3 < 1.24.3 is known from the start (a baseline finding); the requests
// advisory (< 2.3.0) "appears" during the test.
const URLLIB3 = fixtureRecord('PYSEC-2019-132');
const REQUESTS: OsvRecord = { ...fixtureRecord('PYSEC-2014-13'), modified: '2025-01-06T10:00:00Z' };
const CHANNEL = 'C0SECURITY1';
const ADMIN = 'U0ADMIN0001';

let world: World;
afterEach(async () => {
  await world?.close();
});

async function setUp(): Promise<World> {
  world = await startWorld({ records: [URLLIB3], start: '2025-01-06T09:30:00Z' });
  world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'requests==2.2.0\nurllib3==1.24.1\n' } });
  world.github.addRepo({ owner: 'octo', name: 'api', files: { 'requirements.txt': 'flask==2.0.0\nrequests==2.2.0\n' } });
  return world;
}

const alertsJob = (channel: string) => ({ key: `alerts:${channel}`, channel, kind: 'alerts' as const, cron: '0 * * * *', timeZone: 'UTC', since: new Date(0) });
const topLevel = () => afterWatchStarted(world.slack.messages(CHANNEL));

describe('new-advisory alerts', () => {
  it('alerts a new advisory once, listing every watched repository it hits, across two sweeps', async () => {
    await setUp();
    const { watch } = world.service();
    for (const repo of ['octo/app', 'octo/api']) expect((await watch.handleCommand(`watch ${repo}`, { userId: ADMIN, channelId: CHANNEL }))?.ephemeral).toBe(false);

    // First sweep: the baseline. The urllib3 finding is stored but not alerted (the /audit reply showed it).
    await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    expect(topLevel()).toHaveLength(0);
    expect(watch.store.openFindings('octo/app').filter((f) => f.kind === 'vulnerability').map((f) => f.advisoryId)).toEqual(['PYSEC-2019-132']);

    world.osv.addRecord(REQUESTS);
    world.clock.advance(3_600_000);
    const first = await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    expect(first).toMatchObject({ posted: 1, updated: 0, resolved: 0, failed: [] });
    const [alert] = topLevel();
    expect(alert?.text).toContain('PYSEC-2014-13');
    expect(alert?.text).toContain('octo/app');
    expect(alert?.text).toContain('octo/api');
    expect(JSON.stringify(alert?.blocks)).toContain(`https://github.com/octo/app/blob/${world.github.headSha('octo', 'app')}/requirements.txt#L1`);
    expect(JSON.stringify(alert?.blocks)).toMatch(/Upgrade requests [0-9.]+ to 2\.3\.0 \(clears (its advisory|both advisories|all [0-9]+ advisories)\): set /);
    // One colour scheme: the same emoji and label the /audit reply and the reports use.
    expect(JSON.stringify(alert?.blocks)).toMatch(/Severity: (🔴 \*Critical|🟠 \*High|🟡 \*Medium|🔵 \*Low|⚪ \*not rated by the source \(treated as high\))\*/);
    const buttons = (alert?.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find((b) => b.type === 'actions')?.elements;
    const stored = watch.store.alertsForChannel(CHANNEL)[0]!;
    expect(buttons).toEqual([
      expect.objectContaining({ action_id: ALERT_ACTIONS.startIncident, value: String(stored.id) }),
      expect.objectContaining({ action_id: ALERT_ACTIONS.ignore, value: String(stored.id) }),
    ]);
    expect(alert?.metadata).toEqual({ event_type: 'depwatch_alert', event_payload: { key: `${CHANNEL}:PYSEC-2014-13` } });

    // A second sweep with nothing new: no second message, no edit.
    world.clock.advance(3_600_000);
    expect(await watch.runJob(alertsJob(CHANNEL), world.clock.now())).toMatchObject({ posted: 0, updated: 0 });
    expect(topLevel()).toHaveLength(1);
    expect(world.slack.violations).toEqual([]);
  });

  it('neither repeats nor loses an alert when the process dies between "recorded" and "posted"', async () => {
    await setUp();
    const crashing = world.service({
      afterAlertRecorded: () => {
        throw new Error('simulated crash after recording the alert');
      },
    });
    await crashing.watch.handleCommand('watch octo/app', { userId: ADMIN, channelId: CHANNEL });
    await crashing.watch.runJob(alertsJob(CHANNEL), world.clock.now());
    world.osv.addRecord(REQUESTS);
    world.clock.advance(3_600_000);
    await expect(crashing.watch.runJob(alertsJob(CHANNEL), world.clock.now())).rejects.toThrow('simulated crash');
    expect(crashing.watch.store.alertsForChannel(CHANNEL).map((a) => a.state)).toEqual(['recorded']);
    expect(topLevel()).toHaveLength(0);
    crashing.db.close();

    // The restarted process finds the recorded alert and posts it, once.
    const restarted = world.service();
    world.clock.advance(3_600_000);
    expect(await restarted.watch.runJob(alertsJob(CHANNEL), world.clock.now())).toMatchObject({ posted: 1 });
    expect(topLevel()).toHaveLength(1);
    expect(restarted.watch.store.alertsForChannel(CHANNEL).map((a) => a.state)).toEqual(['posted']);

    // And a further run (or another restart) does not post it again.
    const again = world.service();
    world.clock.advance(3_600_000);
    await again.watch.runJob(alertsJob(CHANNEL), world.clock.now());
    expect(topLevel()).toHaveLength(1);
  });

  it('updates the alert as repositories are fixed, naming the fixing commit', async () => {
    await setUp();
    const { watch } = world.service();
    for (const repo of ['octo/app', 'octo/api']) await watch.handleCommand(`watch ${repo}`, { userId: ADMIN, channelId: CHANNEL });
    await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    world.osv.addRecord(REQUESTS);
    world.clock.advance(3_600_000);
    await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    const ts = topLevel()[0]!.ts;

    const appFix = world.github.pushCommit('octo', 'app', { 'requirements.txt': 'requests==2.3.0\nurllib3==1.24.1\n' });
    world.clock.advance(3_600_000);
    expect(await watch.runJob(alertsJob(CHANNEL), world.clock.now())).toMatchObject({ posted: 0, updated: 1, resolved: 0 });
    let message = world.slack.message(CHANNEL, ts)!;
    expect(message.edited ?? message.text).toBeTruthy();
    expect(JSON.stringify(message.blocks)).toContain(`fixed by <https://github.com/octo/app/commit/${appFix}|${appFix.slice(0, 7)}>`);
    expect(message.text).toContain('hits octo/api');

    const apiFix = world.github.pushCommit('octo', 'api', { 'requirements.txt': 'flask==2.0.0\nrequests==2.31.0\n' });
    world.clock.advance(3_600_000);
    expect(await watch.runJob(alertsJob(CHANNEL), world.clock.now())).toMatchObject({ posted: 0, resolved: 1 });
    message = world.slack.message(CHANNEL, ts)!;
    expect(message.text).toContain('fixed in every watched repository');
    expect(message.text).toContain(`octo/app by ${appFix.slice(0, 7)}`);
    expect(message.text).toContain(`octo/api by ${apiFix.slice(0, 7)}`);
    expect(JSON.stringify(message.blocks)).not.toContain(ALERT_ACTIONS.startIncident);
    expect(topLevel()).toHaveLength(1);
    expect(watch.store.alertsForChannel(CHANNEL)[0]?.state).toBe('resolved');
    expect(world.slack.violations).toEqual([]);
  });

  it('says a repository whose only pin exclude: now keeps out is no longer checked, never fixed, and the monthly digest does not count it fixed', async () => {
    world = await startWorld({ records: [URLLIB3], start: '2025-01-06T09:30:00Z' });
    world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'requests==2.2.0\n' } });
    world.github.addRepo({ owner: 'octo', name: 'api', files: { 'requirements.txt': 'flask==2.0.0\n', 'tests/fixtures/requirements.txt': 'requests==2.2.0\n' } });
    const { watch } = world.service();
    for (const repo of ['octo/app', 'octo/api']) await watch.handleCommand(`watch ${repo}`, { userId: ADMIN, channelId: CHANNEL });
    await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    world.osv.addRecord(REQUESTS);
    world.clock.advance(3_600_000);
    await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    const ts = topLevel()[0]!.ts;
    expect(topLevel()[0]!.text).toContain('hits octo/api, octo/app');

    world.github.pushCommit('octo', 'api', { '.depwatch.yml': 'exclude:\n  - path: tests/fixtures/\n    reason: test data\n' });
    world.clock.advance(3_600_000);
    expect(await watch.runJob(alertsJob(CHANNEL), world.clock.now())).toMatchObject({ posted: 0, updated: 1, resolved: 0 });
    let message = world.slack.message(CHANNEL, ts)!;
    expect(JSON.stringify(message.blocks)).toContain('*octo/api*: no longer checked: excluded by .depwatch.yml (test data)');
    expect(JSON.stringify(message.blocks)).not.toMatch(/octo\/api\*: fixed/);
    expect(message.text).toContain('hits octo/app');

    const appFix = world.github.pushCommit('octo', 'app', { 'requirements.txt': 'requests==2.31.0\n' });
    world.clock.advance(3_600_000);
    expect(await watch.runJob(alertsJob(CHANNEL), world.clock.now())).toMatchObject({ posted: 0, resolved: 1 });
    message = world.slack.message(CHANNEL, ts)!;
    // Not "fixed in every watched repository": one of them only stopped being checked.
    expect(message.text).not.toContain('fixed in every watched repository');
    expect(message.text).toContain(`octo/app by ${appFix.slice(0, 7)}`);
    expect(message.text).toContain('octo/api no longer checked (excluded by .depwatch.yml (test data))');
    expect(JSON.stringify(message.blocks)).not.toContain('fixed in every');
    expect(world.slack.violations).toEqual([]);

    const digest = buildMonthlyDigest({ rows: watch.store.findingsFor(['octo/app', 'octo/api'], ['vulnerability']), ignores: [], now: world.clock.now() });
    expect(digest.fixedThisMonth.map((r) => [r.repo, r.advisoryId])).toEqual([['octo/app', 'PYSEC-2014-13']]);
  });

  it('waits out a 429 from Slack and still posts the alert, once', async () => {
    await setUp();
    const { watch } = world.service();
    await watch.handleCommand('watch octo/app', { userId: ADMIN, channelId: CHANNEL });
    await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    world.osv.addRecord(REQUESTS);
    world.slack.rateLimitNext('chat.postMessage', 1);
    world.clock.advance(3_600_000);
    const started = Date.now();
    expect(await watch.runJob(alertsJob(CHANNEL), world.clock.now())).toMatchObject({ posted: 1, failed: [] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    // The first run's "Now watching" message, then the alert: refused once, posted once.
    expect(world.slack.callsTo('chat.postMessage').map((c) => c.status)).toEqual([200, 429, 200]);
    expect(watch.delivery.slack.pacer.rateLimited).toBe(1);
    expect(topLevel()).toHaveLength(1);
  });

  it('posts an alert after a Slack outage longer than a day, at the next alerts run', async () => {
    await setUp();
    const { watch } = world.service();
    await watch.handleCommand('watch octo/app', { userId: ADMIN, channelId: CHANNEL });
    await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    world.osv.addRecord(REQUESTS);
    world.clock.advance(3_600_000);

    // Slack is down: five tries in a few minutes, then one more a day after the alert was queued.
    for (let i = 0; i < 6; i++) world.slack.serverErrorNext('chat.postMessage', 503);
    expect(await watch.runJob(alertsJob(CHANNEL), world.clock.now())).toMatchObject({ posted: 0, failed: [{ advisoryId: 'PYSEC-2014-13' }] });
    for (let i = 0; i < 4; i++) {
      world.clock.advance(5 * 60_000);
      expect((await watch.delivery.deliver()).failed.map((f) => f.gaveUp)).toEqual([false]);
    }
    world.clock.advance(24 * 3_600_000);
    expect((await watch.delivery.deliver()).failed.map((f) => f.gaveUp)).toEqual([true]);
    expect(topLevel()).toHaveLength(0);

    // Slack is back; the next alerts run queues the alert again, and it is posted, once.
    world.clock.advance(3_600_000);
    expect(await watch.runJob(alertsJob(CHANNEL), world.clock.now())).toMatchObject({ posted: 1, failed: [] });
    expect(topLevel().map((m) => m.text)).toEqual([expect.stringContaining('PYSEC-2014-13')]);
    expect(watch.store.alertsForChannel(CHANNEL).map((a) => [a.state, a.messageTs])).toEqual([['posted', topLevel()[0]!.ts]]);
    world.clock.advance(3_600_000);
    await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    expect(topLevel()).toHaveLength(1);
  });

  it('keeps a private repository out of a channel no admin linked, and alerts a channel ignore never', async () => {
    await setUp();
    world.github.addRepo({ owner: 'octo', name: 'secret', private: true, files: { 'requirements.txt': 'requests==2.2.0\n' } });
    const { watch } = world.service({ admins: [ADMIN] });
    expect(watchReplyMessage((await watch.handleCommand('watch octo/secret', { userId: 'U0SOMEONE01', channelId: CHANNEL }))!).text).toMatch(/Only Depwatch admins/);
    expect(watchReplyMessage((await watch.handleCommand('watch octo/secret', { userId: ADMIN, channelId: CHANNEL }))!).text).toContain('(private)');
    await watch.handleCommand('watch octo/app', { userId: ADMIN, channelId: 'C0OTHER0001' });
    await watch.handleCommand('ignore PYSEC-2014-13 only used in tests until 2099-01-01', { userId: ADMIN, channelId: 'C0OTHER0001' });
    await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    world.osv.addRecord(REQUESTS);
    world.clock.advance(3_600_000);
    await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    await watch.runJob(alertsJob('C0OTHER0001'), world.clock.now());
    expect(topLevel().map((m) => m.text)).toEqual([expect.stringContaining('octo/secret')]);
    expect(afterWatchStarted(world.slack.messages('C0OTHER0001'))).toEqual([]);
    expect(watch.store.changes('C0OTHER0001').map((c) => [c.action, c.userId])).toEqual([
      ['ignore', ADMIN],
      ['watch', ADMIN],
    ]);
  });

  it('does not alert what the Ignore… modal ignored for that repository', async () => {
    await setUp();
    const { watch, db } = world.service();
    for (const repo of ['octo/app', 'octo/api']) await watch.handleCommand(`watch ${repo}`, { userId: ADMIN, channelId: CHANNEL });
    await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    new IgnoreStore(db).add({ repo: 'Octo/App', advisoryId: 'CVE-2014-1829', package: null, reason: 'proxy never sends auth', until: null, createdBy: ADMIN, createdAt: world.clock.now() });
    world.osv.addRecord(REQUESTS);
    world.clock.advance(3_600_000);
    await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    const [alert] = topLevel();
    expect(alert?.text).toBe('New advisory in requests: PYSEC-2014-13 (not rated by the source (treated as high)) hits octo/api');
    expect(topLevel()).toHaveLength(1);
  });
});
