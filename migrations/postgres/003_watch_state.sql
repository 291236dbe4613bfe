-- The watch state on PostgreSQL: watches, channel settings and ignores, each repository's head and
-- snapshot state, its findings and the alerts of each (channel, advisory). The columns mean what
-- they mean in the SQLite tables (migrations/007_watching.sql and later); times are ISO-8601 UTC
-- text and finding JSON is text, as there, so both stores answer byte for byte alike (the shared
-- contract tests, test/store/watch-state.contract.test.ts, compare them). Names sort by byte
-- (COLLATE "C"), as SQLite sorts them, whatever the server's locale.
CREATE TABLE watches (
  repo TEXT COLLATE "C" NOT NULL,
  channel TEXT COLLATE "C" NOT NULL,
  added_by TEXT NOT NULL,
  added_at TEXT NOT NULL,
  private BOOLEAN NOT NULL DEFAULT FALSE,
  admin_linked BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (repo, channel)
);
CREATE INDEX watches_by_channel ON watches (channel);

CREATE TABLE watch_channels (
  channel TEXT COLLATE "C" PRIMARY KEY,
  time_zone TEXT,
  unknown_as TEXT,
  updated_by TEXT,
  updated_at TEXT NOT NULL
);

CREATE TABLE watch_schedules (
  channel TEXT COLLATE "C" NOT NULL,
  kind TEXT NOT NULL,
  cron TEXT NOT NULL,
  enabled BOOLEAN NOT NULL DEFAULT TRUE,
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (channel, kind)
);

CREATE TABLE channel_ignores (
  id BIGSERIAL PRIMARY KEY,
  channel TEXT COLLATE "C" NOT NULL,
  advisory TEXT COLLATE "C" NOT NULL,
  package TEXT,
  reason TEXT NOT NULL,
  until TEXT,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX channel_ignores_unique ON channel_ignores (channel, lower(advisory), COALESCE(package, ''));

CREATE TABLE watch_changes (
  id BIGSERIAL PRIMARY KEY,
  at TEXT NOT NULL,
  user_id TEXT NOT NULL,
  channel TEXT COLLATE "C" NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX watch_changes_by_channel ON watch_changes (channel, at);

CREATE TABLE repo_state (
  repo TEXT COLLATE "C" PRIMARY KEY,
  display TEXT NOT NULL,
  html_url TEXT,
  private BOOLEAN NOT NULL DEFAULT FALSE,
  head_oid TEXT,
  audited_sha TEXT,
  audited_at TEXT,
  packages_json TEXT,
  ignores_json TEXT,
  dependencies INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  error_at TEXT,
  checked_at TEXT,
  advisories_mark TEXT
);

CREATE TABLE repo_findings (
  repo TEXT COLLATE "C" NOT NULL,
  key TEXT COLLATE "C" NOT NULL,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  package TEXT,
  version TEXT,
  advisory_id TEXT COLLATE "C",
  json TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  fixed_at TEXT,
  fixed_by_sha TEXT,
  alertable BOOLEAN NOT NULL DEFAULT TRUE,
  PRIMARY KEY (repo, key)
);
CREATE INDEX repo_findings_open ON repo_findings (repo) WHERE fixed_at IS NULL;
CREATE INDEX repo_findings_by_advisory ON repo_findings (advisory_id);

-- One alert per (channel, advisory), whichever replica records it first: the unique constraint is
-- what makes "alerted once" hold across replicas (INSERT … ON CONFLICT DO NOTHING RETURNING).
CREATE TABLE watch_alerts (
  id BIGSERIAL PRIMARY KEY,
  channel TEXT COLLATE "C" NOT NULL,
  advisory_id TEXT COLLATE "C" NOT NULL,
  client_key TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL CHECK (state IN ('recorded', 'posted', 'resolved', 'failed')),
  message_ts TEXT,
  affected_json TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  recorded_at TEXT NOT NULL,
  posted_at TEXT,
  resolved_at TEXT,
  updated_at TEXT NOT NULL,
  UNIQUE (channel, advisory_id)
);
