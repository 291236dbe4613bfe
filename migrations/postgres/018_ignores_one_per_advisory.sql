-- One Slack ignore per repository, advisory (any casing) and package (NULL: every package), as
-- SQLite's migrations/037 and channel_ignores (003) have: saving the Ignore… modal again replaces
-- the earlier ignore instead of adding a row beside it, and two replicas saving at once leave one
-- row. Of rows already repeated, the newest (the one saved last) is kept.
DELETE FROM ignores older USING ignores newer
WHERE newer.repo_key = older.repo_key
  AND lower(newer.advisory_id) = lower(older.advisory_id)
  AND COALESCE(newer.package, '') = COALESCE(older.package, '')
  AND newer.id > older.id;
CREATE UNIQUE INDEX ignores_one_per_advisory ON ignores (repo_key, lower(advisory_id), COALESCE(package, ''));
