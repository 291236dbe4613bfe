-- Alerts show each affected repository's latest fix pull request (FixPullStore.latestForRepo):
-- found by repository, newest first, without reading the whole table.
CREATE INDEX fix_pull_requests_by_repo ON fix_pull_requests (repo, opened_at DESC, audit_id DESC);
