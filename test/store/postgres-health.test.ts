/**
 * A PostgreSQL outage said in the log as such: one line naming the database when it stops
 * answering, repeated only every few minutes while it lasts, one when it answers again; the
 * connection error quoted redacted.
 */
import { describe, expect, it } from 'vitest';
import { REACHABLE_AGAIN, STILL_UNREACHABLE, UNREACHABLE, watchPostgresHealth } from '../../src/store/postgres-health.js';

function recorder() {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (_fields: unknown, msg: string) => void lines.push({ level, msg });
  return { lines, logger: { error: at('error'), warn: at('warn'), info: at('info') } as never };
}

describe('the PostgreSQL database going away and coming back', () => {
  it('says once that the database is unreachable, at most every five minutes again, and once that it is back', async () => {
    const { lines, logger } = recorder();
    let t = Date.parse('2025-01-06T09:00:00Z');
    const pool = { down: false, query: async () => (pool.down ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432 postgres://depwatch:hunter2secret@db:5432/depwatch')) : { rows: [] }) };
    const health = watchPostgresHealth(pool, { logger, intervalMs: 60_000, now: () => new Date(t) });
    try {
      await health.probe();
      expect(lines).toEqual([]);
      pool.down = true;
      // 75 s of outage probed every 5 s: one line.
      for (let i = 0; i < 15; i++, t += 5_000) await health.probe();
      expect(health.reachable()).toBe(false);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 'error', msg: expect.stringMatching(new RegExp(`^${UNREACHABLE}: connect ECONNREFUSED 127\\.0\\.0\\.1:5432`)) });
      // Ten minutes more: said again twice, not sixty times.
      for (let i = 0; i < 120; i++, t += 5_000) await health.probe();
      expect(lines.map((l) => l.msg.slice(0, STILL_UNREACHABLE.length)).filter((m) => m === STILL_UNREACHABLE)).toHaveLength(2);
      pool.down = false;
      await health.probe();
      await health.probe();
      expect(health.reachable()).toBe(true);
      expect(lines.at(-1)).toEqual({ level: 'info', msg: `${REACHABLE_AGAIN} (it was not for 675 s)` });
      expect(lines.filter((l) => l.msg.startsWith(REACHABLE_AGAIN))).toHaveLength(1);
      expect(JSON.stringify(lines)).not.toContain('hunter2secret');
    } finally {
      health.stop();
    }
  });
});
