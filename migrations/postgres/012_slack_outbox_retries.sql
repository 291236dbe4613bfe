-- Slack outages no longer drop messages: the columns of migrations/031_slack_outbox_retries.sql
-- (SQLite), which says what they mean. queued_at stays nullable (read as created_at) so a replica
-- of the previous version, still running during a rolling upgrade, can go on writing rows.
ALTER TABLE slack_outbox ADD COLUMN failure TEXT CHECK (failure IN ('transient', 'permanent'));
ALTER TABLE slack_outbox ADD COLUMN queued_at TIMESTAMPTZ;
