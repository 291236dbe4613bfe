-- GitHub blobs by git sha. A blob sha names its content exactly, so a cached row is valid forever and
-- shared by every repository and commit that contains the same file: a snapshot fetches only blobs
-- whose sha it has never seen. Rows are only reachable by sha from a tree the caller could already
-- read, so sharing them across repositories leaks nothing. used_at lets old versions be pruned.
CREATE TABLE github_blob_cache (
  sha TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  text TEXT NOT NULL,
  fetched_at TEXT NOT NULL,
  used_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX github_blob_cache_used_at ON github_blob_cache (used_at);
