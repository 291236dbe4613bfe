-- Audits run from Slack, kept whole so that buttons (which carry only ids) can re-read what was
-- reported, and re-render it after an ignore without asking GitHub or OSV again.
CREATE TABLE audits (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  repo TEXT NOT NULL,            -- owner/repo as GitHub spells it
  repo_key TEXT NOT NULL,        -- lower case owner/repo: GitHub names are case-insensitive
  ref TEXT NOT NULL,             -- the branch (or tag) that was read
  sha TEXT NOT NULL,             -- the commit audited
  html_url TEXT NOT NULL,        -- the repository's web address (GitHub Enterprise too)
  created_at TEXT NOT NULL,      -- ISO 8601, UTC
  requested_by TEXT,             -- Slack user id
  channel TEXT,                  -- where the reply lives, once posted with chat.postMessage
  ts TEXT,
  counts TEXT NOT NULL,          -- JSON {severity: n} of open findings (ignored ones excluded)
  result TEXT NOT NULL           -- the AuditResult as JSON, with the ignores known at the time applied
);
CREATE INDEX audits_by_repo ON audits (repo_key, created_at);
CREATE INDEX audits_by_time ON audits (created_at);

-- Ignores made in Slack (the Ignore… modal), scoped to one repository. Applied to every later audit
-- of that repository next to the repository's own .depwatch.yml.
CREATE TABLE ignores (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  repo_key TEXT NOT NULL,        -- lower case owner/repo
  advisory_id TEXT NOT NULL,     -- any alias of the advisory
  package TEXT,                  -- PEP 503 normalised; NULL means any package
  reason TEXT NOT NULL,
  until TEXT,                    -- last day it applies (YYYY-MM-DD, inclusive); NULL for no expiry
  created_by TEXT NOT NULL,      -- Slack user id
  created_at TEXT NOT NULL,
  audit_id INTEGER REFERENCES audits (id) ON DELETE SET NULL
);
CREATE INDEX ignores_by_repo ON ignores (repo_key);
