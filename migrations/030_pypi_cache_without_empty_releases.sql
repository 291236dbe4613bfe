-- src/python/pypi.ts no longer lists a release without files (nothing to install): it was stored as
-- a release that is not yanked, so the audit could pick it as the latest release or as a fix. A
-- cached project that holds one keeps it until PyPI's answer changes (a 304 serves the stored
-- body), so every project row with a release without an upload time (how such a release was stored)
-- is dropped and fetched again once.
DELETE FROM pypi_cache WHERE kind = 'project' AND instr(body, '"uploadTime":null') > 0;
