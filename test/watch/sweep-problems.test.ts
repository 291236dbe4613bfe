/**
 * Sweeps that could not check for new advisories (OSV down, re-matching failed, a batch lost) are
 * said in Slack, not only in metrics and logs: the hourly alerts job posts one notice per channel
 * and run of partial sweeps once it has lasted two sweeps (sweep-notice-cool-down.test.ts), edits it once a complete sweep ends the run, and digests say it in
 * their summary meanwhile. Without it a channel got no message at all, as when nothing was published.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { startWorld, type World } from './helpers.js';

const CHANNEL = 'C0AAAAAAAA1';
const job = (kind: 'alerts' | 'monthly') => ({ key: `${kind}:${CHANNEL}`, channel: CHANNEL, kind, cron: kind === 'alerts' ? '0 * * * *' : '0 9 1 * *', timeZone: 'UTC', since: new Date(0) });
const HOUR = 3_600_000;

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function watchedAndSwept() {
  const w = (world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-06T09:00:00Z' }));
  w.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'urllib3==1.24.1\n' } });
  const { watch } = w.service();
  watch.store.addWatch({ repo: 'octo/app', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: w.clock.now() });
  await watch.runJob(job('alerts'), w.clock.now());
  // Its baseline is said first, once (watch-started.ts); what follows is the sweeps' word.
  expect(w.slack.messages(CHANNEL).map((m) => String(m.text))).toEqual(['Now watching octo/app: 1 known vulnerability']);
  return { w, watch };
}

const texts = (w: World) => w.slack.messages(CHANNEL).map((m) => String(m.text)).filter((t) => !t.startsWith('Now watching'));

describe('sweeps that could not check for new advisories', () => {
  it('are said once per channel by the alerts job from their second sweep, and the notice is edited when a complete sweep ends them', async () => {
    const { w, watch } = await watchedAndSwept();
    expect(texts(w)).toEqual([]);

    w.osv.failNext(2, 503); // the re-match's query and its one retry
    w.clock.advance(HOUR);
    await watch.runJob(job('alerts'), w.clock.now());
    // One partial sweep is not posted yet (a flaky source would post on every one).
    expect(texts(w)).toEqual([]);
    expect(await watch.state.sweepProblems()).toMatchObject({ since: '2025-01-06T10:00:00.000Z', recoveredAt: null });

    // Still down an hour later: the run goes on from 10:00, and is posted.
    w.osv.failNext(2, 503);
    w.clock.advance(HOUR);
    await watch.runJob(job('alerts'), w.clock.now());
    expect(texts(w)).toEqual([expect.stringMatching(/^⚠️ Depwatch could not check for new advisories since 2025-01-06 10:00 UTC: advisories unavailable \(OSV answered 503/)]);

    // And again: nothing is posted again.
    w.osv.failNext(2, 503);
    w.clock.advance(HOUR);
    await watch.runJob(job('alerts'), w.clock.now());
    expect(texts(w)).toHaveLength(1);

    w.clock.advance(HOUR);
    await watch.runJob(job('alerts'), w.clock.now());
    expect(texts(w)).toEqual([expect.stringContaining('✅ Depwatch is checking for new advisories again: sweeps were partial from 2025-01-06 10:00 UTC until 2025-01-06 13:00 UTC')]);
    expect(w.slack.callsTo('chat.update')).toHaveLength(1);
  });

  it('are said in the summary of a digest written meanwhile', async () => {
    const { w, watch } = await watchedAndSwept();
    w.osv.failNext(2, 503);
    w.clock.set('2025-02-01T09:00:00Z');
    await watch.runJob(job('monthly'), w.clock.now());
    const [summary] = w.slack.messages(CHANNEL).filter((m) => String(m.text).startsWith('Monthly security review'));
    expect(JSON.stringify(summary?.blocks)).toContain('⚠️ Depwatch could not check for new advisories since 2025-02-01 09:00 UTC: advisories unavailable');
    expect(String(summary?.text)).toContain('⚠️ new advisories not checked by every sweep');
  });

  it('say nothing when every sweep was complete', async () => {
    const { w, watch } = await watchedAndSwept();
    w.clock.advance(HOUR);
    await watch.runJob(job('alerts'), w.clock.now());
    expect(texts(w)).toEqual([]);
    expect(await watch.state.sweepProblems()).toBeNull();
  });
});
