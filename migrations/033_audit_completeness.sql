-- Whether an audit's result is complete, kept beside its counts (JSON AuditCompleteness, see
-- src/store/audits.ts): partial or not, the checks still coming (a staged reply's first stage), and
-- the first reason as people read it. App Home lists audits from these small columns, without the
-- result, and must not show a partial audit's counts as the whole answer. Older rows: NULL, and
-- their stored result says it instead (read only for them).
ALTER TABLE audits ADD COLUMN completeness TEXT;
