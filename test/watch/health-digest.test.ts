/**
 * The weekly digest lists the packages whose health worsened since the channel's last weekly digest:
 * a project archived on PyPI (ok → caution), new owners on PyPI, read through the loopback PyPI with
 * the card's sources. The first digest only sets the baseline; a package PyPI would not answer for
 * is said to be unchecked, never called unchanged.
 */
import { SqliteWatchState } from '../../src/store/watch-state/sqlite.js';
import { afterEach, expect, it } from 'vitest';
import { healthSnapshot } from '../../src/packages/health-snapshot.js';
import { SourceCache } from '../../src/packages/sources/cache.js';
import { PypiSource } from '../../src/packages/sources/pypi.js';
import { SqliteOutbox } from '../../src/store/outbox/sqlite.js';
import { WatchStore, type StoredPackage } from '../../src/store/watches.js';
import { runDigest } from '../../src/watch/digests.js';
import { startFakePypi, type FakePypi, type FakeProjectSpec } from '../fakes/pypi.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';
import { drainOutbox, openTestDb } from './helpers.js';

const CHANNEL = 'C0HEALTH001';
const pkg = (name: string, version: string): StoredPackage => ({ name, version, direct: true, entries: [{ file: 'requirements.txt', line: 1, kind: 'requirement', direct: true, specifier: `==${version}`, group: 'main' }] });
const owners = (...users: string[]) => ({ organization: null, roles: users.map((user) => ({ role: 'Owner' as const, user })) });
const spec = (name: string, extra: Partial<FakeProjectSpec> = {}): FakeProjectSpec => ({ name, releases: [{ version: '1.0.0', uploadTime: '2025-01-01T00:00:00Z' }], ownership: owners('alice'), ...extra });

let slack: FakeSlack | undefined;
let pypi: FakePypi | undefined;
afterEach(async () => {
  await slack?.close();
  await pypi?.close();
});

it('lists packages archived or handed to new owners since last week, with the reasons', async () => {
  slack = await startFakeSlack();
  pypi = await startFakePypi({ projects: [spec('steady'), spec('fading'), spec('handed'), spec('flaky')] });
  const db = openTestDb();
  const store = new WatchStore(db);
  store.addWatch({ repo: 'octo/app', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: new Date('2025-03-01T00:00:00Z') });
  store.saveAudit({ repo: 'octo/app', display: 'octo/app', htmlUrl: 'https://github.com/octo/app', private: false, sha: 'a'.repeat(40), packages: ['steady', 'fading', 'handed', 'flaky'].map((n) => pkg(n, '1.0.0')), ignores: [], dependencies: 4, now: new Date('2025-03-01T00:00:00Z') });
  // Every digest reads PyPI afresh (no answer is younger than a week).
  const source = new PypiSource({ baseUrl: pypi.url, cache: new SourceCache(db, { freshnessMs: 0 }), retries: 0, backoffMs: 1 });
  const outbox = new SqliteOutbox(db);
  /** Writes the weekly digest of that slot and delivers it; the summary's ts. */
  const weekly = async (at: string): Promise<{ ts: string }> => {
    const { key } = await runDigest('weekly', CHANNEL, {
      state: new SqliteWatchState(store),
      registry: null,
      now: () => new Date(at),
      defaultTimeZone: 'UTC',
      packageHealth: { snapshot: (name) => healthSnapshot(name, source, new Date(at)) },
    });
    await drainOutbox(db, slack!.url);
    return { ts: (await outbox.row(key))!.messageTs! };
  };

  const first = await weekly('2025-03-03T09:00:00Z');
  expect(JSON.stringify(slack.thread(CHANNEL, first.ts).map((m) => m.blocks))).not.toContain('Health worsened since last week');

  pypi.addProject(spec('fading', { status: 'archived', statusReason: 'use <stdlib> instead' }));
  pypi.addProject(spec('handed', { ownership: owners('mallory') }));
  pypi.fail({ match: '/flaky', times: 10, status: 503 });
  const second = await weekly('2025-03-10T09:00:00Z');
  const summary = slack.messages(CHANNEL).find((m) => m.ts === second.ts)!;
  expect(summary.text).toContain('2 packages whose health worsened');
  expect(JSON.stringify(summary.blocks)).toContain('*Health worsened*\\n2');
  const details = slack.thread(CHANNEL, second.ts).map((m) => JSON.stringify(m.blocks)).join('\n');
  expect(details).toContain('*Health worsened since last week*');
  expect(details).toContain('`fading` ok → caution: its owners archived the project on the index');
  expect(details).toContain('`handed` ok; new owners on PyPI: mallory (gone: alice)');
  expect(details).not.toContain('`steady`');
  expect(details).toContain('Health not checked this week (PyPI could not be read): flaky');
  expect(slack.violations).toEqual([]);

  // What the channel was shown is the new baseline: the same state next week is not news.
  const third = await weekly('2025-03-17T09:00:00Z');
  expect(slack.thread(CHANNEL, third.ts).map((m) => JSON.stringify(m.blocks)).join('\n')).not.toContain('Health worsened since last week');
});
