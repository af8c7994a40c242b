/**
 * The batched webhook path must end exactly where applying the same webhooks one at a time ends. Two servers on
 * their own databases get the same payments and the same signed Midtrans notifications (every status, duplicates,
 * swapped transaction ids, unknown orders, a payment whose transaction is not known yet, refunds that park ahead
 * of their settlement); one applies them in batches (services/webhook-batch.ts), the other one by one
 * (webhook-intake's `applyAlone`). Payments, stored webhook outcomes and each payment's events must be equal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.ts';
import type { ProviderId } from '../../shared/schemas/sync-api.ts';
import type { Executor } from '../../sync-server/src/repos/executor.ts';
import { insertPaymentIfAbsent } from '../../sync-server/src/repos/payments-repo.ts';
import type { ServerContext } from '../../sync-server/src/services/context.ts';
import {
  applyWebhookBatch,
  type BatchItem,
  batchable,
  type ItemOutcome,
} from '../../sync-server/src/services/webhook-batch.ts';
import { applyAlone } from '../../sync-server/src/services/webhook-intake.ts';
import { signedMidtrans } from '../support/midtrans.ts';
import { startTestSystem, type TestSystem } from './helpers.ts';

let a: TestSystem;
let b: TestSystem;
beforeAll(async () => {
  [a, b] = await Promise.all([startTestSystem(), startTestSystem()]);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

/** A small deterministic generator, so a failing round can be replayed. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  return { next, pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

const CODES: Record<string, string> = {
  pending: '201',
  settlement: '200',
  capture: '200',
  expire: '202',
  cancel: '202',
  deny: '202',
  refund: '200',
  partial_refund: '200',
};

type Seed = { id: string; ref: string | null; amount: number; status: string; refunded: number };

async function seedPayments(s: TestSystem, storeId: string, payments: Seed[]): Promise<void> {
  const { deviceId } = await s.enrolDevice({
    storeId,
    storeName: 'Toko Batch',
    deviceName: 'till',
    provider: 'midtrans',
  });
  // Fixed, so that the two servers' rows can be compared.
  const now = 1_796_000_000_000;
  for (const p of payments) {
    await insertPaymentIfAbsent(s.server.ctx.database.db, {
      id: p.id,
      sale_id: `sale-${p.id}`,
      store_id: storeId,
      device_id: deviceId,
      amount: p.amount,
      provider: 'midtrans',
      provider_ref: p.ref,
      payment_ref: null,
      qr_string: null,
      status: p.status,
      late: 0,
      expires_at: now + 600_000,
      paid_at: p.status === 'pending' ? null : now,
      refunded_amount: p.refunded,
      request_hash: 'batch-test',
      created_at: now,
      updated_at: now,
      next_check_at: null,
      create_claimed_until: null,
      payer_wallet: null,
    });
  }
}

function notification(p: Seed, status: string, transactionId: string, amount: number, n: number): string {
  return signedMidtrans(
    {
      transaction_time: '2026-12-04 10:00:00',
      transaction_status: status,
      transaction_id: transactionId,
      status_message: 'midtrans payment notification',
      status_code: CODES[status]!,
      ...(status === 'settlement' ? { settlement_time: `2026-12-04 10:00:${String(n % 60).padStart(2, '0')}` } : {}),
      ...(status === 'partial_refund' ? { refund_amount: `${Math.min(1000, amount)}.00` } : {}),
      payment_type: 'qris',
      order_id: p.id,
      merchant_id: 'G1',
      gross_amount: `${amount}.00`,
      fraud_status: 'accept',
      currency: 'IDR',
      issuer: n % 3 === 0 ? 'gopay' : 'dana',
    },
    'ignored-by-parse',
  );
}

function item(ctx: ServerContext, body: string, n: number) {
  const provider: ProviderId = 'midtrans';
  const rawBody = Buffer.from(body);
  const parsed = ctx.router.provider(provider).parseWebhook({ rawBody, headers: {} });
  return {
    provider,
    base: { provider, received_at: 1_700_000_000_000 + n, headers: '{}', raw_body: rawBody },
    parsed,
  };
}

async function snapshot(s: TestSystem, storeId: string) {
  const db = s.server.ctx.database.db;
  const payments = await db
    .selectFrom('payments')
    .select([
      'id',
      'status',
      'late',
      'paid_at',
      'payment_ref',
      'payer_wallet',
      'refunded_amount',
      'next_check_at',
      'create_claimed_until',
    ])
    .where('store_id', '=', storeId)
    .orderBy('id')
    .execute();
  const webhooks = await db
    .selectFrom('webhook_events')
    .select(['event_key', 'outcome', 'payment_id', 'provider_ref', 'status', 'detail', 'received_at'])
    .orderBy('received_at')
    .orderBy('id')
    .execute();
  const events = await db
    .selectFrom('sync_events')
    .select(['payload'])
    .where('store_id', '=', storeId)
    .orderBy('seq')
    .execute();
  // Events of different payments may interleave differently; each payment's own sequence must match.
  const perPayment: Record<string, string[]> = {};
  for (const e of events) {
    const v = JSON.parse(e.payload) as { payment_id: string; status: string; refunded_amount: number; late: boolean };
    const seen = perPayment[v.payment_id] ?? [];
    seen.push(`${v.status}/${v.refunded_amount}/${v.late}`);
    perPayment[v.payment_id] = seen;
  }
  // Every status change is in the audit log, with what caused it, whichever path applied it.
  const audits = (
    await db
      .selectFrom('audit_log')
      .select(['actor_kind', 'actor_id', 'action', 'subject_id', 'detail'])
      .where('store_id', '=', storeId)
      .execute()
  )
    .map((r) => JSON.stringify(r))
    .sort();
  return {
    audits,
    payments: payments.map((p) => ({ ...p, next_check_at: p.next_check_at !== null })),
    webhooks: webhooks.map((w) => ({ ...w, received_at: Number(w.received_at) })),
    perPayment,
  };
}

describe('webhooks applied in batches', () => {
  it('end exactly where the same webhooks applied one at a time end', async () => {
    const ctxA = a.server.ctx;
    const ctxB = b.server.ctx;
    for (let round = 0; round < 6; round++) {
      const r = rng(round * 7919 + 13);
      const storeId = `store-batch-${round}-${newId().slice(-6)}`;
      const payments: Seed[] = Array.from({ length: 24 }, (_, i) => {
        const status = r.pick(['pending', 'pending', 'pending', 'paid', 'expired', 'partially_refunded'] as const);
        return {
          id: `pay-${round}-${i}-${newId().slice(-8)}`,
          // Some payments do not know their transaction yet (their create is still under way).
          ref: r.next() < 0.15 ? null : `tx-${round}-${i}`,
          amount: 10_000 + i * 500,
          status,
          refunded: status === 'partially_refunded' ? 1_000 : 0,
        };
      });
      await seedPayments(a, storeId, payments);
      await seedPayments(b, storeId, payments);

      const bodies: string[] = [];
      for (let n = 0; n < 90; n++) {
        const roll = r.next();
        if (roll < 0.15 && bodies.length > 0) {
          bodies.push(r.pick(bodies)); // a redelivery
          continue;
        }
        const p = r.pick(payments);
        const status = r.pick([
          'pending',
          'settlement',
          'settlement',
          'capture',
          'expire',
          'cancel',
          'deny',
          'refund',
          'partial_refund',
        ]);
        const other = r.pick(payments);
        const tx = roll < 0.25 ? (other.ref ?? 'tx-unknown') : (p.ref ?? `tx-late-${p.id}`);
        const target = roll > 0.95 ? { ...p, id: `unknown-${n}-${round}` } : p;
        const amount = roll > 0.9 && roll <= 0.95 ? p.amount + 1 : p.amount;
        bodies.push(notification(target, status, tx, amount, n));
      }

      // Batches of varying sizes; each batch's non-batchable webhooks (refunds, which the intake confirms with the
      // provider first) go one at a time before it, in both servers.
      let n = 0;
      while (n < bodies.length) {
        const size = 1 + Math.floor(r.next() * 30);
        const chunk = bodies.slice(n, n + size).map((body, j) => ({ body, n: n + j }));
        n += size;
        const itemsA = chunk.map((c) => item(ctxA, c.body, c.n));
        const itemsB = chunk.map((c) => item(ctxB, c.body, c.n));
        const outA: ItemOutcome[] = [];
        const outB: ItemOutcome[] = [];
        for (const [j, it] of itemsA.entries()) {
          if (batchable(it.parsed)) continue;
          outA.push(await ctxA.writes.run((trx: Executor) => applyAlone(ctxA, trx, it, null, new Set())));
          outB.push(await ctxB.writes.run((trx: Executor) => applyAlone(ctxB, trx, itemsB[j]!, null, new Set())));
        }
        const batchA = itemsA.filter((it) => batchable(it.parsed)) as BatchItem[];
        const batchB = itemsB.filter((it) => batchable(it.parsed)) as BatchItem[];
        outA.push(
          ...(await ctxA.writes.run((trx: Executor) =>
            applyWebhookBatch(ctxA, trx, batchA, new Set(), (t, it, pub) => applyAlone(ctxA, t, it, null, pub)),
          )),
        );
        for (const it of batchB) {
          outB.push(await ctxB.writes.run((trx: Executor) => applyAlone(ctxB, trx, it, null, new Set())));
        }
        expect(outA, `round ${round}, webhooks ${n - size}…${n}`).toEqual(outB);
      }
      const [sa, sb] = await Promise.all([snapshot(a, storeId), snapshot(b, storeId)]);
      expect(sa.payments).toEqual(sb.payments);
      expect(sa.webhooks).toEqual(sb.webhooks);
      expect(sa.perPayment).toEqual(sb.perPayment);
      expect(sa.audits).toEqual(sb.audits);
      expect(sa.audits.length).toBeGreaterThan(0);
      // The rounds must exercise what the batch hands to the one-at-a-time path and what it decides itself.
      const outcomes = new Set(sa.webhooks.map((w) => w.outcome));
      for (const o of ['applied', 'duplicate', 'parked', 'rejected']) expect(outcomes.has(o), o).toBe(true);
    }
  }, 120_000);
});
