-- Watching repositories: which channel watches which repository, each channel's schedules, time
-- zone and ignores, what every sweep found (findings kept after they are fixed, for history), the
-- alert outbox (recorded before posting, marked after) and job runs (catch-up and no-overlap).

-- repo: `owner/repo` or `owner/repo@branch`, owner and name in lower case (GitHub ignores case).
CREATE TABLE watches (
  repo TEXT NOT NULL,
  channel TEXT NOT NULL,
  added_by TEXT NOT NULL,
  added_at TEXT NOT NULL,
  -- Whether the repository was private when linked, and whether an admin linked it: a private
  -- repository's findings go only to channels an admin linked.
  private INTEGER NOT NULL DEFAULT 0,
  admin_linked INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (repo, channel)
) WITHOUT ROWID;
CREATE INDEX watches_by_channel ON watches (channel);

CREATE TABLE watch_channels (
  channel TEXT PRIMARY KEY,
  time_zone TEXT,              -- IANA; NULL means the installation's TZ
  updated_by TEXT,
  updated_at TEXT NOT NULL
);

-- kind: weekly | monthly | quarterly | alerts. A disabled schedule is kept (enabled = 0) so that
-- "off" survives the defaults being re-applied when another repository is watched.
CREATE TABLE watch_schedules (
  channel TEXT NOT NULL,
  kind TEXT NOT NULL,
  cron TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,    -- runs scheduled before this are never caught up
  PRIMARY KEY (channel, kind)
) WITHOUT ROWID;

CREATE TABLE channel_ignores (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  advisory TEXT NOT NULL,      -- an advisory id (any alias) or a finding kind, as typed
  package TEXT,                -- PEP 503 name, or NULL for every package
  reason TEXT NOT NULL,
  until TEXT,                  -- YYYY-MM-DD inclusive, NULL for no expiry
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX channel_ignores_unique ON channel_ignores (channel, advisory COLLATE NOCASE, IFNULL(package, ''));

-- Every change to watches, schedules, time zones and ignores: who and when.
CREATE TABLE watch_changes (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  user_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX watch_changes_by_channel ON watch_changes (channel, at);

CREATE TABLE repo_state (
  repo TEXT PRIMARY KEY,
  display TEXT NOT NULL,       -- the name as GitHub spells it
  html_url TEXT,
  private INTEGER NOT NULL DEFAULT 0,
  head_oid TEXT,               -- last HEAD seen by a sweep
  audited_sha TEXT,            -- commit of the last full audit
  audited_at TEXT,
  packages_json TEXT,          -- installed packages, compact: re-matched without GitHub requests
  ignores_json TEXT,           -- the repository's own .depwatch.yml rules
  dependencies INTEGER NOT NULL DEFAULT 0,
  error TEXT,                  -- last failure, NULL after a good sweep
  error_at TEXT,
  checked_at TEXT
);

-- One row per finding ever seen in a repository; fixed ones keep their history.
CREATE TABLE repo_findings (
  repo TEXT NOT NULL,
  key TEXT NOT NULL,           -- findingKey()
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  package TEXT,
  version TEXT,
  advisory_id TEXT,
  json TEXT NOT NULL,          -- the Finding as last seen
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  fixed_at TEXT,
  fixed_by_sha TEXT,
  alertable INTEGER NOT NULL DEFAULT 1, -- 0 for what the first audit of a repository found (its baseline)
  PRIMARY KEY (repo, key)
) WITHOUT ROWID;
CREATE INDEX repo_findings_open ON repo_findings (repo, fixed_at);
CREATE INDEX repo_findings_by_advisory ON repo_findings (advisory_id);

-- The alert outbox: one alert per (advisory group, channel). state: recorded (written, maybe not
-- posted), posted, resolved (every affected repository fixed, message updated), failed (gave up).
CREATE TABLE watch_alerts (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  advisory_id TEXT NOT NULL,
  client_key TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL,
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

CREATE TABLE job_runs (
  job_key TEXT NOT NULL,
  scheduled_for TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL,        -- running | done | failed | interrupted
  error TEXT,
  PRIMARY KEY (job_key, scheduled_for)
) WITHOUT ROWID;
