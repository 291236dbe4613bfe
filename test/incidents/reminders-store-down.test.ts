/**
 * The incident store unreachable (PostgreSQL down): every reminder tick fails, on every replica, once
 * a minute. The log says it at the first tick, again at most every five minutes, and once when
 * ticks work again, not once a tick.
 */
import { describe, expect, it } from 'vitest';
import { startIncidentReminders } from '../../src/incidents/reminders.js';
import type { IncidentStore } from '../../src/store/incident-state/types.js';

describe('reminder ticks while the incident store is unreachable', () => {
  it('says the first failed tick, again every five minutes, and once when ticks work again', async () => {
    let t = Date.parse('2025-01-06T09:00:00Z');
    const store = { down: true };
    const incidents = {
      overdueSteps: async () => {
        if (store.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        return [];
      },
    } as unknown as IncidentStore;
    const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
    const at = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, msg, fields });
    const reminders = startIncidentReminders({ incidents, now: () => new Date(t), logger: { error: at('error'), warn: at('warn'), info: at('info') } as never, everyMs: 3_600_000 });
    try {
      // Eleven minutes of outage, a tick a minute: said at the first tick and five and ten minutes on.
      for (let minute = 0; minute <= 11; minute++, t += 60_000) await reminders.tick();
      store.down = false;
      await reminders.tick();
      await reminders.tick();
    } finally {
      reminders.stop();
    }
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['error', 'incident: reminder tick failed'],
      ['error', 'incident: reminder tick failed'],
      ['error', 'incident: reminder tick failed'],
      ['info', 'incident: reminder ticks work again'],
    ]);
    expect(lines[0]!.fields).toEqual({ error: 'connect ECONNREFUSED 127.0.0.1:5432', since: '2025-01-06T09:00:00.000Z' });
    expect(lines[3]!.fields).toMatchObject({ failedForMs: 12 * 60_000, since: '2025-01-06T09:00:00.000Z' });
  });
});
