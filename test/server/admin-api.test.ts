/**
 * The manager dashboard's API (issue 8): login with argon2id passwords, session cookie, CSRF, login rate
 * limits, store isolation, tills' sync lag from the queue they report, payments, the review queue resolved
 * through the payment core, webhook replay through the intake, the audit log, charts and the add-manager CLI.
 * Real server, real database (SQLite file, or PostgreSQL with KQ_TEST_DATABASE_URL), real sandboxes.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.ts';
import {
  AuditPageSchema,
  ChartsResponseSchema,
  MeResponseSchema,
  PaymentDetailSchema,
  PaymentsPageSchema,
  ProvidersHealthResponseSchema,
  ReplayResponseSchema,
  ReviewResponseSchema,
  TillsResponseSchema,
  WebhookDetailSchema,
  WebhooksPageSchema,
} from '../../shared/schemas/admin-api.ts';
import { insertPaymentIfAbsent } from '../../sync-server/src/repos/payments-repo.ts';
import { insertWebhookEvent } from '../../sync-server/src/repos/webhook-events-repo.ts';
import { addManager } from '../../sync-server/src/services/managers.ts';
import { settlementFields, signedMidtrans } from '../support/midtrans.ts';
import { DB_KIND, eventually, startTestSystem, type TestSystem } from './helpers.ts';

const PASSWORD = 'kopi-susu-gula-aren';

type Res = { status: number; body: any; headers: Headers };

async function call(
  base: string,
  method: string,
  path: string,
  o: { cookie?: string; csrf?: string; body?: unknown; bearer?: string } = {},
): Promise<Res> {
  const headers: Record<string, string> = {};
  if (o.cookie) headers.cookie = o.cookie;
  if (o.csrf) headers['x-csrf-token'] = o.csrf;
  if (o.bearer) headers.authorization = `Bearer ${o.bearer}`;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, headers: res.headers };
}

type Admin = {
  csrf: string;
  cookie: string;
  get(path: string): Promise<Res>;
  post(path: string, body?: unknown, o?: { csrf?: string | null }): Promise<Res>;
};

async function login(base: string, email: string, password = PASSWORD, store?: string): Promise<Admin> {
  const r = await call(base, 'POST', '/admin/api/login', { body: { email, password, ...(store ? { store } : {}) } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const me = MeResponseSchema.parse(r.body);
  const set = r.headers.getSetCookie().find((c) => c.startsWith('kq_admin='))!;
  const cookie = set.split(';')[0]!;
  return {
    csrf: me.csrf_token,
    cookie,
    get: (path) => call(base, 'GET', path, { cookie }),
    post: (path, body, o = {}) =>
      call(base, 'POST', path, { cookie, body, ...(o.csrf === null ? {} : { csrf: o.csrf ?? me.csrf_token }) }),
  };
}

/** A store with one till and one manager. */
async function storeWithManager(sys: TestSystem, provider: 'xendit' | 'midtrans' = 'xendit') {
  const till = await sys.till({ provider });
  const email = `manager-${newId().slice(-8)}@toko.test`;
  await addManager(sys.server.ctx.database.db, { storeId: till.storeId, email, password: PASSWORD, now: Date.now() });
  return { till, email };
}

/** A till's offline QRIS sale in a store without a static QRIS: it goes straight to review. */
function offlineSale(amount: number, firstMutation: number) {
  const saleId = newId();
  const paymentId = newId();
  const at = Date.now();
  const ref = `OFF${paymentId.replaceAll('-', '').slice(-12).toUpperCase()}`;
  return {
    saleId,
    paymentId,
    mutations: [
      {
        mutation_id: firstMutation,
        type: 'sale.created',
        client_time: at,
        payload: {
          sale_id: saleId,
          subtotal: amount,
          discount_kind: null,
          discount_value: null,
          discount_amount: 0,
          total: amount,
          cashier: null,
          created_at: at,
          lines: [
            {
              line_id: newId(),
              product_id: 'p',
              sku: 'KOPI',
              name: 'Kopi',
              qty: 1,
              unit_price: amount,
              line_total: amount,
            },
          ],
        },
      },
      {
        mutation_id: firstMutation + 1,
        type: 'payment.offline_qris',
        client_time: at,
        payload: {
          payment_id: paymentId,
          sale_id: saleId,
          amount,
          offline_ref: ref,
          qr_string: '00020101021226',
          created_at: at,
        },
      },
    ],
  };
}

