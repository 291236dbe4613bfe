/**
 * A commit that adds a dependency with a history of advisories: the next alerts job says the
 * dependency once ("acme/web now depends on pillow 8.0.0, which has N known advisories …", worst
 * first, a few named, the fix) instead of one "New advisory" message per advisory it brought. Each
 * advisory is still recorded as alerted in the channel, so nothing is said again; an advisory
 * published afterwards for the same dependency gets its own alert; removing the dependency again
 * edits nothing and posts nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../src/advisories/types.js';
import { fixtureRecords } from '../fixtures/osv/load.js';
import { blockText, CHANNEL, startWorld, USER, waitFor, type World } from './app-world.js';
import { pillowAdvisoryPublishedNow } from './pillow-published-now.js';

const alertsJob = { key: `alerts:${CHANNEL}`, channel: CHANNEL, kind: 'alerts' as const, cron: '*/1 * * * *', timeZone: 'UTC', since: new Date(0) };
const WEB = { owner: 'acme', name: 'web', files: { 'requirements.txt': 'attrs==23.1.0\n' } };

const publishedToday = (): OsvRecord => pillowAdvisoryPublishedNow({ id: 'PYSEC-2026-9001', summary: 'Pillow decodes a crafted image into unbounded memory', details: 'Published during the test.' });

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const topLevel = (w: World) => w.slack.callsTo('chat.postMessage').filter((c) => c.params.channel === CHANNEL && !c.params.thread_ts);

async function watchedWithPillowAdded(): Promise<World> {
  const w = (world = await startWorld({ watch: {}, env: { DEPWATCH_CODE_SCAN: '0' }, repos: [WEB] }));
  await w.watch!.state.addWatch({ repo: 'acme/web', channel: CHANNEL, userId: USER, private: false, adminLinked: false, now: new Date() });
  // The first sweep is the baseline: nothing to say.
  await w.watch!.runJob(alertsJob, new Date());
  expect(topLevel(w)).toHaveLength(0);
  w.github.pushCommit('acme', 'web', { 'requirements.txt': 'attrs==23.1.0\npillow==8.0.0\n' });
  await w.watch!.runJob(alertsJob, new Date());
  return w;
}

