/**
 * Each channel's view of a repository starts at its watch and at what its "Now watching" message
 * counted, on either store. An advisory published between two channels' watches, before the first
 * sweep, is alerted in the channel that watched before it and counted in the other's message. A
 * finding closed (excluded, ignored) or ignored by the channel when that message was said, and
 * open there later, was never said there: it alerts there once, and nowhere it was said.
 */
import { describe, expect, it } from 'vitest';
import { findingKey, type Finding } from '../../src/audit/findings.js';
import type { AuditRecord, FindingsUpdate, WatchStateStore } from '../../src/store/watch-state/types.js';
import { decideAlerts } from '../../src/watch/alerts.js';
import type { WatchStarted } from '../../src/watch/messages.js';
import { announceWatchesStarted } from '../../src/watch/watch-started.js';
import { storesPerTest, type Dialect } from './two-replicas.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const FIRST = 'C0SECURITY1';
const SECOND = 'C0SECURITY2';
const REPO = 'octo/app';

const vuln = (id: string, pkg: string): Finding => ({
  kind: 'vulnerability',
  severity: 'high',
  package: pkg,
  version: '1.0.0',
  file: 'requirements.txt',
  line: 1,
  id,
  summary: `${pkg} is vulnerable`,
  fix: { version: '9.9.9', text: `upgrade ${pkg} to 9.9.9` },
});
const REQUESTS = vuln('PYSEC-1', 'requests');
const URLLIB3 = vuln('PYSEC-2', 'urllib3');

const record = (sha: string, now: Date): AuditRecord => ({
  repo: REPO,
  display: REPO,
  htmlUrl: `https://github.com/${REPO}`,
  private: false,
  sha,
  packages: [],
  ignores: [],
  dependencies: 2,
  now,
  advisoriesMark: null,
  advisoriesRead: true,
});

/** What a sweep records of one audit of the repository (the first is its baseline). */
async function audited(state: WatchStateStore, sha: string, now: Date, findings: Finding[], extra: Partial<FindingsUpdate> = {}) {
  const baseline = !(await state.repoSummaries([REPO])).get(REPO)?.baselineAt;
  await state.recordAudit(record(sha, now), { repo: REPO, findings, keyOf: findingKey, sha, now, baseline, ...extra });
}

const watch = (state: WatchStateStore, channel: string, now: Date) => state.addWatch({ repo: REPO, channel, userId: 'U0ADMIN0001', private: false, adminLinked: false, now });

/** A channel's alerts run: its "Now watching" message first, then its alerts. */
async function alertsRun(state: WatchStateStore, channel: string, now: Date) {
  await announceWatchesStarted(channel, state, now);
  return decideAlerts(channel, { state, now: () => now });
}

const alerted = async (state: WatchStateStore, channel: string) => (await state.alertsForChannel(channel)).map((a) => a.advisoryId).sort();
const nowWatching = async (state: WatchStateStore, channel: string) => (await state.outbox.rows({ channel })).filter((r) => r.kind === 'watch-started').map((r) => r.data as WatchStarted);

