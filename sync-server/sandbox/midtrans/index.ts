/**
 * An API-compatible stand-in for the Midtrans Core API's QRIS flow, for development, tests and the demo. It
 * speaks Midtrans's wire format (paths, Basic auth with the server key, body `status_code`s and messages,
 * "N.00" amounts, GMT+7 times, QRIS strings with a valid CRC) and sends signed HTTP notifications with
 * Midtrans's retry policy. Facts and sources: ../shared/reference/providers.md §2.
 *
 * `timeScale` compresses waits (QR expiry, notification retries), not the timestamps written in bodies.
 * Not simulated: payment types other than qris, Snap, the v4 (ASPI-bordered) QR image, and payments of
 * QR codes this sandbox did not issue.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { type Chaos, WebhookDispatcher } from '../webhook-dispatcher.ts';
import { MIDTRANS_RETRY_POLICY, midtransNotifyFetch } from './notifications.ts';
import { defaultMerchantStaticQr, dynamicQr, isStaticQris, isValidQris, merchantIdOf } from './qr.ts';
import {
  type Acquirer,
  money,
  orderIdReusable,
  type Refund,
  refundedTotal,
  type Tx,
  type TxStatus,
  txBody,
  wib,
} from './transactions.ts';

export type MidtransSandboxOptions = {
  serverKey: string;
  /** The "Dashboard" notification URL; a charge may replace or extend it with X-Override/Append-Notification. */
  notificationUrl: string | null;
  /** Real ms per Midtrans ms: 1 = real time; 0.0001 plays the 15-minute expiry in 90 ms. */
  timeScale?: number;
  /**
   * Scale for QR expiry alone (default: timeScale). A whole-system run keeps expiry in real time, because the
   * server chose the deadline in real time, while still compressing the retry schedule.
   */
  expiryTimeScale?: number;
  chaos?: Partial<Chaos>;
  /** The store's printed static QRIS; a plausible GoPay-acquired one when absent. */
  merchantStaticQr?: string;
  logger?: boolean;
};

export type PayQrResult = { ok: true; transactionId: string } | { ok: false; code: string; message: string };

export type MidtransSandbox = {
  app: FastifyInstance;
  dispatcher: WebhookDispatcher;
  /** Pays a decoded QR string the way a customer's wallet app would. */
  payQr(qrString: string, opts?: { issuer?: string }): Promise<PayQrResult>;
  /** Lets a pending transaction (order_id or transaction_id) reach its expiry now. */
  expireNow(orderId: string): Promise<void>;
  /** True when this sandbox issued this QR string. */
  ownsQr(qrString: string): boolean;
  setNotificationUrl(url: string | null): void;
  /** Every refund this sandbox made, and how many refund calls it answered (replays and faults included). */
  refunds(): SandboxRefunds;
  /**
   * The next `count` refund calls answer HTTP 503: `before` refunding (nothing happens), or `after` refunding
   * (the refund is made and notified, but its answer is lost, as on a timeout).
   */
  failRefunds(count: number, when: 'before' | 'after'): void;
  close(): Promise<void>;
};

export type SandboxRefunds = {
  calls: number;
  refunds: {
    order_id: string;
    transaction_id: string;
    refund_key: string;
    refund_chargeback_id: number;
    amount: number;
    reason: string;
    created_at: number;
    transaction_status: TxStatus;
  }[];
};

/** A direct refund with this reason is "denied by the bank" (202), the way an issuer can refuse one. */
export const MIDTRANS_SANDBOX_DENY_REFUND_REASON = 'sandbox:deny-by-bank';

const DEFAULT_EXPIRY_MS = 15 * 60_000; // GoPay/QRIS default (reference §2.2)
const QRIS_MAX_AMOUNT = 10_000_000;
const UNIT_MS = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
const ORDER_ID_RE = /^[A-Za-z0-9\-_.~]{1,50}$/;
const ORDER_TIME_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;
const MAX_TIMER_MS = 2 ** 31 - 1;

type Body = Record<string, unknown>;

/** Midtrans answers every outcome with a body whose `status_code` is the real verdict. */
function midtransError(statusCode: number, message: string, extra: Body = {}): Body {
  return { status_code: String(statusCode), status_message: message, id: randomUUID(), ...extra };
}

