-- The Slack outbox on PostgreSQL; the columns mean what they mean in migrations/015_slack_outbox.sql
-- (SQLite). Claims use FOR UPDATE SKIP LOCKED (src/store/outbox/postgres.ts).
CREATE TABLE slack_outbox (
  id BIGSERIAL PRIMARY KEY,
  kind TEXT NOT NULL,
  data JSONB NOT NULL,
  channel TEXT NOT NULL,
  op TEXT NOT NULL CHECK (op IN ('post', 'update')),
  message_key TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  claims INTEGER NOT NULL DEFAULT 0,
  claim_owner TEXT,
  lease_until TIMESTAMPTZ,
  available_at TIMESTAMPTZ NOT NULL,
  sent_at TIMESTAMPTZ,
  message_ts TEXT,
  last_error TEXT,
  created_at TIMESTAMPTZ NOT NULL,
  done_at TIMESTAMPTZ
);
CREATE INDEX slack_outbox_open ON slack_outbox (state, available_at) WHERE state NOT IN ('posted', 'failed', 'superseded');
CREATE INDEX slack_outbox_by_message ON slack_outbox (message_key, id);
