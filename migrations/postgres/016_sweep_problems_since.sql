-- When sweep_status.problems last changed within the current run of partial sweeps, as
-- migrations/035 adds it on SQLite: the sweep notice is edited to the current problems when they
-- change. NULL (rows written before it): taken as the run's start until the problems next change.
ALTER TABLE sweep_status ADD COLUMN problems_since TEXT;
