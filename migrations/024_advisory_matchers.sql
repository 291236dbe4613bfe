-- Each advisory's matcher for each package it names, derived when the record is stored (see
-- src/advisories/stored-matcher.ts): its `versions` lists already in PEP 440 canonical form and its
-- ranges already sorted, so an offline audit does not parse 140,000 listed versions again each
-- time (issue 11, item 4). NULL for rows stored before this migration: such rows are matched from
-- the record, as before, until the next `depwatch db import` / `db sync` or bot start derives them
-- (and says how many it derived).
ALTER TABLE advisory_packages ADD COLUMN matcher TEXT;
