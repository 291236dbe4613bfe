/**
 * A repository whose last sweep audit was partial because a source was not reached (PyPI down,
 * GitHub failing to hand over a file or the code archive) is checked again on the next sweep even
 * though its head did not move, and its reasons are cleared once that check is complete. Without it
 * a one-off outage left it "not fully checked" until someone pushed. A repository partial for a
 * reason that gives the same answer at the same commit (a lockfile that does not parse) is not read
 * again: it costs the heads query only, as a complete one does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PackageRegistry } from '../../src/audit/audit.js';
import { MAX_STORED_REASONS } from '../../src/store/watches.js';
import { RECHECKS_PER_SWEEP } from '../../src/watch/sweep.js';
import { firstReason } from '../../src/watch/partial-state.js';
import { ROUTES, gitBlobShaOf } from '../fakes/github.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { startWorld, type World } from './helpers.js';

const CHANNEL = 'C0AAAAAAAA1';
const HOUR = 3_600_000;
const REQUIREMENTS = 'urllib3==1.24.1\n';
const CONFLICTED_LOCK = '[[package]]\nname = "urllib3"\nversion = "1.24.1"\n<<<<<<< HEAD\n';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** A package registry that is down for its first `down` calls, then knows no project. */
function flakyRegistry(down: number): PackageRegistry & { calls: number } {
  const registry = {
    calls: 0,
    async projectsSettled(names: string[]) {
      registry.calls++;
      if (registry.calls <= down) throw new Error('PyPI answered 503');
      return { found: new Map(names.map((n) => [n, null])), failed: [] };
    },
  };
  return registry;
}

