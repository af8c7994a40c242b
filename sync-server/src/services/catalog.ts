/**
 * The store catalog (issue 8, point 3): the manager creates, edits, deactivates and imports products; every
 * change takes the store's next catalog revision as the product's `version` and appends a `catalog.updated`
 * sync event carrying the changed products in the same transaction, so the store's tills learn through pull
 * and the live socket (and a till that connects takes the whole catalog from `GET /v1/catalog`).
 * Nothing here touches sales: a sale line carries its own name and unit price from the moment it was made.
 */
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import {
  CATALOG_IMPORT_MAX_ROWS,
  type CatalogCsvRow,
  CatalogCsvRowSchema,
  type CatalogImportResult,
  type CatalogProduct,
  type CatalogSnapshot,
  type ProductCreate,
  type ProductUpdate,
} from '../../../shared/schemas/catalog-api.ts';
import type { ProductRow } from '../db/schema.ts';
import { HttpError } from '../http-errors.ts';
import {
  catalogVersion,
  getProductById,
  insertProduct,
  insertProducts,
  listCatalogProducts,
  lockStoreCatalog,
  productsHoldingCodes,
  updateProduct,
} from '../repos/catalog-repo.ts';
import type { Executor } from '../repos/executor.ts';
import { appendSyncEvent } from '../repos/sync-events-repo.ts';
import type { ServerContext } from './context.ts';

/** One event carries at most this many products, and stays well under the till socket's 1 MiB frame limit. */
const EVENT_MAX_PRODUCTS = 200;
const EVENT_MAX_BYTES = 256 * 1024;
/** Errors listed in a refused import's message (all rows are checked; the message stays readable). */
const IMPORT_ERRORS_SHOWN = 20;

export function toCatalogProduct(r: ProductRow): CatalogProduct {
  return {
    id: r.id,
    sku: r.sku,
    barcode: r.barcode,
    name: r.name,
    price: Number(r.price),
    category: r.category,
    image_url: r.image_url,
    active: Number(r.active) === 1,
    version: Number(r.version),
    updated_at: Number(r.updated_at),
  };
}

export async function catalogSnapshot(ctx: ServerContext, storeId: string): Promise<CatalogSnapshot> {
  const rows = await listCatalogProducts(ctx.database.db, storeId);
  const products = rows.map(toCatalogProduct);
  return { products, version: products.reduce((m, p) => Math.max(m, p.version), 0) };
}

export async function getCatalogProduct(ctx: ServerContext, storeId: string, id: string): Promise<CatalogProduct> {
  const r = await getProductById(ctx.database.db, id);
  // Another store's product is indistinguishable from an unknown one.
  if (!r || r.store_id !== storeId) throw new HttpError('NOT_FOUND', 'no such product');
  return toCatalogProduct(r);
}

export async function createProduct(
  ctx: ServerContext,
  storeId: string,
  input: ProductCreate,
): Promise<CatalogProduct> {
  return change(ctx, storeId, async (trx, next) => {
    const id = input.id ?? randomUUID();
    const existing = await getProductById(trx, id);
    if (existing) {
      if (existing.store_id !== storeId) throw new HttpError('CONFLICT', 'this product id is taken');
      throw new HttpError('CONFLICT', 'a product with this id exists; change it with PUT');
    }
    const barcode = input.barcode ?? null;
    await refuseTakenCodes(trx, storeId, id, input.sku, barcode);
    const now = ctx.now();
    const row: ProductRow = {
      id,
      store_id: storeId,
      sku: input.sku,
      barcode,
      name: input.name,
      price: input.price,
      category: input.category ?? null,
      image_url: input.image_url ?? null,
      active: input.active === false ? 0 : 1,
      version: next(),
      created_at: now,
      updated_at: now,
    };
    await insertProduct(trx, row);
    return [row];
  }).then((rows) => rows[0]!);
}

export async function updateCatalogProduct(
  ctx: ServerContext,
  storeId: string,
  id: string,
  patch: ProductUpdate,
): Promise<CatalogProduct> {
  return change(ctx, storeId, async (trx, next) => {
    const cur = await getProductById(trx, id);
    if (!cur || cur.store_id !== storeId) throw new HttpError('NOT_FOUND', 'no such product');
    if (patch.expected_version !== undefined && patch.expected_version !== Number(cur.version)) {
      throw new HttpError('CONFLICT', `the product changed meanwhile (now version ${cur.version}); reload it`);
    }
    const { expected_version: _v, active, ...fields } = patch;
    const after: ProductRow = {
      ...cur,
      ...fields,
      ...(active === undefined ? {} : { active: active ? 1 : 0 }),
    };
    if (sameProduct(cur, after)) return [];
    await refuseTakenCodes(trx, storeId, id, after.sku, after.barcode);
    const row = { ...after, version: next(), updated_at: ctx.now() };
    await updateProduct(trx, storeId, id, row);
    return [row];
  }).then(async (rows) => rows[0] ?? (await getCatalogProduct(ctx, storeId, id)));
}

