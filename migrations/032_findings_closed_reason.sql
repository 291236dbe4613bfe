-- Why a finding was closed without being fixed, in words ("excluded by .depwatch.yml (test
-- data)"): a finding only files that `exclude:` now keeps out of the audit held is no longer
-- checked, which is not fixed. NULL: closed because the audit no longer found it (fixed, by
-- fixed_by_sha when a commit did it). Alerts and digests never call a row with a reason fixed.
-- Older rows: NULL. Cleared when the finding is seen again.
ALTER TABLE repo_findings ADD COLUMN closed_reason TEXT;