const cashSale = (amount: number, mutationId: number) => {
  const saleId = newId();
  const at = Date.now();
  return {
    paymentId: newId(),
    saleId,
    at,
    mutation(paymentId: string) {
      return [
        {
          mutation_id: mutationId,
          type: 'sale.created',
          client_time: at,
          payload: {
            sale_id: saleId,
            subtotal: amount,
            discount_kind: null,
            discount_value: null,
            discount_amount: 0,
            total: amount,
            cashier: 'Sari',
            created_at: at,
            lines: [
              {
                line_id: newId(),
                product_id: 'p',
                sku: 'TEH',
                name: 'Teh',
                qty: 1,
                unit_price: amount,
                line_total: amount,
              },
            ],
          },
        },
        {
          mutation_id: mutationId + 1,
          type: 'payment.cash',
          client_time: at,
          payload: {
            payment_id: paymentId,
            sale_id: saleId,
            amount,
            tendered: amount,
            change: 0,
            paid_at: at,
            created_at: at,
          },
        },
      ];
    },
  };
};

let sys: TestSystem;
beforeAll(async () => {
  // Generous login limits here: the rate-limit tests run on a system of their own.
  sys = await startTestSystem({ env: { ADMIN_LOGIN_FAILURES_PER_IP: '1000', ADMIN_LOGIN_FAILURES_PER_EMAIL: '1000' } });
});
afterAll(async () => {
  await sys?.close();
});
const db = () => sys.server.ctx.database.db;

describe(`manager login and sessions on ${DB_KIND}`, () => {
  it('signs in with the right password: an HttpOnly, SameSite=Strict session cookie for /admin and a CSRF token', async () => {
    const { till, email } = await storeWithManager(sys);
    const r = await call(sys.serverUrl, 'POST', '/admin/api/login', {
      body: { email: email.toUpperCase(), password: PASSWORD },
    });
    expect(r.status).toBe(200);
    const me = MeResponseSchema.parse(r.body);
    expect(me.manager).toMatchObject({ email, store_id: till.storeId, store_name: 'Toko Test' });
    const cookie = r.headers.getSetCookie().find((c) => c.startsWith('kq_admin='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/admin(;|$)/);
    // Plain http without ADMIN_SECURE_COOKIE: not Secure (the browser would drop it).
    expect(cookie).not.toMatch(/Secure/i);

    const session = cookie.split(';')[0]!;
    const again = await call(sys.serverUrl, 'GET', '/admin/api/me', { cookie: session });
    expect(again.status).toBe(200);
    expect(MeResponseSchema.parse(again.body).csrf_token).toBe(me.csrf_token);

    // Only the session id's hash is stored.
    const sid = session.split('=')[1]!;
    const rows = await db().selectFrom('manager_sessions').selectAll().execute();
    expect(rows.some((s) => s.id_hash === sid)).toBe(false);
    const hash = (await import('node:crypto')).createHash('sha256').update(sid).digest('hex');
    expect(rows.some((s) => s.id_hash === hash)).toBe(true);

    const audit = AuditPageSchema.parse(
      (await call(sys.serverUrl, 'GET', '/admin/api/audit', { cookie: session })).body,
    );
    expect(audit.items.some((a) => a.action === 'manager.login' && a.actor_kind === 'manager')).toBe(true);
  });

  it('refuses a wrong password and an unknown email with the same 401 and message, and audits the known one', async () => {
    const { email } = await storeWithManager(sys);
    const wrong = await call(sys.serverUrl, 'POST', '/admin/api/login', {
      body: { email, password: 'not-the-password' },
    });
    const unknown = await call(sys.serverUrl, 'POST', '/admin/api/login', {
      body: { email: `nobody-${newId()}@toko.test`, password: 'not-the-password' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body).toEqual({ error: { code: 'UNAUTHORIZED', message: 'wrong email or password' } });
    expect(wrong.headers.getSetCookie()).toEqual([]);

    const admin = await login(sys.serverUrl, email);
    const audit = AuditPageSchema.parse((await admin.get('/admin/api/audit?action=manager.login_failed')).body);
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]!.detail).toMatchObject({ email });
  });

  it('with one email in two stores, the store picks the login; without it the password decides', async () => {
    const a = await storeWithManager(sys);
    const b = await sys.till();
    await addManager(db(), {
      storeId: b.storeId,
      email: a.email,
      password: 'another-stores-password',
      now: Date.now(),
    });
    const inA = await login(sys.serverUrl, a.email);
    expect(MeResponseSchema.parse((await inA.get('/admin/api/me')).body).manager.store_id).toBe(a.till.storeId);
    const inB = await login(sys.serverUrl, a.email, 'another-stores-password');
    expect(MeResponseSchema.parse((await inB.get('/admin/api/me')).body).manager.store_id).toBe(b.storeId);
    const wrongStore = await call(sys.serverUrl, 'POST', '/admin/api/login', {
      body: { email: a.email, password: PASSWORD, store: b.storeId },
    });
    expect(wrongStore.status).toBe(401);
    const named = await login(sys.serverUrl, a.email, 'another-stores-password', b.storeId);
    expect(MeResponseSchema.parse((await named.get('/admin/api/me')).body).manager.store_id).toBe(b.storeId);
  });

  it('ends a session at its expiry', async () => {
    const { email } = await storeWithManager(sys);
    const admin = await login(sys.serverUrl, email);
    const ctx = sys.server.ctx;
    const realNow = ctx.now;
    try {
      ctx.now = () => realNow() + ctx.config.admin.sessionTtlMs + 1;
      const r = await admin.get('/admin/api/me');
      expect(r.status).toBe(401);
    } finally {
      ctx.now = realNow;
    }
    expect((await admin.get('/admin/api/me')).status).toBe(200);
  });

  it('refuses a malformed login body with a typed 400', async () => {
    const r = await call(sys.serverUrl, 'POST', '/admin/api/login', { body: { email: 'a@b.c', password: 1 } });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_INPUT');
  });

  it('needs the CSRF header on every POST: missing or wrong is 403, and nothing happens', async () => {
    const { email } = await storeWithManager(sys);
    const admin = await login(sys.serverUrl, email);
    const missing = await admin.post('/admin/api/logout', undefined, { csrf: null });
    expect(missing.status).toBe(403);
    expect(missing.body.error.code).toBe('FORBIDDEN');
    const wrong = await admin.post('/admin/api/logout', undefined, { csrf: `${admin.csrf.slice(0, -1)}x` });
    expect(wrong.status).toBe(403);
    const resolve = await admin.post(
      `/admin/api/review/${newId()}/resolve`,
      { action: 'verify', note: 'x' },
      { csrf: null },
    );
    expect(resolve.status).toBe(403);
    // Still signed in: the refused logout did nothing.
    expect((await admin.get('/admin/api/me')).status).toBe(200);

    const out = await admin.post('/admin/api/logout');
    expect(out.status).toBe(200);
    expect((await admin.get('/admin/api/me')).status).toBe(401);
    const audit = await db()
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'manager.logout')
      .where('actor_id', 'is not', null)
      .execute();
    expect(audit.length).toBeGreaterThanOrEqual(1);
  });

  it('does not let a till token open any admin endpoint (401)', async () => {
    const { till } = await storeWithManager(sys);
    for (const [method, path] of [
      ['GET', '/admin/api/me'],
      ['GET', '/admin/api/tills'],
      ['GET', '/admin/api/payments'],
      ['GET', '/admin/api/webhooks'],
      ['GET', '/admin/api/audit'],
      ['GET', '/admin/api/review'],
      ['GET', '/admin/api/providers/health'],
      ['GET', '/admin/api/reconciliation?date=2026-12-04'],
      ['POST', `/admin/api/review/${newId()}/resolve`],
      ['POST', '/admin/api/webhooks/1/replay'],
    ] as const) {
      const r = await call(sys.serverUrl, method, path, {
        bearer: till.token,
        ...(method === 'POST' ? { body: { action: 'verify', note: 'x' } } : {}),
      });
      expect(r.status, `${method} ${path}`).toBe(401);
      expect(r.body.error.code).toBe('UNAUTHORIZED');
    }
  });
});

