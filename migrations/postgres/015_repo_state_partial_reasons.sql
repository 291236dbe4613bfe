-- Why a repository's last sweep audit was partial (JSON array of RepoPartialReason, see
-- src/store/watches.ts), as migrations/034 adds it to SQLite's repo_state: /audit list and the
-- digests show a repository with reasons as not fully checked, never as clean. NULL: the last audit
-- was complete. Older rows: NULL until their next audit.
ALTER TABLE repo_state ADD COLUMN partial_reasons TEXT;
