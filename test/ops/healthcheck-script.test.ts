/**
 * bin/healthcheck.js, the container's HEALTHCHECK: exit 0 when /healthz answers 200, exit 1 with one
 * line when it answers 503 or nothing listens on PORT.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { storeHealth } from '../../src/ops/health.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { opsRoutes } from '../../src/ops/routes.js';
import { startOpsServer, type OpsServer } from '../../src/ops/server.js';
import { openDb } from '../../src/store/db.js';
import { freePort } from '../e2e/bot-process.js';

const SCRIPT = join(import.meta.dirname, '..', '..', 'bin', 'healthcheck.js');

/** Runs the script in a child process (asynchronously: the server answering it lives in this one). */
async function healthcheck(port: number): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [SCRIPT], { env: { PATH: process.env.PATH ?? '', PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { status, stderr };
}

describe('bin/healthcheck.js', () => {
  let server: OpsServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('exits 0 on a ready bot and 1, with the reason, once the store is closed', async () => {
    const db = openDb(':memory:');
    const metrics = createMetrics({ processMetrics: false });
    server = await startOpsServer(opsRoutes({ health: storeHealth(db), metrics }), 0, '127.0.0.1');
    expect(await healthcheck(server.port)).toEqual({ status: 0, stderr: '' });
    db.close();
    expect(await healthcheck(server.port)).toEqual({ status: 1, stderr: 'depwatch healthcheck: 503 store: the database is closed\n' });
    metrics.close();
  });

  it('exits 1 when nothing listens on PORT', async () => {
    const port = await freePort();
    const { status, stderr } = await healthcheck(port);
    expect(status).toBe(1);
    expect(stderr).toBe(`depwatch healthcheck: no answer on port ${port} (ECONNREFUSED)\n`);
  });
});
