/**
 * The store catalog (issue 8, point 3): products, prices, barcodes and categories per store, edited by the
 * manager on the server and copied to the store's tills.
 *
 * Versions: every change of a product takes the store's next catalog revision (a store-wide counter), so a till
 * can order any two claims — the same product's (an older version is ignored) and two products' on the same
 * SKU or barcode (the higher version holds it). Tills get the whole catalog from `GET /v1/catalog` when they
 * connect, and each change afterwards as a `catalog.updated` sync event (pull and live) carrying the changed
 * products; applying either is idempotent.
 */
import { z } from 'zod';

export const CATALOG_PRICE_MIN = 1;
export const CATALOG_PRICE_MAX = 100_000_000;
/** A CSV import is refused whole past this many rows (the manager splits the file). */
export const CATALOG_IMPORT_MAX_ROWS = 10_000;
/** Largest picture a product may carry (a data: URL, since tills load no images from the network). */
export const CATALOG_IMAGE_MAX_CHARS = 200_000;

/** No control characters (they would corrupt receipts and CSV exports). */
const printable = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `at most ${max} characters` })
    .refine((s) => !/\p{Cc}/u.test(s), { error: 'must not contain control characters' });

/** Scanner-typable codes: letters, digits and . _ - / (no spaces). */
const Code = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(64, { error: 'at most 64 characters' })
  .regex(/^[0-9A-Za-z._\-/]+$/, { error: 'only letters, digits and . _ - /' });

export const CatalogSku = Code;
export const CatalogBarcode = Code;
export const CatalogName = printable(200);
/** 60 like the till's column (its CHECK). */
export const CatalogCategory = printable(60);
export const CatalogPrice = z
  .number({ error: 'price must be a number' })
  .int({ error: 'price must be whole rupiah' })
  .min(CATALOG_PRICE_MIN, { error: `price must be at least ${CATALOG_PRICE_MIN}` })
  .max(CATALOG_PRICE_MAX, { error: `price must be at most ${CATALOG_PRICE_MAX}` });
export const CatalogImageUrl = z
  .string()
  .max(CATALOG_IMAGE_MAX_CHARS, { error: `a picture is at most ${CATALOG_IMAGE_MAX_CHARS} characters` })
  .regex(/^data:image\/(png|jpeg|webp|gif|svg\+xml);base64,[A-Za-z0-9+/]+=*$/, {
    error: 'a picture must be a base64 data:image URL (tills load no images from the network)',
  });

/** POST /admin/api/catalog/products. `id` is the client's (a UUID); made by the server when absent. */
export const ProductCreateSchema = z.strictObject({
  id: z.uuid({ error: 'must be a UUID' }).optional(),
  sku: CatalogSku,
  barcode: CatalogBarcode.nullable().optional(),
  name: CatalogName,
  price: CatalogPrice,
  category: CatalogCategory.nullable().optional(),
  image_url: CatalogImageUrl.nullable().optional(),
  active: z.boolean().optional(),
});
export type ProductCreate = z.infer<typeof ProductCreateSchema>;

/**
 * PUT /admin/api/catalog/products/:id: the fields to change. `expected_version` (optional) refuses the change
 * with 409 when someone else changed the product since the manager loaded it.
 */
export const ProductUpdateSchema = z
  .strictObject({
    sku: CatalogSku.optional(),
    barcode: CatalogBarcode.nullable().optional(),
    name: CatalogName.optional(),
    price: CatalogPrice.optional(),
    category: CatalogCategory.nullable().optional(),
    image_url: CatalogImageUrl.nullable().optional(),
    active: z.boolean().optional(),
    expected_version: z.number().int().min(0).optional(),
  })
  .refine((o) => Object.keys(o).some((k) => k !== 'expected_version'), { error: 'nothing to change' });
export type ProductUpdate = z.infer<typeof ProductUpdateSchema>;

export const ProductIdParamsSchema = z.strictObject({ id: z.uuid({ error: 'must be a UUID' }) });

/** One product as the server holds it (admin answers, the till's snapshot, the sync event). */
export const CatalogProductSchema = z.object({
  id: z.string(),
  sku: z.string(),
  barcode: z.string().nullable(),
  name: z.string(),
  price: z.number().int(),
  category: z.string().nullable(),
  image_url: z.string().nullable(),
  active: z.boolean(),
  /** The store's catalog revision at this product's last change (see above). */
  version: z.number().int().positive(),
  updated_at: z.number().int(),
});
export type CatalogProduct = z.infer<typeof CatalogProductSchema>;

/** GET /v1/catalog (device) and GET /admin/api/catalog/products (manager): the whole catalog, inactive too. */
export const CatalogSnapshotSchema = z.object({
  products: z.array(CatalogProductSchema),
  /** The highest version in the store's catalog (0 when it is empty). */
  version: z.number().int().min(0),
});
export type CatalogSnapshot = z.infer<typeof CatalogSnapshotSchema>;

/** One CSV row, as validated (columns: sku,name,price,category[,barcode]). */
export const CatalogCsvRowSchema = z.strictObject({
  sku: CatalogSku,
  name: CatalogName,
  price: z
    .string()
    .trim()
    .regex(/^\d{1,9}$/, { error: 'price must be whole rupiah, digits only (e.g. 15000)' })
    .transform(Number)
    .pipe(CatalogPrice),
  category: z
    .string()
    .trim()
    .transform((s) => (s === '' ? null : s))
    .pipe(CatalogCategory.nullable()),
  barcode: z
    .string()
    .trim()
    .transform((s) => (s === '' ? null : s))
    .pipe(CatalogBarcode.nullable())
    .optional(),
});
export type CatalogCsvRow = z.infer<typeof CatalogCsvRowSchema>;

/** POST /admin/api/catalog/import answer: what the import changed (unchanged rows append no event). */
export const CatalogImportResultSchema = z.object({
  rows: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  version: z.number().int(),
});
export type CatalogImportResult = z.infer<typeof CatalogImportResultSchema>;

/** What a `catalog.updated` sync event carries. */
export const CatalogUpdatedPayloadSchema = z.object({ products: z.array(CatalogProductSchema) });
