-- Advisories no source rated (issue 12).

-- How a channel counts them (`/audit settings unknown-as LEVEL`): critical, high, medium or low.
-- NULL means the default, high (fail closed: most PyPA records carry no rating).
ALTER TABLE watch_channels ADD COLUMN unknown_as TEXT;

-- Alias ids OSV answered 404 for when asked for a rating (/v1/vulns/{id}), and when: not asked
-- again for a day, so that every audit of the same repository does not repeat the question.
CREATE TABLE osv_unknown_ids (
  id TEXT PRIMARY KEY,
  checked_at TEXT NOT NULL
) WITHOUT ROWID;
