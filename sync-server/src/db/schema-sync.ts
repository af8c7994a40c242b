/**
 * Kysely table types of migration 0005 (synced sales). Declared as an augmentation of schema.ts so that this
 * branch and the payment-core work can each add tables without editing the same lines; fold into schema.ts
 * whenever convenient.
 */
import type { Insertable, Selectable } from 'kysely';

export interface DeviceSyncTable {
  device_id: string;
  last_mutation_id: number;
  last_push_at: number | null;
  /** The server's receive time − the till's send time at the last push (ms; includes one-way latency). */
  clock_skew_ms: number | null;
}

export interface SyncMutationsTable {
  device_id: string;
  mutation_id: number;
  type: string;
  entity_id: string | null;
  /** The till's clock when it made the mutation. */
  client_time: number;
  /** The server's clock when the push arrived. */
  received_at: number;
  outcome: 'applied' | 'noop' | 'rejected';
  detail: string | null;
}

export interface SalesTable {
  id: string;
  store_id: string;
  device_id: string;
  subtotal: number;
  discount_kind: string | null;
  discount_value: number | null;
  discount_amount: number;
  total: number;
  cashier: string | null;
  client_created_at: number;
  received_at: number;
}

export interface SaleLinesTable {
  id: string;
  sale_id: string;
  line_no: number;
  product_id: string;
  sku: string;
  name: string;
  qty: number;
  unit_price: number;
  line_total: number;
}

export interface CashPaymentsTable {
  id: string;
  sale_id: string;
  store_id: string;
  device_id: string;
  amount: number;
  tendered: number;
  change_due: number;
  client_paid_at: number;
  client_created_at: number;
  received_at: number;
}

export interface LocalCancelsTable {
  payment_id: string;
  device_id: string;
  client_cancelled_at: number;
  received_at: number;
}

declare module './schema.ts' {
  interface DB {
    device_sync: DeviceSyncTable;
    sync_mutations: SyncMutationsTable;
    sales: SalesTable;
    sale_lines: SaleLinesTable;
    cash_payments: CashPaymentsTable;
    local_cancels: LocalCancelsTable;
  }
  interface PaymentsTable {
    /** Offline QRIS only: the reference label the till put in its static-derived QR (issue 7 part 3). */
    offline_ref: string | null;
  }
}

export type SaleRow = Selectable<SalesTable>;
export type NewSale = Insertable<SalesTable>;
export type NewSaleLine = Insertable<SaleLinesTable>;
export type NewCashPayment = Insertable<CashPaymentsTable>;
export type NewSyncMutation = Insertable<SyncMutationsTable>;