describe(`store isolation on ${DB_KIND}`, () => {
  it("a manager of store A gets 404 for store B's payment, webhook and review item, and never sees B's tills", async () => {
    const a = await storeWithManager(sys);
    const b = await storeWithManager(sys);
    const created = await b.till.createPayment(12_000);
    expect(created.status).toBe(201);
    const paymentId = created.body.payment_id as string;
    expect((await sys.pay(created.body.qr_string)).ok).toBe(true);
    const hook = await eventually(() =>
      db().selectFrom('webhook_events').select('id').where('payment_id', '=', paymentId).executeTakeFirst(),
    );

    const adminA = await login(sys.serverUrl, a.email);
    const adminB = await login(sys.serverUrl, b.email);
    expect((await adminB.get(`/admin/api/payments/${paymentId}`)).status).toBe(200);
    expect((await adminB.get(`/admin/api/webhooks/${hook.id}`)).status).toBe(200);

    expect((await adminA.get(`/admin/api/payments/${paymentId}`)).status).toBe(404);
    expect((await adminA.get(`/admin/api/webhooks/${hook.id}`)).status).toBe(404);
    expect((await adminA.post(`/admin/api/webhooks/${hook.id}/replay`)).status).toBe(404);
    expect((await adminA.post(`/admin/api/review/${paymentId}/resolve`, { action: 'verify', note: 'x' })).status).toBe(
      404,
    );
    const listA = PaymentsPageSchema.parse((await adminA.get('/admin/api/payments')).body);
    expect(listA.items.map((p) => p.payment_id)).not.toContain(paymentId);
    const hooksA = WebhooksPageSchema.parse((await adminA.get('/admin/api/webhooks')).body);
    expect(hooksA.items.map((w) => w.id)).not.toContain(hook.id);
    const tillsA = TillsResponseSchema.parse((await adminA.get('/admin/api/tills')).body);
    expect(tillsA.tills.map((t) => t.device_id)).toEqual([a.till.deviceId]);
    const auditA = AuditPageSchema.parse((await adminA.get('/admin/api/audit')).body);
    expect(auditA.items.every((e) => e.actor_id === null || e.actor_id !== undefined)).toBe(true);
    expect(JSON.stringify(auditA.items)).not.toContain(b.email);
  });
});

