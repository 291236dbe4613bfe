-- Baselines per repository and per channel, as migrations/038 adds them to SQLite:
-- repo_state.baseline_at (when a sweep first read the advisories; NULL: not yet baselined) and
-- watches.baseline_said_at (when the channel was told what the repository already had; NULL: not
-- yet). Rows from before count as baselined and told, so an upgrade posts nothing.
ALTER TABLE repo_state ADD COLUMN baseline_at TEXT;
UPDATE repo_state SET baseline_at = audited_at WHERE audited_sha IS NOT NULL;
ALTER TABLE watches ADD COLUMN baseline_said_at TEXT;
UPDATE watches SET baseline_said_at = added_at;
