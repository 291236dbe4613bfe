-- What each channel's view of a repository's findings started from (src/watch/watch-started.ts).
-- repo_findings.new_since: from when a finding counts as new to a channel, when that is not its
-- first_seen: a baseline finding alerted because its advisory was published or modified after the
-- repository was first watched holds that time, so a channel that started watching after it counts
-- the advisory in its "Now watching" message instead of alerting it. NULL: first_seen.
-- watches.baseline_said_ids: the advisories (JSON array of ids) the channel's "Now watching"
-- message counted. A finding first seen before the watch that is not among them (closed, or ignored
-- by the channel, when the message was said; reopened since) is new to the channel's view and
-- alerts there once. NULL: not told yet, or told before this list was kept (those watches keep the
-- rule of their time, so an upgrade posts nothing).
ALTER TABLE repo_findings ADD COLUMN new_since TEXT;
ALTER TABLE watches ADD COLUMN baseline_said_ids TEXT;
