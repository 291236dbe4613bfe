-- When sweep_status.problems last changed within the current run of partial sweeps (the run's
-- start, or the first sweep that had other problems than the one before). The sweep notice posted
-- for the run is edited when it is later than what the notice says, so the channel reads the
-- current problems, not the first ones (src/watch/sweep-notice.ts). NULL (rows written before it):
-- taken as the run's start, `since`, until the problems next change.
ALTER TABLE sweep_status ADD COLUMN problems_since TEXT;
