/**
 * A watched repository keeps a `not-on-index` finding as any other: a sweep whose registry failed
 * found no such finding because it asked nothing, which must not close it as fixed (the sweep's
 * registry kinds); once the index has the project, it is closed.
 */
import { afterEach, expect, it } from 'vitest';
import type { PackageRegistry } from '../../src/audit/audit.js';
import type { ProjectInfo } from '../../src/python/releases.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { startWorld, type World } from './helpers.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const HOUR = 3_600_000;

const internalLib: ProjectInfo = {
  name: 'my-internal-lib',
  latestVersion: '1.0',
  releases: [{ version: '1.0', uploadTime: '2024-01-01T00:00:00Z', yanked: false, yankedReason: null, requiresPython: null }],
  requiresPython: null,
  projectUrls: {},
  summary: null,
  status: null,
  statusReason: null,
};

/** An index that has no project (`missing`), is down, or has my-internal-lib (`listed`). */
function switchableRegistry(): PackageRegistry & { mode: 'missing' | 'down' | 'listed' } {
  const registry = {
    mode: 'missing' as 'missing' | 'down' | 'listed',
    async projectsSettled(names: string[]) {
      if (registry.mode === 'down') throw new Error('PyPI answered 503');
      return { found: new Map(names.map((n) => [n, registry.mode === 'listed' && n === 'my-internal-lib' ? internalLib : null])), failed: [] };
    },
  };
  return registry;
}

it('keeps a not-on-index finding open through a registry outage, and closes it once the index has the project', async () => {
  const registry = switchableRegistry();
  world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-06T09:00:00Z', registry });
  world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'my-internal-lib==1.0\n' } });
  const { watch } = world.service();
  watch.store.addWatch({ repo: 'octo/app', channel: 'C0AAAAAAAA1', userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
  const openOfKind = () => watch.store.openFindings('octo/app').filter((f) => f.kind === 'not-on-index');

  await watch.sweeps.runNow();
  expect(openOfKind().map((f) => [f.finding.package, f.finding.severity, f.finding.line])).toEqual([['my-internal-lib', 'medium', 1]]);

  // A new commit audited while PyPI is down: partial, and the finding is not called fixed.
  registry.mode = 'down';
  world.github.pushCommit('octo', 'app', { 'README.md': '# app\n' });
  world.clock.advance(HOUR);
  expect((await watch.sweeps.runNow()).audited).toEqual(['octo/app']);
  expect(watch.store.repoState('octo/app')?.partialReasons).toEqual([expect.objectContaining({ kind: 'data-source', transient: true })]);
  expect(openOfKind()).toHaveLength(1);

  // PyPI answers again (the partial audit is checked again) and now lists the project: fixed.
  registry.mode = 'listed';
  world.clock.advance(HOUR);
  expect((await watch.sweeps.runNow()).audited).toEqual(['octo/app']);
  expect(openOfKind()).toEqual([]);
  expect(watch.store.findingsFor(['octo/app']).filter((f) => f.kind === 'not-on-index').map((f) => f.fixedAt !== null)).toEqual([true]);
});
