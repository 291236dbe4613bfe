-- What an offline audit would otherwise work out again from every advisory on every run (issue 11,
-- item 4), derived once when the mirror stores a record (src/advisories/mirror.ts, writeBatch):
--  * advisory_matchers: for each row of the package index, the advisory's matcher for that package
--    (src/advisories/stored-matcher.ts): its `versions` lists already in PEP 440 canonical form, its
--    ranges already sorted, its fixed versions and its severity for the package. A table of its own,
--    so the index itself stays small: counting its packages (`depwatch db status`) reads no matcher.
--    A row of the index leaves with its matcher (the foreign key cascades).
--  * advisories.derived: the parts of its one-line description and its severity over every entry
--    (src/advisories/stored-record.ts), so its text is not read nor its CVSS vectors scored again.
-- Missing (or NULL) for rows stored before this migration: those are worked out from the record, as
-- before (same answers, only slower), until the next `depwatch db import` / `db sync` or the bot's
-- start derives them and says how many.
CREATE TABLE advisory_matchers (
  package TEXT NOT NULL,
  advisory_id TEXT NOT NULL,
  matcher TEXT NOT NULL,
  PRIMARY KEY (package, advisory_id),
  FOREIGN KEY (package, advisory_id) REFERENCES advisory_packages (package, advisory_id) ON DELETE CASCADE
) WITHOUT ROWID;
ALTER TABLE advisories ADD COLUMN derived TEXT;
