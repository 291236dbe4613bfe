-- Fix pull requests are looked up by repository in any case (GitHub names are case-insensitive:
-- `repo = ? COLLATE NOCASE`, src/store/fix-pulls.ts), which the index of 025 (binary collation)
-- cannot serve: every alerts job scanned the table once per repository. The same index, by the
-- repository's case-blind name.
CREATE INDEX fix_pull_requests_by_repo_any_case ON fix_pull_requests (repo COLLATE NOCASE, opened_at DESC, audit_id DESC);
DROP INDEX fix_pull_requests_by_repo;
