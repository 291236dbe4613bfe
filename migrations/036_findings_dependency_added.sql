-- When the finding arrived with its dependency: the audit that first saw this package at this
-- version in the repository (added, or moved to it) also first saw the finding, at that time. The
-- alerts then say the dependency once ("now depends on pillow 8.0.0, which has 26 known
-- advisories") instead of one "new advisory" per advisory it already had. NULL: a new advisory
-- (or a re-match) of a dependency that was already there, a baseline, and older rows. Kept while
-- the finding stays open (or comes back after an ignore or an exclusion), like first_seen.
ALTER TABLE repo_findings ADD COLUMN dependency_added_at TEXT;
