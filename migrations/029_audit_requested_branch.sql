-- The branch (or tag) an /audit named, as typed after `@`; NULL when it named none and the default
-- branch was read. `ref` says which branch was read either way, but only this tells "Watch this
-- repo" whether to watch that branch or to follow the default branch. Older rows: NULL.
ALTER TABLE audits ADD COLUMN requested_branch TEXT;
