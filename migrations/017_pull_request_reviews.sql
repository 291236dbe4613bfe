-- One dependency-review message per pull request and channel: where it is (to update it in place
-- when the pull request changes), which head it reviewed (to skip unchanged ones cheaply), and
-- whether the pull request is still open (to mark it merged or closed once).
CREATE TABLE pull_request_reviews (
  repo TEXT NOT NULL,                -- owner/repo, lower case as watched
  number INTEGER NOT NULL,
  channel TEXT NOT NULL,
  ts TEXT NOT NULL,                  -- the Slack message
  head_oid TEXT NOT NULL,            -- the head commit last reviewed
  state TEXT NOT NULL CHECK (state IN ('open', 'merged', 'closed')),
  review_json TEXT NOT NULL,         -- the last review and pull request (to re-render when it closes)
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (repo, number, channel)
) WITHOUT ROWID;
