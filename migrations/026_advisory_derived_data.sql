-- What an offline audit would otherwise work out again from every advisory on every run (issue 11,
-- item 4), derived once when the mirror stores a record:
--  * advisory_packages.matcher: the advisory's matcher for that package (src/advisories/
--    stored-matcher.ts), its `versions` lists already in PEP 440 canonical form and its ranges
--    already sorted, so 140,000 listed versions are not parsed again; with its fixed versions and
--    its severity for the package;
--  * advisories.derived: the parts of its one-line description and its severity over every entry
--    (src/advisories/stored-record.ts), so its text is not read nor its CVSS vectors scored again.
-- NULL in rows stored before this migration: those are worked out from the record, as before (same
-- answers, only slower), until the next `depwatch db import` / `db sync` or the bot's start derives
-- them and says how many.
ALTER TABLE advisory_packages ADD COLUMN matcher TEXT;
ALTER TABLE advisories ADD COLUMN derived TEXT;
