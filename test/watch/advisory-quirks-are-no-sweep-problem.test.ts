/**
 * A sweep problem means advisories were not looked up (OSV down, re-matching failed, a batch lost,
 * advisory data behind). An advisory whose range cannot be read was looked up and matched fail
 * closed: it is said on the repository, and never as "could not check for new advisories", which
 * would stay posted for as long as the record exists and qualify every digest.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../src/advisories/types.js';
import { sweepProblemsOf } from '../../src/watch/partial-state.js';
import { startWorld, type World } from './helpers.js';

const UNREADABLE_RANGE = {
  id: 'TEST-0002',
  modified: '2025-01-01T00:00:00Z',
  summary: 'x',
  affected: [{ package: { ecosystem: 'PyPI', name: 'weirdpkg' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: 'garbage' }, { fixed: '2.0' }] }] }],
} as OsvRecord;
const CHANNEL = 'C0SECURITY1';
const alertsJob = { key: `alerts:${CHANNEL}`, channel: CHANNEL, kind: 'alerts' as const, cron: '0 * * * *', timeZone: 'UTC', since: new Date(0) };

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('an advisory with a range that cannot be read', () => {
  it('is said on the repository, and no sweep is called partial for it', async () => {
    const w = (world = await startWorld({ records: [UNREADABLE_RANGE], start: '2025-01-06T09:30:00Z' }));
    w.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'weirdpkg==1.0\n' } });
    const { watch } = w.service();
    watch.store.addWatch({ repo: 'octo/app', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: w.clock.now() });
    for (let i = 0; i < 3; i++) {
      w.clock.advance(3_600_000);
      await watch.runJob(alertsJob, w.clock.now());
    }
    const texts = w.slack.messages(CHANNEL).map((m) => String(m.text));
    expect((await watch.state.repoSummaries(['octo/app'])).get('octo/app')?.partialReasons).toEqual([{ kind: 'advisories', text: expect.stringContaining('TEST-0002 has a range for weirdpkg that cannot be read'), transient: false }]);
    expect(texts.join('\n')).not.toContain('could not check for new advisories');
    expect(await watch.state.sweepProblems()).toBeNull();
  });
});

describe('the sweep warnings that are sweep problems', () => {
  it('are those that mean advisories were not looked up, as each is made', () => {
    const notLookedUp = [
      'advisory refresh failed (OSV answered 503); matched against the data already held',
      're-matching failed (worker ran out of memory): unchanged repositories were not re-checked',
      'advisories unavailable (OSV answered 503): unchanged repositories were not re-checked',
      'sweep batch 2 of 3 failed (no result): its 50 repositories were not swept',
      "advisory data older than the sweep's (newest record here none, the sweep's 2025-01-06T00:00:00Z) and still so after a sync: nothing was marked fixed on its account",
    ];
    const lookedUp = [
      'advisory TEST-0002 has a range for weirdpkg that cannot be read (introduced "garbage"): taken to affect every version before 2.0',
      "advisory ratings unavailable (OSV answered 503): unrated advisories were not looked up in their aliases' records",
      "not in this replica's advisory data (older than the data that found them), left open: PYSEC-1",
      'a warning some later version adds',
    ];
    expect(sweepProblemsOf({ warnings: [...lookedUp, ...notLookedUp] })).toEqual(notLookedUp);
  });
});
