-- Code and configuration scans of repository archives (issue 10), by commit: a repeat /audit or
-- sweep of the same commit downloads nothing. `scan_key` changes with the rules and the ignores
-- that applied, so neither a new rule nor a new ignore is hidden by the cache. The result is the
-- ScanResult JSON: secrets appear only as kind and keyed fingerprint, never their value.
CREATE TABLE code_scans (
  repo TEXT NOT NULL,          -- owner/name
  sha TEXT NOT NULL,
  scan_key TEXT NOT NULL,
  result TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (repo, sha, scan_key)
);

-- Hardcoded secrets already alerted, per repository: a new one is alerted once, as soon as a sweep
-- sees it, and the same secret (same fingerprint, rule and file) never again.
CREATE TABLE code_secrets_alerted (
  repo TEXT NOT NULL,
  rule TEXT NOT NULL,
  file TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  first_seen_sha TEXT NOT NULL,
  alerted_at TEXT NOT NULL,
  PRIMARY KEY (repo, rule, file, fingerprint)
);
