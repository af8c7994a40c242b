/**
 * The manager dashboard at /admin on the real system (issue 8): sandboxes + sync-server + the till web host
 * from fixtures.ts, the dashboard in a second page of the same browser. Managers are added with the server's
 * own service (the one `npm run server -- add-manager` calls). Where a step needs a second till, it is a
 * device enrolled in the same store that speaks the till's push protocol over HTTP (its own mutations, its
 * own client_state), so the test decides what its queue holds; the first till is the real one on screen.
 *
 * Screenshots of every page (and the downloaded CSV) are kept in test-results/<test>/ and attached to the report.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page, TestInfo } from '@playwright/test';
import { newId } from '../../shared/ids.ts';
import { formatRupiah } from '../../shared/money.ts';
import { deriveOfflineQr, offlineReference } from '../../shared/offline-qris.ts';
import { ADMIN_ENDPOINTS, CSRF_HEADER } from '../../shared/schemas/admin-api.ts';
import { OfflineSetupSchema } from '../../shared/schemas/sync-api.ts';
import { en } from '../../sync-server/admin/src/i18n/en.ts';
import { id as idStrings } from '../../sync-server/admin/src/i18n/id.ts';
import { addManager } from '../../sync-server/src/services/managers.ts';
import { expect, productsByPrice, ready, type Till, test } from './fixtures.ts';
import { decodeQrPng } from './qr-decode.ts';

const PASSWORD = 'rahasia-manajer-123';

/** A full-page screenshot kept as a file in the test's output folder (test-results/…) and attached to the report. */
async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  const path = info.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await info.attach(`${name}.png`, { path, contentType: 'image/png' });
}

async function newManager(till: Till, storeId: string, email: string): Promise<void> {
  await addManager(till.system.server.ctx.database.db, { storeId, email, password: PASSWORD, now: Date.now() });
}

async function adminPage(browser: Browser): Promise<Page> {
  // Its own context: its own cookie jar, as another browser would have.
  const ctx = await browser.newContext({ acceptDownloads: true, viewport: { width: 1360, height: 900 } });
  return ctx.newPage();
}

async function signIn(admin: Page, serverUrl: string, email: string, password = PASSWORD): Promise<void> {
  await admin.goto(`${serverUrl}/admin/`);
  await admin.getByTestId('login-email').fill(email);
  await admin.getByTestId('login-password').fill(password);
  await admin.getByTestId('login-submit').click();
  await expect(admin.getByTestId('manager-email')).toHaveText(email);
}

