-- The branch (or tag) an /audit named, as typed after `@`; NULL when it named none and the default
-- branch was read (as migrations/029 adds it to SQLite's audits). "Watch this repo" watches that
-- branch, or follows the default branch. Older rows: NULL.
ALTER TABLE audits ADD COLUMN requested_branch TEXT;
