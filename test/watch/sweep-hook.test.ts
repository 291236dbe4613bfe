/** The after-sweep hook (main.ts hangs the fix pull request state check on it): runs once per sweep, and its failure never fails the sweep. */
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { startWorld, type World } from './helpers.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('SweepRunner.onSwept', () => {
  it('runs after each sweep, and a failing hook leaves the sweep result intact', async () => {
    world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-06T09:00:00Z' });
    world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'urllib3==1.24.1\n' } });
    const { watch } = world.service();
    watch.store.addWatch({ repo: 'octo/app', channel: 'C0AAAAAAAA1', userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
    let calls = 0;
    watch.sweeps.onSwept = async () => {
      calls++;
      throw new Error('GitHub is down');
    };
    const result = await watch.sweeps.runNow();
    expect(calls).toBe(1);
    expect(result.audited).toEqual(['octo/app']);
    await watch.sweeps.runNow();
    expect(calls).toBe(2);
  });
});
