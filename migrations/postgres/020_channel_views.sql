-- What each channel's view of a repository's findings started from, as migrations/040 adds it to
-- SQLite: repo_findings.new_since (from when a baseline finding alerted for its advisory's
-- publication counts as new to a channel; NULL: first_seen) and watches.baseline_said_ids (the
-- advisories the channel's "Now watching" message counted, JSON; NULL: not told yet, or told before
-- the list was kept, so an upgrade posts nothing).
ALTER TABLE repo_findings ADD COLUMN new_since TEXT;
ALTER TABLE watches ADD COLUMN baseline_said_ids TEXT;
