-- When the finding arrived with its dependency (the audit that first saw this package at this
-- version in the repository), as migrations/036 adds it to SQLite's repo_findings: the alerts say
-- the dependency once instead of one "new advisory" per advisory it already had. NULL: a new
-- advisory of a dependency already there, a baseline, older rows. Kept while the finding stays open.
ALTER TABLE repo_findings ADD COLUMN dependency_added_at TEXT;
