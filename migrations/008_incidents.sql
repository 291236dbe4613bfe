-- Incidents run as checklists in Slack threads. Buttons carry ids only; every click re-reads these
-- tables, and step changes are conditional UPDATEs on `version`, so two people pressing the same
-- button at once can't both win and a restart loses nothing.

-- kind: real | drill (drills are exercises: no DMs, left out of metrics).
-- status: open | closed. Times are ISO 8601 UTC.
CREATE TABLE incidents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('real', 'drill')),
  title TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  template TEXT NOT NULL,          -- template id the checklist was made from
  template_name TEXT NOT NULL,
  channel TEXT NOT NULL,
  root_ts TEXT,                    -- the root message in the channel, once posted
  root_permalink TEXT,
  source TEXT,                     -- the button value it started from (alert:… / audit:…), if any
  context TEXT,                    -- JSON IncidentContext (advisory, repos, fix) or NULL
  scenario TEXT,                   -- drill scenario id
  injects_sent INTEGER NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  acknowledged_at TEXT,            -- first human action after the start
  contained_at TEXT,
  resolved_at TEXT,
  closed_at TEXT,
  closed_by TEXT,
  summary TEXT,
  report TEXT,                     -- the post-incident report, Markdown
  version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX incidents_open_by_channel ON incidents (status, channel);
CREATE INDEX incidents_by_source ON incidents (source);

-- Who holds which role (commander, comms, …). Steps without an explicit owner belong to their role's holder.
CREATE TABLE incident_roles (
  incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  user_id TEXT NOT NULL,
  assigned_by TEXT NOT NULL,
  assigned_at TEXT NOT NULL,
  PRIMARY KEY (incident_id, role)
) WITHOUT ROWID;

-- status: open | done | skipped | na.
CREATE TABLE incident_steps (
  incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  id INTEGER NOT NULL,             -- 1-based position in the checklist
  key TEXT NOT NULL,               -- template step id
  section_key TEXT NOT NULL,
  section_title TEXT NOT NULL,
  title TEXT NOT NULL,
  detail TEXT,                     -- template hint, plus what the findings filled in
  role TEXT,
  milestone TEXT,                  -- acknowledged | contained | resolved
  owner TEXT,                      -- explicit assignee (Slack user id)
  due_at TEXT,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'skipped', 'na')),
  reason TEXT,                     -- why it was skipped
  changed_by TEXT,                 -- who made the last change, and when
  changed_at TEXT,
  finished_at TEXT,                -- when it last left `open`
  last_reminded_at TEXT,
  snoozed_until TEXT,
  version INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (incident_id, id)
) WITHOUT ROWID;
CREATE INDEX incident_steps_due ON incident_steps (status, due_at);

-- The checklist is split over several thread messages (a long template can't fit in one).
CREATE TABLE incident_messages (
  incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  ts TEXT NOT NULL,
  kind TEXT NOT NULL,              -- root | checklist | update | reminder | inject | report | note
  part INTEGER,                    -- checklist part (0-based)
  text TEXT,                       -- what it said, for 📌 pins of our own messages
  PRIMARY KEY (incident_id, ts)
) WITHOUT ROWID;
CREATE INDEX incident_messages_by_ts ON incident_messages (ts);

-- Every state change, status update, role change and 📌 message, at its original time.
CREATE TABLE incident_timeline (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  at TEXT NOT NULL,
  actor TEXT,                      -- Slack user id, NULL for Depwatch itself
  type TEXT NOT NULL,
  text TEXT NOT NULL,
  message_ts TEXT                  -- for pins: the pinned message, once per incident
);
CREATE INDEX incident_timeline_by_incident ON incident_timeline (incident_id, at);
CREATE UNIQUE INDEX incident_timeline_pins ON incident_timeline (incident_id, message_ts) WHERE message_ts IS NOT NULL;

CREATE TABLE incident_action_items (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  text TEXT NOT NULL,
  owner TEXT,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX incident_action_items_by_incident ON incident_action_items (incident_id);
