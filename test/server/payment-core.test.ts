/**
 * The payment core against forged and swapped notifications, out-of-order refunds, a failing COMMIT, a sweeper
 * facing always-failing payments, and creates racing across two server instances. Everything runs against the
 * real server, the real database (SQLite, or PostgreSQL in CI's second pass) and the provider sandboxes over HTTP.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/system.ts';
import { newId } from '../../shared/ids.ts';
import { getPayment } from '../../sync-server/src/repos/payments-repo.ts';
import { sweepOnce } from '../../sync-server/src/services/sweeper.ts';
import { signedMidtrans } from '../support/midtrans.ts';
import { DB_KIND, eventually, startTestSystem, type TestSystem, type Till } from './helpers.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => {
  await sys?.close();
});

const db = () => sys.server.ctx.database.db;

async function postWebhook(s: TestSystem, provider: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${s.serverUrl}/v1/webhooks/${provider}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as { outcome?: string; error?: { code: string } } };
}

/** A charge at the Midtrans sandbox the server never heard the answer of (its create timed out). */
async function chargeBehindOurBack(orderId: string, amount: number): Promise<{ qr_string: string }> {
  const res = await fetch(`${sys.sandboxes.midtransUrl}/v2/charge`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${sys.sandboxes.midtransServerKey}:`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ payment_type: 'qris', transaction_details: { order_id: orderId, gross_amount: amount } }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { qr_string: string };
}

async function midtransRefund(s: TestSystem, orderId: string, amount: number): Promise<void> {
  const res = await fetch(`${s.sandboxes.midtransUrl}/v2/${orderId}/refund/online/direct`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${s.sandboxes.midtransServerKey}:`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ refund_key: newId().slice(-20), amount }),
  });
  expect(res.status).toBe(200);
}

const status = async (till: Till, id: string) => (await till.request('GET', `/v1/payments/${id}`)).body.status;