const CANNOT_MODIFY = 'Merchant cannot modify the status of the transaction';

export async function createMidtransSandbox(opts: MidtransSandboxOptions): Promise<MidtransSandbox> {
  const timeScale = opts.timeScale ?? 1;
  const expiryScale = opts.expiryTimeScale ?? timeScale;
  const staticQr = opts.merchantStaticQr ?? defaultMerchantStaticQr();
  if (!isStaticQris(staticQr)) throw new Error('merchantStaticQr is not a valid static QRIS payload');
  const merchantId = merchantIdOf(staticQr);
  const dispatcher = new WebhookDispatcher({
    policy: MIDTRANS_RETRY_POLICY,
    timeScale,
    ...(opts.chaos ? { chaos: opts.chaos } : {}),
    fetch: midtransNotifyFetch(),
  });
  const keyDigest = createHash('sha256').update(`${opts.serverKey}:`).digest();

  const txs = new Map<string, Tx>(); // by transaction_id
  const byOrder = new Map<string, Tx>(); // order_id → its latest transaction
  const byQr = new Map<string, Tx>();
  const expiryTimers = new Map<string, NodeJS.Timeout>();
  let dashboardUrl = opts.notificationUrl;
  let refundSeq = 0;

  const find = (id: string) => txs.get(id) ?? byOrder.get(id);

  function notify(tx: Tx): void {
    const urls = tx.overrideUrls ?? [dashboardUrl, ...tx.appendUrls].filter((u): u is string => u !== null);
    const body = JSON.stringify(txBody(tx, opts.serverKey, 'notification'));
    const headers = { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'Veritrans' };
    for (const url of urls) dispatcher.send({ url, headers, body });
  }

  function moveTo(tx: Tx, status: TxStatus): void {
    tx.status = status;
    if (status !== 'pending') {
      clearTimeout(expiryTimers.get(tx.transactionId));
      expiryTimers.delete(tx.transactionId);
    }
    notify(tx);
  }

  /** Expiry runs on scaled time; a deadline beyond setTimeout's ~24.8-day range is reached in hops. */
  function scheduleExpiry(tx: Tx, dueReal = Date.now() + Math.max(0, (tx.expiresAt - Date.now()) * expiryScale)): void {
    const t = setTimeout(
      () => {
        expiryTimers.delete(tx.transactionId);
        if (Date.now() < dueReal) scheduleExpiry(tx, dueReal);
        else if (tx.status === 'pending') moveTo(tx, 'expire');
      },
      Math.min(MAX_TIMER_MS, Math.max(0, dueReal - Date.now())),
    );
    t.unref();
    expiryTimers.set(tx.transactionId, t);
  }

  function authorised(req: FastifyRequest): boolean {
    const h = req.headers.authorization;
    if (typeof h !== 'string' || !/^basic /i.test(h)) return false;
    const given = createHash('sha256')
      .update(Buffer.from(h.slice(6).trim(), 'base64'))
      .digest();
    return timingSafeEqual(given, keyDigest);
  }

  async function requireKey(req: FastifyRequest, reply: FastifyReply) {
    if (!authorised(req)) return reply.status(401).send(midtransError(401, 'Unknown Merchant server_key/id'));
  }

  function reply(r: FastifyReply, body: Body) {
    // Success-class bodies (200/201/202/407) travel as HTTP 200; errors carry their code as the HTTP status too.
    const code = Number(body.status_code);
    return r.status(code >= 400 && code !== 407 ? code : 200).send(body);
  }

  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: 64 * 1024 });
  // Clients send cancel/expire as a JSON POST with no body at all; Midtrans accepts that, so an empty body is
  // "no parameters" here instead of Fastify's empty-JSON error.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
    if (String(text).trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(String(text)));
    } catch {
      done(Object.assign(new Error('request body is not valid JSON'), { statusCode: 400 }), undefined);
    }
  });

  app.setErrorHandler((error: { statusCode?: number; message: string }, _req, r) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) return r.status(500).send(midtransError(500, 'Sorry, an internal server error occurred'));
    return r.status(400).send(
      midtransError(400, 'One or more parameters in the payload is invalid.', {
        validation_messages: [error.message],
      }),
    );
  });
  app.setNotFoundHandler((_req, r) => r.status(404).send(midtransError(404, 'The requested resource is not found')));

  app.post('/v2/charge', { onRequest: requireKey }, async (req, r) => {
    const parsed = parseCharge(req.body);
    if ('errors' in parsed) {
      return reply(
        r,
        midtransError(400, 'One or more parameters in the payload is invalid.', { validation_messages: parsed.errors }),
      );
    }
    const urls = notificationHeaders(req);
    if ('error' in urls) {
      return reply(
        r,
        midtransError(400, 'One or more parameters in the payload is invalid.', { validation_messages: [urls.error] }),
      );
    }
    const { orderId, amount, acquirer, orderTime, expiryMs } = parsed;
    const previous = byOrder.get(orderId);
    if (previous && !orderIdReusable(previous)) {
      return reply(r, midtransError(406, 'Duplicate order ID. Order ID has already been utilized previously.'));
    }
    const transactionId = randomUUID();
    const createdAt = Date.now();
    const tx: Tx = {
      transactionId,
      orderId,
      grossAmount: amount,
      acquirer,
      merchantId,
      // Each QR carries its own reference label (62/05), so two QRs for the same amount never collide.
      qrString: dynamicQr(staticQr, amount, transactionId),
      status: 'pending',
      createdAt,
      expiresAt: (orderTime ?? createdAt) + expiryMs,
      settledAt: null,
      issuer: null,
      overrideUrls: urls.override,
      appendUrls: urls.append,
      refunds: [],
    };
    txs.set(transactionId, tx);
    byOrder.set(orderId, tx);
    byQr.set(tx.qrString, tx);
    scheduleExpiry(tx);
    notify(tx);
    const base = `${req.protocol}://${req.host}`;
    return reply(r, {
      status_code: '201',
      status_message: 'QRIS transaction is created',
      transaction_id: transactionId,
      order_id: orderId,
      merchant_id: merchantId,
      gross_amount: money(amount),
      currency: 'IDR',
      payment_type: 'qris',
      transaction_time: wib(createdAt),
      transaction_status: 'pending',
      fraud_status: 'accept',
      actions: [{ name: 'generate-qr-code', method: 'GET', url: `${base}/v2/qris/${transactionId}/qr-code` }],
      qr_string: tx.qrString,
      acquirer,
      expiry_time: wib(tx.expiresAt),
    });
  });

  app.get<{ Params: { id: string } }>('/v2/:id/status', { onRequest: requireKey }, async (req, r) => {
    const tx = find(req.params.id);
    // Observed on the real API: an unknown id is answered HTTP 200 with a "404" body (the body decides).
    if (!tx) return r.status(200).send(midtransError(404, "Transaction doesn't exist."));
    return reply(r, txBody(tx, opts.serverKey, 'status'));
  });

  app.post<{ Params: { id: string } }>('/v2/:id/cancel', { onRequest: requireKey }, async (req, r) => {
    const tx = find(req.params.id);
    if (!tx) return reply(r, midtransError(404, "Transaction doesn't exist."));
    if (tx.status !== 'pending') return reply(r, midtransError(412, CANNOT_MODIFY));
    moveTo(tx, 'cancel');
    return reply(r, { ...summary(tx), status_code: '200', status_message: 'Success, transaction is canceled' });
  });

  app.post<{ Params: { id: string } }>('/v2/:id/expire', { onRequest: requireKey }, async (req, r) => {
    const tx = find(req.params.id);
    if (!tx) return reply(r, midtransError(404, "Transaction doesn't exist."));
    if (tx.status !== 'pending') return reply(r, midtransError(412, CANNOT_MODIFY));
    moveTo(tx, 'expire');
    return reply(r, { ...summary(tx), status_code: '407', status_message: 'Success, transaction has expired' });
  });

  let refundCalls = 0;
  const refundFaults = { count: 0, when: 'before' as 'before' | 'after' };
  const unavailable = () => midtransError(503, 'Sorry, we are experiencing an internal server error');
  const refundRoute = (direct: boolean) => async (req: FastifyRequest<{ Params: { id: string } }>, r: FastifyReply) => {
    refundCalls++;
    if (refundFaults.count > 0) {
      refundFaults.count--;
      if (refundFaults.when === 'after') refund(req.params.id, req.body, direct);
      return reply(r, unavailable());
    }
    return reply(r, refund(req.params.id, req.body, direct));
  };
  function refundsView(): SandboxRefunds {
    const refunds = [...txs.values()].flatMap((tx) =>
      tx.refunds.map((x) => ({
        order_id: tx.orderId,
        transaction_id: tx.transactionId,
        refund_key: x.refundKey,
        refund_chargeback_id: x.refundChargebackId,
        amount: x.amount,
        reason: x.reason,
        created_at: x.createdAt,
        transaction_status: tx.status,
      })),
    );
    return { calls: refundCalls, refunds };
  }
  // The sandbox's own window on its books, for tests and the dashboard walk-through: not part of Midtrans's API.
  app.get('/_sandbox/refunds', async () => refundsView());
  app.post('/_sandbox/faults', async (req, r) => {
    const b = req.body as { refund?: { count?: unknown; when?: unknown } } | undefined;
    const count = b?.refund?.count;
    const when = b?.refund?.when ?? 'before';
    if (
      typeof count !== 'number' ||
      !Number.isSafeInteger(count) ||
      count < 0 ||
      (when !== 'before' && when !== 'after')
    ) {
      return r
        .status(400)
        .send({ code: 'INVALID_INPUT', message: "expected {refund: {count, when: 'before'|'after'}}" });
    }
    refundFaults.count = count;
    refundFaults.when = when;
    return { refund: refundFaults };
  });
  app.post<{ Params: { id: string } }>('/v2/:id/refund', { onRequest: requireKey }, refundRoute(false));
  app.post<{ Params: { id: string } }>('/v2/:id/refund/online/direct', { onRequest: requireKey }, refundRoute(true));

  // The QR image URL from `actions` is meant for a customer-facing screen: Midtrans serves it without auth.
  app.get<{ Params: { id: string } }>('/v2/qris/:id/qr-code', async (req, r) => {
    const tx = txs.get(req.params.id);
    if (!tx) return reply(r, midtransError(404, 'The requested resource is not found'));
    const png = await QRCode.toBuffer(tx.qrString, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 6 });
    return r.type('image/png').send(png);
  });

  // The wallet side: what a customer's app does after decoding the QR.
  app.post('/_sandbox/pay', async (req, r) => {
    const b = req.body as Body | undefined;
    if (!b || typeof b.qr_string !== 'string' || (b.issuer !== undefined && typeof b.issuer !== 'string')) {
      return r.status(400).send({ code: 'INVALID_INPUT', message: 'expected {qr_string, issuer?}' });
    }
    const result = await payQr(b.qr_string, b.issuer === undefined ? {} : { issuer: b.issuer });
    if (result.ok) return r.send({ transaction_id: result.transactionId });
    const status = result.code === 'INVALID_QR' ? 400 : result.code === 'QR_NOT_FOUND' ? 404 : 409;
    return r.status(status).send({ code: result.code, message: result.message });
  });

  app.addHook('onClose', async () => {
    for (const t of expiryTimers.values()) clearTimeout(t);
    expiryTimers.clear();
    dispatcher.close();
  });

  function summary(tx: Tx): Body {
    return {
      transaction_id: tx.transactionId,
      order_id: tx.orderId,
      merchant_id: tx.merchantId,
      gross_amount: money(tx.grossAmount),
      currency: 'IDR',
      payment_type: 'qris',
      transaction_time: wib(tx.createdAt),
      transaction_status: tx.status,
      fraud_status: 'accept',
    };
  }

  function refund(id: string, raw: unknown, direct: boolean): Body {
    const tx = find(id);
    if (!tx) return midtransError(404, "Transaction doesn't exist.");
    const b = (raw ?? {}) as Body;
    const errors: string[] = [];
    if (typeof b !== 'object' || Array.isArray(b)) errors.push('body must be a JSON object');
    if (
      b.refund_key !== undefined &&
      (typeof b.refund_key !== 'string' || !/^[A-Za-z0-9\-_.~]{1,50}$/.test(b.refund_key))
    ) {
      errors.push('refund_key must be up to 50 alphanumeric, "-", "_", "~" or "." characters');
    }
    if (b.amount !== undefined && (typeof b.amount !== 'number' || !Number.isSafeInteger(b.amount) || b.amount < 1)) {
      errors.push('amount must be a positive integer');
    }
    if (b.reason !== undefined && (typeof b.reason !== 'string' || b.reason.length > 255)) {
      errors.push('reason must be a string of at most 255 characters');
    }
    if (errors.length > 0)
      return midtransError(400, 'One or more parameters in the payload is invalid.', { validation_messages: errors });
    const key = (b.refund_key as string | undefined) ?? randomUUID();
    // A refund_key already used answers with the same refund: a retried request must not refund twice.
    const earlier = tx.refunds.find((x) => x.refundKey === key);
    if (earlier) return earlier.response;
    if (tx.status !== 'settlement' && tx.status !== 'partial_refund') return midtransError(412, CANNOT_MODIFY);
    const remaining = tx.grossAmount - refundedTotal(tx);
    const amount = (b.amount as number | undefined) ?? remaining;
    if (amount > remaining) return midtransError(412, 'Refund amount exceeds the refundable amount of the transaction');
    const reason = (b.reason as string | undefined) ?? '';
    if (direct && reason === MIDTRANS_SANDBOX_DENY_REFUND_REASON) {
      // Denied refunds change nothing and send no notification (reference §2.3).
      return {
        ...summary(tx),
        status_code: '202',
        status_message: 'Refund denied by the bank',
        refund_amount: money(0),
        refund_key: key,
      };
    }
    const r: Refund = {
      refundChargebackId: ++refundSeq,
      refundKey: key,
      amount,
      reason,
      createdAt: Date.now(),
      response: {},
    };
    tx.refunds.push(r);
    moveTo(tx, amount === remaining ? 'refund' : 'partial_refund');
    r.response = {
      ...summary(tx),
      status_code: '200',
      status_message: direct
        ? 'Success, refund request is approved by the bank'
        : 'Success, refund request is approved',
      refund_chargeback_id: r.refundChargebackId,
      refund_amount: money(amount),
      refund_key: key,
    };
    return r.response;
  }

  async function payQr(qrString: string, o: { issuer?: string } = {}): Promise<PayQrResult> {
    if (!isValidQris(qrString))
      return { ok: false, code: 'INVALID_QR', message: 'not a valid QRIS payload (bad TLV or CRC)' };
    const tx = byQr.get(qrString);
    if (!tx) return { ok: false, code: 'QR_NOT_FOUND', message: 'this sandbox did not issue this QR code' };
    switch (tx.status) {
      case 'pending':
        break;
      case 'expire':
        return { ok: false, code: 'QR_EXPIRED', message: 'the QR code has expired' };
      case 'cancel':
        return { ok: false, code: 'QR_CANCELLED', message: 'the transaction was cancelled' };
      default:
        return { ok: false, code: 'ALREADY_PAID', message: 'this QR code has already been paid' };
    }
    const issuer = (o.issuer ?? 'gopay').trim().toLowerCase().slice(0, 40) || 'gopay';
    tx.issuer = issuer;
    tx.settledAt = Date.now();
    moveTo(tx, 'settlement');
    return { ok: true, transactionId: tx.transactionId };
  }

  /** X-Override-Notification replaces the Dashboard URL, X-Append-Notification adds to it; ≤3 URLs each. */
  function notificationHeaders(
    req: FastifyRequest,
  ): { override: string[] | null; append: string[] } | { error: string } {
    const list = (name: string): string[] | null | { error: string } => {
      const v = req.headers[name];
      if (v === undefined) return null;
      const urls = (Array.isArray(v) ? v.join(',') : v)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (urls.length === 0 || urls.length > 3 || !urls.every(isHttpUrl)) {
        return { error: `${name} must be 1 to 3 comma-separated http(s) URLs` };
      }
      return urls;
    };
    const override = list('x-override-notification');
    const append = list('x-append-notification');
    if (override && 'error' in override) return override;
    if (append && 'error' in append) return append;
    return { override, append: append ?? [] };
  }

  return {
    app,
    dispatcher,
    payQr,
    async expireNow(id) {
      const tx = find(id);
      if (!tx) throw new Error(`no Midtrans sandbox transaction ${id}`);
      if (tx.status === 'pending') moveTo(tx, 'expire');
    },
    ownsQr: (qrString) => byQr.has(qrString),
    refunds: refundsView,
    failRefunds(count, when) {
      refundFaults.count = count;
      refundFaults.when = when;
    },
    setNotificationUrl(url) {
      dashboardUrl = url;
    },
    async close() {
      await app.close();
    },
  };
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

