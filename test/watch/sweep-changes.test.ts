/**
 * Sweeps against the local mirror do only what changed: an unchanged repository is re-matched only
 * for the packages whose advisories were added, modified or withdrawn since its last match, and not
 * at all when nothing changed; new advisories are still found and alerted once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import type { AdvisorySource, OsvRecord, PackageQuery } from '../../src/advisories/types.js';
import { IgnoreStore } from '../../src/store/ignores.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { openTestDb, startWorld, type World } from './helpers.js';

const CHANNEL = 'C0SECURITY1';
const ADMIN = 'U0ADMIN0001';
const URLLIB3 = fixtureRecord('PYSEC-2019-132');
const REPOS = ['app', 'api', 'web', 'jobs', 'cli'];

let world: World;
afterEach(async () => {
  await world?.close();
});

/** Twenty new advisories, two for each of ten libraries (lib-0 … lib-9), all affecting 1.0. */
const newAdvisories = (modified: string): OsvRecord[] =>
  Array.from({ length: 20 }, (_, i) => ({
    id: `PYSEC-2099-${100 + i}`,
    modified,
    published: modified,
    summary: `Flaw ${i} in lib-${i % 10}`,
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
    affected: [{ package: { ecosystem: 'PyPI', name: `lib-${i % 10}` }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }] }],
  }));

/** The mirror, with every question asked of it written down (the packages matched, the lists read). */
function recorded(mirror: AdvisoryMirror): { source: AdvisorySource; asked: string[] } {
  const asked: string[] = [];
  const names = (queries: PackageQuery[]) => queries.map((q) => q.name);
  const source: AdvisorySource = {
    kind: 'mirror',
    affecting: (queries) => (asked.push(...names(queries)), mirror.affecting(queries)),
    candidates: (queries) => (asked.push(...names(queries)), mirror.candidates(queries)),
    forPackage: (name) => (asked.push(`list:${name}`), mirror.forPackage(name)),
    byIds: (ids) => (asked.push(...ids.map((id) => `id:${id}`)), mirror.byIds(ids)),
    freshness: () => mirror.freshness(),
    changeMark: () => mirror.changeMark(),
    changedSince: (mark) => mirror.changedSince(mark),
  };
  return { source, asked };
}

async function setUp() {
  world = await startWorld({ records: [], start: '2025-01-06T09:30:00Z' });
  // Each repository pins urllib3 (a known advisory: its baseline), flask, and two of the ten libraries.
  REPOS.forEach((name, i) =>
    world.github.addRepo({ owner: 'octo', name, files: { 'requirements.txt': `urllib3==1.24.1\nflask==2.0.0\nlib-${i}==1.0\nlib-${i + 5}==1.0\n` } }),
  );
  const mirrorDb = openTestDb(world.dbPath);
  const mirror = new AdvisoryMirror(mirrorDb);
  await mirror.importRecords([URLLIB3]);
  const { source, asked } = recorded(mirror);
  const { watch } = world.service({ advisories: source });
  for (const name of REPOS) expect((await watch.handleCommand(`watch octo/${name}`, { userId: ADMIN, channelId: CHANNEL }))?.ephemeral).toBe(false);
  return { watch, mirror, asked, close: () => mirrorDb.close() };
}

const alertsJob = { key: `alerts:${CHANNEL}`, channel: CHANNEL, kind: 'alerts' as const, cron: '0 * * * *', timeZone: 'UTC', since: new Date(0) };

