-- What /audit replies and their buttons keep, shared by replicas (src/store/audit-state/postgres.ts):
-- the same tables and columns as SQLite's (migrations/006, 020, 021, 025), so both stores answer alike
-- (test/store/audit-state.contract.test.ts). Times are ISO-8601 UTC text and JSON is text, as there;
-- text that is sorted or compared sorts by byte (COLLATE "C"), as in SQLite.
CREATE TABLE audits (
  id BIGSERIAL PRIMARY KEY,
  repo TEXT NOT NULL,                 -- owner/repo as GitHub spells it
  repo_key TEXT COLLATE "C" NOT NULL, -- lower case owner/repo: GitHub names are case-insensitive
  ref TEXT NOT NULL,
  sha TEXT NOT NULL,
  html_url TEXT NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  requested_by TEXT,
  channel TEXT,
  ts TEXT,
  reply_parts TEXT,                   -- JSON array of the thread continuation messages' ts; NULL: not known
  private BOOLEAN,                    -- NULL: not known, counts as private
  counts TEXT NOT NULL,               -- JSON {severity: n} of open findings
  result TEXT NOT NULL                -- the AuditResult as JSON, with the ignores known at the time applied
);
CREATE INDEX audits_by_repo ON audits (repo_key, id);
CREATE INDEX audits_by_time ON audits (created_at);

-- Ignores made in Slack (the Ignore… modal), scoped to one repository.
CREATE TABLE ignores (
  id BIGSERIAL PRIMARY KEY,
  repo_key TEXT COLLATE "C" NOT NULL,
  advisory_id TEXT NOT NULL,
  package TEXT,                       -- PEP 503 normalised; NULL means any package
  reason TEXT NOT NULL,
  until TEXT,                         -- last day it applies (YYYY-MM-DD, inclusive); NULL for no expiry
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  audit_id BIGINT REFERENCES audits (id) ON DELETE SET NULL
);
CREATE INDEX ignores_by_repo ON ignores (repo_key);

-- Fix pull requests opened from an /audit reply or an alert: one per audit.
CREATE TABLE fix_pull_requests (
  audit_id BIGINT PRIMARY KEY REFERENCES audits (id) ON DELETE CASCADE,
  repo TEXT COLLATE "C" NOT NULL,     -- owner/name
  branch TEXT NOT NULL,
  number INTEGER NOT NULL,
  url TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'merged', 'closed')),
  opened_by TEXT NOT NULL,
  opened_at TEXT COLLATE "C" NOT NULL,
  checked_at TEXT NOT NULL
);
CREATE INDEX fix_pull_requests_open ON fix_pull_requests (state) WHERE state = 'open';
CREATE INDEX fix_pull_requests_by_repo ON fix_pull_requests (repo, opened_at DESC, audit_id DESC);
