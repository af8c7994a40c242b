-- Till schema: QRIS while offline. The store's offline setup (its static QRIS and limits) as the server last
-- sent it (GET /v1/store/offline), so the till can derive dynamic QRIS while the server cannot be reached.
-- One row; absent until the first successful fetch. `server_url` is the server it came from: another server
-- (another store) never uses it.
CREATE TABLE offline_setup (
  id                   INTEGER PRIMARY KEY CHECK (id = 1),
  server_url           TEXT NOT NULL,
  static_qris          TEXT,
  merchant_name        TEXT,
  verified_by_provider INTEGER NOT NULL CHECK (verified_by_provider IN (0, 1)),
  max_amount           INTEGER NOT NULL CHECK (typeof(max_amount) = 'integer' AND max_amount >= 0),
  max_unverified_total INTEGER NOT NULL CHECK (typeof(max_unverified_total) = 'integer' AND max_unverified_total >= 0),
  unverified_total     INTEGER NOT NULL CHECK (typeof(unverified_total) = 'integer' AND unverified_total >= 0),
  fetched_at           INTEGER NOT NULL
);

-- Offline QRIS payments keep the reference label (62/05) the server matches provider notifications on.
ALTER TABLE payments ADD COLUMN offline_ref TEXT;
CREATE UNIQUE INDEX payments_offline_ref ON payments (offline_ref) WHERE offline_ref IS NOT NULL;
-- The unverified total is read with every status snapshot and every offline charge.
CREATE INDEX payments_unverified ON payments (status) WHERE status = 'unverified';
