-- The local advisory mirror: OSV records stored whole, plus an index from PyPI package to record so
-- that "which advisories name django?" is one indexed lookup.
CREATE TABLE advisories (
  id TEXT PRIMARY KEY,
  modified TEXT NOT NULL,      -- as the record writes it
  modified_key TEXT NOT NULL,  -- UTC, 9-digit fraction: OSV timestamps vary in precision, so compare these
  withdrawn TEXT,              -- as written; NULL when the record is not withdrawn
  json TEXT NOT NULL,          -- the validated record, unknown fields kept
  imported_at TEXT NOT NULL
);
CREATE INDEX advisories_by_modified ON advisories (modified_key);

CREATE TABLE advisory_packages (
  package TEXT NOT NULL,       -- PEP 503 normalised PyPI name
  advisory_id TEXT NOT NULL REFERENCES advisories (id) ON DELETE CASCADE,
  PRIMARY KEY (package, advisory_id)
) WITHOUT ROWID;
CREATE INDEX advisory_packages_by_advisory ON advisory_packages (advisory_id);
