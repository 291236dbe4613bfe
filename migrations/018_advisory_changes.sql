-- Sweeps re-match an unchanged repository only for the packages whose advisories changed since its
-- last match (issue 11, item 5). The mirror logs every package a written record names (and, for an
-- updated record, the packages it named before, so a package dropped from a record is re-checked
-- too); the sequence number is the mark a repository remembers. Rows are small (a number and a
-- name): a full PyPI bundle logs about 20,000 once, a delta sync a few dozen.
CREATE TABLE advisory_changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  package TEXT NOT NULL
);

-- The advisory data a repository's findings were last matched against (an opaque mark from the
-- advisory source, see src/watch/rematch-plan.ts); NULL: never, or not to be trusted.
ALTER TABLE repo_state ADD COLUMN advisories_mark TEXT;
