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
  { sku: 'AIR-600', category: 'Minuman', barcode: ean13('899100000001'), name: 'Air Mineral 600 ml', price: 3_500 },
  { sku: 'TEH-BTL', category: 'Minuman', barcode: ean13('899100000002'), name: 'Teh Botol 450 ml', price: 5_000 },
  { sku: 'KOPI-SCH', category: 'Minuman', barcode: ean13('899100000003'), name: 'Kopi Sachet Susu', price: 2_000 },
  { sku: 'MIE-GRG', category: 'Makanan', barcode: ean13('899100000004'), name: 'Mie Instan Goreng', price: 3_500 },
  { sku: 'ROTI-CKL', category: 'Makanan', barcode: ean13('899100000005'), name: 'Roti Cokelat', price: 8_500 },
  { sku: 'SUSU-1L', category: 'Minuman', barcode: ean13('899100000006'), name: 'Susu UHT 1 L', price: 19_500 },
  { sku: 'GULA-1KG', category: 'Sembako', barcode: ean13('899100000007'), name: 'Gula Pasir 1 kg', price: 18_000 },
  { sku: 'BERAS-5KG', category: 'Sembako', barcode: ean13('899100000008'), name: 'Beras Premium 5 kg', price: 78_000 },
  { sku: 'MINYAK-2L', category: 'Sembako', barcode: ean13('899100000009'), name: 'Minyak Goreng 2 L', price: 36_000 },
  { sku: 'TELUR-10', category: 'Sembako', barcode: ean13('899100000010'), name: 'Telur Ayam 10 butir', price: 27_000 },
  {
    sku: 'SABUN-MD',
    category: 'Rumah tangga',
    barcode: ean13('899100000011'),
    name: 'Sabun Mandi Batang',
    price: 4_500,
  },
  {
    sku: 'KERIPIK',
    category: 'Makanan',
    barcode: ean13('899100000012'),
    name: 'Keripik Singkong Pedas',
    price: 12_000,
  },
  {
    sku: 'DETERJEN',
    category: 'Rumah tangga',
    barcode: ean13('899100000013'),
    name: 'Deterjen Bubuk 800 g',
    price: 33_000,
  },
] as const;

/** Inserts the demo products when the catalog is empty (never mixes them into a real catalog). */
export function seedDemoCatalog(db: Database, now = Date.now()): { inserted: number } {
  return db.transaction(() => {
    if (countProducts(db) > 0) return { inserted: 0 };
    for (const p of DEMO_PRODUCTS) {
      insertProduct(db, { id: newId(), ...p, price: rupiah(p.price), imageUrl: tilePicture(p.name, p.category) }, now);
    }
    return { inserted: DEMO_PRODUCTS.length };
  })();
}

const CATEGORY_COLOURS: Record<string, string> = {
  Minuman: '#0e7490',
  Makanan: '#b45309',
  Sembako: '#4d7c0f',
  'Rumah tangga': '#7c3aed',
};

/** A small drawn tile (initials on the category's colour) so the demo shows pictures without shipping photos. */
export function tilePicture(name: string, category: string): string {
  const initials = name
    .split(/\s+/)
    .slice(0, 2)
    .map((w) => w[0] ?? '')
    .join('')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="64"><rect width="96" height="64" rx="8" fill="${CATEGORY_COLOURS[category] ?? '#475569'}"/><text x="48" y="42" font-family="sans-serif" font-size="28" font-weight="700" fill="#fff" text-anchor="middle">${initials}</text></svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}
