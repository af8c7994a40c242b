/**
 * Outbox entry → push mutation (shared/schemas/sync-api.ts). The outbox keeps what the till wrote, in its
 * own shape; the wire shape is made only here, at send time. An entry that cannot be mapped (a corrupt or
 * unknown row) is still sent as it is, so the server consumes its mutation id and refuses it, and the till
 * parks it with the reason: skipping it locally would leave a gap the server must refuse.
 */
import type { MutationPayload, MutationType, PushMutation } from '../../../shared/schemas/sync-api.ts';
import type { OutboxEntry, OutboxKind } from '../db/repos/outbox-repo.ts';

type AnyRecord = Record<string, unknown>;

const WIRE_TYPE: Record<OutboxKind, MutationType> = {
  'sale.created': 'sale.created',
  'payment.created': 'payment.qris',
  'payment.cash': 'payment.cash',
  'payment.offline_qris': 'payment.offline_qris',
  'payment.cancel_requested': 'payment.cancel_requested',
  'shift.closed': 'shift.closed',
};

const mappers: { [K in OutboxKind]: (p: AnyRecord, e: OutboxEntry) => MutationPayload<(typeof WIRE_TYPE)[K]> } = {
  'sale.created': (s) => {
    const discount = s.discount as { kind: 'amount' | 'percent_bp'; value: number } | null;
    const lines = s.lines as AnyRecord[];
    return {
      sale_id: s.id as string,
      subtotal: s.subtotal as number,
      discount_kind: discount?.kind ?? null,
      discount_value: discount?.value ?? null,
      discount_amount: s.discountAmount as number,
      total: s.total as number,
      cashier: typeof s.cashier === 'string' ? s.cashier : null,
      created_at: s.createdAt as number,
      lines: lines.map((l) => ({
        line_id: l.id as string,
        product_id: l.productId as string,
        sku: l.sku as string,
        name: l.name as string,
        qty: l.qty as number,
        unit_price: l.unitPrice as number,
        line_total: l.lineTotal as number,
      })),
    };
  },
  'payment.created': (p) => ({
    payment_id: p.id as string,
    sale_id: p.saleId as string,
    amount: p.amount as number,
    created_at: p.createdAt as number,
  }),
  'payment.cash': (p) => ({
    payment_id: p.id as string,
    sale_id: p.saleId as string,
    amount: p.amount as number,
    tendered: p.tendered as number,
    change: p.change as number,
    paid_at: p.paidAt as number,
    created_at: p.createdAt as number,
  }),
  'payment.offline_qris': (p) => ({
    payment_id: p.id as string,
    sale_id: p.saleId as string,
    amount: p.amount as number,
    offline_ref: p.offlineRef as string,
    qr_string: p.qrString as string,
    created_at: p.createdAt as number,
  }),
  'payment.cancel_requested': (p, e) => ({ payment_id: p.paymentId as string, cancelled_at: e.createdAt }),
  // The close transaction already wrote the report in its wire shape (shared/schemas/shifts.ts).
  'shift.closed': (p) => p as MutationPayload<'shift.closed'>,
};

export function toMutation(e: OutboxEntry): PushMutation {
  const base = { mutation_id: e.mutationId, client_time: e.createdAt };
  if (!Object.hasOwn(WIRE_TYPE, e.kind) || typeof e.payload !== 'object' || e.payload === null) {
    return { ...base, type: String(e.kind), payload: e.payload };
  }
  try {
    const map = mappers[e.kind] as (p: AnyRecord, e: OutboxEntry) => unknown;
    return { ...base, type: WIRE_TYPE[e.kind], payload: map(e.payload as AnyRecord, e) };
  } catch {
    return { ...base, type: WIRE_TYPE[e.kind], payload: e.payload };
  }
}
