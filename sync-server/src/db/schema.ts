/** Kysely table types. Times are UTC epoch ms; booleans are 0/1 integers so SQLite and PostgreSQL agree. */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface StoresTable {
  id: string;
  name: string;
  provider: string;
  created_at: number;
  /** The static QRIS the till derives offline payments from (validated by the codec), if configured. */
  static_qris: string | null;
  /** The provider that notifies payments to the static QR (Xendit); null when none does (they go to review). */
  static_provider: string | null;
  /** That provider's id of the static QR (Xendit qr_…). */
  static_ref: string | null;
  /** Largest single offline QRIS payment a till may take, rupiah. */
  offline_max_amount: Generated<number>;
  /** Most unverified offline QRIS money one till may hold, rupiah. */
  offline_max_unverified: Generated<number>;
}

export interface DevicesTable {
  id: string;
  store_id: string;
  name: string;
  /** sha256 of the token's secret part, hex. The token itself is shown once at enrolment and never stored. */
  token_hash: string;
  created_at: number;
  revoked_at: number | null;
  last_seen_at: number | null;
}

export interface PaymentsTable {
  id: string;
  sale_id: string;
  store_id: string;
  device_id: string;
  amount: number;
  provider: string;
  provider_ref: string | null;
  /** The provider's id of the money movement (Xendit qrpy_…, Midtrans transaction_id), needed to refund. */
  payment_ref: string | null;
  qr_string: string | null;
  status: string;
  late: number;
  expires_at: number | null;
  paid_at: number | null;
  refunded_amount: number;
  /** Fingerprint of the create request, so a replay with a different body is a 409, not a silent overwrite. */
  request_hash: string;
  created_at: number;
  updated_at: number;
  /** When the sweeper should next ask the provider about this payment; null when nothing is left to ask. */
  next_check_at: number | null;
  /** Provider status reads that failed in a row (backs the next check off). */
  check_failures: Generated<number>;
  /** Until when one server instance holds the right to create this payment at its provider. */
  create_claimed_until: number | null;
  /** The wallet or bank app that paid, when the provider says; printed on the receipt. */
  payer_wallet: string | null;
}

export interface WebhookEventsTable {
  id: Generated<number>;
  provider: string;
  /** The provider's event identity; null for rejected or unparseable deliveries, which are kept but never applied. */
  event_key: string | null;
  received_at: number;
  headers: string;
  /** Exactly the bytes received (bytea / BLOB): signatures are re-checked on them, and they may hold NUL. */
  raw_body: Buffer;
  verified: number;
  /** received | applied | duplicate | ignored | parked | rejected | invalid | error */
  outcome: string;
  payment_id: string | null;
  provider_ref: string | null;
  status: string | null;
  detail: string | null;
  processed_at: number | null;
}

export interface SyncEventsTable {
  seq: Generated<number>;
  store_id: string;
  type: string;
  payload: string;
  created_at: number;
}

export interface ShiftsTable {
  id: string;
  store_id: string;
  device_id: string;
  opened_at: number;
  closed_at: number;
  opening_float: number;
  cash_sales: number;
  expected_cash: number;
  counted_cash: number;
  difference: number;
  /** JSON object provider → rupiah. */
  qris_by_provider: string;
  unverified: number;
  refunded: number;
  sales_count: number;
  request_hash: string;
  received_at: number;
}

export interface RefundsTable {
  store_id: string;
  /** The client's idempotency key (a UUID), unique per store; also the provider's refund key. */
  id: string;
  payment_id: string;
  amount: number;
  reason: string;
  /** requested | succeeded | failed */
  status: string;
  /** The provider's id of the refund (Xendit qrrf_…, Midtrans refund_key or refund_chargeback_id). */
  provider_refund_ref: string | null;
  /** Why the provider refused or could not be reached, for the last attempt. */
  error: string | null;
  /** Who asked: `manager:<id>`. */
  requested_by: string;
  created_at: number;
  updated_at: number;
}

/** The store catalog (migration 0011). `active` is 0/1; `version` the store's catalog revision at the last change. */
export interface ProductsTable {
  id: string;
  store_id: string;
  sku: string;
  barcode: string | null;
  name: string;
  price: number;
  category: string | null;
  image_url: string | null;
  active: number;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface DB {
  stores: StoresTable;
  devices: DevicesTable;
  payments: PaymentsTable;
  webhook_events: WebhookEventsTable;
  sync_events: SyncEventsTable;
  shifts: ShiftsTable;
  refunds: RefundsTable;
  products: ProductsTable;
}

export type StoreRow = Selectable<StoresTable>;
export type DeviceRow = Selectable<DevicesTable>;
export type PaymentRow = Selectable<PaymentsTable>;
export type NewPayment = Insertable<PaymentsTable>;
export type PaymentUpdate = Updateable<PaymentsTable>;
export type WebhookEventRow = Selectable<WebhookEventsTable>;
export type SyncEventRow = Selectable<SyncEventsTable>;
export type ShiftRow = Selectable<ShiftsTable>;
export type RefundRow = Selectable<RefundsTable>;
export type RefundUpdate = Updateable<RefundsTable>;
export type ProductRow = Selectable<ProductsTable>;
