-- PyPI answers, revalidated with ETag / Last-Modified. `body` holds the compact form the client
-- reads (releases with upload time, yanked state and requires-python; status from the Simple API),
-- not PyPI's multi-megabyte documents. A 404 is cached too (found = 0) so a typo or a private
-- package is not asked about on every audit.
CREATE TABLE pypi_cache (
  base_url TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('project', 'status')),
  name TEXT NOT NULL,                -- PEP 503 normalised
  found INTEGER NOT NULL CHECK (found IN (0, 1)),
  body TEXT,                         -- compact JSON; NULL when found = 0
  etag TEXT,
  last_modified TEXT,
  checked_at INTEGER NOT NULL,       -- ms since the epoch when PyPI last confirmed this answer
  PRIMARY KEY (base_url, kind, name)
);