describe('sweeps that do only what changed', () => {
  it('re-matches nothing and asks the advisory source nothing for unchanged repositories when no advisory changed', async () => {
    const { watch, asked, close } = await setUp();
    const first = await watch.sweeps.runNow();
    expect(first.audited).toHaveLength(REPOS.length);
    const open = REPOS.map((name) => watch.store.openFindings(`octo/${name}`).length);

    asked.length = 0;
    world.clock.advance(3_600_000);
    const second = await watch.sweeps.runNow();
    expect(second).toMatchObject({ audited: [], rematched: 0, upToDate: REPOS.length, added: [], fixed: [], warnings: [] });
    expect(asked).toEqual([]);
    expect(REPOS.map((name) => watch.store.openFindings(`octo/${name}`).length)).toEqual(open);
    close();
  });

  it('after 20 new advisories re-matches only the affected packages; the new findings appear and are alerted once', async () => {
    const { watch, mirror, asked, close } = await setUp();
    await watch.runJob(alertsJob, world.clock.now()); // the baseline: nothing alerted, what each repository has said once
    const alertsIn = () => world.slack.messages(CHANNEL).filter((m) => !m.text.startsWith('Now watching'));
    expect(alertsIn()).toHaveLength(0);

    await mirror.importRecords(newAdvisories('2025-01-06T10:00:00Z'));
    asked.length = 0;
    world.clock.advance(3_600_000);
    const alerted = await watch.runJob(alertsJob, world.clock.now());
    const sweep = watch.sweeps.last!;
    expect(sweep).toMatchObject({ audited: [], rematched: REPOS.length, upToDate: 0, fixed: [], warnings: [] });
    // Only the libraries the new advisories name were matched: not urllib3, not flask.
    const matched = new Set(asked.filter((a) => !a.includes(':')));
    expect([...matched].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `lib-${i}`).sort());
    expect(sweep.added.map((f) => f.advisoryId).sort()).toEqual(newAdvisories('').map((r) => r.id).sort());
    expect(sweep.added.every((f) => f.alertable)).toBe(true);
    // The baseline urllib3 findings are untouched by a partial re-match.
    for (const name of REPOS) expect(watch.store.openFindings(`octo/${name}`).filter((f) => f.advisoryId === URLLIB3.id)).toHaveLength(1);
    expect(alerted).toMatchObject({ posted: 20, failed: [] });
    expect(alertsIn()).toHaveLength(20);

    // The next sweep has nothing to re-match and alerts nothing again.
    asked.length = 0;
    world.clock.advance(3_600_000);
    const again = await watch.runJob(alertsJob, world.clock.now());
    expect(watch.sweeps.last).toMatchObject({ rematched: 0, upToDate: REPOS.length, added: [], fixed: [] });
    expect(asked).toEqual([]);
    expect(again).toMatchObject({ posted: 0 });
    expect(alertsIn()).toHaveLength(20);
    close();
  });

  it('closes the finding of a withdrawn advisory, and only that one', async () => {
    const { watch, mirror, close } = await setUp();
    await mirror.importRecords(newAdvisories('2025-01-06T10:00:00Z'));
    await watch.sweeps.runNow();
    const [withdrawn] = newAdvisories('2025-01-06T11:00:00Z');
    await mirror.importRecords([{ ...withdrawn!, withdrawn: '2025-01-06T11:00:00Z' }]);
    world.clock.advance(3_600_000);
    const sweep = await watch.sweeps.runNow();
    // lib-0 is pinned by octo/app only: the one repository re-matched, the one finding fixed.
    expect(sweep).toMatchObject({ rematched: 1, upToDate: REPOS.length - 1 });
    expect(sweep.fixed.map((f) => [f.repo, f.advisoryId])).toEqual([['octo/app', withdrawn!.id]]);
    expect(watch.store.openFindings('octo/app').filter((f) => f.kind === 'vulnerability').map((f) => f.advisoryId).sort()).toEqual([URLLIB3.id, 'PYSEC-2099-105', 'PYSEC-2099-110', 'PYSEC-2099-115'].sort());
    close();
  });

  it('re-matches everything again once an ignore is added, so the ignored finding closes, as ignored (never fixed)', async () => {
    const { watch, mirror, close } = await setUp();
    await mirror.importRecords(newAdvisories('2025-01-06T10:00:00Z'));
    await watch.sweeps.runNow();
    new IgnoreStore(watch.store.db).add({ repo: 'octo/app', advisoryId: URLLIB3.id, package: null, reason: 'not reachable', until: null, createdBy: ADMIN, createdAt: world.clock.now() });
    world.clock.advance(3_600_000);
    const sweep = await watch.sweeps.runNow();
    expect(sweep).toMatchObject({ rematched: 1, upToDate: REPOS.length - 1 });
    expect(sweep.fixed).toEqual([]);
    expect(sweep.excluded.map((f) => [f.repo, f.advisoryId, f.fixedBySha, f.closedReason])).toEqual([['octo/app', URLLIB3.id, null, `ignored in Slack by <@${ADMIN}>: not reachable`]]);
    close();
  });
});