async function snapshot(storeIds: string[]) {
  const payments = await db()
    .selectFrom('payments')
    .select(['id', 'status', 'late', 'refunded_amount', 'paid_at', 'provider_ref', 'payment_ref'])
    .where('store_id', 'in', storeIds)
    .orderBy('id')
    .execute();
  const events = await db()
    .selectFrom('sync_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('store_id', 'in', storeIds)
    .executeTakeFirstOrThrow();
  return { payments, events: Number(events.n) };
}

describe('forged and swapped Midtrans notifications', () => {
  it('replays every signed notification of a run with each other transaction_id and every other status: nothing changes', async () => {
    const a = await sys.till({ provider: 'midtrans' });
    const b = await sys.till({ provider: 'midtrans' });
    type Plan = { till: Till; outcome: 'settle' | 'expire' | 'refund' | 'partial' | 'pending'; expected: string };
    const plans: Plan[] = [
      { till: a, outcome: 'settle', expected: 'paid' },
      { till: a, outcome: 'expire', expected: 'expired' },
      { till: a, outcome: 'refund', expected: 'refunded' },
      { till: a, outcome: 'partial', expected: 'partially_refunded' },
      { till: a, outcome: 'pending', expected: 'pending' },
      { till: b, outcome: 'settle', expected: 'paid' },
      { till: b, outcome: 'pending', expected: 'pending' },
    ];
    const made: { till: Till; id: string; expected: string }[] = [];
    for (const [i, plan] of plans.entries()) {
      const amount = 20_000 + i * 1_000;
      const { body: p } = await plan.till.createPayment(amount);
      if (plan.outcome === 'expire') await sys.sandboxes.midtrans.expireNow(p.payment_id);
      if (['settle', 'refund', 'partial'].includes(plan.outcome)) expect((await sys.pay(p.qr_string)).ok).toBe(true);
      if (plan.outcome === 'refund' || plan.outcome === 'partial') {
        await eventually(async () => (await status(plan.till, p.payment_id)) === 'paid');
        await midtransRefund(sys, p.payment_id, plan.outcome === 'refund' ? amount : 1_000);
      }
      made.push({ till: plan.till, id: p.payment_id, expected: plan.expected });
    }
    // The sandbox delivers Midtrans's own signed notifications; wait until every payment shows the truth.
    for (const m of made) await eventually(async () => (await status(m.till, m.id)) === m.expected);
    await sys.sandboxes.midtrans.dispatcher.idle();

    const ids = new Set(made.map((m) => m.id));
    const refs = new Map(
      (await snapshot([a.storeId, b.storeId])).payments.map((p) => [p.id, p.provider_ref as string] as const),
    );
    const genuine = (
      await db()
        .selectFrom('webhook_events')
        .select('raw_body')
        .where('provider', '=', 'midtrans')
        .where('verified', '=', 1)
        .execute()
    )
      .map((r) => String(r.raw_body))
      .filter((body) => ids.has((JSON.parse(body) as { order_id: string }).order_id));
    const unique = [...new Set(genuine)];
    // pending for all seven; settlement ×4; expire; refund; partial_refund.
    expect(unique.length).toBeGreaterThanOrEqual(14);

    const before = await snapshot([a.storeId, b.storeId]);
    const statuses = [
      'pending',
      'settlement',
      'capture',
      'expire',
      'cancel',
      'deny',
      'failure',
      'refund',
      'partial_refund',
    ];
    const answers: number[] = [];
    for (const body of unique) {
      const n = JSON.parse(body) as Record<string, string>;
      // Only the text of the field changes: the signature is the genuine one, for the genuine order.
      const swap = (field: string, value: string) =>
        body.replace(`"${field}":"${n[field]}"`, `"${field}":${JSON.stringify(value)}`);
      for (const [otherId, otherRef] of refs) {
        if (otherId === n.order_id) continue;
        answers.push((await postWebhook(sys, 'midtrans', swap('transaction_id', otherRef))).status);
      }
      for (const s of statuses) {
        if (s === n.transaction_status) continue;
        answers.push((await postWebhook(sys, 'midtrans', swap('transaction_status', s))).status);
      }
    }
    expect(answers.length).toBeGreaterThan(14 * 12);
    expect(answers.filter((s) => s >= 500)).toEqual([]);
    expect(await snapshot([a.storeId, b.storeId])).toEqual(before);
  }, 60_000);

  it("refuses a settlement replayed with another store's transaction_id and keeps the raw delivery", async () => {
    const a = await sys.till({ provider: 'midtrans' });
    const b = await sys.till({ provider: 'midtrans' });
    const { body: pa } = await a.createPayment(31_000);
    const { body: pb } = await b.createPayment(32_000);
    const key = sys.sandboxes.midtransServerKey;
    const forged = signedMidtrans(
      {
        transaction_time: '2026-12-04 10:00:00',
        transaction_status: 'settlement',
        transaction_id: pb.provider_ref,
        status_message: 'midtrans payment notification',
        status_code: '200',
        settlement_time: '2026-12-04 10:00:05',
        payment_type: 'qris',
        order_id: pa.payment_id,
        merchant_id: 'G1',
        gross_amount: '31000.00',
        fraud_status: 'accept',
        currency: 'IDR',
      },
      key,
    );
    const r = await postWebhook(sys, 'midtrans', forged);
    expect(r.status).toBe(409);
    expect(await status(a, pa.payment_id)).toBe('pending');
    expect(await status(b, pb.payment_id)).toBe('pending');
    const row = await db()
      .selectFrom('webhook_events')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(row.outcome).toBe('rejected');
    expect(row.event_key).toBeNull();
    // The genuine settlement for A, when it comes, is still taken (the forgery did not use up its identity).
    expect((await sys.pay(pa.qr_string)).ok).toBe(true);
    await eventually(async () => (await status(a, pa.payment_id)) === 'paid');
    expect(await status(b, pb.payment_id)).toBe('pending');
  });
});

describe('identifiers with control characters', () => {
  it('answers a signed notification whose ids carry a NUL byte with 400 and keeps the raw delivery', async () => {
    const body = signedMidtrans(
      {
        transaction_time: '2026-12-04 10:00:00',
        transaction_status: 'settlement',
        transaction_id: 'tx\u0000evil',
        status_message: 'midtrans payment notification',
        status_code: '200',
        payment_type: 'qris',
        order_id: 'order\u0000evil',
        merchant_id: 'G1',
        gross_amount: '1000.00',
        fraud_status: 'accept',
        currency: 'IDR',
      },
      sys.sandboxes.midtransServerKey,
    );
    for (let i = 0; i < 2; i++) {
      // Midtrans retries a failed delivery: every retry gets the same typed 4xx, never a 500.
      const r = await postWebhook(sys, 'midtrans', body);
      expect(r).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT' } } });
    }
    const rows = await db()
      .selectFrom('webhook_events')
      .select(['raw_body', 'outcome'])
      .orderBy('id', 'desc')
      .limit(2)
      .execute();
    expect(rows.map((r) => r.outcome)).toEqual(['invalid', 'invalid']);
    expect(Buffer.from(rows[0]!.raw_body).equals(Buffer.from(body))).toBe(true);
  });
});

describe('a refund delivered before its settlement', () => {
  it('is confirmed, parked, and applied once the settlement arrives', async () => {
    const s = await startTestSystem();
    try {
      s.sandboxes.midtrans.dispatcher.close(); // the test delivers Midtrans's notifications itself, in its order
      const till = await s.till({ provider: 'midtrans' });
      const live = await till.live();
      const { body: p } = await till.createPayment(45_000);
      expect((await s.pay(p.qr_string)).ok).toBe(true);
      await midtransRefund(s, p.payment_id, 45_000);
      const base = {
        transaction_time: '2026-12-04 10:00:00',
        transaction_id: p.provider_ref,
        status_message: 'midtrans payment notification',
        payment_type: 'qris',
        order_id: p.payment_id,
        merchant_id: 'G1',
        gross_amount: '45000.00',
        fraud_status: 'accept',
        currency: 'IDR',
        settlement_time: '2026-12-04 10:00:05',
      };
      const key = s.sandboxes.midtransServerKey;
      const refund = signedMidtrans({ ...base, transaction_status: 'refund', status_code: '200' }, key);
      const settle = signedMidtrans({ ...base, transaction_status: 'settlement', status_code: '200' }, key);

      const first = await postWebhook(s, 'midtrans', refund);
      expect(first).toMatchObject({ status: 200, body: { outcome: 'parked' } });
      expect(await status(till, p.payment_id)).toBe('pending');
      const second = await postWebhook(s, 'midtrans', settle);
      expect(second).toMatchObject({ status: 200, body: { outcome: 'applied' } });
      expect(await status(till, p.payment_id)).toBe('refunded');
      await live.waitFor((f) => f.kind === 'event' && f.event.payment.status === 'refunded');
      const seen = live.frames.flatMap((f) =>
        f.kind === 'event' && f.event.payment.payment_id === p.payment_id ? [f.event.payment.status] : [],
      );
      expect(seen).toEqual(['pending', 'paid', 'refunded']);
      live.close();
    } finally {
      await s.close();
    }
  });

  it('is applied by the sweeper, through paid, when the settlement is never delivered', async () => {
    const s = await startTestSystem();
    try {
      s.sandboxes.midtrans.dispatcher.close();
      const till = await s.till({ provider: 'midtrans' });
      const { body: p } = await till.createPayment(46_000);
      expect((await s.pay(p.qr_string)).ok).toBe(true);
      await midtransRefund(s, p.payment_id, 46_000);
      const refund = signedMidtrans(
        {
          transaction_time: '2026-12-04 10:00:00',
          transaction_status: 'refund',
          transaction_id: p.provider_ref,
          status_message: 'midtrans payment notification',
          status_code: '200',
          payment_type: 'qris',
          order_id: p.payment_id,
          merchant_id: 'G1',
          gross_amount: '46000.00',
          fraud_status: 'accept',
          currency: 'IDR',
        },
        s.sandboxes.midtransServerKey,
      );
      expect((await postWebhook(s, 'midtrans', refund)).body.outcome).toBe('parked');
      await sweepOnce(s.server.ctx);
      const row = await getPayment(s.server.ctx.database.db, p.payment_id);
      expect(row).toMatchObject({ status: 'refunded', refunded_amount: 46_000 });
      expect(row?.paid_at).not.toBeNull();
    } finally {
      await s.close();
    }
  });
});

describe('a COMMIT that fails after the webhook was verified', () => {
  it('answers the provider with a non-2xx and applies the redelivery once the database recovers', async () => {
    const till = await sys.till({ provider: 'xendit' });
    const { body: p } = await till.createPayment(17_000);
    const callback = JSON.stringify({
      event: 'qr.payment',
      api_version: '2022-07-31',
      business_id: 'b',
      created: new Date().toISOString(),
      data: {
        id: `qrpy_${newId()}`,
        business_id: 'b',
        currency: 'IDR',
        amount: 17_000,
        status: 'SUCCEEDED',
        created: new Date().toISOString(),
        qr_id: p.provider_ref,
        qr_string: p.qr_string,
        reference_id: p.payment_id,
        type: 'DYNAMIC',
      },
    });
    const token = { 'x-callback-token': sys.sandboxes.xenditCallbackToken };
    // A constraint checked only at COMMIT: every statement of the webhook succeeds, then the COMMIT fails.
    await installCommitFailure();
    try {
      const r = await postWebhook(sys, 'xendit', callback, token);
      expect(r.status).toBeGreaterThanOrEqual(500);
      expect(await status(till, p.payment_id)).toBe('pending');
    } finally {
      await removeCommitFailure();
    }
    const again = await postWebhook(sys, 'xendit', callback, token);
    expect(again).toMatchObject({ status: 200, body: { outcome: 'applied' } });
    expect(await status(till, p.payment_id)).toBe('paid');
  });
});

async function installCommitFailure(): Promise<void> {
  if (DB_KIND === 'postgres') {
    await sql`create function kq_fail_commit() returns trigger language plpgsql as $$
      begin raise exception 'commit refused by the test'; end $$`.execute(db());
    await sql`create constraint trigger kq_fail_commit after insert on sync_events
      deferrable initially deferred for each row execute function kq_fail_commit()`.execute(db());
  } else {
    // A deferred foreign key is checked at COMMIT; the trigger makes every event insert violate it.
    await sql`create table kq_fail_commit (
      ref integer references kq_nothing(id) deferrable initially deferred)`.execute(db());
    await sql`create table kq_nothing (id integer primary key)`.execute(db());
    await sql`create trigger kq_fail_commit after insert on sync_events
      begin insert into kq_fail_commit values (1); end`.execute(db());
  }
}

async function removeCommitFailure(): Promise<void> {
  if (DB_KIND === 'postgres') {
    await sql`drop trigger kq_fail_commit on sync_events`.execute(db());
    await sql`drop function kq_fail_commit()`.execute(db());
  } else {
    await sql`drop trigger kq_fail_commit`.execute(db());
    await sql`drop table kq_fail_commit`.execute(db());
    await sql`drop table kq_nothing`.execute(db());
  }
}

describe('the sweeper', () => {
  it('is not starved by payments whose provider check always fails', async () => {
    const s = await startTestSystem();
    try {
      s.sandboxes.xendit.setCallbackUrl(null); // every webhook is lost: only the sweeper can find the payment
      const till = await s.till({ provider: 'xendit' });
      const sdb = s.server.ctx.database.db;
      const longAgo = Date.now() - 3_600_000;
      // Sixty payments whose QR the provider does not know: every status read of theirs fails.
      for (let i = 0; i < 60; i++) {
        const { body } = await till.createPayment(1_000 + i);
        await sdb
          .updateTable('payments')
          .set({ provider_ref: `qr_${newId()}`, next_check_at: longAgo + i })
          .where('id', '=', body.payment_id)
          .execute();
      }
      const { body: real } = await till.createPayment(88_000);
      expect((await s.pay(real.qr_string)).ok).toBe(true);
      await sdb.updateTable('payments').set({ next_check_at: Date.now() }).where('id', '=', real.payment_id).execute();
      await sweepOnce(s.server.ctx, 50);
      await sweepOnce(s.server.ctx, 50);
      expect((await getPayment(sdb, real.payment_id))?.status).toBe('paid');
      const failing = await sdb
        .selectFrom('payments')
        .select(['check_failures'])
        .where('check_failures', '>', 0)
        .execute();
      expect(failing.length).toBe(60);
    } finally {
      await s.close();
    }
  });
});

describe('creating a payment', () => {
  it('calls the provider once when the same create reaches two server processes at once', async () => {
    const s = await startTestSystem();
    // A second server process on the same database, as a second instance behind a load balancer would be.
    const port = await freePort();
    const other = spawn(process.execPath, ['sync-server/src/main.ts'], {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: join(s.dataDir, 'server'),
        ...(s.databaseUrl ? { DATABASE_URL: s.databaseUrl } : {}),
        LOG_LEVEL: 'silent',
        XENDIT_BASE_URL: s.sandboxes.xenditUrl,
        XENDIT_SECRET_KEY: s.sandboxes.xenditSecretKey,
        XENDIT_CALLBACK_TOKEN: s.sandboxes.xenditCallbackToken,
        MIDTRANS_BASE_URL: s.sandboxes.midtransUrl,
        MIDTRANS_SERVER_KEY: s.sandboxes.midtransServerKey,
        SWEEP_INTERVAL_MS: '600000',
      },
      stdio: 'ignore',
    });
    const otherUrl = `http://127.0.0.1:${port}`;
    try {
      await eventually(
        () =>
          fetch(`${otherUrl}/health`).then(
            (r) => r.ok,
            () => false,
          ),
        20_000,
      );
      const till = await s.till({ provider: 'midtrans' });
      const body = { payment_id: newId(), sale_id: newId(), amount: 61_000 };
      const send = (base: string) =>
        fetch(`${base}/v1/payments`, {
          method: 'POST',
          headers: { authorization: `Bearer ${till.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { qr_string: string; status: string } }));
      const answers = await Promise.all([send(s.serverUrl), send(otherUrl), send(s.serverUrl), send(otherUrl)]);
      expect(answers.map((x) => x.status).sort()).toEqual([200, 200, 200, 201]);
      expect(new Set(answers.map((x) => x.body.qr_string)).size).toBe(1);
      expect(answers.every((x) => x.body.status === 'pending')).toBe(true);
      const created = (text: string) =>
        [...text.matchAll(/^kasir_payments_created_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
      const mine = created(await s.server.ctx.metrics.registry.metrics());
      const theirs = created(await (await fetch(`${otherUrl}/metrics`)).text());
      expect(mine + theirs).toBe(1);
      // The QR shown is the live one: the wallet can pay it.
      expect((await s.pay(answers[0]!.body.qr_string)).ok).toBe(true);
    } finally {
      other.kill('SIGKILL');
      await s.close();
    }
  }, 30_000);

  it('reads the status after Midtrans answers "duplicate order" and shows a payable QR', async () => {
    const till = await sys.till({ provider: 'midtrans' });
    const paymentId = newId();
    // An earlier create reached Midtrans, but its answer never reached the server.
    await chargeBehindOurBack(paymentId, 62_000);
    const r = await till.request('POST', '/v1/payments', { payment_id: paymentId, sale_id: newId(), amount: 62_000 });
    expect(r.status).toBe(201);
    expect(r.body.status).toBe('pending');
    expect((await sys.pay(r.body.qr_string)).ok).toBe(true);
    await eventually(async () => (await status(till, paymentId)) === 'paid');
  });

  it('takes a payment that was already paid at Midtrans as paid instead of failing it', async () => {
    const till = await sys.till({ provider: 'midtrans' });
    const paymentId = newId();
    const charged = await chargeBehindOurBack(paymentId, 63_000);
    expect((await sys.pay(charged.qr_string)).ok).toBe(true);
    const r = await till.request('POST', '/v1/payments', { payment_id: paymentId, sale_id: newId(), amount: 63_000 });
    expect(r.status).toBe(201);
    expect(r.body.status).toBe('paid');
  });
});