async function watching(files: Record<string, string>, options: { registry?: PackageRegistry; codeScan?: boolean } = {}) {
  const w = (world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-06T09:00:00Z', ...(options.registry ? { registry: options.registry } : {}) }));
  w.github.addRepo({ owner: 'octo', name: 'app', files });
  const { watch } = w.service(options.codeScan ? { codeScan: { fingerprintKey: 'k'.repeat(32) } } : {});
  watch.store.addWatch({ repo: 'octo/app', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: w.clock.now() });
  return { w, watch };
}

describe('a repository left partial by a source that was not reached', () => {
  it('is audited again on the next sweep when PyPI was down, and its reason cleared once PyPI answers', async () => {
    const registry = flakyRegistry(1);
    const { w, watch } = await watching({ 'requirements.txt': REQUIREMENTS }, { registry });
    await watch.sweeps.runNow();
    expect(watch.store.repoState('octo/app')?.partialReasons).toEqual([{ kind: 'data-source', text: expect.stringContaining('package registry unavailable'), transient: true }]);

    w.clock.advance(HOUR);
    const retry = await watch.sweeps.runNow();
    expect(retry.audited).toEqual(['octo/app']);
    expect(registry.calls).toBe(2);
    expect(watch.store.repoState('octo/app')?.partialReasons).toEqual([]);

    // Complete now: the next sweep re-matches it without a GitHub request beyond the heads query.
    w.github.resetCounts();
    w.clock.advance(HOUR);
    const quiet = await watch.sweeps.runNow();
    expect(quiet.audited).toEqual([]);
    expect(w.github.counts()).toEqual({ [ROUTES.graphql]: 1 });
  });

  it('keeps being checked while PyPI stays down, and the reason stays', async () => {
    const registry = flakyRegistry(2);
    const { w, watch } = await watching({ 'requirements.txt': REQUIREMENTS }, { registry });
    await watch.sweeps.runNow();
    w.clock.advance(HOUR);
    expect((await watch.sweeps.runNow()).audited).toEqual(['octo/app']);
    expect(watch.store.repoState('octo/app')?.partialReasons).toEqual([expect.objectContaining({ kind: 'data-source', transient: true })]);
    w.clock.advance(HOUR);
    expect((await watch.sweeps.runNow()).audited).toEqual(['octo/app']);
    expect(watch.store.repoState('octo/app')?.partialReasons).toEqual([]);
  });

  it('is audited again when PyPI was down although 25 lines that do not parse come before its reason', async () => {
    const registry = flakyRegistry(1);
    const unparsable = Array.from({ length: 25 }, (_, i) => `pkg${i} ==== nonsense\n`).join('');
    const { w, watch } = await watching({ 'requirements.txt': REQUIREMENTS + unparsable }, { registry });
    await watch.sweeps.runNow();
    const stored = watch.store.repoState('octo/app')?.partialReasons ?? [];
    expect(stored.length).toBeLessThanOrEqual(MAX_STORED_REASONS);
    expect(stored).toContainEqual({ kind: 'data-source', text: expect.stringContaining('package registry unavailable'), transient: true });
    // The lines left out are counted, so "+N more" stays true.
    expect(firstReason(stored)).toMatch(/\(\+25 more\)$/);

    w.clock.advance(HOUR);
    expect((await watch.sweeps.runNow()).audited).toEqual(['octo/app']);
    expect(registry.calls).toBe(2);
    const after = watch.store.repoState('octo/app')?.partialReasons ?? [];
    expect(after.some((r) => r.transient)).toBe(false);
    expect(after.every((r) => r.kind === 'unread')).toBe(true);
    expect(firstReason(after)).toMatch(/\(\+24 more\)$/);

    // Permanently partial now: left alone.
    w.clock.advance(HOUR);
    expect((await watch.sweeps.runNow()).audited).toEqual([]);
  });

  it('is audited again when the code archive could not be downloaded, and says it was scanned once it was', async () => {
    const { w, watch } = await watching({ 'requirements.txt': REQUIREMENTS }, { codeScan: true });
    w.github.failRequests({ route: ROUTES.tarball, status: 500, times: 10 });
    await watch.sweeps.runNow();
    expect(watch.store.repoState('octo/app')?.partialReasons).toEqual([{ kind: 'unscanned', text: expect.stringContaining('code and configuration were not scanned'), transient: true }]);

    w.github.failRequests(null);
    w.clock.advance(HOUR);
    expect((await watch.sweeps.runNow()).audited).toEqual(['octo/app']);
    expect(watch.store.repoState('octo/app')?.partialReasons).toEqual([]);
  });

  it('is audited again when GitHub did not hand over a manifest, and reads it then', async () => {
    const { w, watch } = await watching({ 'requirements.txt': REQUIREMENTS });
    w.github.failRequests({ route: ROUTES.blob, status: 502, times: 10, pathContains: gitBlobShaOf(REQUIREMENTS) });
    await watch.sweeps.runNow();
    expect(watch.store.repoState('octo/app')?.partialReasons).toEqual(expect.arrayContaining([{ kind: 'unread', text: expect.stringContaining('requirements.txt'), transient: true }]));

    w.github.failRequests(null);
    w.clock.advance(HOUR);
    expect((await watch.sweeps.runNow()).audited).toEqual(['octo/app']);
    expect(watch.store.repoState('octo/app')?.partialReasons).toEqual([]);
    expect(watch.store.openFindings('octo/app').map((f) => f.advisoryId)).toContain('PYSEC-2019-132');
  });
});

describe('a repository partial for a reason that gives the same answer at the same commit', () => {
  it('is not read again while it does not move: the heads query is all it costs', async () => {
    const { w, watch } = await watching({ 'pyproject.toml': '[project]\nname = "app"\ndependencies = ["urllib3"]\n', 'poetry.lock': CONFLICTED_LOCK });
    await watch.sweeps.runNow();
    expect(watch.store.repoState('octo/app')?.partialReasons).toEqual([expect.objectContaining({ kind: 'unread', transient: false })]);

    w.github.resetCounts();
    w.clock.advance(HOUR);
    const next = await watch.sweeps.runNow();
    expect(next.audited).toEqual([]);
    expect(w.github.counts()).toEqual({ [ROUTES.graphql]: 1 });
    expect(watch.store.repoState('octo/app')?.partialReasons).toEqual([expect.objectContaining({ kind: 'unread' })]);
  });

  it('stored before reasons said whether they pass, is audited once more to find out, and then left alone', async () => {
    const { w, watch } = await watching({ 'pyproject.toml': '[project]\nname = "app"\ndependencies = ["urllib3"]\n', 'poetry.lock': CONFLICTED_LOCK });
    await watch.sweeps.runNow();
    // As an older version stored it: kind and text only.
    watch.store.db.prepare('UPDATE repo_state SET partial_reasons = ? WHERE repo = ?').run(JSON.stringify([{ kind: 'data-source', text: 'package registry unavailable (PyPI answered 503): outdated and yanked releases were not checked' }]), 'octo/app');

    w.clock.advance(HOUR);
    expect((await watch.sweeps.runNow()).audited).toEqual(['octo/app']);
    expect(watch.store.repoState('octo/app')?.partialReasons).toEqual([expect.objectContaining({ kind: 'unread', transient: false })]);
    w.clock.advance(HOUR);
    expect((await watch.sweeps.runNow()).audited).toEqual([]);
  });
});

describe('what re-checks may cost a sweep', () => {
  it('does not re-check a repository for a blob GitHub refuses for good (404): it waits for a push', async () => {
    const { w, watch } = await watching({ 'requirements.txt': REQUIREMENTS });
    w.github.failRequests({ route: ROUTES.blob, status: 404, times: 100, pathContains: gitBlobShaOf(REQUIREMENTS) });
    await watch.sweeps.runNow();
    expect(watch.store.repoState('octo/app')?.partialReasons).toEqual(expect.arrayContaining([{ kind: 'unread', text: expect.stringContaining('requirements.txt'), transient: false }]));

    w.github.resetCounts();
    w.clock.advance(HOUR);
    expect((await watch.sweeps.runNow()).audited).toEqual([]);
    expect(w.github.counts()).toEqual({ [ROUTES.graphql]: 1 });
  });

  it('does not re-check a repository whose code archive GitHub refuses (404) rather than fails', async () => {
    const { w, watch } = await watching({ 'requirements.txt': REQUIREMENTS }, { codeScan: true });
    w.github.failRequests({ route: ROUTES.tarball, status: 404, times: 100 });
    await watch.sweeps.runNow();
    expect(watch.store.repoState('octo/app')?.partialReasons).toEqual([{ kind: 'unscanned', text: expect.stringContaining('code and configuration were not scanned'), transient: false }]);
    w.clock.advance(HOUR);
    expect((await watch.sweeps.runNow()).audited).toEqual([]);
  });

  it('re-checks at most RECHECKS_PER_SWEEP repositories a sweep after a PyPI outage, the longest unchecked first, until every one was', async () => {
    let pypiDown = true;
    const registry: PackageRegistry = {
      async projectsSettled(names: string[]) {
        if (pypiDown) throw new Error('PyPI answered 503');
        return { found: new Map(names.map((n) => [n, null])), failed: [] };
      },
    };
    const w = (world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-06T09:00:00Z', registry }));
    const repos = Array.from({ length: 100 }, (_, i) => `app${String(i).padStart(3, '0')}`);
    for (const name of repos) w.github.addRepo({ owner: 'octo', name, files: { 'requirements.txt': REQUIREMENTS } });
    const { watch } = w.service({});
    for (const name of repos) watch.store.addWatch({ repo: `octo/${name}`, channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: w.clock.now() });
    expect((await watch.sweeps.runNow()).audited).toHaveLength(100);
    const transient = () => repos.filter((name) => watch.store.repoState(`octo/${name}`)?.partialReasons.some((r) => r.transient));
    expect(transient()).toHaveLength(100);

    // PyPI still down: each sweep re-checks 25 (a repository request each), and a different 25 the next time.
    const rechecked: string[][] = [];
    for (let n = 0; n < 2; n++) {
      w.github.resetCounts();
      w.clock.advance(HOUR);
      const swept = await watch.sweeps.runNow();
      expect(swept.audited).toHaveLength(RECHECKS_PER_SWEEP);
      expect(w.github.count(ROUTES.repo)).toBe(RECHECKS_PER_SWEEP);
      rechecked.push(swept.audited);
    }
    expect(new Set(rechecked.flat()).size).toBe(2 * RECHECKS_PER_SWEEP);

    // Once PyPI answers, every repository is complete within four more sweeps, 25 at a time.
    pypiDown = false;
    const left: number[] = [];
    for (let n = 0; n < 4; n++) {
      w.clock.advance(HOUR);
      expect((await watch.sweeps.runNow()).audited.length).toBeLessThanOrEqual(RECHECKS_PER_SWEEP);
      left.push(transient().length);
    }
    expect(left).toEqual([75, 50, 25, 0]);
    w.github.resetCounts();
    w.clock.advance(HOUR);
    expect((await watch.sweeps.runNow()).audited).toEqual([]);
    expect(Object.keys(w.github.counts())).toEqual([ROUTES.graphql]);
  }, 60_000);

  it('does not let repositories whose re-check keeps throwing take every turn: a failed re-check goes to the back too', async () => {
    let pypiDown = true;
    const registry: PackageRegistry = {
      async projectsSettled(names: string[]) {
        if (pypiDown) throw new Error('PyPI answered 503');
        return { found: new Map(names.map((n) => [n, null])), failed: [] };
      },
    };
    const w = (world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-06T09:00:00Z', registry }));
    // As many repositories as a sweep re-checks, sorted before the one that would pass.
    const broken = Array.from({ length: RECHECKS_PER_SWEEP }, (_, i) => `broken${String(i).padStart(2, '0')}`);
    for (const name of [...broken, 'shop']) w.github.addRepo({ owner: 'octo', name, files: { 'requirements.txt': REQUIREMENTS } });
    const { watch } = w.service({});
    for (const name of [...broken, 'shop']) watch.store.addWatch({ repo: `octo/${name}`, channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: w.clock.now() });
    expect((await watch.sweeps.runNow()).audited).toHaveLength(RECHECKS_PER_SWEEP + 1);

    // PyPI is back, but GitHub now fails every request about the broken ones: their re-checks throw.
    pypiDown = false;
    w.github.failRequests({ route: ROUTES.repo, status: 500, times: 10_000, pathContains: '/octo/broken' });
    w.clock.advance(HOUR);
    const first = await watch.sweeps.runNow();
    expect(first.failed.map((f) => f.repo).sort()).toEqual(broken.map((name) => `octo/${name}`));
    expect(watch.store.repoState('octo/shop')?.partialReasons.some((r) => r.transient)).toBe(true);

    // Tried and failed, they go behind the one not yet tried, which is re-checked and complete.
    w.clock.advance(HOUR);
    const second = await watch.sweeps.runNow();
    expect(second.audited).toEqual(['octo/shop']);
    expect(watch.store.repoState('octo/shop')?.partialReasons).toEqual([]);
  }, 60_000);
});
