/**
 * A delivering replica in its own process, for the kill test: it delivers the PostgreSQL outbox at
 * DATABASE_URL to the fake Slack at SLACK_API_URL, and after Slack accepts the post whose key is
 * HANG_AFTER_SEND it says so on stdout and stops moving (so the test can SIGKILL it right there).
 */
import { ChannelPacer, createBulkSlackClient, PacedSlack } from '../../src/slack/pacing.js';
import { OutboxDeliverer } from '../../src/slack/outbox/deliver.js';
import { PostgresOutbox } from '../../src/store/outbox/postgres.js';
import { openPostgres } from '../../src/store/postgres.js';
import { FAKE_BOT_TOKEN } from '../fakes/slack-api.js';
import { TEST_RENDERERS } from './world.js';

const pool = await openPostgres(process.env.DATABASE_URL!, { max: 2 });
const deliverer = new OutboxDeliverer({
  outbox: new PostgresOutbox(pool),
  slack: new PacedSlack(createBulkSlackClient(FAKE_BOT_TOKEN, { slackApiUrl: process.env.SLACK_API_URL! }), new ChannelPacer({ minIntervalMs: 5 })),
  owner: `child-${process.pid}`,
  leaseMs: 2_000,
  renderers: TEST_RENDERERS,
  afterSend: async (row, ts) => {
    if (row.idempotencyKey !== process.env.HANG_AFTER_SEND) return;
    process.stdout.write(`SENT ${row.idempotencyKey} ${ts}\n`);
    await new Promise(() => undefined); // never records: the parent kills us here
  },
});
await deliverer.deliver();
process.stdout.write('DONE\n');
await pool.end();
