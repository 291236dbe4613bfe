/**
 * The package cards' PyPI client reads each answer inside the retry loop, as the audit's does
 * (src/http.ts `requestText`): an answer cut off half-way is asked for again, not a missing source.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceCache } from '../../src/packages/sources/cache.js';
import { PypiSource } from '../../src/packages/sources/pypi.js';
import { openDb } from '../../src/store/db.js';
import { startFakePypi, type FakePypi } from '../fakes/pypi.js';

let fake: FakePypi | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe("the cards' PyPI client", () => {
  it('asks again when the connection is lost half-way through an answer, and takes the whole one then', async () => {
    fake = await startFakePypi({ projects: [{ name: 'sample', releases: [{ version: '1.0.0', uploadTime: '2024-01-10T10:00:00Z' }], latest: '1.0.0' }] });
    const upstream = fake.url;
    let attempts = 0;
    const proxy = createServer((req, res) => {
      attempts += 1;
      void fetch(`${upstream}${req.url ?? '/'}`).then(async (answer) => {
        const body = await answer.text();
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        if (attempts === 1) res.write(body.slice(0, 20), () => req.socket.destroy());
        else res.end(body);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const source = new PypiSource({ baseUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, cache: new SourceCache(openDb(':memory:'), { freshnessMs: 0 }), retries: 1, backoffMs: 1 });
      const release = await source.release('sample');
      expect(release).not.toBeNull();
      expect(JSON.stringify(release)).toContain('1.0.0');
      expect(attempts).toBe(2);
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });
});
