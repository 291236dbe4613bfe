-- `depwatch db status` and the choice of advisory source count the mirror's records and withdrawn
-- records. Counting withdrawn ones read every row of the table (the JSON included) in a fresh
-- process: 80 ms for the 2,661 PyPA records, far more for a full OSV bundle. With this partial index
-- (a few entries) and the one on modified_key, both counts read only index pages.
CREATE INDEX advisories_withdrawn ON advisories (withdrawn) WHERE withdrawn IS NOT NULL;
