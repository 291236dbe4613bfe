/**
 * A replica in its own process for the lease test: it works the sweep-batch queue of the database at
 * DATABASE_URL with a short lease, says on stdout which job it took, and never finishes it (the
 * parent SIGKILLs it there, as a machine dying mid-job would).
 */
import { PostgresQueue } from '../../src/jobs/postgres.js';
import { openPostgres } from '../../src/store/postgres.js';

const pool = await openPostgres(process.env.DATABASE_URL!, { max: 3 });
const queue = new PostgresQueue(pool, { leaseSeconds: 2, retryDelaySeconds: 0, pollingIntervalSeconds: 0.5, maintenanceIntervalSeconds: 1 });
await queue.work('sweep-batch', async (job) => {
  process.stdout.write(`TAKEN ${job.id}\n`);
  await new Promise(() => undefined);
});
process.stdout.write('READY\n');
