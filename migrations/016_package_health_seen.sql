-- What each channel's weekly digest last saw of the health of the packages its repositories use,
-- so the next digest lists those whose health worsened since (verdict ok → caution/avoid, or new
-- owners on PyPI). Per channel: each digest compares with what that channel was last shown.
CREATE TABLE package_health_seen (
  channel TEXT NOT NULL,
  package TEXT NOT NULL,             -- PEP 503 name
  verdict TEXT NOT NULL CHECK (verdict IN ('ok', 'caution', 'avoid')),
  reasons_json TEXT NOT NULL,        -- JSON array of strings
  owners_json TEXT,                  -- JSON array of PyPI owners; NULL when the index does not publish them
  seen_at INTEGER NOT NULL,          -- ms since the epoch
  PRIMARY KEY (channel, package)
) WITHOUT ROWID;
