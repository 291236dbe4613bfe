-- The GitHub blob cache kept manifests as GitHub served them, credentials in URLs included
-- (`https://user:token@index/simple`, `?token=…`). src/github/blob-cache.ts now masks them before
-- storing. Rows written before may hold them, and SQL cannot mask, so every row that quotes a URL is
-- dropped: its blob is fetched again once, and stored masked. Rows without "://" hold no URL and stay.
DELETE FROM github_blob_cache WHERE instr(text, '://') > 0;
