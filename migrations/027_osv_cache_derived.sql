-- What an API-mode audit would otherwise work out again from every cached OSV record it reports on
-- (issue 11): the parts of its one-line description and its severity over every entry, in the
-- mirror's format (src/advisories/stored-record.ts). Written for the records an audit matched, from
-- the answers it worked out anyway (src/advisories/osv-api.ts, keepDerivedParts); NULL until then,
-- and again whenever the record itself is replaced. NULL, damaged or of another format: worked out
-- from the record, as before (same answers, only slower).
ALTER TABLE osv_cache ADD COLUMN derived TEXT;
