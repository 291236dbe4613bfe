-- Slack outages no longer drop messages (docs/outbox.md, "Failures"): a transient failure (network,
-- timeout, 5xx, Slack unavailable) is retried for a day from when the row was queued, a permanent
-- one (channel_not_found, not_in_channel…) fails at once, and a row given up after a day of
-- transient failures can be queued again (the next alerts run does it for its alerts).
-- The same columns exist on PostgreSQL (migrations/postgres/012_slack_outbox_retries.sql).
--
-- failure: why a `failed` row failed: 'transient' (retried for a day), 'permanent' (Slack refused
--   it); NULL for an error that could not be placed, and for rows failed before this migration.
-- queued_at: when the row was written or last queued again; transient failures are retried for a
--   day from it. NULL: a row written before this migration, read as its created_at.
ALTER TABLE slack_outbox ADD COLUMN failure TEXT CHECK (failure IN ('transient', 'permanent'));
ALTER TABLE slack_outbox ADD COLUMN queued_at TEXT;
