/**
 * The bot's card sources build their typosquat index from the watched repositories' names as the
 * watch state reports them (asynchronously: PostgreSQL with DATABASE_URL), once, then again only
 * after INDEX_REFRESH_MS.
 */
import { afterEach, expect, it } from 'vitest';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { createGitHubClient } from '../../src/github/client.js';
import { INDEX_REFRESH_MS, serviceCardSources } from '../../src/packages/service-sources.js';
import type { PopularName } from '../../src/packages/typosquat/popularity.js';
import { openDb, type Db } from '../../src/store/db.js';
import { NOW } from './world.js';

let db: Db | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
});

it('rebuilds the typosquat index from the watched names every INDEX_REFRESH_MS, not per card', async () => {
  const local = (db = openDb(':memory:'));
  const watched = (name: string): PopularName => ({ name, popularity: 1, source: 'watched repositories' });
  let names = [watched('internal-payments-sdk')];
  let reads = 0;
  let at = NOW.getTime();
  const cards = serviceCardSources({
    db: local,
    watchedNames: async () => {
      reads++;
      return names;
    },
    pypiUrl: 'http://127.0.0.1:9',
    osvApiUrl: 'http://127.0.0.1:9',
    githubApiUrl: 'http://127.0.0.1:9',
    octokit: await createGitHubClient({ apiUrl: 'http://127.0.0.1:9' }),
    authenticated: false,
    advisories: () => new AdvisoryMirror(local),
    now: () => new Date(at),
  });
  const targets = async (name: string) => (await cards()).checker!.check(name).similarTo.map((s) => `${s.name} (${s.source})`);

  expect(await targets('internal-paymnets-sdk')).toEqual(['internal-payments-sdk (watched repositories)']);
  names = [...names, watched('acme-billing-client')];
  at += INDEX_REFRESH_MS;
  expect(await targets('acme-billing-clinet')).toEqual([]);
  expect(reads).toBe(1);

  at += 1;
  expect(await targets('acme-billing-clinet')).toEqual(['acme-billing-client (watched repositories)']);
  expect(reads).toBe(2);
});
