/**
 * A digest whose PyPI fails for one package keeps what PyPI said of the others: the weekly updates
 * still list an outdated `requests` while `six` was not read (counted among the packages not
 * checked), and the quarterly clean-up names `six` as not read rather than calling the registry
 * unavailable. Both used to read as "PyPI could not be read" with nothing listed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PyPIClient } from '../../src/python/pypi.js';
import { SqliteWatchState } from '../../src/store/watch-state/sqlite.js';
import { WatchStore, type StoredPackage } from '../../src/store/watches.js';
import { runDigest, type DigestKind, type QuarterlyDigest, type WeeklyDigest } from '../../src/watch/digests.js';
import type { DigestMessage } from '../../src/watch/messages.js';
import { startFakePypi, type FakePypi } from '../fakes/pypi.js';
import { openTestDb } from './helpers.js';

const CHANNEL = 'C0REVIEW001';
const pkg = (name: string, version: string): StoredPackage => ({ name, version, direct: true, entries: [{ file: 'requirements.txt', line: 1, kind: 'requirement', direct: true, specifier: `==${version}`, group: 'main' }] });

let pypi: FakePypi;

beforeAll(async () => {
  pypi = await startFakePypi({
    projects: [
      { name: 'requests', releases: [{ version: '2.2.0', uploadTime: '2014-01-24T00:00:00Z' }, { version: '2.31.0', uploadTime: '2023-05-22T00:00:00Z' }] },
      { name: 'six', releases: [{ version: '1.10.0', uploadTime: '2015-10-07T00:00:00Z' }] },
    ],
  });
  pypi.fail({ match: '/pypi/six/', status: 503, times: 1000 });
});

afterAll(async () => {
  await pypi.close();
});

/** The digest a channel watching octo/app (requests 2.2.0, six 1.10.0) gets, as written to the outbox. */
async function digestOf(kind: DigestKind, at: string): Promise<DigestMessage['digest']> {
  const db = openTestDb();
  const store = new WatchStore(db);
  store.addWatch({ repo: 'octo/app', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: new Date('2024-09-01T00:00:00Z') });
  store.saveAudit({ repo: 'octo/app', display: 'octo/app', htmlUrl: 'https://github.com/octo/app', private: false, sha: 'a'.repeat(40), packages: [pkg('requests', '2.2.0'), pkg('six', '1.10.0')], ignores: [], dependencies: 2, now: new Date('2024-09-01T00:00:00Z') });
  const state = new SqliteWatchState(store);
  const registry = new PyPIClient({ baseUrl: pypi.url, db, retries: 0 });
  const { key } = await runDigest(kind, CHANNEL, { state, registry, now: () => new Date(at), defaultTimeZone: 'UTC' });
  return ((await state.outbox.row(key))!.data as DigestMessage).digest;
}

describe('a digest whose PyPI fails for one package', () => {
  it('weekly: lists the others\' updates, and counts the one not read among those not checked', async () => {
    const digest = await digestOf('weekly', '2025-03-03T09:00:00Z');
    expect(digest).toMatchObject({ registryUnavailable: false, unchecked: 1, totals: { minor: 1 } });
    expect((digest as WeeklyDigest).repos[0]!.outdated.map((o) => `${o.package} ${o.version} → ${o.latest}`)).toEqual(['requests 2.2.0 → 2.31.0']);
  });

  it('quarterly: names the package not read, and still lists what the others say', async () => {
    const digest = await digestOf('quarterly', '2026-01-01T09:00:00Z');
    expect(digest).toMatchObject({ registryUnavailable: false, unread: ['six'] });
    // requests' last release (May 2023) is more than two years old: said, though six was not read.
    expect((digest as QuarterlyDigest).stale.map((s) => `${s.package} ${s.why}`)).toEqual(['requests no-release']);
  });
});
