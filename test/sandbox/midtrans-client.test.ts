/**
 * The official `midtrans-client` SDK against the sandbox: if Midtrans's own client accepts the sandbox's
 * answers (and rejects its errors) the way it treats api.midtrans.com, the wire format is right.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeQris } from '../../shared/qris/index.ts';
import { createMidtransSandbox, type MidtransSandbox } from '../../sync-server/sandbox/midtrans/index.ts';

type Json = Record<string, unknown>;
type CoreApi = {
  apiConfig: { getCoreApiBaseUrl: () => string };
  charge(p: Json): Promise<Json>;
  transaction: {
    status(id: string): Promise<Json>;
    cancel(id: string): Promise<Json>;
    expire(id: string): Promise<Json>;
    refundDirect(id: string, p: Json): Promise<Json>;
    notification(n: Json | string): Promise<Json>;
  };
};
type MidtransErrorLike = Error & { httpStatusCode: number | string | null; ApiResponse: Json | null };

// CommonJS package: loaded the way a Node ESM app would.
const require = createRequire(import.meta.url);
const midtransClient = require('midtrans-client') as {
  CoreApi: new (o: { isProduction: boolean; serverKey: string; clientKey: string }) => CoreApi;
  MidtransError: new (...a: unknown[]) => MidtransErrorLike;
};

const KEY = 'SB-Mid-server-midtrans-client-test';

describe('midtrans-client (official SDK) against the sandbox', () => {
  let sb: MidtransSandbox;
  let url: string;
  let core: CoreApi;

  beforeAll(async () => {
    sb = await createMidtransSandbox({ serverKey: KEY, notificationUrl: null, timeScale: 0.001 });
    url = await sb.app.listen({ host: '127.0.0.1', port: 0 });
    core = new midtransClient.CoreApi({ isProduction: false, serverKey: KEY, clientKey: 'SB-Mid-client-test' });
    // The constructor ignores URL options (reference §2.5); this instance-level override leaves others alone.
    core.apiConfig.getCoreApiBaseUrl = () => url;
  });
  afterAll(() => sb.close());

  const qrisCharge = (orderId: string, amount: number) => ({
    payment_type: 'qris',
    transaction_details: { order_id: orderId, gross_amount: amount },
    qris: { acquirer: 'gopay' },
  });

  it('charges QRIS, reads the status and cancels it', async () => {
    const orderId = `kasir-${randomUUID()}`;
    const charged = await core.charge(qrisCharge(orderId, 275000));
    expect(charged).toMatchObject({
      status_code: '201',
      order_id: orderId,
      gross_amount: '275000.00',
      transaction_status: 'pending',
    });
    expect(describeQris(charged.qr_string as string)).toMatchObject({ valid: true, amount: 275000 });

    const status = await core.transaction.status(orderId);
    expect(status).toMatchObject({
      status_code: '201',
      transaction_status: 'pending',
      transaction_id: charged.transaction_id,
    });

    const cancelled = await core.transaction.cancel(orderId);
    expect(cancelled).toMatchObject({ status_code: '200', transaction_status: 'cancel' });
    expect(await core.transaction.status(charged.transaction_id as string)).toMatchObject({
      transaction_status: 'cancel',
    });
  });

  it('surfaces sandbox errors as MidtransError with the body status_code', async () => {
    const orderId = randomUUID();
    await core.charge(qrisCharge(orderId, 1000));
    await core.transaction.cancel(orderId);
    const again = await core.transaction.cancel(orderId).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(midtransClient.MidtransError);
    expect((again as MidtransErrorLike).httpStatusCode).toBe(412);

    // A cancelled order_id may be charged again; while that charge is pending it may not.
    expect(await core.charge(qrisCharge(orderId, 1000))).toMatchObject({ status_code: '201' });
    const dup = await core.charge(qrisCharge(orderId, 1000)).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(midtransClient.MidtransError);
    expect((dup as MidtransErrorLike).httpStatusCode).toBe(406);
  });

  it('treats the 407 expire answer as success and an unknown id as an error', async () => {
    const orderId = randomUUID();
    await core.charge(qrisCharge(orderId, 1000));
    expect(await core.transaction.expire(orderId)).toMatchObject({ status_code: '407', transaction_status: 'expire' });
    expect(await core.transaction.status(orderId)).toMatchObject({ status_code: '407', transaction_status: 'expire' });

    const missing = await core.transaction.status(randomUUID()).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(midtransClient.MidtransError);
    expect((missing as MidtransErrorLike).ApiResponse).toMatchObject({ status_code: '404' });
  });

  it('rejects a wrong server key with 401', async () => {
    const wrong = new midtransClient.CoreApi({ isProduction: false, serverKey: 'SB-Mid-server-nope', clientKey: '' });
    wrong.apiConfig.getCoreApiBaseUrl = () => url;
    const e = await wrong.charge(qrisCharge(randomUUID(), 1000)).catch((x: unknown) => x);
    expect((e as MidtransErrorLike).httpStatusCode).toBe(401);
  });

  it('pays, refunds directly and reads the notification through the SDK', async () => {
    const orderId = randomUUID();
    const charged = await core.charge(qrisCharge(orderId, 50000));
    expect((await sb.payQr(charged.qr_string as string)).ok).toBe(true);
    const refund = await core.transaction.refundDirect(orderId, {
      refund_key: 'r-1',
      amount: 20000,
      reason: 'returned item',
    });
    expect(refund).toMatchObject({
      status_code: '200',
      transaction_status: 'partial_refund',
      refund_amount: '20000.00',
    });
    // notification() re-reads the status by transaction_id, the way an integrator confirms a webhook.
    const n = await core.transaction.notification({ transaction_id: charged.transaction_id });
    expect(n).toMatchObject({ order_id: orderId, transaction_status: 'partial_refund', gross_amount: '50000.00' });
  });
});