describe.each<Dialect>(['sqlite', 'postgres'])('each channel’s view of a repository, on %s', (dialect) => {
  const stores = storesPerTest(dialect);

  describe('an advisory published between two channels’ watches, before the first sweep', () => {
    it('is alerted in the channel that watched before it, and counted in the "Now watching" message of the one that watched after it', async () => {
      const state = await stores.one();
      await watch(state, FIRST, T0);
      await watch(state, SECOND, at(20)); // URLLIB3's advisory was published at 10
      await audited(state, 'sha1', at(30), [REQUESTS, URLLIB3], { newSinceWatched: (f) => (f.id === 'PYSEC-2' ? at(10).toISOString() : undefined) });

      await alertsRun(state, FIRST, at(31));
      await alertsRun(state, SECOND, at(31));
      expect(await alerted(state, FIRST)).toEqual(['PYSEC-2']);
      expect(await alerted(state, SECOND)).toEqual([]);
      expect(await nowWatching(state, FIRST)).toEqual([expect.objectContaining({ total: 1, alertedApart: 1 })]);
      const [second] = await nowWatching(state, SECOND);
      expect(second).toMatchObject({ total: 2, alertedApart: 0 });
      expect(second!.top.map((t) => t.id).sort()).toEqual(['PYSEC-1', 'PYSEC-2']);
    });

    it('is alerted in both when published after both watches', async () => {
      const state = await stores.one();
      await watch(state, FIRST, T0);
      await watch(state, SECOND, at(20));
      await audited(state, 'sha1', at(30), [REQUESTS, URLLIB3], { newSinceWatched: (f) => (f.id === 'PYSEC-2' ? at(25).toISOString() : undefined) });
      for (const channel of [FIRST, SECOND]) {
        await alertsRun(state, channel, at(31));
        expect(await alerted(state, channel)).toEqual(['PYSEC-2']);
        expect(await nowWatching(state, channel)).toEqual([expect.objectContaining({ total: 1, alertedApart: 1 })]);
      }
    });
  });

  describe('a finding closed when a channel started watching, and reopened later', () => {
    /** FIRST watched and was told of both; URLLIB3's file was then excluded; SECOND watched and was told of REQUESTS only. */
    async function toldApart(): Promise<WatchStateStore> {
      const state = await stores.one();
      await watch(state, FIRST, T0);
      await audited(state, 'sha1', at(10), [REQUESTS, URLLIB3]);
      await alertsRun(state, FIRST, at(11));
      await audited(state, 'sha2', at(20), [REQUESTS], { closedReason: () => 'excluded by .depwatch.yml (vendored)' });
      expect((await state.findingsFor([REPO])).find((r) => r.advisoryId === 'PYSEC-2')?.closedReason).toBe('excluded by .depwatch.yml (vendored)');
      await watch(state, SECOND, at(30));
      await alertsRun(state, SECOND, at(31));
      expect((await nowWatching(state, SECOND)).map((m) => m.total)).toEqual([1]);
      return state;
    }

    it('alerts once in the channel whose "Now watching" message did not count it, and not in the one told of it', async () => {
      const state = await toldApart();
      await audited(state, 'sha3', at(40), [REQUESTS, URLLIB3]); // the exclusion removed

      expect(await alertsRun(state, SECOND, at(41))).toMatchObject({ recorded: 1 });
      expect(await alerted(state, SECOND)).toEqual(['PYSEC-2']);
      expect(await alertsRun(state, FIRST, at(41))).toMatchObject({ recorded: 0 });
      expect(await alerted(state, FIRST)).toEqual([]);
      // Once: later runs say nothing more.
      expect(await alertsRun(state, SECOND, at(50))).toEqual({ recorded: 0, changed: 0, resolved: 0 });
      expect((await nowWatching(state, SECOND)).map((m) => m.total)).toEqual([1]);
    });

    it('alerts nothing while it stays closed', async () => {
      const state = await toldApart();
      await audited(state, 'sha3', at(40), [REQUESTS], { closedReason: () => 'excluded by .depwatch.yml (vendored)' });
      expect(await alertsRun(state, SECOND, at(41))).toMatchObject({ recorded: 0 });
    });
  });

  describe('a finding the channel ignored when it started watching', () => {
    it('alerts there once the ignore is removed, and never where it was said', async () => {
      const state = await stores.one();
      await watch(state, FIRST, T0);
      await watch(state, SECOND, T0);
      await state.addIgnore({ channel: SECOND, advisory: 'PYSEC-2', package: null, reason: 'not reachable here', until: null, userId: 'U0ADMIN0001', now: T0 });
      await audited(state, 'sha1', at(10), [REQUESTS, URLLIB3]);
      for (const channel of [FIRST, SECOND]) await alertsRun(state, channel, at(11));
      expect((await nowWatching(state, FIRST)).map((m) => m.total)).toEqual([2]);
      expect((await nowWatching(state, SECOND)).map((m) => m.total)).toEqual([1]);
      expect(await alertsRun(state, SECOND, at(20))).toMatchObject({ recorded: 0 });

      await state.removeIgnore({ channel: SECOND, advisory: 'PYSEC-2', userId: 'U0ADMIN0001', now: at(30) });
      expect(await alertsRun(state, SECOND, at(31))).toMatchObject({ recorded: 1 });
      expect(await alerted(state, SECOND)).toEqual(['PYSEC-2']);
      expect(await alertsRun(state, FIRST, at(31))).toMatchObject({ recorded: 0 });
      expect(await alertsRun(state, SECOND, at(40))).toMatchObject({ recorded: 0 });
    });
  });
});
