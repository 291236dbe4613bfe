-- The Slack outbox (docs/outbox.md): what the domain wants said, written in the same transaction as
-- the state change that calls for it, and delivered by one loop in src/slack/ that renders and
-- posts it exactly once. The same table exists on PostgreSQL (migrations/postgres/001_slack_outbox.sql).
--
-- kind + data_json: a domain message (e.g. 'advisory-alert' and what the alert says), never Slack blocks.
-- op: 'post' (a new message) or 'update' (chat.update of the message posted for message_key).
-- message_key: which Slack message a row concerns; rows of one message are delivered in id order.
-- idempotency_key: the row's own identity; writing the same key again changes nothing. A post's
--   key is sent as message metadata, so a crash after Slack accepted it can be reconciled.
-- state: pending | claimed | posting | posted | failed | superseded.
-- claims: incremented by every claim; every later write names the value it claimed with (a fence),
--   so a deliverer whose lease ran out can no longer change the row.
-- sent_at: set before the first send; non-NULL means Slack may have the message (reconcile first).
CREATE TABLE slack_outbox (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  data_json TEXT NOT NULL,
  channel TEXT NOT NULL,
  op TEXT NOT NULL CHECK (op IN ('post', 'update')),
  message_key TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  claims INTEGER NOT NULL DEFAULT 0,
  claim_owner TEXT,
  lease_until TEXT,
  available_at TEXT NOT NULL,
  sent_at TEXT,
  message_ts TEXT,
  last_error TEXT,
  created_at TEXT NOT NULL,
  done_at TEXT
);
CREATE INDEX slack_outbox_open ON slack_outbox (state, available_at) WHERE state NOT IN ('posted', 'failed', 'superseded');
CREATE INDEX slack_outbox_by_message ON slack_outbox (message_key, id);
