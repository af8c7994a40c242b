import type { Executor } from './executor.ts';

export type MoneyItem = {
  kind: 'qris' | 'offline_qris' | 'cash';
  payment_id: string;
  sale_id: string;
  device_id: string;
  status: string;
  late: number;
  amount: number;
  refunded_amount: number;
  provider: string | null;
  created_at: number;
  paid_at: number | null;
};

/** Every payment of a store made in [from, to): QRIS (online and offline) and cash, oldest first. */
export async function listStoreMoney(db: Executor, storeId: string, from: number, to: number): Promise<MoneyItem[]> {
  const qris = await db
    .selectFrom('payments')
    .select([
      'id',
      'sale_id',
      'device_id',
      'status',
      'late',
      'amount',
      'refunded_amount',
      'provider',
      'created_at',
      'paid_at',
      'offline_ref',
    ])
    .where('store_id', '=', storeId)
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .execute();
  const cash = await db
    .selectFrom('cash_payments')
    .select(['id', 'sale_id', 'device_id', 'amount', 'client_created_at', 'client_paid_at'])
    .where('store_id', '=', storeId)
    .where('client_created_at', '>=', from)
    .where('client_created_at', '<', to)
    .execute();
  const items: MoneyItem[] = [
    ...qris.map((p) => ({
      kind: p.offline_ref === null ? ('qris' as const) : ('offline_qris' as const),
      payment_id: p.id,
      sale_id: p.sale_id,
      device_id: p.device_id,
      status: p.status,
      late: p.late,
      amount: Number(p.amount),
      refunded_amount: Number(p.refunded_amount),
      provider: p.provider,
      created_at: Number(p.created_at),
      paid_at: p.paid_at === null ? null : Number(p.paid_at),
    })),
    ...cash.map((c) => ({
      kind: 'cash' as const,
      payment_id: c.id,
      sale_id: c.sale_id,
      device_id: c.device_id,
      status: 'paid',
      late: 0,
      amount: Number(c.amount),
      refunded_amount: 0,
      provider: null,
      created_at: Number(c.client_created_at),
      paid_at: Number(c.client_paid_at),
    })),
  ];
  return items.sort((a, b) => a.created_at - b.created_at || a.payment_id.localeCompare(b.payment_id));
}
