/**
 * A scheduled digest through the watch service: the job writes the digest of its slot to the
 * outbox and delivers it; the same slot run again (a retried job, another replica, a restart over
 * the same database) posts nothing more, and the next slot is a new digest.
 */
import { afterEach, expect, it } from 'vitest';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { startWorld, type World } from './helpers.js';

const CHANNEL = 'C0DIGESTS01';
const ADMIN = 'U0ADMIN0001';
const weeklyJob = { key: `weekly:${CHANNEL}`, channel: CHANNEL, kind: 'weekly' as const, cron: '0 9 * * 1', timeZone: 'UTC', since: new Date(0) };

let world: World;
afterEach(async () => {
  await world?.close();
});

it('posts a weekly digest once per slot, whichever process runs the slot and however often', async () => {
  world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-06T09:00:00Z' });
  world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'requests==2.2.0\n' } });
  const first = world.service();
  await first.watch.handleCommand('watch octo/app', { userId: ADMIN, channelId: CHANNEL });
  const slot = new Date('2025-01-06T09:00:00Z');
  expect(await first.watch.runJob(weeklyJob, slot)).toMatchObject({ written: true });
  expect(world.slack.messages(CHANNEL).map((m) => m.text)).toEqual([expect.stringMatching(/^Weekly dependency updates/)]);

  // Again in the same process, then in a second one over the same database: nothing more.
  world.clock.advance(60_000);
  expect(await first.watch.runJob(weeklyJob, slot)).toMatchObject({ written: false });
  const second = world.service();
  expect(await second.watch.runJob(weeklyJob, slot)).toMatchObject({ written: false });
  expect(world.slack.messages(CHANNEL)).toHaveLength(1);

  world.clock.advance(7 * 86_400_000);
  expect(await second.watch.runJob(weeklyJob, new Date('2025-01-13T09:00:00Z'))).toMatchObject({ written: true });
  expect(world.slack.messages(CHANNEL)).toHaveLength(2);
  expect(world.slack.violations).toEqual([]);
});

it('edits the summary to say its details could not be posted when Slack refuses the thread, in the same job', async () => {
  world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-06T09:00:00Z' });
  world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'requests==2.2.0\n' } });
  const { watch } = world.service();
  await watch.handleCommand('watch octo/app', { userId: ADMIN, channelId: CHANNEL });
  // The summary goes through; the thread's first reply is refused.
  world.slack.failLater('chat.postMessage', 'invalid_arguments', { after: 1, times: 1 });
  const monthlyJob = { ...weeklyJob, key: `monthly:${CHANNEL}`, kind: 'monthly' as const, cron: '0 9 1 * *' };
  world.clock.set('2025-02-01T09:00:00Z');
  await watch.runJob(monthlyJob, new Date('2025-02-01T09:00:00Z'));
  const [summary] = world.slack.messages(CHANNEL);
  expect(world.slack.thread(CHANNEL, summary!.ts)).toEqual([]);
  const now = JSON.stringify(world.slack.message(CHANNEL, summary!.ts)!.blocks);
  expect(now).toContain('⚠️ The details could not be posted in the thread.');
  expect(now).not.toMatch(/Details( and chart)? in the thread/);
  expect(world.slack.callsTo('chat.update')).toHaveLength(1);
});