describe(`tills on ${DB_KIND}`, () => {
  it('shows a till lagging from the queue it reported, and synced once a push says the queue is empty', async () => {
    const { till, email } = await storeWithManager(sys);
    const admin = await login(sys.serverUrl, email);
    const before = TillsResponseSchema.parse((await admin.get('/admin/api/tills')).body);
    expect(before.tills[0]).toMatchObject({ device_id: till.deviceId, state: 'never_synced', sync_lag_ms: null });

    const sale = cashSale(8_000, 1);
    const oldest = Date.now() - 90_000;
    const push = await till.request('POST', '/v1/sync/push', {
      client_time: Date.now(),
      mutations: sale.mutation(sale.paymentId),
      client_state: { queue_depth: 7, parked: 1, oldest_unsynced_at: oldest, unverified_amount: 25_000 },
    });
    expect(push.status).toBe(200);
    const skew = push.body.clock_skew_ms as number;

    const lagging = TillsResponseSchema.parse((await admin.get('/admin/api/tills')).body);
    const t = lagging.tills[0]!;
    expect(t).toMatchObject({ state: 'lagging', queue_depth: 7, parked: 1, unverified_amount: 25_000 });
    expect(t.oldest_unsynced_at).toBe(oldest + skew);
    expect(t.sync_lag_ms).toBe(lagging.server_time - t.oldest_unsynced_at!);
    expect(t.last_mutation_id).toBe(2);

    // The till goes quiet: still lagging, its lag only growing (read again later on the server's clock).
    await new Promise((r) => setTimeout(r, 30));
    const later = TillsResponseSchema.parse((await admin.get('/admin/api/tills')).body).tills[0]!;
    expect(later.state).toBe('lagging');
    expect(later.sync_lag_ms!).toBeGreaterThan(t.sync_lag_ms!);

    // Prometheus: per-till gauges read from the database.
    const metrics = await (await fetch(`${sys.serverUrl}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(`kasir_till_queue_depth\\{store="${till.storeId}",device="${till.deviceId}"\\} 7`),
    );
    expect(metrics).toMatch(
      new RegExp(`kasir_till_sync_lag_seconds\\{store="${till.storeId}",device="${till.deviceId}"\\} \\d`),
    );

    const next = cashSale(9_000, 3);
    const drained = await till.request('POST', '/v1/sync/push', {
      client_time: Date.now(),
      mutations: next.mutation(next.paymentId),
      client_state: { queue_depth: 0, parked: 1, oldest_unsynced_at: null, unverified_amount: 0 },
    });
    expect(drained.status).toBe(200);
    const synced = TillsResponseSchema.parse((await admin.get('/admin/api/tills')).body).tills[0]!;
    expect(synced).toMatchObject({ state: 'synced', sync_lag_ms: 0, queue_depth: 0, oldest_unsynced_at: null });
    expect(synced.clock_skew_ms).toBe(drained.body.clock_skew_ms);
    const metrics2 = await (await fetch(`${sys.serverUrl}/metrics`)).text();
    expect(metrics2).toMatch(
      new RegExp(`kasir_till_queue_depth\\{store="${till.storeId}",device="${till.deviceId}"\\} 0`),
    );
  });

  it('refuses a malformed client_state with 400 and keeps the push unapplied', async () => {
    const { till } = await storeWithManager(sys);
    const sale = cashSale(1_000, 1);
    const r = await till.request('POST', '/v1/sync/push', {
      client_time: Date.now(),
      mutations: sale.mutation(sale.paymentId),
      client_state: { queue_depth: -1, parked: 0, oldest_unsynced_at: null, unverified_amount: 0 },
    });
    expect(r.status).toBe(400);
  });
});

describe(`payments on ${DB_KIND}`, () => {
  it('lists QRIS and cash payments newest first with filters, a text search and a cursor; shows the detail', async () => {
    const { till, email } = await storeWithManager(sys);
    const admin = await login(sys.serverUrl, email);
    const qris = await till.createPayment(15_000);
    expect(qris.status).toBe(201);
    const cash = cashSale(4_000, 1);
    expect(
      (
        await till.request('POST', '/v1/sync/push', {
          client_time: Date.now(),
          mutations: cash.mutation(cash.paymentId),
        })
      ).status,
    ).toBe(200);
    const qris2 = await till.createPayment(16_000);
    expect(qris2.status).toBe(201);

    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page = PaymentsPageSchema.parse(
        (await admin.get(`/admin/api/payments?limit=1${cursor ? `&cursor=${cursor}` : ''}`)).body,
      );
      all.push(...page.items.map((p) => p.payment_id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(new Set(all)).toEqual(new Set([qris.body.payment_id, qris2.body.payment_id, cash.paymentId]));
    expect(all).toHaveLength(3);

    const onlyCash = PaymentsPageSchema.parse((await admin.get('/admin/api/payments?method=cash')).body);
    expect(onlyCash.items.map((p) => [p.payment_id, p.method, p.status, p.amount])).toEqual([
      [cash.paymentId, 'cash', 'paid', 4_000],
    ]);
    const pending = PaymentsPageSchema.parse(
      (await admin.get('/admin/api/payments?status=pending&provider=xendit')).body,
    );
    expect(pending.items.map((p) => p.payment_id).sort()).toEqual([qris.body.payment_id, qris2.body.payment_id].sort());
    const search = PaymentsPageSchema.parse(
      (await admin.get(`/admin/api/payments?q=${(qris2.body.payment_id as string).slice(0, 13).toUpperCase()}`)).body,
    );
    expect(search.items.map((p) => p.payment_id)).toEqual([qris2.body.payment_id]);
    const none = PaymentsPageSchema.parse((await admin.get('/admin/api/payments?q=%25')).body);
    expect(none.items).toEqual([]);

    expect((await admin.get('/admin/api/payments?cursor=nonsense')).status).toBe(400);
    expect((await admin.get('/admin/api/payments?status=bogus')).status).toBe(400);
    expect((await admin.get('/admin/api/payments?limit=100000')).status).toBe(400);

    const detail = PaymentDetailSchema.parse((await admin.get(`/admin/api/payments/${cash.paymentId}`)).body);
    expect(detail.sale).toMatchObject({ sale_id: cash.saleId, total: 4_000, cashier: 'Sari' });
    expect(detail.sale!.lines).toEqual([{ name: 'Teh', sku: 'TEH', qty: 1, unit_price: 4_000, line_total: 4_000 }]);
    expect((await admin.get(`/admin/api/payments/${newId()}`)).status).toBe(404);
  });
});

describe(`review queue on ${DB_KIND}`, () => {
  it('verifying a needs_review payment makes it paid through the payment core: till event, note, audit row', async () => {
    const { till, email } = await storeWithManager(sys);
    const admin = await login(sys.serverUrl, email);
    const sale = offlineSale(21_000, 1);
    const push = await till.request('POST', '/v1/sync/push', { client_time: Date.now(), mutations: sale.mutations });
    expect(push.status).toBe(200);
    expect(push.body.rejected).toEqual([]);

    const queue = ReviewResponseSchema.parse((await admin.get('/admin/api/review')).body);
    expect(queue.items.map((i) => [i.payment.payment_id, i.payment.status, i.reasons])).toEqual([
      [sale.paymentId, 'needs_review', ['needs_review']],
    ]);

    const live = await till.live();
    const seen = live.frames.length;
    const bad = await admin.post(`/admin/api/review/${sale.paymentId}/resolve`, { action: 'verify', note: '' });
    expect(bad.status).toBe(400);
    const r = await admin.post(`/admin/api/review/${sale.paymentId}/resolve`, {
      action: 'verify',
      note: 'Seen in the BCA mutasi at 10:42',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.payment).toMatchObject({
      payment_id: sale.paymentId,
      status: 'paid',
      reviewed_at: expect.any(Number),
    });

    // The till hears of it like any other status change.
    const frame = await live.waitFor(
      (f) =>
        live.frames.indexOf(f) >= seen &&
        f.kind === 'event' &&
        f.event.type === 'payment.updated' &&
        f.event.payment.payment_id === sale.paymentId &&
        f.event.payment.status === 'paid',
    );
    expect(frame).toBeTruthy();
    live.close();

    expect(ReviewResponseSchema.parse((await admin.get('/admin/api/review')).body).items).toEqual([]);
    const detail = PaymentDetailSchema.parse((await admin.get(`/admin/api/payments/${sale.paymentId}`)).body);
    expect(detail.review_note).toBe('Seen in the BCA mutasi at 10:42');
    expect(detail.history.map((h) => h.status)).toContain('paid');
    expect(detail.history.some((h) => h.source === 'audit' && h.action === 'payment.resolved')).toBe(true);

    const audit = AuditPageSchema.parse((await admin.get(`/admin/api/audit?subject_id=${sale.paymentId}`)).body);
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({
      actor_kind: 'manager',
      action: 'payment.resolved',
      subject_type: 'payment',
      detail: { note: 'Seen in the BCA mutasi at 10:42', from: 'needs_review', status: 'paid' },
    });

    // Once resolved it is not in the queue any more: a second resolve is a conflict.
    const again = await admin.post(`/admin/api/review/${sale.paymentId}/resolve`, { action: 'verify', note: 'again' });
    expect(again.status).toBe(409);
  });

  it('the audit log is append-only in the database', async () => {
    await expect(sql`update audit_log set action = 'x'`.execute(db())).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(db())).rejects.toThrow(/append-only/);
  });
});

describe(`webhook log and replay on ${DB_KIND}`, () => {
  it('replaying an applied webhook stays a duplicate and changes nothing', async () => {
    const { till, email } = await storeWithManager(sys);
    const admin = await login(sys.serverUrl, email);
    const created = await till.createPayment(13_000);
    expect((await sys.pay(created.body.qr_string)).ok).toBe(true);
    const paymentId = created.body.payment_id as string;
    const hook = await eventually(() =>
      db()
        .selectFrom('webhook_events')
        .select(['id', 'outcome'])
        .where('payment_id', '=', paymentId)
        .where('outcome', '=', 'applied')
        .executeTakeFirst(),
    );
    const log = WebhooksPageSchema.parse((await admin.get(`/admin/api/webhooks?payment_id=${paymentId}`)).body);
    expect(log.items.map((w) => [w.id, w.verified, w.outcome])).toEqual([[hook.id, true, 'applied']]);
    const detail = WebhookDetailSchema.parse((await admin.get(`/admin/api/webhooks/${hook.id}`)).body);
    expect(JSON.parse(detail.raw_body)).toMatchObject({ event: 'qr.payment' });
    expect(detail.headers['x-callback-token']).toBe('present');
    expect(detail.replayable).toBe(true);

    const count = async () =>
      Number(
        (
          await db()
            .selectFrom('webhook_events')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const rowsBefore = await count();
    const r = await admin.post(`/admin/api/webhooks/${hook.id}/replay`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const replay = ReplayResponseSchema.parse(r.body);
    expect(replay).toMatchObject({ replay_of: hook.id, outcome: 'duplicate', http_status: 200 });
    expect(replay.event.id).toBe(hook.id);
    expect(await count()).toBe(rowsBefore);
    const p = PaymentDetailSchema.parse((await admin.get(`/admin/api/payments/${paymentId}`)).body);
    expect(p.payment.status).toBe('paid');
    expect(p.history.filter((h) => h.status === 'paid')).toHaveLength(1);

    const audit = AuditPageSchema.parse((await admin.get('/admin/api/audit?action=webhook.replayed')).body);
    expect(audit.items[0]).toMatchObject({ subject_type: 'webhook', subject_id: String(hook.id) });
  });

  it('replaying a parked webhook whose payment is now there applies it', async () => {
    const { till, email } = await storeWithManager(sys, 'midtrans');
    const admin = await login(sys.serverUrl, email);
    const paymentId = newId();
    const transactionId = newId();
    const body = signedMidtrans(
      settlementFields({ orderId: paymentId, transactionId, amount: 7_000 }),
      sys.sandboxes.midtransServerKey,
    );
    const delivered = await fetch(`${sys.serverUrl}/v1/webhooks/midtrans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(delivered.status).toBe(200);
    const parked = await db()
      .selectFrom('webhook_events')
      .select(['id', 'outcome'])
      .where('payment_id', '=', paymentId)
      .executeTakeFirstOrThrow();
    expect(parked.outcome).toBe('parked');

    // The payment appears without its parked events being drained (as after a crash between the two).
    const now = Date.now();
    await insertPaymentIfAbsent(db(), {
      id: paymentId,
      sale_id: newId(),
      store_id: till.storeId,
      device_id: till.deviceId,
      amount: 7_000,
      provider: 'midtrans',
      provider_ref: transactionId,
      payment_ref: null,
      qr_string: null,
      status: 'pending',
      late: 0,
      expires_at: now + 60_000,
      paid_at: null,
      refunded_amount: 0,
      request_hash: 'test',
      created_at: now,
      updated_at: now,
      next_check_at: null,
      create_claimed_until: null,
      offline_ref: null,
      payer_wallet: null,
    });

    const r = await admin.post(`/admin/api/webhooks/${parked.id}/replay`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(ReplayResponseSchema.parse(r.body)).toMatchObject({ replay_of: parked.id, outcome: 'applied' });
    const p = PaymentDetailSchema.parse((await admin.get(`/admin/api/payments/${paymentId}`)).body);
    expect(p.payment.status).toBe('paid');
    expect(p.webhooks.map((w) => [w.id, w.outcome])).toEqual([[parked.id, 'applied']]);
  });

  it('never replays an unverified delivery (409), even one naming a payment of the store', async () => {
    const { till, email } = await storeWithManager(sys);
    const admin = await login(sys.serverUrl, email);
    const created = await till.createPayment(11_000);
    const paymentId = created.body.payment_id as string;
    // A forged "paid" for the store's payment, stored as refused (rows like it are never linked to a payment
    // by the intake; this one is, to prove the replay itself refuses it).
    const id = await insertWebhookEvent(db(), {
      provider: 'xendit',
      event_key: null,
      received_at: Date.now(),
      headers: '{}',
      raw_body: Buffer.from(
        JSON.stringify({
          event: 'qr.payment',
          api_version: '2022-07-31',
          business_id: 'x',
          created: new Date().toISOString(),
          data: { id: `qrpy_${newId()}`, reference_id: paymentId, amount: 11_000, status: 'SUCCEEDED' },
        }),
      ),
      verified: 0,
      outcome: 'rejected',
      payment_id: paymentId,
      detail: 'signature',
      processed_at: Date.now(),
    });
    const detail = WebhookDetailSchema.parse((await admin.get(`/admin/api/webhooks/${id}`)).body);
    expect(detail.replayable).toBe(false);
    const r = await admin.post(`/admin/api/webhooks/${id}/replay`);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('CONFLICT');
    const p = PaymentDetailSchema.parse((await admin.get(`/admin/api/payments/${paymentId}`)).body);
    expect(p.payment.status).toBe('pending');
  });
});

describe(`provider health, charts and reconciliation on ${DB_KIND}`, () => {
  it('reports breaker state and recent success rate and latency per provider', async () => {
    const { till, email } = await storeWithManager(sys);
    const admin = await login(sys.serverUrl, email);
    expect((await till.createPayment(5_000)).status).toBe(201);
    const h = ProvidersHealthResponseSchema.parse((await admin.get('/admin/api/providers/health')).body);
    const xendit = h.providers.find((p) => p.provider === 'xendit')!;
    expect(xendit.breaker).toBe('closed');
    expect(xendit.recent.calls).toBeGreaterThanOrEqual(1);
    expect(xendit.recent.success_rate).toBe(1);
    expect(xendit.recent.p50_ms).not.toBeNull();
    expect(xendit.recent.p99_ms!).toBeGreaterThanOrEqual(xendit.recent.p50_ms!);
  });

  it('counts payments, amounts and success per hour in SQL, cash apart', async () => {
    const { till, email } = await storeWithManager(sys);
    const admin = await login(sys.serverUrl, email);
    const paid = await till.createPayment(10_000);
    expect((await sys.pay(paid.body.qr_string)).ok).toBe(true);
    const cancelled = await till.createPayment(3_000);
    expect((await till.request('POST', `/v1/payments/${cancelled.body.payment_id}/cancel`)).status).toBe(200);
    const open = await till.createPayment(2_000);
    expect(open.status).toBe(201);
    const cash = cashSale(6_000, 1);
    await till.request('POST', '/v1/sync/push', { client_time: Date.now(), mutations: cash.mutation(cash.paymentId) });
    await eventually(async () => {
      const r = PaymentDetailSchema.parse((await admin.get(`/admin/api/payments/${paid.body.payment_id}`)).body);
      return r.payment.status === 'paid';
    });

    const created = [paid, cancelled, open].map((p) => p.body);
    const hours = new Set(
      [...created.map((p) => Math.floor((p.created_at as number) / 3_600_000)), Math.floor(cash.at / 3_600_000)].map(
        (h) => h * 3_600_000,
      ),
    );
    const from = Math.min(...hours);
    const to = Math.max(...hours) + 3_600_000;
    const r = ChartsResponseSchema.parse((await admin.get(`/admin/api/charts?from=${from}&to=${to}`)).body);
    const sum = (
      k: 'count' | 'amount' | 'paid_count' | 'paid_amount' | 'failed_count' | 'cash_count' | 'cash_amount',
    ) => r.buckets.reduce((a, b) => a + b[k], 0);
    expect([sum('count'), sum('amount'), sum('paid_count'), sum('paid_amount'), sum('failed_count')]).toEqual([
      3, 15_000, 1, 10_000, 1,
    ]);
    expect([sum('cash_count'), sum('cash_amount')]).toEqual([1, 6_000]);
    for (const b of r.buckets) {
      expect(b.hour % 3_600_000).toBe(0);
      if (b.paid_count + b.failed_count > 0)
        expect(b.success_rate).toBe(b.paid_count / (b.paid_count + b.failed_count));
    }
    expect((await admin.get(`/admin/api/charts?from=${to}&to=${from}`)).status).toBe(400);
    expect((await admin.get(`/admin/api/charts?from=0&to=${40 * 86_400_000}`)).status).toBe(400);
  });

  it("serves the manager's own store's reconciliation as JSON and CSV", async () => {
    const { till, email } = await storeWithManager(sys);
    const admin = await login(sys.serverUrl, email);
    const cash = cashSale(6_500, 1);
    await till.request('POST', '/v1/sync/push', { client_time: Date.now(), mutations: cash.mutation(cash.paymentId) });
    const date = new Date(cash.at + 7 * 3_600_000).toISOString().slice(0, 10);
    const json = await admin.get(`/admin/api/reconciliation?date=${date}`);
    expect(json.status).toBe(200);
    expect(json.body.store_id).toBe(till.storeId);
    expect(json.body.totals.verified).toEqual({ count: 1, amount: 6_500 });
    const csv = await admin.get(`/admin/api/reconciliation?date=${date}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(csv.body as string).toContain(cash.paymentId);
    expect((await admin.get('/admin/api/reconciliation?date=yesterday')).status).toBe(400);
  });
});

describe(`add-manager CLI on ${DB_KIND}`, () => {
  const runCli = (args: string[], env: Record<string, string>, stdin: string) =>
    new Promise<{ code: number; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, ['sync-server/src/main.ts', ...args], {
        env: {
          PATH: process.env.PATH ?? '',
          LOG_LEVEL: 'silent',
          DATA_DIR: join(sys.dataDir, 'server'),
          ...(sys.databaseUrl ? { DATABASE_URL: sys.databaseUrl } : {}),
          ...env,
        },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (c) => {
        out += c;
      });
      child.stderr.on('data', (c) => {
        err += c;
      });
      child.stdin.end(stdin);
      child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
    });

  it('adds a manager with an argon2id hash from stdin or KQ_MANAGER_PASSWORD, refuses short passwords, and the login works', async () => {
    const till = await sys.till();
    const email = `cli-${newId().slice(-6)}@toko.test`;
    const short = await runCli(['add-manager', '--store', till.storeId, '--email', email], {}, 'short\n');
    expect(short.code).toBe(2);
    expect(short.err).toMatch(/at least 10 characters/);

    const ok = await runCli(['add-manager', '--store', till.storeId, '--email', email], {}, `${PASSWORD}\n`);
    expect(ok.code, ok.err).toBe(0);
    const row = await db().selectFrom('managers').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
    expect(row.password_hash.startsWith('$argon2id$')).toBe(true);
    expect(row.password_hash).not.toContain(PASSWORD);
    await login(sys.serverUrl, email);

    const dup = await runCli(['add-manager', '--store', till.storeId, '--email', email], {}, `${PASSWORD}\n`);
    expect(dup.code).toBe(2);
    expect(dup.err).toMatch(/already has a manager/);
    const replaced = await runCli(
      ['add-manager', '--store', till.storeId, '--email', email, '--replace'],
      { KQ_MANAGER_PASSWORD: 'a-brand-new-password' },
      '',
    );
    expect(replaced.code, replaced.err).toBe(0);
    await login(sys.serverUrl, email, 'a-brand-new-password');
    const noStore = await runCli(['add-manager', '--store', 'no-such-store', '--email', email], {}, `${PASSWORD}\n`);
    expect(noStore.code).toBe(2);
    expect(noStore.err).toMatch(/no store no-such-store/);
  });
});

describe(`login rate limits on ${DB_KIND}`, () => {
  let limited: TestSystem;
  beforeAll(async () => {
    limited = await startTestSystem({
      env: { ADMIN_LOGIN_FAILURES_PER_EMAIL: '3', ADMIN_LOGIN_FAILURES_PER_IP: '5', ADMIN_SECURE_COOKIE: 'true' },
    });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('answers 429 after too many wrong passwords for one email, even to the right one, and then per address', async () => {
    const one = await storeWithManager(limited);
    const two = await storeWithManager(limited);
    const attempt = (email: string, password: string) =>
      call(limited.serverUrl, 'POST', '/admin/api/login', { body: { email, password } });
    for (let i = 0; i < 3; i++) expect((await attempt(one.email, 'wrong-password')).status).toBe(401);
    const blocked = await attempt(one.email, PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('RATE_LIMITED');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another email from the same address still may try, until the address has used its 5 failures.
    const ok = await call(limited.serverUrl, 'POST', '/admin/api/login', {
      body: { email: two.email, password: PASSWORD },
    });
    expect(ok.status).toBe(200);
    // ADMIN_SECURE_COOKIE=true (behind a TLS proxy): Secure even though this request came over plain http.
    expect(ok.headers.getSetCookie().find((c) => c.startsWith('kq_admin='))).toMatch(/; Secure/i);
    expect((await attempt(two.email, 'wrong-password')).status).toBe(401);
    expect((await attempt(two.email, 'wrong-password')).status).toBe(401);
    expect((await attempt(`x-${newId()}@toko.test`, 'whatever-pass')).status).toBe(429);
    const metrics = await (await fetch(`${limited.serverUrl}/metrics`)).text();
    expect(metrics).toMatch(/kasir_admin_logins_total\{result="throttled"\} [1-9]/);
  });
});
