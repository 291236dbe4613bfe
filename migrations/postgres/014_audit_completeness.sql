-- Whether an audit's result is complete, kept beside its counts (JSON AuditCompleteness, see
-- src/store/audits.ts), as migrations/033 adds it to SQLite's audits: App Home lists audits without
-- their result and must not show a partial audit's counts as the whole answer. Older rows: NULL,
-- and their stored result says it instead (read only for them).
ALTER TABLE audits ADD COLUMN completeness TEXT;
