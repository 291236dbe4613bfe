-- Answers the package health cards read (`depwatch package`): PyPI's JSON and Simple API documents
-- in compact form, PEP 740 provenance, the upstream repository's health from GitHub and the
-- advisories of one release. A card repeated within the freshness window (an hour) is built from
-- here without a single request. A "not found" is cached too (found = 0), so a typo is asked once.
CREATE TABLE package_source_cache (
  source TEXT NOT NULL,              -- pypi-json, pypi-simple, pypi-integrity, github, advisories
  base_url TEXT NOT NULL,            -- the index or API asked (a mirror's answers are not PyPI's)
  key TEXT NOT NULL,                 -- e.g. requests, requests@2.32.3, psf/requests
  found INTEGER NOT NULL CHECK (found IN (0, 1)),
  body TEXT,                         -- compact JSON; NULL when found = 0
  checked_at INTEGER NOT NULL,       -- ms since the epoch
  PRIMARY KEY (source, base_url, key)
) WITHOUT ROWID;
