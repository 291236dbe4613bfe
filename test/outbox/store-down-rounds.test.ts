/**
 * The outbox's store down (PostgreSQL stopped): every delivery round fails, and the log says so at
 * the first round, not at every one, and says once when rounds work again.
 */
import { describe, expect, it } from 'vitest';
import { OutboxDeliverer } from '../../src/slack/outbox/deliver.js';
import type { OutboxStore } from '../../src/store/outbox/types.js';
import type { PacedSlack } from '../../src/slack/pacing.js';

describe('delivery rounds while the outbox store is unreachable', () => {
  it('says the first failed round and the recovery, not every round', async () => {
    const state = { down: true, rounds: 0 };
    const outbox = {
      claim: async () => {
        state.rounds++;
        if (state.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        return [];
      },
    } as unknown as OutboxStore;
    const lines: { level: string; msg: string }[] = [];
    const at = (level: string) => (_fields: unknown, msg: string) => void lines.push({ level, msg });
    const logger = { warn: at('warn'), info: at('info'), error: at('error'), debug: () => undefined, child: () => logger } as never;
    const deliverer = new OutboxDeliverer({ outbox, slack: {} as PacedSlack, logger });
    deliverer.start(2);
    try {
      while (state.rounds < 20) await new Promise((r) => setTimeout(r, 2));
      state.down = false;
      const recovered = state.rounds;
      while (state.rounds < recovered + 5) await new Promise((r) => setTimeout(r, 2));
    } finally {
      await deliverer.stop();
    }
    expect(lines).toEqual([
      { level: 'warn', msg: 'outbox delivery round failed' },
      { level: 'info', msg: 'outbox delivery rounds work again' },
    ]);
  });
});
