-- At the counter (issue 9): receipt printer, print queue, cashier shifts. Money is whole rupiah, times UTC ms.

-- One row: where the receipt printer is. 'none' = no printer (nothing is queued); 'device' = host is a /dev path.
CREATE TABLE printer_config (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  transport  TEXT NOT NULL DEFAULT 'none' CHECK (transport IN ('none', 'tcp', 'device')),
  host       TEXT,
  port       INTEGER CHECK (port IS NULL OR port BETWEEN 1 AND 65535),
  paper_mm   INTEGER NOT NULL DEFAULT 58 CHECK (paper_mm IN (58, 80)),
  auto_print INTEGER NOT NULL DEFAULT 1 CHECK (auto_print IN (0, 1))
);
INSERT INTO printer_config (id) VALUES (1);

-- A print is rendered to ESC/POS bytes once, when it is queued: what the printer gets later is exactly what
-- the sale looked like when it was paid. A job stays 'queued' until the printer took all its bytes.
CREATE TABLE print_jobs (
  id         TEXT PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('receipt', 'shift_report')),
  ref_id     TEXT NOT NULL,
  paper_mm   INTEGER NOT NULL CHECK (paper_mm IN (58, 80)),
  bytes      BLOB NOT NULL,
  status     TEXT NOT NULL CHECK (status IN ('queued', 'printed')),
  attempts   INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  printed_at INTEGER
);
CREATE INDEX print_jobs_queued ON print_jobs (status, created_at);
CREATE INDEX print_jobs_ref ON print_jobs (ref_id);

CREATE TABLE shifts (
  id             TEXT PRIMARY KEY,
  status         TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  opened_at      INTEGER NOT NULL,
  opening_float  INTEGER NOT NULL CHECK (typeof(opening_float) = 'integer' AND opening_float >= 0),
  closed_at      INTEGER,
  counted_cash   INTEGER CHECK (counted_cash IS NULL OR (typeof(counted_cash) = 'integer' AND counted_cash >= 0)),
  -- The close report as computed at close (JSON): frozen, so a late event cannot rewrite a closed shift.
  report         TEXT CHECK (report IS NULL OR json_valid(report)),
  CHECK ((status = 'closed') = (closed_at IS NOT NULL AND counted_cash IS NOT NULL AND report IS NOT NULL))
);
-- At most one open shift per till.
CREATE UNIQUE INDEX shifts_one_open ON shifts (status) WHERE status = 'open';

-- Product tiles: a category to filter by and an optional picture. Pictures are data: URLs only (the screen's
-- CSP loads images from the app itself and data: URLs, never from the network).
ALTER TABLE products ADD COLUMN category TEXT CHECK (category IS NULL OR length(category) BETWEEN 1 AND 60);
ALTER TABLE products ADD COLUMN image_url TEXT
  CHECK (image_url IS NULL OR (image_url LIKE 'data:image/%' AND length(image_url) <= 200000));

-- The wallet or bank app that paid a QRIS payment, when the server learns it from the provider (receipts).
ALTER TABLE payments ADD COLUMN payer_wallet TEXT CHECK (payer_wallet IS NULL OR length(payer_wallet) <= 60);
