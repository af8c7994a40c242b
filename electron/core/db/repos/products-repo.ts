import type { Database } from 'better-sqlite3';
import type { Product } from '../../../../shared/ipc.ts';
import { rupiah } from '../../../../shared/money.ts';

type Row = {
  id: string;
  sku: string;
  barcode: string | null;
  name: string;
  price: number;
  active: number;
  category: string | null;
  image_url: string | null;
};
const COLUMNS = 'id, sku, barcode, name, price, active, category, image_url';

const toProduct = (r: Row): Product => ({
  id: r.id,
  sku: r.sku,
  barcode: r.barcode,
  name: r.name,
  price: rupiah(r.price),
  active: r.active === 1,
  category: r.category,
  imageUrl: r.image_url,
});

export type NewProduct = Omit<Product, 'active' | 'category' | 'imageUrl'> & {
  active?: boolean;
  category?: string | null;
  imageUrl?: string | null;
};

export function insertProduct(db: Database, p: NewProduct, now: number): void {
  db.prepare(
    `INSERT INTO products (id, sku, barcode, name, price, active, category, image_url, created_at, updated_at)
     VALUES (@id, @sku, @barcode, @name, @price, @active, @category, @imageUrl, @now, @now)`,
  ).run({ ...p, active: p.active === false ? 0 : 1, category: p.category ?? null, imageUrl: p.imageUrl ?? null, now });
}

export function countProducts(db: Database): number {
  return (db.prepare('SELECT count(*) AS n FROM products').get() as { n: number }).n;
}

export function listProducts(db: Database, o: { query?: string; includeInactive?: boolean } = {}): Product[] {
  const q = o.query?.trim() ?? '';
  // LIKE with an escape so that a cashier typing % or _ searches for those characters.
  const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = db
    .prepare(
      `SELECT ${COLUMNS} FROM products
       WHERE (@all = 1 OR active = 1)
         AND (@q = '' OR name LIKE @like ESCAPE '\\' OR sku LIKE @like ESCAPE '\\' OR barcode = @q)
       ORDER BY name COLLATE NOCASE, sku`,
    )
    .all({ all: o.includeInactive ? 1 : 0, q, like }) as Row[];
  return rows.map(toProduct);
}

export function getProduct(db: Database, id: string): Product | null {
  const r = db.prepare(`SELECT ${COLUMNS} FROM products WHERE id = ?`).get(id) as Row | undefined;
  return r ? toProduct(r) : null;
}

/** Exact SKU or barcode match among active products (what a barcode scanner types). */
export function findActiveByCode(db: Database, code: string): Product | null {
  const r = db
    .prepare(
      `SELECT ${COLUMNS} FROM products
       WHERE active = 1 AND (sku = @code OR barcode = @code) ORDER BY (barcode = @code) DESC LIMIT 1`,
    )
    .get({ code }) as Row | undefined;
  return r ? toProduct(r) : null;
}

// ------------------------------------------------------------------------------------- the synced catalog

/** A product as the server sends it (shared/schemas/catalog-api.ts), in the till's words. */
export type ServerProduct = NewProduct & { active: boolean; version: number };

export function productSourceAndVersion(db: Database, id: string): { source: string; version: number } | null {
  return (
    (db.prepare('SELECT source, version FROM products WHERE id = ?').get(id) as
      | { source: string; version: number }
      | undefined) ?? null
  );
}

/** Other products (not `id`) holding this SKU or barcode now, with their version. */
export function holdersOfCodes(
  db: Database,
  id: string,
  sku: string,
  barcode: string | null,
): { id: string; source: string; version: number }[] {
  return db
    .prepare(
      `SELECT id, source, version FROM products
       WHERE id <> @id AND (sku = @sku OR (@barcode IS NOT NULL AND barcode = @barcode))`,
    )
    .all({ id, sku, barcode }) as { id: string; source: string; version: number }[];
}

/**
 * Takes a product off the counter and frees its SKU and barcode for another (the till's columns are unique):
 * a parked SKU `~<id>` no scanner can type. Its row stays, because past sale lines point at it; they carry
 * their own name and price.
 */
export function retireProduct(db: Database, id: string, now: number): void {
  db.prepare(`UPDATE products SET active = 0, sku = '~' || id, barcode = NULL, updated_at = ? WHERE id = ?`).run(
    now,
    id,
  );
}

/** Inserts or replaces a server product under its id (version and source included). */
export function upsertServerProduct(db: Database, p: ServerProduct, now: number): void {
  db.prepare(
    `INSERT INTO products (id, sku, barcode, name, price, active, category, image_url, source, version, created_at, updated_at)
     VALUES (@id, @sku, @barcode, @name, @price, @active, @category, @imageUrl, 'server', @version, @now, @now)
     ON CONFLICT (id) DO UPDATE SET sku = excluded.sku, barcode = excluded.barcode, name = excluded.name,
       price = excluded.price, active = excluded.active, category = excluded.category,
       image_url = excluded.image_url, source = 'server', version = excluded.version, updated_at = excluded.updated_at`,
  ).run({
    ...p,
    barcode: p.barcode ?? null,
    category: p.category ?? null,
    imageUrl: p.imageUrl ?? null,
    active: p.active ? 1 : 0,
    now,
  });
}

/** The demo products still on this till (a till that never had its store's catalog). */
export function demoProductIds(db: Database): string[] {
  return (
    db.prepare(`SELECT id FROM products WHERE source = 'demo' AND sku NOT LIKE '~%'`).all() as { id: string }[]
  ).map((r) => r.id);
}

/** Server products this till holds that are not in `keep` (a snapshot is the whole catalog). */
export function serverProductIdsNotIn(db: Database, keep: Set<string>): string[] {
  return (db.prepare(`SELECT id FROM products WHERE source = 'server' AND sku NOT LIKE '~%'`).all() as { id: string }[])
    .map((r) => r.id)
    .filter((id) => !keep.has(id));
}

/** Deletes a product that no sale line refers to; returns whether it did. */
export function deleteUnsoldProduct(db: Database, id: string): boolean {
  return (
    db
      .prepare('DELETE FROM products WHERE id = ? AND NOT EXISTS (SELECT 1 FROM sale_lines WHERE product_id = ?)')
      .run(id, id).changes > 0
  );
}

/** Another server's versions mean nothing here: its snapshot must win over what the old one sent. */
export function forgetServerVersions(db: Database): void {
  db.prepare(`UPDATE products SET version = 0 WHERE source = 'server'`).run();
}
