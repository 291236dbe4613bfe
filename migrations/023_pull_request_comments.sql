-- The dependency review kept as one comment per pull request (DEPWATCH_PR_COMMENTS, off by default):
-- its id, so a changed review edits it in place, and the body last written, so an unchanged review
-- leaves it alone (no edit, no notification).
CREATE TABLE pull_request_comments (
  repo TEXT NOT NULL,          -- owner/name
  number INTEGER NOT NULL,
  comment_id INTEGER NOT NULL,
  url TEXT NOT NULL,
  body TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (repo, number)
);
