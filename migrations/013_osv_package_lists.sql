-- OSV API mode: packages whose whole advisory list an audit has read (`/v1/query`). A later audit of
-- one of them asks `/v1/querybatch` for the package's current {id, modified} list in the same request
-- as the versions, so the list is known to be current without fetching it again: with every record
-- already in osv_cache, a repeat audit costs that one request.
CREATE TABLE osv_package_lists (
  name TEXT PRIMARY KEY,             -- PEP 503 normalised
  listed_at TEXT NOT NULL            -- when OSV last sent the whole list
) WITHOUT ROWID;