describe('a dependency added to a watched repository', () => {
  it('is said in one message, worst first, instead of one "New advisory" per advisory it brought', async () => {
    const w = await watchedWithPillowAdded();
    const alerts = w.watch!.store.alertsForChannel(CHANNEL);
    expect(alerts.length).toBeGreaterThan(5);
    const posts = topLevel(w);
    expect(posts).toHaveLength(1);
    const text = String(posts[0]!.params.text);
    expect(text).toMatch(new RegExp(`^acme/web now depends on pillow 8\\.0\\.0, which has ${alerts.length} known advisories \\(\\d+ (critical|high|not rated, treated as high)`));
    const blocks = blockText(posts[0]!.params.blocks);
    expect(blocks).toContain(`…and ${alerts.length - 5} more`);
    expect(blocks).toMatch(/\*Fix:\* move to pillow [\d.]+ or later, which clears all of them\./);
    expect(blocks).not.toContain('New advisory');
    // Worst first: the first advisory named is of the worst level counted.
    const firstLevel = /which has \d+ known advisories \(\d+ (critical|high|not rated)/.exec(text)![1]!;
    const label = { critical: 'Critical', high: 'High', 'not rated': 'not rated by the source \\(treated as high\\)' }[firstLevel];
    expect(blocks).toMatch(new RegExp(`Worst first:\\n• \\S+ <https://osv\\.dev/vulnerability/[^|]+\\|[^>]+> · ${label}: `));
    expect(posts[0]!.response?.ok).toBe(true);
    // Each advisory is recorded as alerted in the channel, announced by that message.
    const ts = String(posts[0]!.response?.ts);
    expect(alerts.every((a) => a.state === 'posted' && a.messageTs === ts)).toBe(true);
    expect(w.slack.violations).toEqual([]);

    // The next run says nothing again.
    const updates = w.slack.callsTo('chat.update').length;
    await w.watch!.runJob(alertsJob, new Date());
    expect(topLevel(w)).toHaveLength(1);
    expect(w.slack.callsTo('chat.update')).toHaveLength(updates);
  });

  it('keeps its own alert for an advisory published afterwards for the dependency that is already there', async () => {
    const w = await watchedWithPillowAdded();
    w.osv.addRecord(publishedToday());
    await w.watch!.runJob(alertsJob, new Date());
    const posts = topLevel(w);
    expect(posts).toHaveLength(2);
    expect(String(posts[1]!.params.text)).toMatch(/^New advisory in pillow: PYSEC-2026-9001 \(.+\) hits acme\/web$/);
  });

  it('says it again, once, for a second repository that adds the same dependency later', async () => {
    const w = await watchedWithPillowAdded();
    const count = w.watch!.store.alertsForChannel(CHANNEL).length;
    w.github.addRepo({ owner: 'acme', name: 'api', files: { 'requirements.txt': 'attrs==23.1.0\n' } });
    await w.watch!.state.addWatch({ repo: 'acme/api', channel: CHANNEL, userId: USER, private: false, adminLinked: false, now: new Date() });
    await w.watch!.runJob(alertsJob, new Date());
    w.github.pushCommit('acme', 'api', { 'requirements.txt': 'pillow==8.0.0\n' });
    await w.watch!.runJob(alertsJob, new Date());
    const posts = topLevel(w);
    expect(posts).toHaveLength(2);
    expect(String(posts[1]!.params.text)).toMatch(new RegExp(`^acme/api now depends on pillow 8\\.0\\.0, which has ${count} known advisories`));
    // Still one alert per advisory, now listing both repositories.
    const alerts = w.watch!.store.alertsForChannel(CHANNEL);
    expect(alerts).toHaveLength(count);
    expect(alerts.every((a) => a.affected.filter((r) => r.fixedAt === null).map((r) => r.repo).sort().join() === 'acme/api,acme/web')).toBe(true);
  });

  it('adds a newly watched repository that already pins the dependency to its advisories without an alert (its baseline: one "Now watching" message says it)', async () => {
    const w = await watchedWithPillowAdded();
    const count = w.watch!.store.alertsForChannel(CHANNEL).length;
    w.github.addRepo({ owner: 'acme', name: 'lib', files: { 'requirements.txt': 'pillow==8.0.0\n' } });
    await w.watch!.state.addWatch({ repo: 'acme/lib', channel: CHANNEL, userId: USER, private: false, adminLinked: false, now: new Date() });
    await w.watch!.runJob(alertsJob, new Date());
    expect(topLevel(w).map((c) => String(c.params.text)).slice(1)).toEqual([`Now watching acme/lib: ${count} known vulnerabilities`]);
    const alerts = w.watch!.store.alertsForChannel(CHANNEL);
    expect(alerts).toHaveLength(count);
    expect(alerts.every((a) => a.affected.some((r) => r.repo === 'acme/lib' && r.fixedAt === null))).toBe(true);
  });

  it('gives an advisory its own message when it newly hits another repository where it may alert', async () => {
    const w = await watchedWithPillowAdded();
    w.github.addRepo({ owner: 'acme', name: 'lib', files: { 'requirements.txt': 'pillow==99.0.0\n' } });
    await w.watch!.state.addWatch({ repo: 'acme/lib', channel: CHANNEL, userId: USER, private: false, adminLinked: false, now: new Date() });
    await w.watch!.runJob(alertsJob, new Date());
    // One of the advisories is changed to cover pillow 99.0.0 too: a new match in acme/lib, whose pillow did not change.
    const [alert] = w.watch!.store.alertsForChannel(CHANNEL);
    const record = fixtureRecords().get(alert!.advisoryId)!;
    const now = new Date().toISOString();
    w.osv.addRecord({ ...record, modified: now, affected: [{ package: { ecosystem: 'PyPI', name: 'pillow' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '99.0.1' }] }] }] } as OsvRecord);
    await w.watch!.runJob(alertsJob, new Date());
    const posts = topLevel(w);
    expect(posts).toHaveLength(2);
    expect(String(posts[1]!.params.text)).toMatch(new RegExp(`^New advisory in pillow: ${alert!.advisoryId} \\(.+\\) hits acme/web, acme/lib$|^New advisory in pillow: ${alert!.advisoryId} \\(.+\\) hits acme/lib, acme/web$`));
    // Its own message now, the one an ignore's confirmation replies under; later changes edit it.
    expect(w.watch!.store.alertsForChannel(CHANNEL).find((a) => a.id === alert!.id)!.messageTs).toBe(String(posts[1]!.response?.ts));
    const updates = w.slack.callsTo('chat.update').length;
    w.github.pushCommit('acme', 'lib', { 'requirements.txt': 'pillow==99.0.1\n' });
    await w.watch!.runJob(alertsJob, new Date());
    expect(topLevel(w)).toHaveLength(2);
    expect(w.slack.callsTo('chat.update').length).toBe(updates + 1);
    expect(w.slack.callsTo('chat.update').at(-1)!.params.ts).toBe(String(posts[1]!.response?.ts));
  });

  it('waits out a Slack outage with its message, never posting the advisories one by one meanwhile', async () => {
    const w = (world = await startWorld({ watch: {}, env: { DEPWATCH_CODE_SCAN: '0' }, repos: [WEB] }));
    await w.watch!.state.addWatch({ repo: 'acme/web', channel: CHANNEL, userId: USER, private: false, adminLinked: false, now: new Date() });
    await w.watch!.runJob(alertsJob, new Date());
    w.github.pushCommit('acme', 'web', { 'requirements.txt': 'attrs==23.1.0\npillow==8.0.0\n' });
    w.slack.serverErrorNext('chat.postMessage', 503);
    await w.watch!.runJob(alertsJob, new Date());
    expect(w.watch!.store.alertsForChannel(CHANNEL).every((a) => a.state === 'recorded')).toBe(true);
    // The next run finds the alerts still recorded: their message is the dependency's, still to come.
    await w.watch!.runJob(alertsJob, new Date());
    // Once Slack answers again (the outbox retries after its backoff), the one message goes out.
    const delivered = await waitFor(async () => {
      const ok = topLevel(w).filter((c) => c.response?.ok);
      if (ok.length) return ok;
      await new Promise((resolve) => setTimeout(resolve, 500));
      await w.watch!.runJob(alertsJob, new Date());
      return false;
    }, 'the dependency message', 15_000);
    expect(delivered).toHaveLength(1);
    expect(String(delivered[0]!.params.text)).toMatch(/^acme\/web now depends on pillow 8\.0\.0/);
    expect(topLevel(w).some((c) => String(c.params.text).startsWith('New advisory'))).toBe(false);
  });

  it('says nothing more when the dependency is removed again: its advisories resolve quietly', async () => {
    const w = await watchedWithPillowAdded();
    const updates = w.slack.callsTo('chat.update').length;
    w.github.pushCommit('acme', 'web', { 'requirements.txt': 'attrs==23.1.0\n' });
    await w.watch!.runJob(alertsJob, new Date());
    expect(w.watch!.store.alertsForChannel(CHANNEL).every((a) => a.state === 'resolved')).toBe(true);
    expect(topLevel(w)).toHaveLength(1);
    expect(w.slack.callsTo('chat.update')).toHaveLength(updates);
    await waitFor(() => true, 'nothing');
  });
});
