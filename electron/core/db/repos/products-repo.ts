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
