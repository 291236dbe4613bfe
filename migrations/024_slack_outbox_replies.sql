-- Slack outbox rows may be thread replies: op 'reply' posts in the thread of the message posted for
-- message_key (a digest's details under its summary). Rows of one message_key are delivered in id
-- order, so a reply always waits for the post it answers. SQLite cannot alter a CHECK constraint:
-- the table is rebuilt with the same columns and indexes (docs/outbox.md).
CREATE TABLE slack_outbox_new (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  data_json TEXT NOT NULL,
  channel TEXT NOT NULL,
  op TEXT NOT NULL CHECK (op IN ('post', 'update', 'reply')),
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
INSERT INTO slack_outbox_new SELECT id, kind, data_json, channel, op, message_key, idempotency_key, state, attempts, claims, claim_owner,
  lease_until, available_at, sent_at, message_ts, last_error, created_at, done_at FROM slack_outbox;
DROP TABLE slack_outbox;
ALTER TABLE slack_outbox_new RENAME TO slack_outbox;
CREATE INDEX slack_outbox_open ON slack_outbox (state, available_at) WHERE state NOT IN ('posted', 'failed', 'superseded');
CREATE INDEX slack_outbox_by_message ON slack_outbox (message_key, id);