/** "Delete": the product leaves the tills' counters; it stays on the server with its SKU and history. */
export function deactivateProduct(ctx: ServerContext, storeId: string, id: string): Promise<CatalogProduct> {
  return updateCatalogProduct(ctx, storeId, id, { active: false });
}

/**
 * Imports a CSV with the header `sku,name,price,category[,barcode]` (any order, header names fixed): a row whose
 * SKU exists updates that product (and reactivates it), a new SKU creates one. Every row is validated first;
 * any error refuses the whole import with row-numbered reasons (row 1 is the header) and changes nothing.
 */
export async function importCatalogCsv(ctx: ServerContext, storeId: string, csv: string): Promise<CatalogImportResult> {
  const rows = parseCsv(csv);
  const skus = rows.map((r) => r.row.sku);
  const barcodes = rows.flatMap((r) => (r.row.barcode ? [r.row.barcode] : []));
  let created = 0;
  let updated = 0;
  const changed = await change(ctx, storeId, async (trx, next) => {
    const holders = await productsHoldingCodes(trx, storeId, skus, barcodes);
    const bySku = new Map(holders.map((h) => [h.sku, h]));
    const byBarcode = new Map(holders.flatMap((h) => (h.barcode ? [[h.barcode, h] as const] : [])));
    const errors: string[] = [];
    for (const { line, row } of rows) {
      const holder = row.barcode ? byBarcode.get(row.barcode) : undefined;
      // A barcode may move between products named in this file; not to or from one left out of it.
      if (holder && holder.sku !== row.sku && !skus.includes(holder.sku)) {
        errors.push(`row ${line}: barcode ${row.barcode} belongs to product ${holder.sku}`);
      }
    }
    if (errors.length) throw importError(errors);
    const now = ctx.now();
    const plans: { row: ProductRow; isNew: boolean }[] = [];
    for (const { row } of rows) {
      const cur = bySku.get(row.sku);
      const base: ProductRow = cur ?? {
        id: randomUUID(),
        store_id: storeId,
        sku: row.sku,
        barcode: null,
        name: row.name,
        price: row.price,
        category: null,
        image_url: null,
        active: 1,
        version: 0,
        created_at: now,
        updated_at: now,
      };
      const after: ProductRow = {
        ...base,
        name: row.name,
        price: row.price,
        category: row.category,
        active: 1,
        // Without a barcode column the product keeps its barcode.
        ...(row.barcode === undefined ? {} : { barcode: row.barcode }),
      };
      if (cur && sameProduct(cur, after)) continue;
      plans.push({ row: after, isNew: !cur });
    }
    // Barcodes moving between products of this file: free them first, so the unique index never sees two.
    for (const p of plans) {
      const cur = bySku.get(p.row.sku);
      if (cur?.barcode && cur.barcode !== p.row.barcode) await updateProduct(trx, storeId, cur.id, { barcode: null });
    }
    const out: ProductRow[] = [];
    const fresh: ProductRow[] = [];
    for (const p of plans) {
      const row = { ...p.row, version: next(), updated_at: now };
      if (p.isNew) {
        fresh.push(row);
        created++;
      } else {
        await updateProduct(trx, storeId, row.id, row);
        updated++;
      }
      out.push(row);
    }
    await insertProducts(trx, fresh);
    return out;
  });
  return {
    rows: rows.length,
    created,
    updated,
    unchanged: rows.length - changed.length,
    version: await catalogVersion(ctx.database.db, storeId),
  };
}

// ---------------------------------------------------------------------------------------------- internals

type Numbered = { line: number; row: CatalogCsvRow };

const REQUIRED = ['sku', 'name', 'price', 'category'] as const;
const KNOWN = new Set<string>([...REQUIRED, 'barcode']);

function importError(errors: string[]): HttpError {
  const more = errors.length > IMPORT_ERRORS_SHOWN ? `; and ${errors.length - IMPORT_ERRORS_SHOWN} more` : '';
  return new HttpError(
    'INVALID_INPUT',
    `import refused, nothing was changed: ${errors.slice(0, IMPORT_ERRORS_SHOWN).join('; ')}${more}`,
  );
}

