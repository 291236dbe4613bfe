-- Pull-request dependency reviews posted, per channel, and the review comment kept on each pull
-- request, shared by replicas (src/store/pull-review-state/postgres.ts): the same tables as SQLite's
-- (migrations/017 and 023), so whichever replica runs the next sweep updates a review instead of
-- posting it again.
CREATE TABLE pull_request_reviews (
  repo TEXT COLLATE "C" NOT NULL,    -- owner/repo, lower case as watched
  number INTEGER NOT NULL,
  channel TEXT COLLATE "C" NOT NULL,
  ts TEXT NOT NULL,                  -- the Slack message, for reviews posted before the outbox ('' since)
  head_oid TEXT NOT NULL,            -- the head commit last reviewed
  state TEXT NOT NULL CHECK (state IN ('open', 'merged', 'closed')),
  review_json TEXT NOT NULL,         -- the last review and pull request (to re-render when it closes)
  updated_at BIGINT NOT NULL,        -- milliseconds since the epoch
  PRIMARY KEY (repo, number, channel)
);
CREATE INDEX pull_request_reviews_open ON pull_request_reviews (repo) WHERE state = 'open';

CREATE TABLE pull_request_comments (
  repo TEXT COLLATE "C" NOT NULL,    -- owner/name
  number INTEGER NOT NULL,
  comment_id BIGINT NOT NULL,
  url TEXT NOT NULL,
  body TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (repo, number)
);
