-- How a channel counts advisories no source rated (`/audit settings unknown-as LEVEL`): critical,
-- high, medium or low. NULL means the default, high (fail closed: most PyPA records carry no rating).
ALTER TABLE watch_channels ADD COLUMN unknown_as TEXT;
