-- Slack outbox rows may be thread replies: op 'reply' posts in the thread of the message posted for
-- message_key (as migrations/022_slack_outbox_replies.sql on SQLite).
ALTER TABLE slack_outbox DROP CONSTRAINT slack_outbox_op_check;
ALTER TABLE slack_outbox ADD CONSTRAINT slack_outbox_op_check CHECK (op IN ('post', 'update', 'reply'));
