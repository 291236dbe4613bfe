-- Keys of jobs that must be created once across replicas (src/jobs/postgres.ts): a scheduled slot
-- (`alerts:C123@2026-12-07T09:00:00.000Z`), a sweep's batch. Claimed in the transaction that creates
-- the job in pg-boss's tables (schema pgboss, migrated by pg-boss itself), so a slot asked for again
-- after its job was archived still creates nothing.
CREATE TABLE job_singletons (
  queue TEXT NOT NULL,
  key TEXT NOT NULL,
  job_id UUID NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (queue, key)
);
