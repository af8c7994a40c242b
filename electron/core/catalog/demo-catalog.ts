/**
 * A dozen everyday warung/minimarket products for the demo and for a fresh till. SKUs are ours; barcodes are
 * EAN-13-shaped with the Indonesian 899 prefix and a valid check digit so a scanner test can type them.
 */
import type { Database } from 'better-sqlite3';
import { newId } from '../../../shared/ids.ts';
import { rupiah } from '../../../shared/money.ts';
import { countProducts, insertProduct } from '../db/repos/products-repo.ts';

function ean13(first12: string): string {
  const sum = [...first12].reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return first12 + String((10 - (sum % 10)) % 10);
}

export const DEMO_PRODUCTS = [
  { sku: 'AIR-600', barcode: ean13('899100000001'), name: 'Air Mineral 600 ml', price: 3_500 },
  { sku: 'TEH-BTL', barcode: ean13('899100000002'), name: 'Teh Botol 450 ml', price: 5_000 },
  { sku: 'KOPI-SCH', barcode: ean13('899100000003'), name: 'Kopi Sachet Susu', price: 2_000 },
  { sku: 'MIE-GRG', barcode: ean13('899100000004'), name: 'Mie Instan Goreng', price: 3_500 },
  { sku: 'ROTI-CKL', barcode: ean13('899100000005'), name: 'Roti Cokelat', price: 8_500 },
  { sku: 'SUSU-1L', barcode: ean13('899100000006'), name: 'Susu UHT 1 L', price: 19_500 },
  { sku: 'GULA-1KG', barcode: ean13('899100000007'), name: 'Gula Pasir 1 kg', price: 18_000 },
  { sku: 'BERAS-5KG', barcode: ean13('899100000008'), name: 'Beras Premium 5 kg', price: 78_000 },
  { sku: 'MINYAK-2L', barcode: ean13('899100000009'), name: 'Minyak Goreng 2 L', price: 36_000 },
  { sku: 'TELUR-10', barcode: ean13('899100000010'), name: 'Telur Ayam 10 butir', price: 27_000 },
  { sku: 'SABUN-MD', barcode: ean13('899100000011'), name: 'Sabun Mandi Batang', price: 4_500 },
  { sku: 'KERIPIK', barcode: ean13('899100000012'), name: 'Keripik Singkong Pedas', price: 12_000 },
  { sku: 'DETERJEN', barcode: ean13('899100000013'), name: 'Deterjen Bubuk 800 g', price: 33_000 },
] as const;

/** Inserts the demo products when the catalog is empty (never mixes them into a real catalog). */
export function seedDemoCatalog(db: Database, now = Date.now()): { inserted: number } {
  return db.transaction(() => {
    if (countProducts(db) > 0) return { inserted: 0 };
    for (const p of DEMO_PRODUCTS) insertProduct(db, { id: newId(), ...p, price: rupiah(p.price) }, now);
    return { inserted: DEMO_PRODUCTS.length };
  })();
}
