-- Why a repository's last sweep audit was partial (JSON array of RepoPartialReason, see
-- src/store/watches.ts), as migrations/034 adds it to SQLite's repo_state: /audit list and the
-- digests show a repository with reasons as not fully checked, never as clean. NULL: the last audit
-- was complete. Older rows: NULL until their next audit.
ALTER TABLE repo_state ADD COLUMN partial_reasons TEXT;

-- What the last sweep could not do as a whole, as migrations/034 keeps it on SQLite: JSON array of
-- lines (NULL when complete), since when, and when it recovered. One row, id 'sweep'.
CREATE TABLE sweep_status (
  id TEXT COLLATE "C" PRIMARY KEY,
  problems TEXT,
  since TEXT,
  recovered_at TEXT,
  updated_at TEXT NOT NULL
);
