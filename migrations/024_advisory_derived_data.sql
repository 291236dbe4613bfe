-- What an offline audit would otherwise work out again from every advisory on every run (issue 11,
-- item 4), derived once when the mirror stores a record:
--  * advisory_packages.matcher: the advisory's matcher for that package (src/advisories/
--    stored-matcher.ts), its `versions` lists already in PEP 440 canonical form and its ranges
--    already sorted, so 140,000 listed versions are not parsed again;
--  * advisories.description: the parts of its one-line description (src/advisories/
--    stored-description.ts), so its summary and details text are not read again.
-- NULL in rows stored before this migration: those are worked out from the record, as before (same
-- answers, only slower), until the next `depwatch db import` / `db sync` or the bot's start derives
-- them and says how many.
ALTER TABLE advisory_packages ADD COLUMN matcher TEXT;
ALTER TABLE advisories ADD COLUMN description TEXT;
