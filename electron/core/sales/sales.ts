import type { Database } from 'better-sqlite3';
import { newId } from '../../../shared/ids.ts';
import type { IpcParsed, PaymentInfo, SaleView } from '../../../shared/ipc.ts';
import { cashierOnDuty } from '../db/repos/counter-repo.ts';
import { enqueue } from '../db/repos/outbox-repo.ts';
import { getProduct } from '../db/repos/products-repo.ts';
import { getSale, getSaleLines, insertSale, listRecentSales, type SaleRecord } from '../db/repos/sales-repo.ts';
import { fail } from '../errors.ts';
import { priceDraft } from './pricing.ts';

/**
 * Records a sale: prices it from the catalog and writes the sale, its lines and its outbox row in ONE
 * transaction, so a crash leaves either all of it or none. Returns the stored record.
 */
export function recordSale(
  db: Database,
  draft: IpcParsed<'sale:create'>,
  now: number,
  id: string = newId(),
): SaleRecord {
  return db.transaction(() => {
    const priced = priceDraft(draft, (id) => getProduct(db, id));
    const sale: SaleRecord = {
      id,
      status: 'open',
      subtotal: priced.subtotal,
      discount: priced.discount,
      discountAmount: priced.discountAmount,
      total: priced.total,
      createdAt: now,
      paidAt: null,
      cashier: cashierOnDuty(db),
    };
    insertSale(db, sale, priced.lines);
    enqueue(
      db,
      { id: newId(), kind: 'sale.created', entityId: sale.id, payload: { ...sale, lines: priced.lines } },
      now,
    );
    return sale;
  })();
}

/** What a draft would cost, from the catalog, without recording anything. */
export function priceSale(db: Database, draft: IpcParsed<'sale:create'>) {
  return priceDraft(draft, (id) => getProduct(db, id));
}

export function requireSale(db: Database, id: string): SaleRecord {
  const s = getSale(db, id);
  if (!s) throw fail('NOT_FOUND', `no sale ${id}`);
  return s;
}

export function toSaleView(db: Database, s: SaleRecord, payments: PaymentInfo[]): SaleView {
  return { ...s, lines: getSaleLines(db, s.id), payments };
}

export function recentSales(db: Database, limit: number, from?: number, to?: number): SaleRecord[] {
  return listRecentSales(db, limit, from, to);
}