/** Parses and validates every row (csv-parse does the quoting, BOM and line endings). */
function parseCsv(csv: string): Numbered[] {
  let records: string[][];
  try {
    records = parse(csv, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: false,
      max_record_size: 300_000,
      to_line: CATALOG_IMPORT_MAX_ROWS + 2,
    }) as string[][];
  } catch (e) {
    throw new HttpError('INVALID_INPUT', `not a valid CSV file: ${e instanceof Error ? e.message : String(e)}`);
  }
  const [header, ...body] = records;
  if (!header) throw new HttpError('INVALID_INPUT', 'the CSV file is empty');
  const columns = header.map((h) => h.trim().toLowerCase());
  const unknown = columns.filter((c) => !KNOWN.has(c));
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  const dup = columns.filter((c, i) => columns.indexOf(c) !== i);
  if (unknown.length || missing.length || dup.length) {
    throw new HttpError(
      'INVALID_INPUT',
      `row 1: the header must be sku,name,price,category[,barcode]${missing.length ? `; missing ${missing.join(', ')}` : ''}${unknown.length ? `; unknown ${unknown.join(', ')}` : ''}${dup.length ? `; repeated ${dup.join(', ')}` : ''}`,
    );
  }
  if (body.length === 0) throw new HttpError('INVALID_INPUT', 'the CSV file has no product rows');
  if (body.length > CATALOG_IMPORT_MAX_ROWS) {
    throw new HttpError('INVALID_INPUT', `at most ${CATALOG_IMPORT_MAX_ROWS} rows per import; split the file`);
  }
  const errors: string[] = [];
  const out: Numbered[] = [];
  const seenSku = new Map<string, number>();
  const seenBarcode = new Map<string, number>();
  body.forEach((cells, i) => {
    const line = i + 2;
    const raw = Object.fromEntries(columns.map((c, j) => [c, cells[j] ?? '']));
    const r = CatalogCsvRowSchema.safeParse(raw);
    if (!r.success) {
      for (const issue of r.error.issues.slice(0, 3)) {
        errors.push(`row ${line}: ${issue.path.join('.') || 'row'}: ${issue.message}`);
      }
      return;
    }
    const first = seenSku.get(r.data.sku);
    if (first !== undefined) errors.push(`row ${line}: sku ${r.data.sku} is already on row ${first}`);
    else seenSku.set(r.data.sku, line);
    if (r.data.barcode) {
      const b = seenBarcode.get(r.data.barcode);
      if (b !== undefined) errors.push(`row ${line}: barcode ${r.data.barcode} is already on row ${b}`);
      else seenBarcode.set(r.data.barcode, line);
    }
    out.push({ line, row: r.data });
  });
  if (errors.length) throw importError(errors);
  return out;
}

/** 409 when another product of the store holds the SKU or the barcode. */
async function refuseTakenCodes(
  trx: Executor,
  storeId: string,
  id: string,
  sku: string,
  barcode: string | null,
): Promise<void> {
  const holders = await productsHoldingCodes(trx, storeId, [sku], barcode ? [barcode] : []);
  for (const h of holders) {
    if (h.id === id) continue;
    if (h.sku === sku) throw new HttpError('CONFLICT', `sku ${sku} belongs to another product (${h.name})`);
    throw new HttpError('CONFLICT', `barcode ${barcode} belongs to another product (${h.sku})`);
  }
}

function sameProduct(a: ProductRow, b: ProductRow): boolean {
  return (
    a.sku === b.sku &&
    a.barcode === b.barcode &&
    a.name === b.name &&
    Number(a.price) === Number(b.price) &&
    a.category === b.category &&
    a.image_url === b.image_url &&
    Number(a.active) === Number(b.active)
  );
}

/**
 * Runs one catalog change in a transaction holding the store's catalog lock: `next()` hands out the store's
 * next versions; the rows `fn` returns are appended as `catalog.updated` events in the same transaction, and
 * the store's tills are told once it committed.
 */
async function change(
  ctx: ServerContext,
  storeId: string,
  fn: (trx: Executor, next: () => number) => Promise<ProductRow[]>,
): Promise<CatalogProduct[]> {
  const kind = ctx.database.kind;
  let products: CatalogProduct[];
  try {
    products = await ctx.database.db.transaction().execute(async (trx) => {
      if (!(await lockStoreCatalog(trx, kind, storeId))) throw new HttpError('NOT_FOUND', 'no such store');
      let version = await catalogVersion(trx, storeId);
      const rows = await fn(trx, () => ++version);
      const changed = rows.map(toCatalogProduct);
      for (const chunk of chunks(changed)) {
        await appendSyncEvent(trx, kind, {
          store_id: storeId,
          type: 'catalog.updated',
          payload: JSON.stringify({ products: chunk }),
          created_at: ctx.now(),
        });
        ctx.metrics.eventsPublished.inc({ type: 'catalog.updated' });
      }
      return changed;
    });
  } catch (e) {
    // The lock makes this unreachable in one server; a unique violation still must never become a 500.
    if (isUniqueViolation(e)) throw new HttpError('CONFLICT', 'another product holds this sku or barcode');
    throw e;
  }
  if (products.length > 0) ctx.published(storeId);
  return products;
}

function* chunks(products: CatalogProduct[]): Generator<CatalogProduct[]> {
  let cur: CatalogProduct[] = [];
  let bytes = 0;
  for (const p of products) {
    const size = JSON.stringify(p).length;
    if (cur.length > 0 && (cur.length >= EVENT_MAX_PRODUCTS || bytes + size > EVENT_MAX_BYTES)) {
      yield cur;
      cur = [];
      bytes = 0;
    }
    cur.push(p);
    bytes += size;
  }
  if (cur.length > 0) yield cur;
}

function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
