/**
 * One bot replica for bench/sweep-replicas.ts, from compiled code (dist/) with plain node, as
 * deployed: it takes sweep batches from the PostgreSQL job queue at DATABASE_URL and sweeps them
 * against the fakes and the advisory mirror (its own copy, in the SQLite file BENCH_SQLITE), with the
 * watch state in the same PostgreSQL as the queue, as the bot runs with DATABASE_URL. It reports its peak RSS (the kernel's high-water mark)
 * and how many batches it swept when asked over IPC.
 */
import { AdvisoryMirror } from '../dist/advisories/mirror.js';
import { createGitHubClient } from '../dist/github/client.js';
import { PostgresQueue } from '../dist/jobs/postgres.js';
import { workSweepBatches } from '../dist/jobs/sweep-batches.js';
import { PyPIClient } from '../dist/python/pypi.js';
import { openDb } from '../dist/store/db.js';
import { openPostgres } from '../dist/store/postgres.js';
import { PostgresWatchState } from '../dist/store/watch-state/postgres.js';
import { SlackDelivery } from '../dist/slack/outbox/slack-delivery.js';
import { createBulkSlackClient } from '../dist/slack/pacing.js';

const env = process.env;
const db = openDb(env.BENCH_SQLITE);
const pool = await openPostgres(env.DATABASE_URL, { max: 10 });
const queue = new PostgresQueue(pool, { pollingIntervalSeconds: 0.5 });
const octokit = await createGitHubClient({ apiUrl: env.GITHUB_URL, token: env.GITHUB_TOKEN });
const options = {
  state: new PostgresWatchState(pool),
  octokit,
  db,
  // The mirror in the shared state (imported by the bench): its change log spares unchanged repositories.
  advisories: new AdvisoryMirror(db),
  registry: new PyPIClient({ baseUrl: env.PYPI_URL, db }),
  now: () => new Date(),
  concurrency: 8,
};
let batches = 0;
const baseRss = process.memoryUsage().rss;
await workSweepBatches(queue, options, { concurrency: 2, afterBatch: async () => void batches++ });
// The alerts' outbox is shared: every replica's delivery loop claims rows (FOR UPDATE SKIP LOCKED), as the bot's does.
const delivery = new SlackDelivery({ db, api: createBulkSlackClient(env.SLACK_BOT_TOKEN, { slackApiUrl: env.SLACK_URL }), shared: options.state.outbox });
delivery.start(500);
process.send({ type: 'ready' });
process.on('message', (m) => {
  if (m.type === 'report') {
    process.send({ type: 'report', batches, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), baseRssMb: Math.round(baseRss / 1024 / 1024) });
  } else if (m.type === 'stop') {
    void Promise.all([queue.stop(5_000), delivery.stop()])
      .then(() => pool.end())
      .finally(() => {
        db.close();
        process.exit(0);
      });
  }
});
