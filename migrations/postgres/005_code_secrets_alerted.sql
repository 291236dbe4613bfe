-- Code findings already alerted, per repository (migrations/022_code_scans.sql on SQLite): with
-- replicas, whichever one sweeps a repository's next commit must know what another already alerted.
-- A secret is known by its keyed fingerprint, never its value.
CREATE TABLE code_secrets_alerted (
  repo TEXT COLLATE "C" NOT NULL,
  rule TEXT COLLATE "C" NOT NULL,
  file TEXT COLLATE "C" NOT NULL,
  fingerprint TEXT NOT NULL,
  first_seen_sha TEXT NOT NULL,
  alerted_at TEXT NOT NULL,
  PRIMARY KEY (repo, rule, file, fingerprint)
);