/** A second till of a store, driven through the push protocol (sale + payment mutations, client_state). */
async function scriptedTill(till: Till, storeId: string, name: string) {
  const { token, deviceId } = await till.system.enrolDevice({ storeId, deviceName: name });
  const base = till.system.serverUrl;
  let next = 1;
  const request = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const saleMutation = (saleId: string, amount: number, at: number) => ({
    mutation_id: next++,
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
          product_id: 'p-e2e',
          sku: 'E2E',
          name: 'Barang uji',
          qty: 1,
          unit_price: amount,
          line_total: amount,
        },
      ],
    },
  });
  return {
    deviceId,
    token,
    request,
    cashSale(amount: number, at = Date.now()) {
      const saleId = newId();
      const paymentId = newId();
      return {
        paymentId,
        mutations: [
          saleMutation(saleId, amount, at),
          {
            mutation_id: next++,
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
        ],
      };
    },
    offlineQrisSale(staticQris: string, amount: number, at = Date.now()) {
      const saleId = newId();
      const paymentId = newId();
      return {
        paymentId,
        mutations: [
          saleMutation(saleId, amount, at),
          {
            mutation_id: next++,
            type: 'payment.offline_qris',
            client_time: at,
            payload: {
              payment_id: paymentId,
              sale_id: saleId,
              amount,
              offline_ref: offlineReference(paymentId),
              qr_string: deriveOfflineQr(staticQris, amount, paymentId, 'KASIR2'),
              created_at: at,
            },
          },
        ],
      };
    },
    async push(mutations: unknown[], clientState?: Record<string, unknown>) {
      const r = await request('POST', '/v1/sync/push', {
        client_time: Date.now(),
        mutations,
        ...(clientState ? { client_state: clientState } : {}),
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.rejected).toEqual([]);
    },
  };
}

/** A QRIS sale on the real till, paid through the sandbox wallet; returns its total. */
async function qrisSaleOnTill(page: Page, till: Till): Promise<number> {
  await ready(page);
  const [cheap] = await productsByPrice(page);
  await page.getByTestId(`product-${cheap!.sku}`).click();
  await page.getByTestId(`product-${cheap!.sku}`).click();
  const total = cheap!.price * 2;
  await page.getByTestId('charge-qris').click();
  await expect(page.getByTestId('qris-status')).toHaveAttribute('data-status', 'pending');
  const decoded = decodeQrPng(await page.getByTestId('qris-qr').screenshot());
  expect(decoded).not.toBeNull();
  const paid = await till.system.pay(decoded!);
  expect(paid.ok, JSON.stringify(paid.body)).toBe(true);
  await expect(page.getByTestId('receipt-status')).toHaveAttribute('data-status', 'paid', { timeout: 60_000 });
  await page.getByTestId('new-sale').click();
  return total;
}

/** A cash sale on the real till; returns its total once the till has it. */
async function cashSaleOnTill(page: Page): Promise<number> {
  await ready(page);
  const [cheap] = await productsByPrice(page);
  await page.getByTestId(`product-${cheap!.sku}`).click();
  await page.keyboard.press('F9');
  await page.getByTestId('note-exact').click();
  await page.getByTestId('cash-tendered').press('Enter');
  await expect(page.getByTestId('receipt-status')).toHaveAttribute('data-status', 'paid');
  await page.getByTestId('new-sale').click();
  return cheap!.price;
}

test.describe('manager dashboard', () => {
  test('signs in in Indonesian or English; wrong passwords are refused, then rate-limited', async ({
    browser,
    till,
  }, info) => {
    const email = 'manajer@toko.test';
    await newManager(till, till.storeId, email);
    const admin = await adminPage(browser);

    const res = await admin.goto(`${till.system.serverUrl}/admin`);
    expect(res?.status()).toBe(200);
    expect(res?.url()).toMatch(/\/admin\/$/);
    const csp = (await res?.allHeaders())?.['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');

    // Indonesian by default, English on request (kept for the next visit).
    await expect(admin.getByRole('heading', { level: 1 })).toHaveText(idStrings.login.title);
    await admin.getByTestId('language').selectOption('en');
    await expect(admin.getByRole('heading', { level: 1 })).toHaveText(en.login.title);
    await admin.reload();
    await expect(admin.getByRole('heading', { level: 1 })).toHaveText(en.login.title);
    await shot(admin, info, 'login');

    // The whole form works from the keyboard.
    await admin.getByTestId('login-email').focus();
    await admin.keyboard.type(email);
    await admin.keyboard.press('Tab');
    await admin.keyboard.type('salah-sekali-1');
    await admin.keyboard.press('Enter');
    const error = admin.getByTestId('login-error');
    await expect(error).toHaveText(en.login.wrong);
    expect(await error.getAttribute('data-status')).toBe('401');
    await expect(admin.getByTestId('manager-email')).toHaveCount(0);

    // Keep guessing: refused every time, and before long refused as rate-limited.
    const statuses: string[] = ['401'];
    for (let i = 0; i < 40 && statuses.at(-1) !== '429'; i++) {
      await admin.getByTestId('login-password').fill(`salah-sekali-${i + 2}`);
      const answered = admin.waitForResponse((r) => r.url().endsWith('/admin/api/login'));
      await admin.getByTestId('login-submit').click();
      statuses.push(String((await answered).status()));
    }
    expect(statuses.at(-1), `statuses seen: ${statuses.join(',')}`).toBe('429');
    expect(statuses.slice(0, -1).every((s) => s === '401')).toBe(true);
    await expect(error).toHaveText(en.login.rateLimited);
    await shot(admin, info, 'login-rate-limited');

    // While limited, even the right password does not get in: the limit stops guessing, not just wrong guesses.
    await admin.getByTestId('login-password').fill(PASSWORD);
    const answered = admin.waitForResponse((r) => r.url().endsWith('/admin/api/login'));
    await admin.getByTestId('login-submit').click();
    expect((await answered).status()).toBe(429);
    await expect(admin.getByTestId('manager-email')).toHaveCount(0);
  });

  test('a till token opens no admin endpoint, and one store’s manager cannot see another store', async ({
    browser,
    page,
    till,
  }, info) => {
    const base = till.system.serverUrl;
    await newManager(till, till.storeId, 'satu@toko.test');
    await cashSaleOnTill(page);
    const admin = await adminPage(browser);
    await signIn(admin, base, 'satu@toko.test');
    await admin.getByTestId('nav-payments').click();
    const row = admin.getByTestId('payments-table').locator('tbody tr');
    await expect(row).toHaveCount(1);
    const paymentId = (await row.getAttribute('data-payment-id'))!;

    // The till's own token, on every admin endpoint and on the refund route: 401, nothing else.
    for (const [name, spec] of Object.entries(ADMIN_ENDPOINTS)) {
      const [method, path] = spec.split(' ') as [string, string];
      const url = `${base}${path.replace(':id', method === 'GET' && name.startsWith('webhook') ? '1' : paymentId)}`;
      const r = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${till.deviceToken}`,
          [CSRF_HEADER]: 'x',
          ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
        },
        body: method === 'POST' ? '{}' : undefined,
      });
      if (name === 'login') expect(r.status, `${spec} with a till token`).toBeGreaterThanOrEqual(400);
      else expect(r.status, `${spec} with a till token`).toBe(401);
    }
    for (const path of [`/v1/payments/${paymentId}/refund`]) {
      const refund = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${till.deviceToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'coba', idempotency_key: newId() }),
      });
      expect(refund.status, path).toBe(401);
    }

    // Another store on the same server, with its own till and manager.
    const other = `other-${newId().slice(-8)}`;
    await till.system.enrolDevice({ storeId: other, storeName: 'Toko Sebelah', deviceName: 'Kasir Sebelah' });
    await newManager(till, other, 'dua@toko.test');
    const spy = await adminPage(browser);
    await signIn(spy, base, 'dua@toko.test');
    await expect(spy.getByTestId('store-name')).toHaveText('Toko Sebelah');
    await expect(spy.getByTestId('tills-table')).toContainText('Kasir Sebelah');
    await expect(spy.getByTestId('tills-table')).not.toContainText('Kasir 1');
    await spy.getByTestId('nav-payments').click();
    await expect(spy.getByTestId(`payment-${paymentId}`)).toHaveCount(0);
    await spy.goto(`${base}/admin/#/payments/${paymentId}`);
    await expect(spy.getByTestId('error')).toHaveAttribute('data-code', 'NOT_FOUND');
    await shot(spy, info, 'other-store-not-found');
    // Straight at the API with this manager's session and CSRF token: 404 for the other store's payment.
    const me = await (await spy.request.get(`${base}/admin/api/me`)).json();
    expect((await spy.request.get(`${base}/admin/api/payments/${paymentId}`)).status()).toBe(404);
    const resolve = await spy.request.post(`${base}/admin/api/review/${paymentId}/resolve`, {
      headers: { [CSRF_HEADER]: me.csrf_token },
      data: { action: 'verify', note: 'bukan toko saya' },
    });
    expect(resolve.status()).toBe(404);
    const foreignRefund = await spy.request.post(`${base}/v1/payments/${paymentId}/refund`, {
      headers: { [CSRF_HEADER]: me.csrf_token },
      data: { reason: 'bukan toko saya', idempotency_key: newId() },
    });
    expect(foreignRefund.status()).toBe(404);
    // The first store's manager still sees it.
    expect((await admin.request.get(`${base}/admin/api/payments/${paymentId}`)).status()).toBe(200);
  });

  test('watches a till go from lagging to synced without reloading', async ({ browser, page, till }, info) => {
    await newManager(till, till.storeId, 'lihat@toko.test');
    await cashSaleOnTill(page);
    const admin = await adminPage(browser);
    await signIn(admin, till.system.serverUrl, 'lihat@toko.test');
    await expect(admin.getByRole('heading', { level: 1 })).toHaveText(idStrings.tills.title);
    // The real till reported an empty queue with its sale.
    await expect(admin.getByTestId('tills-table').locator('tr[data-state="synced"]')).toContainText('Kasir 1');

    // A second till pushes the first of three offline sales; two still wait, the oldest 90 s old.
    const k2 = await scriptedTill(till, till.storeId, 'Kasir 2');
    const oldest = Date.now() - 90_000;
    const s1 = k2.cashSale(12_000, oldest);
    const s2 = k2.cashSale(15_000, oldest + 1_000);
    const s3 = k2.cashSale(18_000, oldest + 2_000);
    await k2.push(s1.mutations, {
      queue_depth: 4,
      parked: 0,
      oldest_unsynced_at: oldest + 1_000,
      unverified_amount: 0,
    });
    // The page has not been reloaded in between: a marker on its window survives.
    await admin.evaluate(() => {
      (window as unknown as { __kept: boolean }).__kept = true;
    });
    const row = admin.getByTestId(`till-${k2.deviceId}`);
    await expect(row).toHaveAttribute('data-state', 'lagging');
    await expect(row.getByTestId('till-state')).toHaveText(idStrings.tills.states.lagging);
    await expect(row.getByTestId('till-queue')).toHaveText('4');
    await expect(row.getByTestId('till-lag')).toHaveText(/^1 min \d+ s$/);
    await shot(admin, info, 'tills-lagging');

    await k2.push([...s2.mutations, ...s3.mutations], {
      queue_depth: 0,
      parked: 0,
      oldest_unsynced_at: null,
      unverified_amount: 0,
    });
    await expect(row).toHaveAttribute('data-state', 'synced');
    await expect(row.getByTestId('till-queue')).toHaveText('0');
    await expect(row.getByTestId('till-lag')).toHaveText('0 s');
    expect(await admin.evaluate(() => (window as unknown as { __kept?: boolean }).__kept)).toBe(true);
    await shot(admin, info, 'tills-synced');
  });

  test('resolves a needs-review payment, refunds a paid one, replays its webhook, exports the reconciliation and charts it', async ({
    browser,
    page,
    till,
  }, info) => {
    test.setTimeout(240_000);
    const base = till.system.serverUrl;
    await newManager(till, till.storeId, 'putus@toko.test');

    // An offline QRIS sale over the store's offline limit goes straight to review.
    const k2 = await scriptedTill(till, till.storeId, 'Kasir 2');
    const setup = OfflineSetupSchema.parse((await k2.request('GET', '/v1/store/offline')).body);
    expect(setup.static_qris).not.toBeNull();
    const reviewAmount = setup.max_amount + 5_000;
    const offline = k2.offlineQrisSale(setup.static_qris!, reviewAmount);
    await k2.push(offline.mutations);

    // A QRIS sale on the real till, paid by the sandbox wallet.
    const qrisTotal = await qrisSaleOnTill(page, till);

    const admin = await adminPage(browser);
    await signIn(admin, base, 'putus@toko.test');

    // Review queue: mark the offline payment verified with a note.
    await admin.getByTestId('nav-review').click();
    const item = admin.getByTestId(`review-${offline.paymentId}`);
    await expect(item).toContainText(formatRupiah(reviewAmount));
    await shot(admin, info, 'review-queue');
    await item.getByTestId('review-verify').click();
    const dialog = admin.getByTestId('verify-dialog');
    await expect(dialog).toBeVisible();
    await dialog.getByTestId('verify-note').fill('Uang masuk di mutasi rekening 14:05');
    await dialog.getByTestId('verify-submit').click();
    await expect(item).toHaveCount(0);
    await admin.goto(`${base}/admin/#/payments/${offline.paymentId}`);
    await expect(admin.getByTestId('detail-status').locator('[data-status]')).toHaveAttribute('data-status', 'paid');
    await expect(admin.getByTestId('detail-note')).toHaveText('Uang masuk di mutasi rekening 14:05');

    // Payments: the QRIS one, by filter.
    await admin.getByTestId('nav-payments').click();
    await admin.getByTestId('filter-method').selectOption('qris');
    await admin.getByTestId('filter-status').selectOption('paid');
    await admin.getByTestId('filter-apply').click();
    const rows = admin.getByTestId('payments-table').locator('tbody tr');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText(formatRupiah(qrisTotal));
    await shot(admin, info, 'payments-filtered');
    await rows.first().getByRole('link').click();
    await expect(admin.getByTestId('detail-amount')).toHaveText(formatRupiah(qrisTotal));
    const qrisId = decodeURIComponent(admin.url().split('/').at(-1)!);

    // Partial refund of Rp 1.000, then the rest: each dialog has its own idempotency key.
    await admin.getByTestId('detail-refund').click();
    let refundDialog = admin.getByTestId('refund-dialog');
    await refundDialog.getByTestId('refund-partial').check();
    await refundDialog.getByTestId('refund-amount').fill('1000');
    await expect(refundDialog.getByTestId('refund-amount')).toHaveValue('Rp 1.000');
    await refundDialog.getByTestId('refund-reason').fill('Satu barang dikembalikan');
    const key1 = await refundDialog.locator('form').getAttribute('data-idempotency-key');
    await refundDialog.getByTestId('refund-submit').click();
    await expect(refundDialog.getByTestId('refund-result')).toBeVisible();
    await shot(admin, info, 'refund-partial');
    await refundDialog.getByTestId('refund-close').click();
    await expect
      .poll(async () => till.system.sandboxes.xendit.refunds().refunds.map((r) => [r.idempotency_key, r.amount]))
      .toContainEqual([key1, 1_000]);
    await expect(admin.getByTestId('detail-status').locator('[data-status]')).toHaveAttribute(
      'data-status',
      'partially_refunded',
      { timeout: 60_000 },
    );

    // The same page, no reload: a new dialog is a new decision, so it must carry a new key.
    await admin.getByTestId('detail-refund').click();
    refundDialog = admin.getByTestId('refund-dialog');
    const key2 = await refundDialog.locator('form').getAttribute('data-idempotency-key');
    expect(key2).not.toBe(key1);
    await refundDialog.getByTestId('refund-full').check();
    await refundDialog.getByTestId('refund-reason').fill('Pembeli membatalkan');
    await expect(refundDialog.getByTestId('refund-submit')).toHaveText(
      new RegExp(formatRupiah(qrisTotal - 1_000).replace('.', '\\.')),
    );
    await refundDialog.getByTestId('refund-submit').click();
    await expect(refundDialog.getByTestId('refund-result')).toBeVisible();
    await refundDialog.getByTestId('refund-close').click();
    await expect
      .poll(async () => till.system.sandboxes.xendit.refunds().refunds.map((r) => [r.idempotency_key, r.amount]))
      .toContainEqual([key2, qrisTotal - 1_000]);
    await expect(admin.getByTestId('detail-status').locator('[data-status]')).toHaveAttribute(
      'data-status',
      'refunded',
      { timeout: 60_000 },
    );
    await expect(admin.getByTestId('detail-refunded')).toHaveText(formatRupiah(qrisTotal));
    await expect(admin.getByTestId('detail-refund-row')).toHaveCount(2);
    await expect(admin.getByTestId('detail-refunds')).toContainText('Satu barang dikembalikan');
    await shot(admin, info, 'payment-refunded');

    // Its provider notification: raw payload, then a replay (a duplicate now: nothing applied twice).
    await admin.goto(`${base}/admin/#/webhooks?payment_id=${qrisId}`);
    const hook = admin.getByTestId('webhooks-table').locator('tbody tr').last();
    await hook.getByRole('link').first().click();
    await expect(admin.getByTestId('webhook-raw')).toContainText('"');
    const webhookId = admin.url().split('/').at(-1)!;
    await admin.getByTestId('webhook-replay').click();
    const replay = admin.getByTestId('replay-result');
    // The payment took this notification long ago: a duplicate, answered 200, nothing stored or applied again.
    await expect(replay).toHaveAttribute('data-outcome', 'duplicate');
    await expect(replay).toHaveAttribute('data-http', '200');
    await expect(replay.getByTestId('replay-same')).toBeVisible();
    await shot(admin, info, 'webhook-replayed');
    // Replaying money that is already refunded changes nothing.
    expect((await (await admin.request.get(`${base}/admin/api/payments/${qrisId}`)).json()).payment.status).toBe(
      'refunded',
    );

    // The webhook log lists the notification (the replay stored no second row).
    await admin.goto(`${base}/admin/#/webhooks?payment_id=${qrisId}`);
    await expect(admin.getByTestId('webhooks-table')).toContainText(`#${webhookId}`);
    await shot(admin, info, 'webhooks');

    // Provider health: Xendit answered the QR, the status reads and the refunds; its breaker is closed.
    await admin.getByTestId('nav-providers').click();
    const xendit = admin.getByTestId('provider-xendit');
    await expect(xendit).toHaveAttribute('data-breaker', 'closed');
    await expect(xendit.getByTestId('provider-success')).toHaveText(/%/);
    await shot(admin, info, 'providers');

    // Audit log: the manager's decisions are there.
    await admin.getByTestId('nav-audit').click();
    const audit = admin.getByTestId('audit-table');
    await expect(audit).toContainText(offline.paymentId);
    await expect(audit).toContainText('webhook.replayed');
    await shot(admin, info, 'audit');

    // Reconciliation for today (WIB) and its CSV.
    await admin.getByTestId('nav-reconciliation').click();
    await expect(admin.getByTestId('recon-table')).toContainText(offline.paymentId);
    await expect(admin.getByTestId('recon-table')).toContainText(qrisId);
    await shot(admin, info, 'reconciliation');
    const [download] = await Promise.all([admin.waitForEvent('download'), admin.getByTestId('recon-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^reconciliation-.+-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    await download.saveAs(info.outputPath('reconciliation.csv'));
    await info.attach('reconciliation.csv', { path: info.outputPath('reconciliation.csv'), contentType: 'text/csv' });
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/payment_id/);
    const offlineLine = lines.find((l) => l.includes(offline.paymentId));
    expect(offlineLine).toBeDefined();
    expect(offlineLine).toContain(String(reviewAmount));
    expect(lines.find((l) => l.includes(qrisId))).toContain(String(qrisTotal));

    // Charts: 24 hourly bars holding this store's two payments (the offline one and the QRIS one, whichever
    // hours they fell in); the success-rate line has a point where a QRIS payment ended.
    await admin.getByTestId('nav-charts').click();
    const bars = admin.getByTestId('chart-per-hour').locator('rect.chart-bar');
    await expect(bars).toHaveCount(24);
    await expect(admin.getByTestId('charts-total-count')).toHaveText('2');
    const values = await bars.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    expect(values.reduce((a, b) => a + b, 0)).toBe(2);
    await expect(admin.getByTestId('chart-success').locator('circle.chart-dot').last()).toBeVisible();
    await shot(admin, info, 'charts');
  });

  test('imports a catalog CSV, adds a product and edits a price on the dashboard; the till shows each', async ({
    browser,
    page,
    till,
  }, info) => {
    await newManager(till, till.storeId, 'katalog@toko.test');
    await ready(page);
    const grid = page.getByTestId('product-grid');
    const admin = await adminPage(browser);
    await signIn(admin, till.system.serverUrl, 'katalog@toko.test');
    await admin.getByTestId('nav-catalog').click();
    await expect(admin.getByText(idStrings.catalog.none)).toBeVisible();

    // CSV import (a quoted name with a comma included); the till replaces its demo catalog with the store's.
    await admin.getByText(idStrings.catalog.import, { exact: true }).first().click();
    await admin.getByTestId('catalog-import-file').setInputFiles({
      name: 'katalog.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        'sku,name,price,category,barcode\n' +
          'KOPI-TB,Kopi Tubruk,4000,Minuman,8991000000101\n' +
          '"NASI-UDK","Nasi Uduk, Telur",12000,Makanan,\n',
      ),
    });
    await admin.getByTestId('catalog-import-submit').click();
    await expect(admin.getByTestId('catalog-import-result')).toContainText('2');
    await expect(admin.getByTestId('catalog-table').locator('tbody tr')).toHaveCount(2);
    await expect(admin.getByTestId('catalog-NASI-UDK')).toContainText('Nasi Uduk, Telur');
    await expect(grid.getByTestId(/^product-/)).toHaveCount(2, { timeout: 30_000 });
    await expect(page.getByTestId('product-KOPI-TB').locator('.price')).toHaveText(formatRupiah(4_000));

    // A new product, typed in the dialog from the keyboard.
    await admin.getByTestId('catalog-add').click();
    const dialog = admin.getByTestId('product-dialog');
    await dialog.getByTestId('product-name').fill('Teh Botol');
    await dialog.getByTestId('product-price').fill('5000');
    await expect(dialog.getByTestId('product-price')).toHaveValue('Rp 5.000');
    await dialog.getByTestId('product-sku').fill('TEH-BTL');
    await dialog.getByTestId('product-category').fill('Minuman');
    await dialog.getByTestId('product-category').press('Enter');
    await expect(admin.getByTestId('catalog-TEH-BTL').getByTestId('catalog-price')).toHaveText(formatRupiah(5_000));
    await expect(page.getByTestId('product-TEH-BTL').locator('.price')).toHaveText(formatRupiah(5_000), {
      timeout: 30_000,
    });

    // A price change: on the dashboard at once, on the till through its live socket.
    await admin.getByTestId('catalog-KOPI-TB').getByTestId('catalog-edit').click();
    await admin.getByTestId('product-dialog').getByTestId('product-price').fill('5500');
    await admin.getByTestId('product-dialog').getByTestId('product-save').click();
    await expect(admin.getByTestId('catalog-KOPI-TB').getByTestId('catalog-price')).toHaveText(formatRupiah(5_500));
    await expect(admin.getByTestId('catalog-saved')).toBeVisible();
    await shot(admin, info, 'catalog');
    await expect(page.getByTestId('product-KOPI-TB').locator('.price')).toHaveText(formatRupiah(5_500), {
      timeout: 30_000,
    });
    await shot(page, info, 'till-new-price');

    // A price of Rp 0 cannot be saved (the form says why); Escape closes the dialog and nothing changes.
    await admin.getByTestId('catalog-KOPI-TB').getByTestId('catalog-edit').click();
    await admin.getByTestId('product-dialog').getByTestId('product-price').fill('0');
    await expect(admin.getByTestId('product-dialog').getByTestId('product-save')).toBeDisabled();
    await admin.keyboard.press('Escape');
    await expect(admin.getByTestId('product-dialog')).toHaveCount(0);
    await expect(admin.getByTestId('catalog-KOPI-TB').getByTestId('catalog-price')).toHaveText(formatRupiah(5_500));
  });
});
