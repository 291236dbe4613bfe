-- One Slack ignore per repository, advisory (any casing) and package (NULL: every package), as
-- channel_ignores has (migrations/007): saving the Ignore… modal again (a double-click, a Slack
-- retry, a shorter expiry) replaces the earlier ignore instead of adding a row beside it, which
-- kept the longest expiry in force whatever was saved later. Of rows already repeated, the newest
-- (the one saved last) is kept.
DELETE FROM ignores WHERE EXISTS (
  SELECT 1 FROM ignores newer
  WHERE newer.repo_key = ignores.repo_key
    AND newer.advisory_id = ignores.advisory_id COLLATE NOCASE
    AND IFNULL(newer.package, '') = IFNULL(ignores.package, '')
    AND newer.id > ignores.id
);
CREATE UNIQUE INDEX ignores_one_per_advisory ON ignores (repo_key, advisory_id COLLATE NOCASE, IFNULL(package, ''));
