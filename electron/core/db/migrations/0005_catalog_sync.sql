-- The store catalog synced from the server (issue 8): where each product came from and the store catalog
-- revision of its last change. Products already here came from the demo seed (nothing else wrote products).
ALTER TABLE products ADD COLUMN source TEXT NOT NULL DEFAULT 'demo' CHECK (source IN ('demo', 'server'));
ALTER TABLE products ADD COLUMN version INTEGER NOT NULL DEFAULT 0 CHECK (typeof(version) = 'integer' AND version >= 0);
