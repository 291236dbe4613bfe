/**
 * A repository can hold several finding rows for one advisory (the finding key includes the
 * version: two pins of requests in two files are two rows). The alert calls the repository fixed
 * only when every one of its rows was closed by a fix: one still there, excluded or ignored, keeps
 * the repository "not fixed" with that reason. And the repository is named once, however many rows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../src/advisories/types.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { startWorld, type World } from './helpers.js';

const REQUESTS: OsvRecord = { ...fixtureRecord('PYSEC-2014-13'), modified: '2025-01-06T10:00:00Z' };
const CHANNEL = 'C0SECURITY1';
const ADMIN = 'U0ADMIN0001';
const alertsJob = { key: `alerts:${CHANNEL}`, channel: CHANNEL, kind: 'alerts' as const, cron: '0 * * * *', timeZone: 'UTC', since: new Date(0) };

let world: World;
afterEach(async () => {
  await world?.close();
});

/** octo/app pins requests 2.2.0 in requirements.txt and 2.1.0 in tools/requirements.txt; the advisory is then published and alerted. */
async function alertedOnTwoPins() {
  world = await startWorld({ records: [], start: '2025-01-06T09:30:00Z' });
  world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'requests==2.2.0\n', 'tools/requirements.txt': 'requests==2.1.0\n' } });
  const service = world.service();
  await service.watch.handleCommand('watch octo/app', { userId: ADMIN, channelId: CHANNEL });
  await runAlerts(service.watch);
  world.osv.addRecord(REQUESTS);
  await runAlerts(service.watch);
  return service;
}

async function runAlerts(watch: ReturnType<World['service']>['watch']) {
  world.clock.advance(3_600_000);
  return watch.runJob(alertsJob, world.clock.now());
}

const alertText = () => world.slack.messages(CHANNEL).map((m) => m.text);

describe('an alerted repository with two vulnerable pins of one package', () => {
  it('names the repository once in the notification text', async () => {
    await alertedOnTwoPins();
    const [message] = world.slack.messages(CHANNEL);
    expect(message?.text).toMatch(/^New advisory in requests: PYSEC-2014-13 \(.*\) hits octo\/app$/);
    expect(JSON.stringify(message?.blocks)).toContain('PYSEC-2014-13 hits 1 watched repository');
  });

  it('one pin excluded, the other fixed later: closed as excluded, not fixed in every repository', async () => {
    const { watch } = await alertedOnTwoPins();
    world.github.pushCommit('octo', 'app', { '.depwatch.yml': 'exclude:\n  - path: tools/\n    reason: dev tools\n' });
    await runAlerts(watch);
    expect(alertText()).toEqual([expect.stringMatching(/hits octo\/app$/)]);

    world.github.pushCommit('octo', 'app', { 'requirements.txt': 'requests==2.31.0\n' });
    expect(await runAlerts(watch)).toMatchObject({ posted: 0, resolved: 1 });
    const [text] = alertText();
    expect(text).not.toMatch(/fixed in every/);
    expect(text).toBe('PYSEC-2014-13 in requests is no longer open in any watched repository: octo/app no longer checked (excluded by .depwatch.yml (dev tools))');
  });

  it('one pin ignored by path in .depwatch.yml, the other fixed later: ignored, not fixed', async () => {
    const { watch } = await alertedOnTwoPins();
    world.github.pushCommit('octo', 'app', { '.depwatch.yml': 'ignore:\n  - id: PYSEC-2014-13\n    reason: dev tools only\n    path: tools/\n' });
    await runAlerts(watch);
    expect(alertText()).toEqual([expect.stringMatching(/hits octo\/app$/)]);

    world.github.pushCommit('octo', 'app', { 'requirements.txt': 'requests==2.31.0\n' });
    expect(await runAlerts(watch)).toMatchObject({ posted: 0, resolved: 1 });
    const [text] = alertText();
    expect(text).not.toMatch(/fixed in every|fixed by/);
    expect(text).toBe('PYSEC-2014-13 in requests is no longer open in any watched repository: octo/app not fixed (ignored in .depwatch.yml: dev tools only)');
  });

  it('both pins fixed: fixed in every watched repository, by the commit that fixed the last', async () => {
    const { watch } = await alertedOnTwoPins();
    world.github.pushCommit('octo', 'app', { 'requirements.txt': 'requests==2.31.0\n' });
    await runAlerts(watch);
    const last = world.github.pushCommit('octo', 'app', { 'tools/requirements.txt': 'requests==2.31.0\n' });
    expect(await runAlerts(watch)).toMatchObject({ resolved: 1 });
    const [text] = alertText();
    expect(text).toMatch(/^✅ PYSEC-2014-13 in requests is fixed in every watched repository: octo\/app by /);
    expect(text).toContain(String(last).slice(0, 7));
  });
});
