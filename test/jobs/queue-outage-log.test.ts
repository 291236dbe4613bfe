/**
 * The job queue's database going away (PostgreSQL stopped or failing over): pg-boss's maintenance
 * fails at every round, on every replica, and each failure was a log line (its workers' failed
 * polls it keeps quiet). The log says "job queue error" at the first, again at most every five
 * minutes, and once when the queue's statements work again. Real pg-boss on the run's PostgreSQL; the pool in front of it is
 * made to fail as a stopped server does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresQueue } from '../../src/jobs/postgres.js';
import type { PgPool } from '../../src/store/postgres.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

const REFUSED = 'connect ECONNREFUSED 127.0.0.1:5432';

/** The pool, every query and connection of which fails while `outage.down`. */
function failingWhileDown(pool: PgPool, outage: { down: boolean; failures: number }): PgPool {
  const refuse = () => {
    outage.failures++;
    return Promise.reject(new Error(REFUSED));
  };
  return new Proxy(pool, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if ((key !== 'query' && key !== 'connect') || typeof value !== 'function') return value;
      return (...args: unknown[]) => (outage.down ? refuse() : (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
}

const until = async (check: () => boolean, what: string, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

let database: TestDatabase;
let queue: PostgresQueue | undefined;
afterEach(async () => {
  await queue?.stop(1_000);
  await database.drop();
});

describe('the job queue while its database is unreachable', () => {
  it('says the first error and the recovery, not every failed maintenance round', async () => {
    database = await createTestDatabase();
    const outage = { down: false, failures: 0 };
    const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
    const at = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, msg, fields });
    const logger = { error: at('error'), warn: at('warn'), info: at('info'), debug: () => undefined, child: () => logger } as never;
    queue = new PostgresQueue(failingWhileDown(await database.open({ max: 4 }), outage), { pollingIntervalSeconds: 0.5, maintenanceIntervalSeconds: 1, logger });
    await queue.work('scheduled-run', async () => undefined);
    await queue.work('sweep-batch', async () => undefined);
    outage.down = true;
    // Four seconds down: four maintenance rounds failed, and a dozen polls.
    await new Promise((r) => setTimeout(r, 4_200));
    expect(outage.failures).toBeGreaterThanOrEqual(12);
    outage.down = false;
    await until(() => lines.some((l) => l.msg === 'job queue works again'), 'the recovery line', 5_000);
    await new Promise((r) => setTimeout(r, 600)); // a poll more, which says nothing
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['error', 'job queue error'],
      ['info', 'job queue works again'],
    ]);
    expect(lines[0]!.fields).toMatchObject({ err: expect.stringContaining(REFUSED), since: expect.any(String) });
  });
});
