/**
 * Every digest says, in its summary message, which watched repositories it could not vouch for: a
 * sweep that failed, an audit that could not read everything, code that could not be scanned, a
 * repository never audited. "None. 🎉" and its kind are said only when everything was checked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteWatchState } from '../../src/store/watch-state/sqlite.js';
import { WatchStore, type RepoPartialReason, type StoredPackage } from '../../src/store/watches.js';
import { runDigest, type DigestKind, type DigestOptions } from '../../src/watch/digests.js';
import { project, registryOf, release } from '../audit/helpers.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';
import { drainOutbox, openTestDb } from './helpers.js';

const CHANNEL = 'C0REVIEW001';
const T0 = new Date('2025-01-01T00:00:00Z');
const pkg = (name: string, version: string): StoredPackage => ({ name, version, direct: true, entries: [{ file: 'requirements.txt', line: 1, kind: 'requirement', direct: true, specifier: `==${version}`, group: 'main' }] });
/** On its latest release, with no upload time (no "oldest pins" line): a weekly thread with nothing to say. */
const SIX = project('six', [{ ...release('1.16.0', '2021-05-05T00:00:00Z'), uploadTime: null }]);
const UNREAD = { kind: 'unread' as const, text: 'poetry.lock:4 not read completely: not valid TOML (line 4: expected "=")' };

let fake: FakeSlack | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function watched(repos: string[]): WatchStore {
  const store = new WatchStore(openTestDb());
  for (const repo of repos) store.addWatch({ repo, channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: T0 });
  return store;
}

const audited = (store: WatchStore, repo: string, extra: { packages?: StoredPackage[]; partialReasons?: RepoPartialReason[] } = {}) =>
  store.saveAudit({ repo, display: repo, htmlUrl: `https://github.com/${repo}`, private: false, sha: 'a'.repeat(40), packages: extra.packages ?? [pkg('six', '1.16.0')], ignores: [], dependencies: 1, now: T0, ...(extra.partialReasons ? { partialReasons: extra.partialReasons } : {}) });

/** Runs the digest and returns what the channel got: the summary's blocks and notification text, and the thread's blocks. */
async function digestOf(kind: DigestKind, store: WatchStore, at: string, options: Partial<DigestOptions> = {}) {
  const f = (fake = await startFakeSlack());
  await runDigest(kind, CHANNEL, { state: new SqliteWatchState(store), registry: registryOf([SIX]), now: () => new Date(at), defaultTimeZone: 'UTC', ...options });
  await drainOutbox(store.db, f.url);
  const [summary] = f.messages(CHANNEL);
  return { summary: JSON.stringify(summary?.blocks), text: String(summary?.text), thread: JSON.stringify(f.thread(CHANNEL, summary!.ts).map((m) => m.blocks)) };
}

describe('the monthly security review with a repository that failed its sweeps', () => {
  it('names it and its error in the summary, and says "None" only of what was checked', async () => {
    const store = watched(['octo/app', 'octo/lib']);
    audited(store, 'octo/lib');
    store.markError('octo/app', 'GitHub answered 404 for octo/app', new Date('2025-02-28T00:00:00Z'));
    const { summary, text, thread } = await digestOf('monthly', store, '2025-03-01T09:00:00Z');
    expect(summary).toContain('⚠️ 1 of 2 repositories was not fully checked: *octo/app* (error: GitHub answered 404 for octo/app)');
    expect(text).toContain('⚠️ 1 of 2 repositories not fully checked');
    expect(thread).not.toContain('None. 🎉');
    expect(thread).toContain('None in what was checked; ⚠️ 1 repository not fully checked (see the summary).');
  });
});

describe('the weekly dependency updates', () => {
  it('names a repository never audited and one whose lockfile could not be read, and does not call everything up to date', async () => {
    const store = watched(['octo/app', 'octo/locked', 'octo/new']);
    audited(store, 'octo/app');
    audited(store, 'octo/locked', { partialReasons: [UNREAD] });
    const { summary, thread } = await digestOf('weekly', store, '2025-01-06T09:00:00Z');
    expect(summary).toContain('⚠️ 2 of 3 repositories were not fully checked: *octo/locked* (poetry.lock:4 not read completely: ');
    expect(summary).toContain('*octo/new* (never audited)');
    expect(thread).toContain('Everything is on its latest release in what was checked; ⚠️ 2 repositories not fully checked');
  });

  it('says nothing of the kind when every repository was checked in full', async () => {
    const store = watched(['octo/app']);
    audited(store, 'octo/app');
    const { summary, thread } = await digestOf('weekly', store, '2025-01-06T09:00:00Z');
    expect(summary).not.toContain('not fully checked');
    expect(thread).toContain('Everything is on its latest release. 🎉');
  });
});

