/** Sweeps over the loopback GitHub and OSV: what they cost, what they diff, and that one bad repository stops nothing. */
import { afterEach, describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../src/advisories/types.js';
import { installedPackages } from '../../src/audit/context.js';
import { excludedReason, newIn, packageUsesOf, stillInTree, storedPackagesOf } from '../../src/watch/sweep.js';
import { memorySource } from '../../src/python/files.js';
import { loadManifests } from '../../src/python/load.js';
import { ROUTES } from '../fakes/github.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { startWorld, type World } from './helpers.js';

let world: World;
afterEach(async () => {
  await world?.close();
});

const REQUESTS: OsvRecord = { ...fixtureRecord('PYSEC-2014-13'), modified: '2025-01-06T10:00:00Z' };

describe('sweep', () => {
  it('audits only repositories whose HEAD moved; the rest cost no GitHub request beyond the heads query', async () => {
    world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-06T09:00:00Z' });
    for (let i = 0; i < 5; i++) world.github.addRepo({ owner: 'octo', name: `svc-${i}`, files: { 'requirements.txt': `requests==2.2.0\nurllib3==1.24.${i % 3}\n` } });
    const { watch } = world.service();
    for (let i = 0; i < 5; i++) watch.store.addWatch({ repo: `octo/svc-${i}`, channel: 'C0AAAAAAAA1', userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });

    const first = await watch.sweeps.runNow();
    expect(first.audited.sort()).toEqual(['octo/svc-0', 'octo/svc-1', 'octo/svc-2', 'octo/svc-3', 'octo/svc-4']);
    expect(first.added.filter((f) => f.kind === 'vulnerability')).toHaveLength(5);
    expect(first.added.every((f) => !f.alertable)).toBe(true); // baseline

    world.github.resetCounts();
    const fix = world.github.pushCommit('octo', 'svc-0', { 'requirements.txt': 'requests==2.2.0\nurllib3==1.24.3\n' });
    world.osv.addRecord(REQUESTS);
    world.clock.advance(3_600_000);
    const second = await watch.sweeps.runNow();
    expect(second.audited).toEqual(['octo/svc-0']);
    expect(second.rematched).toBe(4);
    expect(world.github.count(ROUTES.graphql)).toBe(1);
    // Only the moved repository: repository, commit, tree and the one new blob.
    expect(world.github.counts()).toEqual({ [ROUTES.graphql]: 1, [ROUTES.repo]: 1, [ROUTES.commit]: 1, [ROUTES.tree]: 1, [ROUTES.blob]: 1 });
    expect(second.fixed.map((f) => [f.repo, f.advisoryId, f.fixedBySha])).toEqual([['octo/svc-0', 'PYSEC-2019-132', fix]]);
    // The new advisory is found in every repository, the unchanged ones by re-matching stored packages.
    expect(second.added.filter((f) => f.advisoryId === 'PYSEC-2014-13').map((f) => f.repo).sort()).toEqual(['octo/svc-0', 'octo/svc-1', 'octo/svc-2', 'octo/svc-3', 'octo/svc-4']);
    expect(second.added.every((f) => f.alertable)).toBe(true);
  });

  it('records a missing repository and carries on with the others', async () => {
    world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-06T09:00:00Z' });
    world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'urllib3==1.24.1\n' } });
    const { watch } = world.service();
    for (const repo of ['octo/app', 'octo/deleted']) watch.store.addWatch({ repo, channel: 'C0AAAAAAAA1', userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
    const result = await watch.sweeps.runNow();
    expect(result.audited).toEqual(['octo/app']);
    expect(result.failed).toEqual([{ repo: 'octo/deleted', message: expect.stringContaining("can't see octo/deleted") }]);
    expect(watch.store.repoState('octo/deleted')?.error).toContain("can't see");
    expect(watch.store.openFindings('octo/app').some((f) => f.advisoryId === 'PYSEC-2019-132')).toBe(true);
  });

  it('does not call findings fixed when OSV is down', async () => {
    world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-06T09:00:00Z' });
    world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'urllib3==1.24.1\n' } });
    const { watch } = world.service();
    watch.store.addWatch({ repo: 'octo/app', channel: 'C0AAAAAAAA1', userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
    await watch.sweeps.runNow();
    world.osv.failNext(50, 503);
    world.clock.advance(3_600_000);
    const down = await watch.sweeps.runNow();
    expect(down.warnings).toEqual([expect.stringContaining('advisories unavailable')]);
    expect(down.fixed).toEqual([]);
    expect(watch.store.openFindings('octo/app').filter((f) => f.kind === 'vulnerability')).toHaveLength(1);
  });

  it('does not call findings fixed when their lockfile became unreadable, and keeps re-matching what it locked', async () => {
    const lock = (urllib3: string) =>
      ['urllib3', 'requests']
        .map((name) => `[[package]]\nname = "${name}"\nversion = "${name === 'urllib3' ? urllib3 : '2.2.0'}"\ndescription = ""\noptional = false\npython-versions = "*"\nfiles = []\n`)
        .join('\n') + '\n[metadata]\nlock-version = "2.0"\npython-versions = "^3.8"\ncontent-hash = "0"\n';
    const pyproject = '[tool.poetry]\nname = "app"\n[tool.poetry.dependencies]\npython = "^3.8"\nurllib3 = "^1.24"\nrequests = "^2.2"\n';
    world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-06T09:00:00Z' });
    world.github.addRepo({ owner: 'octo', name: 'app', files: { 'pyproject.toml': pyproject, 'poetry.lock': lock('1.24.1') } });
    const { watch } = world.service();
    watch.store.addWatch({ repo: 'octo/app', channel: 'C0AAAAAAAA1', userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
    await watch.sweeps.runNow();
    const openVulns = () => watch.store.openFindings('octo/app').filter((f) => f.kind === 'vulnerability').map((f) => f.advisoryId).sort();
    expect(openVulns()).toEqual(['PYSEC-2019-132']);

    // A merge conflict left in the lockfile: it is not TOML any more, and nothing in it was read.
    world.github.pushCommit('octo', 'app', { 'poetry.lock': `<<<<<<< HEAD\n${lock('1.24.1')}=======\n${lock('1.24.2')}>>>>>>> fix\n` });
    world.clock.advance(3_600_000);
    const broken = await watch.sweeps.runNow();
    expect(broken.audited).toEqual(['octo/app']);
    expect(broken.fixed).toEqual([]);
    expect(openVulns()).toEqual(['PYSEC-2019-132']);

    // While it stays broken, a new advisory for a package it locked is still found.
    world.osv.addRecord(REQUESTS);
    world.clock.advance(3_600_000);
    const rematched = await watch.sweeps.runNow();
    expect(rematched.rematched).toBe(1);
    expect(rematched.fixed).toEqual([]);
    expect(openVulns()).toEqual(['PYSEC-2014-13', 'PYSEC-2019-132']);

    // Once it is readable again, what it no longer locks is fixed, by that commit.
    const repaired = world.github.pushCommit('octo', 'app', { 'poetry.lock': lock('1.24.3') });
    world.clock.advance(3_600_000);
    const fixed = await watch.sweeps.runNow();
    expect(fixed.fixed.filter((f) => f.kind === 'vulnerability').map((f) => [f.advisoryId, f.fixedBySha])).toEqual([['PYSEC-2019-132', repaired]]);
    expect(openVulns()).toEqual(['PYSEC-2014-13']);
  });

  it('closes the findings only an excluded file held as excluded, never as fixed; a file removed under the same entry is fixed', async () => {
    world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132'), REQUESTS], start: '2025-01-06T09:00:00Z' });
    world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'six==1.16.0\n', 'tests/fixtures/requirements.txt': 'urllib3==1.24.1\n', 'tests/old/requirements.txt': 'requests==2.2.0\n' } });
    const { watch } = world.service();
    watch.store.addWatch({ repo: 'octo/app', channel: 'C0AAAAAAAA1', userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
    await watch.sweeps.runNow();
    expect(watch.store.openFindings('octo/app').map((f) => f.advisoryId).filter(Boolean).sort()).toEqual(['PYSEC-2014-13', 'PYSEC-2019-132']);

    // One commit excludes tests/ and deletes the old file under it.
    const sha = world.github.pushCommit('octo', 'app', { '.depwatch.yml': 'exclude:\n  - path: tests/\n    reason: test data\n', 'tests/old/requirements.txt': null });
    world.clock.advance(3_600_000);
    const after = await watch.sweeps.runNow();
    expect(after.fixed.filter((f) => f.advisoryId).map((f) => [f.advisoryId, f.fixedBySha])).toEqual([['PYSEC-2014-13', sha]]);
    expect(after.excluded.filter((f) => f.advisoryId).map((f) => [f.advisoryId, f.fixedBySha, f.closedReason])).toEqual([['PYSEC-2019-132', null, 'excluded by .depwatch.yml (test data)']]);
    const stored = watch.store.findingsFor(['octo/app']).find((f) => f.advisoryId === 'PYSEC-2019-132')!;
    expect(stored).toMatchObject({ fixedBySha: null, closedReason: 'excluded by .depwatch.yml (test data)' });
    expect(stored.fixedAt).not.toBeNull();
    // Whatever else the excluded file held (its hygiene findings) is excluded too, not fixed.
    expect(after.fixed.every((f) => f.finding.file !== 'tests/fixtures/requirements.txt')).toBe(true);
  });

  it('an excluded file the snapshot could not read (fetch failed, too large, listing cut short) is not known to be gone: its findings close as excluded, never as fixed', () => {
    const exclusions = [{ path: 'tests/', reason: 'test data', source: '.depwatch.yml', manifests: 1 }];
    const snapshot = {
      files: [{ path: 'requirements.txt' }],
      errors: [
        { path: 'tests/fixtures/requirements.txt', message: 'blob could not be fetched' },
        { path: 'tests/big', message: 'listing truncated' },
        { path: null, message: 'rate limited' },
      ],
    };
    const reason = excludedReason(exclusions, stillInTree(snapshot));
    const finding = (file: string) => ({ kind: 'vulnerability', package: 'urllib3', version: '1.24.1', file, line: 1, severity: 'high' }) as Parameters<typeof reason>[0];
    expect(reason(finding('tests/fixtures/requirements.txt'))).toBe('excluded by .depwatch.yml (test data)');
    expect(reason(finding('tests/big/requirements.txt'))).toBe('excluded by .depwatch.yml (test data)');
    // Read and gone from the commit: whatever excludes it, it was removed (fixed by that commit).
    expect(reason(finding('tests/old/requirements.txt'))).toBeNull();
  });

  it('keeps installed packages compactly and restores them exactly', async () => {
    const files = { 'requirements.txt': 'requests==2.31.0\n-c constraints.txt\nflask\n', 'constraints.txt': 'flask==2.0.0\nnever-required==1.0\n' };
    const load = await loadManifests(memorySource(files), {});
    const deps = load.manifests.flatMap((m) => m.dependencies);
    const restored = packageUsesOf(JSON.parse(JSON.stringify(storedPackagesOf(deps))));
    const original = installedPackages(deps);
    expect(restored.map((p) => [p.name, p.version, p.direct, p.primary.file, p.primary.line, p.primary.kind])).toEqual(original.map((p) => [p.name, p.version, p.direct, p.primary.file, p.primary.line, p.primary.kind]));
  });

  it('does not say a release from outside the index arrived with this commit when the last audit could not have kept it', () => {
    const stored = (name: string, version: string, outsideIndex?: true) => ({ name, version, direct: true, entries: [], ...(outsideIndex ? { outsideIndex } : {}) });
    const finding = (pkg: string, version: string) => ({ kind: 'vulnerability', package: pkg, version, file: 'uv.lock', line: 1, severity: 'high' }) as Parameters<ReturnType<typeof newIn>>[0];
    const now = [stored('requests', '2.31.0'), stored('werkzeug', '0.15.0', true), stored('flask', '3.0.0')];
    // Stored before such releases were rated: none outside the index. werkzeug was there all along, unrated.
    const before = newIn([stored('requests', '2.31.0')], now);
    expect(before(finding('werkzeug', '0.15.0'))).toBe(false);
    expect(before(finding('flask', '3.0.0'))).toBe(true);
    // Stored since: one outside the index is kept, so a new one is new.
    const since = newIn([stored('requests', '2.31.0'), stored('mako', '1.2.0', true)], now);
    expect(since(finding('werkzeug', '0.15.0'))).toBe(true);
  });

  it('keeps whether a release comes from outside the index, so a re-match advises its upgrade as the audit does', async () => {
    const files = { 'requirements.txt': 'requests==2.31.0\nurllib3 @ https://files.example/urllib3-1.24.1-py2.py3-none-any.whl\n' };
    const load = await loadManifests(memorySource(files), {});
    const deps = load.manifests.flatMap((m) => m.dependencies);
    const stored = storedPackagesOf(deps);
    expect(stored.map((p) => [p.name, p.outsideIndex])).toEqual([
      ['requests', undefined],
      ['urllib3', true],
    ]);
    const restored = packageUsesOf(JSON.parse(JSON.stringify(stored)));
    expect(restored.map((p) => [p.name, p.fromRegistry])).toEqual(installedPackages(deps).map((p) => [p.name, p.fromRegistry]));
  });
});
