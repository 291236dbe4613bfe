-- Baselines, per repository and per channel (src/watch/watch-started.ts).
-- repo_state.baseline_at: when a sweep first read the advisories for the repository. NULL: not yet
-- baselined (never audited, or every audit so far could not reach the advisories); the next sweep
-- audits it again and takes its baseline, so an outage at the first sweep is no flood later.
-- watches.baseline_said_at: when the channel was told what the repository already had ("Now
-- watching …"). NULL: not yet. Watches and repositories from before this migration were handled by
-- the rules of their time: they count as baselined and told, so an upgrade posts nothing.
ALTER TABLE repo_state ADD COLUMN baseline_at TEXT;
UPDATE repo_state SET baseline_at = audited_at WHERE audited_sha IS NOT NULL;
ALTER TABLE watches ADD COLUMN baseline_said_at TEXT;
UPDATE watches SET baseline_said_at = added_at;
