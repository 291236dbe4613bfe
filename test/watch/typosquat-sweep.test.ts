/**
 * Sweeps run the typosquat rule with the watched repositories' own packages as popular names: an
 * internal package two repositories use is a target, and the one repository that misspells it gets a
 * `typosquat` finding naming it.
 */
import { afterEach, expect, it } from 'vitest';
import { startWorld, type World } from './helpers.js';

let world: World;
afterEach(async () => {
  await world?.close();
});

it('flags a look-alike of a package the other watched repositories use', async () => {
  world = await startWorld({ records: [], start: '2025-01-06T09:00:00Z' });
  world.github.addRepo({ owner: 'octo', name: 'billing', files: { 'requirements.txt': 'acme-billing-client==1.0\n' } });
  world.github.addRepo({ owner: 'octo', name: 'invoices', files: { 'requirements.txt': 'acme-billing-client==1.0\n' } });
  world.github.addRepo({ owner: 'octo', name: 'reports', files: { 'requirements.txt': 'flask==3.0.0\n' } });
  const { watch } = world.service();
  for (const repo of ['octo/billing', 'octo/invoices', 'octo/reports']) watch.store.addWatch({ repo, channel: 'C0AAAAAAAA1', userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
  const first = await watch.sweeps.runNow();
  expect(first.added.filter((f) => f.kind === 'typosquat')).toEqual([]);

  world.github.pushCommit('octo', 'reports', { 'requirements.txt': 'flask==3.0.0\nacme-billing-clinet==1.0\n' });
  world.clock.advance(3_600_000);
  const second = await watch.sweeps.runNow();
  const squats = second.added.filter((f) => f.kind === 'typosquat');
  expect(squats.map((f) => [f.repo, f.package])).toEqual([['octo/reports', 'acme-billing-clinet']]);
  expect(watch.store.openFindings('octo/reports').find((f) => f.kind === 'typosquat')).toBeDefined();
});
