-- Incident state on PostgreSQL, shared by replicas (src/store/incident-state/postgres.ts): the same
-- tables and columns as the SQLite ones (migrations/008_incidents.sql), so both stores answer alike
-- (test/store/incident-state.contract.test.ts). Times are ISO-8601 UTC text, the context is JSON
-- text, and text sorts by byte (COLLATE "C"), as in SQLite. Step changes are conditional UPDATEs
-- on `version`; every change that redraws the incident locks its `incidents` row first.
CREATE TABLE incidents (
  id BIGSERIAL PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('real', 'drill')),
  title TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  template TEXT NOT NULL,
  template_name TEXT NOT NULL,
  channel TEXT COLLATE "C" NOT NULL,
  root_ts TEXT COLLATE "C",
  root_permalink TEXT,
  source TEXT,
  context TEXT,
  scenario TEXT,
  injects_sent INTEGER NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  acknowledged_at TEXT COLLATE "C",
  contained_at TEXT COLLATE "C",
  resolved_at TEXT COLLATE "C",
  closed_at TEXT COLLATE "C",
  closed_by TEXT,
  summary TEXT,
  report TEXT,
  version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX incidents_open_by_channel ON incidents (status, channel);
CREATE INDEX incidents_by_source ON incidents (source);

CREATE TABLE incident_roles (
  incident_id BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  role TEXT COLLATE "C" NOT NULL,
  user_id TEXT NOT NULL,
  assigned_by TEXT NOT NULL,
  assigned_at TEXT NOT NULL,
  PRIMARY KEY (incident_id, role)
);

CREATE TABLE incident_steps (
  incident_id BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  id INTEGER NOT NULL,
  key TEXT NOT NULL,
  section_key TEXT NOT NULL,
  section_title TEXT NOT NULL,
  title TEXT NOT NULL,
  detail TEXT,
  role TEXT,
  milestone TEXT,
  owner TEXT,
  due_at TEXT COLLATE "C",
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'skipped', 'na')),
  reason TEXT,
  changed_by TEXT,
  changed_at TEXT,
  finished_at TEXT,
  last_reminded_at TEXT COLLATE "C",
  snoozed_until TEXT COLLATE "C",
  version INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (incident_id, id)
);
CREATE INDEX incident_steps_due ON incident_steps (status, due_at);

CREATE TABLE incident_messages (
  incident_id BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  ts TEXT COLLATE "C" NOT NULL,
  kind TEXT NOT NULL,
  part INTEGER,
  text TEXT,
  PRIMARY KEY (incident_id, ts)
);
CREATE INDEX incident_messages_by_ts ON incident_messages (ts);

CREATE TABLE incident_timeline (
  id BIGSERIAL PRIMARY KEY,
  incident_id BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  at TEXT COLLATE "C" NOT NULL,
  actor TEXT,
  type TEXT NOT NULL,
  text TEXT NOT NULL,
  message_ts TEXT
);
CREATE INDEX incident_timeline_by_incident ON incident_timeline (incident_id, at);
CREATE UNIQUE INDEX incident_timeline_pins ON incident_timeline (incident_id, message_ts) WHERE message_ts IS NOT NULL;

CREATE TABLE incident_action_items (
  id BIGSERIAL PRIMARY KEY,
  incident_id BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  text TEXT NOT NULL,
  owner TEXT,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX incident_action_items_by_incident ON incident_action_items (incident_id);
