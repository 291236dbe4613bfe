-- The GitHub blob cache masked URL credentials only (migration 009); src/github/blob-cache.ts now
-- also masks the random part of every token the secret scanner knows (`sk_live_******…`,
-- `xoxb-******…`: maskSecrets). Rows written before may hold such tokens whole. They are masked in
-- place by the same function the cache uses (depwatch_mask, src/store/db.ts) rather than dropped:
-- masking keeps lines and columns, so a masked row is exactly what the cache would store today and
-- no blob has to be fetched from GitHub again. Only rows that change are written.
-- PostgreSQL has no blob cache (it is per replica, in SQLite), so this has no PostgreSQL twin.
UPDATE github_blob_cache SET text = depwatch_mask(text) WHERE depwatch_mask(text) <> text;
