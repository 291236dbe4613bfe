/**
 * A finding the repository ignores after its alert (an `ignore:` entry in its .depwatch.yml, or the
 * Slack Ignore… modal) is still there: it is closed as ignored, never as fixed, on the finding row,
 * on the alert and in the monthly digest; and it comes back, as it was, when the ignore goes away.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../src/advisories/types.js';
import { IgnoreStore } from '../../src/store/ignores.js';
import { buildMonthlyDigest } from '../../src/watch/digests.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { afterWatchStarted, startWorld, type World } from './helpers.js';

const URLLIB3 = fixtureRecord('PYSEC-2019-132');
const REQUESTS: OsvRecord = { ...fixtureRecord('PYSEC-2014-13'), modified: '2025-01-06T10:00:00Z' };
const CHANNEL = 'C0SECURITY1';
const ADMIN = 'U0ADMIN0001';
const alertsJob = { key: `alerts:${CHANNEL}`, channel: CHANNEL, kind: 'alerts' as const, cron: '0 * * * *', timeZone: 'UTC', since: new Date(0) };
const TREE_IGNORE = 'ignore:\n  - id: PYSEC-2014-13\n    reason: not reachable from our code\n';

let world: World;
afterEach(async () => {
  await world?.close();
});

/** octo/app pins requests 2.2.0 and urllib3 1.24.1 (a baseline finding); the requests advisory is then published and alerted. */
async function alerted() {
  world = await startWorld({ records: [URLLIB3], start: '2025-01-06T09:30:00Z' });
  world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'requests==2.2.0\nurllib3==1.24.1\n' } });
  const service = world.service();
  await service.watch.handleCommand('watch octo/app', { userId: ADMIN, channelId: CHANNEL });
  await runAlerts(service.watch);
  world.osv.addRecord(REQUESTS);
  await runAlerts(service.watch);
  expect(afterWatchStarted(world.slack.messages(CHANNEL))).toHaveLength(1);
  return service;
}

async function runAlerts(watch: ReturnType<World['service']>['watch']) {
  world.clock.advance(3_600_000);
  return watch.runJob(alertsJob, world.clock.now());
}

const requestsRow = (watch: ReturnType<World['service']>['watch']) => watch.store.findingsFor(['octo/app'], ['vulnerability']).find((r) => r.advisoryId === 'PYSEC-2014-13')!;

describe('an alerted advisory the repository then ignores', () => {
  it('in its .depwatch.yml: the alert says ignored, not fixed, and the monthly digest does not count it fixed', async () => {
    const { watch } = await alerted();
    world.github.pushCommit('octo', 'app', { '.depwatch.yml': TREE_IGNORE });
    expect(await runAlerts(watch)).toMatchObject({ posted: 0, resolved: 1 });

    expect(requestsRow(watch)).toMatchObject({ fixedBySha: null, closedReason: 'ignored in .depwatch.yml: not reachable from our code' });
    const [message] = afterWatchStarted(world.slack.messages(CHANNEL));
    expect(message?.text).toBe('PYSEC-2014-13 in requests is no longer open in any watched repository: octo/app not fixed (ignored in .depwatch.yml: not reachable from our code)');
    const blocks = JSON.stringify(message?.blocks);
    expect(blocks).toContain('no longer open in any watched repository (1 repository ignored, not fixed)');
    expect(blocks).toContain('➖ *octo/app*: not fixed, ignored in .depwatch.yml: not reachable from our code');
    expect(blocks).not.toMatch(/fixed by|fixed in every/);

    const digest = buildMonthlyDigest({ rows: watch.store.findingsFor(['octo/app'], ['vulnerability']), ignores: [], now: world.clock.now() });
    expect(digest.fixedThisMonth).toEqual([]);
  });

  it('with the Slack Ignore… modal (no new commit, so only re-matched): ignored in Slack by whom, not fixed', async () => {
    const { watch, db } = await alerted();
    new IgnoreStore(db).add({ repo: 'octo/app', advisoryId: 'PYSEC-2014-13', package: null, reason: 'proxy never sends auth', until: '2025-03-31', createdBy: ADMIN, createdAt: world.clock.now() });
    expect(await runAlerts(watch)).toMatchObject({ posted: 0, resolved: 1 });

    expect(requestsRow(watch)).toMatchObject({ fixedBySha: null, closedReason: `ignored in Slack by <@${ADMIN}> until 2025-03-31: proxy never sends auth` });
    const [message] = afterWatchStarted(world.slack.messages(CHANNEL));
    expect(message?.text).toContain('octo/app not fixed (ignored in Slack by');
    expect(message?.text).not.toContain('fixed in every watched repository');
  });

  it('comes back when the ignore is removed: open again since the day it was first seen, on the same alert message', async () => {
    const { watch } = await alerted();
    const firstSeen = requestsRow(watch).firstSeen;
    world.github.pushCommit('octo', 'app', { '.depwatch.yml': TREE_IGNORE });
    await runAlerts(watch);

    world.github.pushCommit('octo', 'app', { '.depwatch.yml': null });
    expect(await runAlerts(watch)).toMatchObject({ posted: 0, updated: 1 });
    expect(requestsRow(watch)).toMatchObject({ fixedAt: null, closedReason: null, firstSeen });
    const messages = afterWatchStarted(world.slack.messages(CHANNEL));
    expect(messages).toHaveLength(1);
    expect(messages[0]?.text).toMatch(/^New advisory in requests: PYSEC-2014-13 \(.*\) hits octo\/app$/);
  });

  it('comes back when the ignore expires; a baseline finding that comes back is not announced as a new advisory', async () => {
    const { watch, db } = await alerted();
    // urllib3's advisory was there before the repository was watched: the /audit reply showed it, no alert did.
    new IgnoreStore(db).add({ repo: 'octo/app', advisoryId: 'PYSEC-2019-132', package: null, reason: 'upgrading next sprint', until: '2025-01-07', createdBy: ADMIN, createdAt: world.clock.now() });
    await runAlerts(watch);
    const closed = watch.store.findingsFor(['octo/app'], ['vulnerability']).find((r) => r.advisoryId === 'PYSEC-2019-132')!;
    expect(closed).toMatchObject({ fixedBySha: null, closedReason: `ignored in Slack by <@${ADMIN}> until 2025-01-07: upgrading next sprint`, alertable: false });

    world.clock.advance(2 * 86_400_000);
    await runAlerts(watch);
    const back = watch.store.findingsFor(['octo/app'], ['vulnerability']).find((r) => r.advisoryId === 'PYSEC-2019-132')!;
    expect(back).toMatchObject({ fixedAt: null, closedReason: null, firstSeen: closed.firstSeen, alertable: false });
    expect(afterWatchStarted(world.slack.messages(CHANNEL)).map((m) => m.text)).toEqual([expect.stringContaining('PYSEC-2014-13')]);
  });
});
