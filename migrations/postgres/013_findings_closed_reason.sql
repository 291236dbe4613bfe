-- Why a finding was closed without being fixed, in words ("excluded by .depwatch.yml (test
-- data)"), as migrations/032 adds it to SQLite's repo_findings: a finding only excluded files held
-- is no longer checked, which is not fixed. NULL: closed because the audit no longer found it.
-- Older rows: NULL. Cleared when the finding is seen again.
ALTER TABLE repo_findings ADD COLUMN closed_reason TEXT;
