-- OSV API mode: full records fetched from /v1/vulns/{id}, reused while OSV reports the same
-- `modified` for the id (alias recomputation also bumps `modified`, so a new value means refetch).
CREATE TABLE osv_cache (
  id TEXT PRIMARY KEY,
  modified TEXT NOT NULL,
  record TEXT NOT NULL,      -- the record as JSON, validated before it was stored
  fetched_at TEXT NOT NULL
);