type ParsedCharge =
  | { orderId: string; amount: number; acquirer: Acquirer; orderTime: number | null; expiryMs: number }
  | { errors: string[] };

/** Validates a /v2/charge body the way Midtrans reports it: every problem at once, in validation_messages. */
function parseCharge(raw: unknown): ParsedCharge {
  const errors: string[] = [];
  const b = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Body;
  if (b.payment_type === undefined) errors.push('payment_type is required');
  else if (b.payment_type !== 'qris') errors.push('payment_type is not supported by this sandbox (only qris)');

  const td = (
    typeof b.transaction_details === 'object' && b.transaction_details !== null ? b.transaction_details : null
  ) as Body | null;
  if (!td) errors.push('transaction_details is required');
  const orderId = td?.order_id;
  if (td && orderId === undefined) errors.push('transaction_details.order_id is required');
  else if (td && (typeof orderId !== 'string' || !ORDER_ID_RE.test(orderId))) {
    errors.push('transaction_details.order_id must be up to 50 alphanumeric, "-", "_", "~" or "." characters');
  }
  const amount = td?.gross_amount;
  if (td && amount === undefined) errors.push('transaction_details.gross_amount is required');
  else if (td && (typeof amount !== 'number' || !Number.isSafeInteger(amount))) {
    errors.push('transaction_details.gross_amount must be an integer');
  } else if (td && ((amount as number) < 1 || (amount as number) > QRIS_MAX_AMOUNT)) {
    errors.push(`transaction_details.gross_amount must be between 1 and ${QRIS_MAX_AMOUNT} for QRIS`);
  }

  const q = b.qris as Body | undefined;
  const acquirer = q?.acquirer ?? 'gopay';
  if (q !== undefined && (typeof q !== 'object' || q === null)) errors.push('qris must be an object');
  else if (acquirer !== 'gopay' && acquirer !== 'airpay shopee')
    errors.push('qris.acquirer must be one of gopay, airpay shopee');

  let orderTime: number | null = null;
  let expiryMs = DEFAULT_EXPIRY_MS;
  const ce = b.custom_expiry as Body | undefined;
  if (ce !== undefined) {
    if (typeof ce !== 'object' || ce === null) errors.push('custom_expiry must be an object');
    else {
      if (ce.order_time !== undefined) {
        orderTime = typeof ce.order_time === 'string' ? parseOrderTime(ce.order_time) : null;
        if (orderTime === null) errors.push('custom_expiry.order_time must be formatted as yyyy-MM-dd HH:mm:ss Z');
      }
      const unit = ce.unit ?? 'minute';
      const d = ce.expiry_duration;
      if (typeof unit !== 'string' || !Object.hasOwn(UNIT_MS, unit)) {
        errors.push('custom_expiry.unit must be one of second, minute, hour, day');
      } else if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 1) {
        errors.push('custom_expiry.expiry_duration must be a positive integer');
      } else {
        expiryMs = d * UNIT_MS[unit as keyof typeof UNIT_MS];
      }
    }
  }
  if (errors.length > 0) return { errors };
  return { orderId: orderId as string, amount: amount as number, acquirer: acquirer as Acquirer, orderTime, expiryMs };
}

function parseOrderTime(s: string): number | null {
  const m = ORDER_TIME_RE.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, se, sign, oh, om] = m;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
  const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 3_600_000 + Number(om) * 60_000);
  return Number.isFinite(local) ? local - offset : null;
}
