-- Till schema v1. Money is whole rupiah (INTEGER), times are UTC epoch ms, ids are client UUIDv7 strings.
-- CHECKs repeat the core's rules so that a bug in the code cannot store a fractional or negative amount.

CREATE TABLE products (
  id         TEXT PRIMARY KEY,
  sku        TEXT NOT NULL UNIQUE,
  barcode    TEXT UNIQUE,
  name       TEXT NOT NULL,
  price      INTEGER NOT NULL CHECK (typeof(price) = 'integer' AND price >= 0),
  active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE sales (
  id              TEXT PRIMARY KEY,
  status          TEXT NOT NULL CHECK (status IN ('open', 'paid')),
  subtotal        INTEGER NOT NULL CHECK (typeof(subtotal) = 'integer' AND subtotal >= 0),
  discount_kind   TEXT CHECK (discount_kind IN ('amount', 'percent_bp')),
  discount_value  INTEGER CHECK ((discount_kind IS NULL) = (discount_value IS NULL)),
  discount_amount INTEGER NOT NULL CHECK (typeof(discount_amount) = 'integer' AND discount_amount BETWEEN 0 AND subtotal),
  total           INTEGER NOT NULL CHECK (typeof(total) = 'integer' AND total = subtotal - discount_amount),
  created_at      INTEGER NOT NULL,
  paid_at         INTEGER
);
CREATE INDEX sales_created ON sales (created_at);

CREATE TABLE sale_lines (
  id         TEXT PRIMARY KEY,
  sale_id    TEXT NOT NULL REFERENCES sales (id),
  line_no    INTEGER NOT NULL,
  product_id TEXT NOT NULL REFERENCES products (id),
  -- sku/name/price are copied: a receipt must not change when the catalog does.
  sku        TEXT NOT NULL,
  name       TEXT NOT NULL,
  qty        INTEGER NOT NULL CHECK (typeof(qty) = 'integer' AND qty > 0),
  unit_price INTEGER NOT NULL CHECK (typeof(unit_price) = 'integer' AND unit_price >= 0),
  line_total INTEGER NOT NULL CHECK (line_total = qty * unit_price),
  UNIQUE (sale_id, line_no)
);

CREATE TABLE payments (
  id            TEXT PRIMARY KEY,
  sale_id       TEXT NOT NULL REFERENCES sales (id),
  method        TEXT NOT NULL CHECK (method IN ('qris', 'cash')),
  status        TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'expired', 'cancelled', 'failed', 'refunded',
                                                'partially_refunded', 'unverified', 'needs_review')),
  late          INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
  amount        INTEGER NOT NULL CHECK (typeof(amount) = 'integer' AND amount >= 0),
  provider      TEXT,
  provider_ref  TEXT,
  qr_string     TEXT,
  merchant_name TEXT,
  expires_at    INTEGER,
  tendered      INTEGER CHECK (tendered IS NULL OR (typeof(tendered) = 'integer' AND tendered >= amount)),
  change_due    INTEGER CHECK (change_due IS NULL OR change_due = tendered - amount),
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  paid_at       INTEGER,
  CHECK ((method = 'cash') = (tendered IS NOT NULL))
);
CREATE INDEX payments_sale ON payments (sale_id);
CREATE INDEX payments_open ON payments (status) WHERE status = 'pending';

-- Same-transaction outbox (STYLE.md convention 7): written with every sale and payment, drained later.
CREATE TABLE outbox (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL,
  entity_id       TEXT NOT NULL,
  payload         TEXT NOT NULL CHECK (json_valid(payload)),
  created_at      INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  parked          INTEGER NOT NULL DEFAULT 0 CHECK (parked IN (0, 1))
);
CREATE INDEX outbox_due ON outbox (parked, next_attempt_at);
CREATE INDEX outbox_entity ON outbox (entity_id);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- One row: where the till is in the server's event stream.
CREATE TABLE sync_state (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  cursor         INTEGER NOT NULL DEFAULT 0,
  last_synced_at INTEGER
);
INSERT INTO sync_state (id, cursor) VALUES (1, 0);
