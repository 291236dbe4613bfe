/**
 * The package cards' PyPI client reads each answer inside the retry loop, as the audit's does
 * (src/http.ts `requestText`): an answer cut off half-way is asked for again, not a missing source.
 */
import { describe, expect, it } from 'vitest';
import { SourceCache } from '../../src/packages/sources/cache.js';
import { PypiSource } from '../../src/packages/sources/pypi.js';
import { openDb } from '../../src/store/db.js';
import { startFakePypi } from '../fakes/pypi.js';
import { startCuttingProxy } from '../helpers/cutting-proxy.js';

describe("the cards' PyPI client", () => {
  it('asks again when the connection is lost half-way through an answer, and takes the whole one then', async () => {
    const fake = await startFakePypi({ projects: [{ name: 'sample', releases: [{ version: '1.0.0', uploadTime: '2024-01-10T10:00:00Z' }], latest: '1.0.0' }] });
    const proxy = await startCuttingProxy(fake.url);
    try {
      const source = new PypiSource({ baseUrl: proxy.url, cache: new SourceCache(openDb(':memory:'), { freshnessMs: 0 }), retries: 1, backoffMs: 1 });
      const release = await source.release('sample');
      expect(release).not.toBeNull();
      expect(JSON.stringify(release)).toContain('1.0.0');
      expect(proxy.attempts()).toBe(2);
    } finally {
      await proxy.close();
      await fake.close();
    }
  });
});
