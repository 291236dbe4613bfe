/**
 * A watched repository keeps one finding row per key (findingKey: kind, file and line for a file
 * finding). A requirements line with two index problems (`--find-links http://…`: a page merged
 * like an extra index, and plain HTTP) is one finding saying both, so the stored row keeps both,
 * rather than two findings under one key of which the store kept one.
 */
import { afterEach, expect, it } from 'vitest';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { startWorld, type World } from './helpers.js';

let world: World;
afterEach(async () => {
  await world?.close();
});

it('stores one extra-index-url finding for a --find-links page over plain HTTP, whose text says both problems', async () => {
  world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-06T09:00:00Z' });
  world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': '--find-links http://wheels.example/\nrequests==2.31.0\n' } });
  const { watch } = world.service();
  watch.store.addWatch({ repo: 'octo/app', channel: 'C0AAAAAAAA1', userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
  const sweep = await watch.sweeps.runNow();
  expect(sweep.audited).toEqual(['octo/app']);

  const stored = watch.store.openFindings('octo/app').filter((f) => f.kind === 'extra-index-url');
  expect(stored).toHaveLength(1);
  expect(stored[0]!.finding.line).toBe(1);
  expect(stored[0]!.finding.fix.text).toContain('adds the package page http://wheels.example/');
  expect(stored[0]!.finding.fix.text).toContain('It also uses an index over plain HTTP (http://wheels.example/)');
});
