/**
 * /healthz and /metrics as served in Socket Mode (src/ops/server.ts), in process: a closed store is
 * 503 with one line, a store on the current schema is ok, and the metrics token is checked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { storeHealth } from '../../src/ops/health.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { bearerMatches, opsRoutes } from '../../src/ops/routes.js';
import { startOpsServer, type OpsServer } from '../../src/ops/server.js';
import { openDb, readMigrations } from '../../src/store/db.js';

describe('/healthz', () => {
  let server: OpsServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('is ok on a migrated store and 503 with one line once the store is closed', async () => {
    const db = openDb(':memory:');
    const metrics = createMetrics({ processMetrics: false });
    server = await startOpsServer(opsRoutes({ health: storeHealth(db), metrics }), 0, '127.0.0.1');
    const url = `http://127.0.0.1:${server.port}/healthz`;
    expect((await fetch(url)).status).toBe(200);
    db.close();
    const down = await fetch(url);
    expect(down.status).toBe(503);
    expect(await down.text()).toBe('store: the database is closed\n');
    metrics.close();
  });

  it('is 503 when the store is older than this build', () => {
    const db = openDb(':memory:');
    const latest = readMigrations().at(-1)!.version;
    expect(storeHealth(db, latest + 1)()).toEqual({ ok: false, reason: `store: schema version ${latest}, this build needs ${latest + 1} (migrations not applied)` });
    expect(storeHealth(db)()).toEqual({ ok: true });
    db.close();
  });

  it('is 503 when a newer build migrated the store, saying so in the words of the refusal at start (not "migrations not applied")', () => {
    const db = openDb(':memory:');
    const latest = readMigrations().at(-1)!.version;
    expect(storeHealth(db, latest - 1)()).toEqual({
      ok: false,
      reason: `store: the database was written by a newer version of Depwatch (schema ${latest}, this version knows ${latest - 1}); upgrade Depwatch`,
    });
    db.close();
  });
});

describe('METRICS_TOKEN', () => {
  it('accepts only the exact bearer token', () => {
    expect(bearerMatches('Bearer s3cret-token', 's3cret-token')).toBe(true);
    expect(bearerMatches('bearer s3cret-token', 's3cret-token')).toBe(true);
    expect(bearerMatches('Bearer s3cret-token-and-more', 's3cret-token')).toBe(false);
    expect(bearerMatches('Basic czNjcmV0LXRva2Vu', 's3cret-token')).toBe(false);
    expect(bearerMatches(undefined, 's3cret-token')).toBe(false);
  });
});
