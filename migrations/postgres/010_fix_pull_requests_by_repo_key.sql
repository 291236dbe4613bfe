-- Fix pull requests are looked up by repository in any case (`lower(repo) = ANY(...)`,
-- src/store/audit-state/postgres.ts latestFixPulls), which the index of 007 on `repo` cannot serve.
-- The same index, by the repository's lower-case name.
CREATE INDEX fix_pull_requests_by_repo_key ON fix_pull_requests (lower(repo), opened_at DESC, audit_id DESC);
DROP INDEX fix_pull_requests_by_repo;