describe('the quarterly clean-up', () => {
  it('lists a repository whose code could not be scanned, with why, and names it in the summary', async () => {
    const store = watched(['octo/app']);
    const why = 'code and configuration were not scanned: GitHub answered 500 to GET /repos/octo/app/tarball';
    audited(store, 'octo/app', { partialReasons: [{ kind: 'unscanned', text: why }] });
    const { summary, thread } = await digestOf('quarterly', store, '2025-04-01T09:00:00Z', { codeScans: { latest: () => null } });
    expect(thread).toContain(`*octo/app* — ⚠️ code not scanned: ${why}`);
    expect(summary).toContain('⚠️ 1 of 1 repository was not fully checked: *octo/app* (code and configuration were not scanned');
    expect(thread).not.toContain('Nothing to clean up. 🎉');
  });
});

describe('the quarterly clean-up with PyPI failing', () => {
  const failingFor = (names: string[]) => ({
    async project(name: string) {
      if (names.includes(name)) throw new Error(`PyPI answered 503 to GET /pypi/${name}/json`);
      return { ...SIX, name, status: null, statusReason: null };
    },
  });

  it('says PyPI could not be read when every status lookup failed, and does not say there is nothing to clean up', async () => {
    const store = watched(['octo/app']);
    audited(store, 'octo/app');
    const { summary, text, thread } = await digestOf('quarterly', store, '2025-04-01T09:00:00Z', { statusRegistry: failingFor(['six']) });
    expect(summary).toContain('⚠️ PyPI could not be read: archived and stale packages are missing.');
    expect(summary).toContain('⚠️ Status not checked for 1 package (PyPI could not be read): `six`');
    expect(text).toContain('⚠️ PyPI could not be read');
    expect(thread).toContain('Nothing to clean up in what was checked; ⚠️ PyPI could not be read (see the summary).');
  });

  it('names the packages whose status could not be read when only some lookups failed', async () => {
    const store = watched(['octo/app']);
    audited(store, 'octo/app', { packages: [pkg('six', '1.16.0'), pkg('attrs', '23.1.0')] });
    const { summary, text } = await digestOf('quarterly', store, '2025-04-01T09:00:00Z', { statusRegistry: failingFor(['attrs']) });
    expect(summary).not.toContain('archived and stale packages are missing');
    expect(summary).toContain('⚠️ Status not checked for 1 package (PyPI could not be read): `attrs`');
    expect(text).toContain('⚠️ status not checked for 1 package');
  });
});

describe('the weekly dependency updates when package health could not be read', () => {
  it('says how many packages were not checked in the summary, not only in the thread', async () => {
    const store = watched(['octo/app']);
    audited(store, 'octo/app');
    const packageHealth = { snapshot: async () => Promise.reject(new Error('PyPI answered 503')) };
    const { summary, text } = await digestOf('weekly', store, '2025-01-06T09:00:00Z', { packageHealth });
    expect(summary).toContain('*Health worsened*\\n0 (1 not checked)');
    expect(text).toContain('⚠️ health not checked for 1 package');
  });
});

describe('each digest is qualified only by what concerns what it lists', () => {
  const UNSCANNED: RepoPartialReason = { kind: 'unscanned', text: 'vendor/app.min.js not scanned: minified' };
  const OSV_DOWN: RepoPartialReason = { kind: 'advisories', text: 'advisories unavailable (OSV answered 503)' };
  const sweepsPartial = (store: WatchStore) => new SqliteWatchState(store).recordSweepProblems(['advisory refresh failed (OSV answered 503); matched against the data already held'], T0);

  it('the weekly updates: not by code not scanned, an advisory source down or sweeps that could not check advisories', async () => {
    const store = watched(['octo/app']);
    audited(store, 'octo/app', { partialReasons: [UNSCANNED, OSV_DOWN] });
    await sweepsPartial(store);
    const { summary, thread } = await digestOf('weekly', store, '2025-01-06T09:00:00Z');
    expect(summary).not.toContain('not fully checked');
    expect(summary).not.toContain('could not check for new advisories');
    expect(thread).toContain('Everything is on its latest release. 🎉');
  });

  it('the monthly security review: by an advisory source down, not by code not scanned', async () => {
    const store = watched(['octo/app', 'octo/lib']);
    audited(store, 'octo/app', { partialReasons: [UNSCANNED] });
    audited(store, 'octo/lib', { partialReasons: [UNSCANNED, OSV_DOWN] });
    const { summary } = await digestOf('monthly', store, '2025-03-01T09:00:00Z');
    expect(summary).toContain('⚠️ 1 of 2 repositories was not fully checked: *octo/lib* (advisories unavailable (OSV answered 503))');
    expect(summary).not.toContain('*octo/app*');
  });

  it('the quarterly clean-up: not by an advisory source down or sweeps that could not check advisories', async () => {
    const store = watched(['octo/app']);
    audited(store, 'octo/app', { partialReasons: [OSV_DOWN] });
    await sweepsPartial(store);
    const { summary, thread } = await digestOf('quarterly', store, '2025-04-01T09:00:00Z');
    expect(summary).not.toContain('not fully checked');
    expect(summary).not.toContain('could not check for new advisories');
    expect(thread).toContain('Nothing to clean up. 🎉');
  });
});
