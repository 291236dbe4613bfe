-- Fix pull requests opened from an /audit reply's "Open fix PR" button (src/github/fix-pull-request.ts):
-- one per audit, so a second click links the first; the state is what the reply shows.
CREATE TABLE fix_pull_requests (
  audit_id INTEGER PRIMARY KEY REFERENCES audits(id) ON DELETE CASCADE,
  repo TEXT NOT NULL,          -- owner/name
  branch TEXT NOT NULL,
  number INTEGER NOT NULL,
  url TEXT NOT NULL,
  state TEXT NOT NULL,         -- open | merged | closed
  opened_by TEXT NOT NULL,     -- Slack user id
  opened_at TEXT NOT NULL,
  checked_at TEXT NOT NULL
);
CREATE INDEX fix_pull_requests_open ON fix_pull_requests (state) WHERE state = 'open';
