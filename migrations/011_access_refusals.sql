-- Changes the access policy refused (src/authz/): who tried what, from where, through which entry
-- (command, button, modal, home, event), and the rule that refused it. Allowed changes are kept
-- where they happen (watch_changes, ignores.created_by, the incident timeline).
CREATE TABLE access_refusals (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  user_id TEXT NOT NULL,
  channel TEXT,                -- where the request came from (NULL from App Home)
  via TEXT NOT NULL,
  action TEXT NOT NULL,        -- e.g. "add ignore for octo/app", "close incident #7"
  target_channel TEXT,         -- the channel the target lives in
  rule TEXT NOT NULL           -- other-channel | not-admin | private-repository | no-channel
);
CREATE INDEX access_refusals_by_user ON access_refusals (user_id, at);
