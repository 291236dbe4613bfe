/**
 * The bot's card sources build their typosquat index from the watched repositories' names as the
 * watch state reports them (asynchronously: PostgreSQL with DATABASE_URL) and from the local
 * mirror's: rebuilt, both read again, when the reader hands back new names (the bot's reader reads
 * every INDEX_REFRESH_MS), never per card. The reader itself (watchedNamesEvery) keeps its names a while,
 * says when a read fails, and tries again soon after one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { createGitHubClient } from '../../src/github/client.js';
import { RETRY_AFTER_FAILURE_MS, watchedNamesEvery } from '../../src/packages/sources/known-names.js';
import { INDEX_REFRESH_MS, serviceCardSources } from '../../src/packages/service-sources.js';
import type { PopularName } from '../../src/packages/typosquat/popularity.js';
import { openDb, type Db } from '../../src/store/db.js';
import { NOW } from './world.js';

let db: Db | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
});

const watched = (name: string): PopularName => ({ name, popularity: 1, source: 'watched repositories' });

async function cardSources(watchedNames: () => Promise<PopularName[]>, now: () => Date) {
  const local = (db = openDb(':memory:'));
  const mirror = new AdvisoryMirror(local);
  const cards = serviceCardSources({
    db: local,
    watchedNames,
    pypiUrl: 'http://127.0.0.1:9',
    osvApiUrl: 'http://127.0.0.1:9',
    githubApiUrl: 'http://127.0.0.1:9',
    octokit: await createGitHubClient({ apiUrl: 'http://127.0.0.1:9' }),
    authenticated: false,
    advisories: () => mirror,
    now,
  });
  const targets = async (name: string) => (await cards()).checker!.check(name).similarTo.map((s) => `${s.name} (${s.source})`);
  return { mirror, targets };
}

describe('the card sources’ typosquat index', () => {
  it('is rebuilt as soon as the reader hands back new watched names, and not otherwise', async () => {
    let names = [watched('internal-payments-sdk')];
    let reads = 0;
    const { targets } = await cardSources(async () => {
      reads++;
      return names;
    }, () => NOW);

    expect(await targets('internal-paymnets-sdk')).toEqual(['internal-payments-sdk (watched repositories)']);
    expect(await targets('internal-paymnets-sdk')).toEqual(['internal-payments-sdk (watched repositories)']);
    names = [...names, watched('acme-billing-client')]; // the reader read the watch state again
    expect(await targets('acme-billing-clinet')).toEqual(['acme-billing-client (watched repositories)']);
    expect(reads).toBe(3); // asked per batch of cards: the reader keeps its names (watchedNamesEvery)
  });

  it('takes in the mirror’s names when the watched names are read again (every INDEX_REFRESH_MS for the bot)', async () => {
    let at = NOW.getTime();
    const read = watchedNamesEvery(async () => [{ name: 'internal-payments-sdk', repos: 1 }], INDEX_REFRESH_MS, () => at);
    const { mirror, targets } = await cardSources(read, () => new Date(at));
    expect(await targets('ledgre-client')).toEqual([]);
    await mirror.importRecords([
      { id: 'PYSEC-TEST-LEDGER', modified: '2026-11-01T00:00:00Z', affected: [{ package: { ecosystem: 'PyPI', name: 'ledger-client' }, versions: ['1.0'] }] },
    ]);
    at += INDEX_REFRESH_MS - 1;
    expect(await targets('ledgre-client')).toEqual([]);
    at += 1;
    expect(await targets('ledgre-client')).toEqual(['ledger-client (local advisory mirror)']);
  });
});

describe('watchedNamesEvery', () => {
  it('keeps the names it read for ttlMs, the same array each time', async () => {
    let at = 0;
    let reads = 0;
    const read = watchedNamesEvery(async () => [{ name: 'internal-payments-sdk', repos: 3 + reads++ }], 1_000, () => at);
    const first = await read();
    expect(first).toEqual([{ name: 'internal-payments-sdk', popularity: 3, source: 'watched repositories' }]);
    at = 1_000 - 1;
    expect(await read()).toBe(first);
    at = 1_000;
    expect(await read()).toEqual([{ name: 'internal-payments-sdk', popularity: 4, source: 'watched repositories' }]);
    expect(reads).toBe(2);
  });

  it('says when a read fails, keeps what it had, and tries again after RETRY_AFTER_FAILURE_MS, not a whole ttlMs', async () => {
    let at = 0;
    let failing = true;
    const errors: unknown[] = [];
    const read = watchedNamesEvery(
      async () => {
        if (failing) throw new Error('connection refused');
        return [{ name: 'internal-payments-sdk', repos: 2 }];
      },
      10 * 60_000,
      () => at,
      (err) => errors.push(err),
    );
    expect(await read()).toEqual([]);
    expect(errors.map((e) => (e as Error).message)).toEqual(['connection refused']);
    failing = false;
    at = RETRY_AFTER_FAILURE_MS - 1;
    expect(await read()).toEqual([]); // not asked again yet
    at = RETRY_AFTER_FAILURE_MS;
    expect(await read()).toEqual([{ name: 'internal-payments-sdk', popularity: 2, source: 'watched repositories' }]);
    expect(errors).toHaveLength(1);
  });
});
