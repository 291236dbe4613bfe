-- What each channel's weekly digest last showed of package health (migrations/016 on SQLite), shared
-- by replicas: whichever replica runs next week's digest compares against this week's, and the
-- baseline moves in the same transaction as the digest's outbox rows (WatchStateStore.recordDigest).
CREATE TABLE package_health_seen (
  channel TEXT COLLATE "C" NOT NULL,
  package TEXT COLLATE "C" NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('ok', 'caution', 'avoid')),
  reasons_json TEXT NOT NULL,
  owners_json TEXT,
  seen_at BIGINT NOT NULL,          -- milliseconds since the epoch
  PRIMARY KEY (channel, package)
);
