-- A long /audit reply continues in its thread: the continuation messages' ts, in order (a JSON
-- array), so that re-rendering the reply (the second stage, an ignore) updates them too instead of
-- leaving them stale. NULL: none known (older rows, or a reply sent through response_url).
ALTER TABLE audits ADD COLUMN reply_parts TEXT;
-- Whether GitHub said the repository is private when it was audited: App Home shows private
-- repositories' audits only to the person who asked and to admins. NULL (older rows) counts as
-- private: an unknown is not shown to everyone.
ALTER TABLE audits ADD COLUMN private INTEGER;
