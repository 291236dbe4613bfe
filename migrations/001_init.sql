-- Key/value settings that belong to the installation (last mirror sync, and the like).
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
