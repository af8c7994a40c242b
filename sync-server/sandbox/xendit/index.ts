/**
 * An API-compatible stand-in for Xendit's QR Codes API (api-version 2022-07-31), for development, tests and
 * the demo. It speaks Xendit's wire format (paths, Basic auth, error bodies, test amounts, QRIS strings with a
 * valid CRC) and delivers `qr.payment` callbacks with Xendit's retry schedule. Facts and sources:
 * ../shared/reference/providers.md §1. A payer endpoint plays the customer's wallet app.
 *
 * Not simulated: the V1 (2020-07-01) API, STATIC QR creation through the API, the refund test amounts other
 * than 10300, and refund callbacks (their payload is not documented anywhere we could read).
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type Chaos, type RetryPolicy, WebhookDispatcher } from '../webhook-dispatcher.ts';
import { type PaymentRecord, type QrRecord, type RefundRecord, XenditLedger } from './ledger.ts';
import { defaultMerchantStaticQr, dynamicQrString, isFromMerchantQr, qrAmount, staticQrString } from './qr.ts';

export type XenditSandboxOptions = {
  secretKey: string;
  callbackToken: string;
  callbackUrl: string | null;
  /** Real ms per Xendit ms for retries and refund settlement: 1 = real time, 0.0001 in tests. */
  timeScale?: number;
  chaos?: Partial<Chaos>;
  /** The store's printed static QRIS; a plausible Xendit-acquired one when absent. */
  merchantStaticQr?: string;
  /**
   * Whether a payment to a STATIC QR is called back with the string the payer scanned (which carries the till's
   * 62/05 reference label) rather than the static QR's own string. Xendit's behaviour here is not documented
   * (reference §1.6): tests run both ways.
   */
  echoScannedQr?: boolean;
  logger?: boolean;
  /** The sandbox clock (epoch ms) for expiry; injected by tests. */
  now?: () => number;
};

export type PayResult = { ok: true; paymentId: string } | { ok: false; code: string; message: string };

export type XenditSandbox = {
  app: FastifyInstance;
  dispatcher: WebhookDispatcher;
  /** Pays a decoded QR string the way a customer's wallet app would. */
  payQr(qrString: string, opts?: { source?: string }): Promise<PayResult>;
  /** True when this string is one of our QR codes, or derived from the merchant's static QR (an offline QR). */
  ownsQr(qrString: string): boolean;
  setCallbackUrl(url: string | null): void;
  /** See XenditSandboxOptions.echoScannedQr. */
  setEchoScannedQr(echo: boolean): void;
  /** Every refund this sandbox made, and how many refund calls it answered (replays and faults included). */
  refunds(): SandboxRefunds;
  /**
   * The next `count` refund calls answer HTTP 503: `before` refunding (nothing happens), or `after` refunding
   * (the refund is made, but its answer is lost, as on a timeout).
   */
  failRefunds(count: number, when: 'before' | 'after'): void;
  close(): Promise<void>;
};

export type SandboxRefunds = {
  calls: number;
  refunds: (RefundRecord & { reference_id: string | null; qr_id: string | null; idempotency_key: string | null })[];
};

const HOUR = 60 * 60 * 1000;
/** Xendit retries a failed callback 6 times, each gap measured from the previous try (reference §1.6). */
export const XENDIT_RETRY_SCHEDULE_MS = [15 * 60 * 1000, 45 * 60 * 1000, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR];
/** Xendit waits 30 s for an answer; a callback that timed out is not retried automatically (reference §1.6). */
export const XENDIT_CALLBACK_TIMEOUT_MS = 30_000;
/** Default lifetime of a dynamic QR without expires_at. Xendit's default is not documented; QRIS requests use 48 h. */
const DEFAULT_QR_LIFETIME_MS = 48 * HOUR;
/** How long the issuer takes to confirm a refund, in Xendit time. */
const REFUND_SETTLE_MS = 10_000;
/** Create-QR test amounts (docs.xendit.co/qr-codes/test-scenarios). */
const CREATE_TEST_ERRORS: Record<number, [number, string, string]> = {
  10100: [
    403,
    'CHANNEL_NOT_ACTIVATED',
    'Payment request failed because this specific payment channel has not been activated through Xendit',
  ],
  10101: [503, 'CHANNEL_UNAVAILABLE', 'The payment channel requested is currently experiencing unexpected issues'],
  10102: [
    500,
    'SERVER_ERROR',
    'An unexpected error occured, our team has been notified and will troubleshoot the issue',
  ],
};

export const xenditRetryPolicy: RetryPolicy = {
  scheduleMs: XENDIT_RETRY_SCHEDULE_MS,
  timeoutMs: XENDIT_CALLBACK_TIMEOUT_MS,
  retriesFor: (status) => (status === null ? 0 : XENDIT_RETRY_SCHEDULE_MS.length),
};

/**
 * The dispatcher reports both a timeout and a refused connection as "no status". Xendit retries the second
 * (the event is FAILED) but not the first, so a connection failure is reported as 599, a status no receiver
 * sends, and only a timeout stays without a status.
 */
export const CONNECTION_FAILED_STATUS = 599;
function callbackFetch(base: typeof fetch): typeof fetch {
  return async (input, init) => {
    try {
      return await base(input, init);
    } catch (e) {
      if (init?.signal?.aborted) throw e;
      return new Response(null, { status: CONNECTION_FAILED_STATUS });
    }
  };
}

const CreateQrSchema = z.looseObject({
  reference_id: z.string().min(1).max(255),
  type: z.enum(['DYNAMIC', 'STATIC']),
  currency: z.literal('IDR'),
  amount: z.number().optional(),
  channel_code: z.string().optional(),
  expires_at: z.iso.datetime({ offset: true }).optional(),
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
});
const SimulateSchema = z.looseObject({ amount: z.number().optional() }).optional();
const RefundSchema = z
  .looseObject({ amount: z.number().optional(), reason: z.string().max(255).optional() })
  .optional();
const PaySchema = z.object({ qr_string: z.string().min(1), source: z.string().min(1).max(50).optional() });

class XenditHttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function createXenditSandbox(opts: XenditSandboxOptions): Promise<XenditSandbox> {
  const now = opts.now ?? Date.now;
  const timeScale = opts.timeScale ?? 1;
  const ledger = new XenditLedger(now);
  const businessId = randomBytes(12).toString('hex');
  const staticQr = opts.merchantStaticQr ?? defaultMerchantStaticQr();
  let callbackUrl = opts.callbackUrl;
  let echoScanned = opts.echoScannedQr ?? true;
  const dispatcher = new WebhookDispatcher({
    policy: xenditRetryPolicy,
    timeScale,
    fetch: callbackFetch(fetch),
    ...(opts.chaos ? { chaos: opts.chaos } : {}),
  });
  const timers = new Set<NodeJS.Timeout>();

  // The printed static QR is itself a Xendit QR code: offline QRs derived from it are payments to it.
  const merchantQr: QrRecord = {
    id: `qr_${randomUUID()}`,
    reference_id: 'merchant-static-qr',
    type: 'STATIC',
    currency: 'IDR',
    channel_code: 'ID_XENDIT',
    amount: null,
    expiresAt: null,
    qr_string: staticQr,
    created: now(),
    updated: now(),
    metadata: null,
  };
  ledger.addQr(merchantQr);

  const qrView = (qr: QrRecord) => ({
    id: qr.id,
    reference_id: qr.reference_id,
    business_id: businessId,
    type: qr.type,
    currency: qr.currency,
    amount: qr.amount,
    channel_code: qr.channel_code,
    expires_at: qr.expiresAt === null ? null : iso(qr.expiresAt),
    qr_string: qr.qr_string,
    status: ledger.statusOf(qr),
    created: iso(qr.created),
    updated: iso(qr.updated),
    metadata: qr.metadata,
    basket: null,
  });

  const paymentView = (p: PaymentRecord, qrString = ledger.qrs.get(p.qr_id)?.qr_string) => {
    const qr = ledger.qrs.get(p.qr_id);
    return {
      id: p.id,
      business_id: businessId,
      currency: 'IDR',
      amount: p.amount,
      status: p.status,
      created: iso(p.created),
      qr_id: p.qr_id,
      qr_string: qrString ?? null,
      reference_id: qr?.reference_id ?? null,
      type: qr?.type ?? 'DYNAMIC',
      channel_code: qr?.channel_code ?? 'ID_XENDIT',
      expires_at: qr?.expiresAt == null ? null : iso(qr.expiresAt),
      description: '',
      basket: null,
      metadata: qr?.metadata ?? null,
      payment_detail: { receipt_id: p.receipt_id, source: p.source, name: null, account_details: null },
    };
  };

  const refundView = (r: RefundRecord) => {
    const p = ledger.payments.get(r.qrpy_id);
    return {
      id: r.id,
      qrpy_id: r.qrpy_id,
      qr_id: p?.qr_id ?? null,
      status: r.status,
      currency: 'IDR',
      payment_amount: p?.amount ?? null,
      refund_amount: r.amount,
      reason: r.reason,
      channel_code: ledger.qrs.get(p?.qr_id ?? '')?.channel_code ?? 'ID_XENDIT',
      created: iso(r.created),
      updated: iso(r.updated),
    };
  };

  /** Sends the 2022-07-31 `qr.payment` callback (shape X-A). With no URL set Xendit does not send or retry. */
  function sendCallback(p: PaymentRecord, qrString: string): void {
    if (callbackUrl === null) return;
    const body = {
      event: 'qr.payment',
      api_version: '2022-07-31',
      business_id: businessId,
      created: iso(p.created),
      data: paymentView(p, qrString),
    };
    dispatcher.send({
      url: callbackUrl,
      headers: {
        'content-type': 'application/json',
        'x-callback-token': opts.callbackToken,
        // One id per event, the same on every retry and duplicate.
        'webhook-id': `whk_${p.id.slice('qrpy_'.length)}`,
      },
      body: JSON.stringify(body),
    });
  }

  function payAndNotify(qr: QrRecord, amount: number, source: string, paidString: string): PayResult {
    const r = ledger.pay(qr, amount, source);
    if (!r.ok) return r;
    sendCallback(r.payment, paidString);
    return { ok: true, paymentId: r.payment.id };
  }

  async function payQr(qrString: string, payOpts: { source?: string } = {}): Promise<PayResult> {
    const source = payOpts.source ?? 'DANA';
    const qr = ledger.qrByString(qrString);
    if (qr) {
      if (qr.amount === null) return { ok: false, code: 'AMOUNT_REQUIRED', message: 'This QR code has no amount' };
      return payAndNotify(qr, qr.amount, source, qrString);
    }
    const origin = [...ledger.qrs.values()].find((q) => q.type === 'STATIC' && isFromMerchantQr(qrString, q.qr_string));
    if (origin) {
      // An offline QR the till derived from a static QR: the wallet pays the amount it carries, to the static QR.
      const amount = qrAmount(qrString);
      if (amount === null) return { ok: false, code: 'AMOUNT_REQUIRED', message: 'This QR code has no amount' };
      return payAndNotify(origin, amount, source, echoScanned ? qrString : origin.qr_string);
    }
    return { ok: false, code: 'QR_CODE_NOT_FOUND', message: 'This QR code is not a Xendit sandbox QR code' };
  }

  function ownsQr(qrString: string): boolean {
    return (
      ledger.qrByString(qrString) !== undefined ||
      [...ledger.qrs.values()].some((q) => q.type === 'STATIC' && isFromMerchantQr(qrString, q.qr_string))
    );
  }

  function settleLater(refundId: string): void {
    const t = setTimeout(() => {
      timers.delete(t);
      ledger.settleRefund(refundId);
    }, REFUND_SETTLE_MS * timeScale);
    timers.add(t);
  }

  // ---- HTTP ----------------------------------------------------------------------------------------------

  const app = Fastify({ logger: opts.logger ?? false });
  // Xendit accepts an empty body where everything is optional (a full refund), so `{}`-less JSON is allowed.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new XenditHttpError(400, 'API_VALIDATION_ERROR', 'Request body is not valid JSON'), undefined);
    }
  });

  app.setErrorHandler((e, _req, reply) => {
    if (e instanceof XenditHttpError) return reply.code(e.status).send({ error_code: e.code, message: e.message });
    const status =
      typeof (e as { statusCode?: unknown }).statusCode === 'number' ? (e as { statusCode: number }).statusCode : 500;
    if (status < 500)
      return reply.code(status).send({ error_code: 'API_VALIDATION_ERROR', message: (e as Error).message });
    return reply.code(500).send({ error_code: 'SERVER_ERROR', message: 'An unexpected error occured' });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error_code: 'NOT_FOUND', message: 'Not found' }));

  const expected = Buffer.from(`Basic ${Buffer.from(`${opts.secretKey}:`).toString('base64')}`);
  /** Basic auth with the secret key as user name; Xendit checks it before anything else. */
  function authenticate(req: FastifyRequest): void {
    const got = Buffer.from(req.headers.authorization ?? '');
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
      throw new XenditHttpError(401, 'INVALID_API_KEY', 'API key is not authorized for this API service');
    }
  }
  const validation = (e: z.ZodError) => new XenditHttpError(400, 'API_VALIDATION_ERROR', z.prettifyError(e));
  const notFound = () => new XenditHttpError(404, 'DATA_NOT_FOUND', 'Data not found');
  function findQr(id: string): QrRecord {
    const qr = ledger.qrs.get(id);
    if (!qr) throw notFound();
    return qr;
  }
  function findPayment(id: string): PaymentRecord {
    const p = ledger.payments.get(id);
    if (!p) throw notFound();
    return p;
  }

  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/_sandbox/')) authenticate(req);
  });

  app.post('/qr_codes', async (req: FastifyRequest, reply: FastifyReply) => {
    const version = req.headers['api-version'];
    if (version !== '2022-07-31') {
      // Without the header Xendit speaks V1 (external_id + callback_url), which this sandbox does not simulate.
      throw new XenditHttpError(400, 'API_VALIDATION_ERROR', 'This sandbox speaks api-version 2022-07-31 only');
    }
    const raw = req.body;
    if (raw !== null && typeof raw === 'object' && 'callback_url' in raw) {
      throw new XenditHttpError(
        400,
        'API_VALIDATION_ERROR',
        'callback_url is not allowed in this API version. Please set the callback URL from your Xendit Dashboard instead.',
      );
    }
    const parsed = CreateQrSchema.safeParse(raw);
    if (!parsed.success) throw validation(parsed.error);
    const body = parsed.data;
    if (body.type === 'STATIC') {
      // A STATIC QR has no amount and does not expire: the payer (or a till deriving from it) sets the amount.
      const at = now();
      const id = `qr_${randomUUID()}`;
      const qr: QrRecord = {
        id,
        reference_id: body.reference_id,
        type: 'STATIC',
        currency: 'IDR',
        channel_code: body.channel_code ?? 'ID_XENDIT',
        amount: null,
        expiresAt: null,
        qr_string: staticQrString(id),
        created: at,
        updated: at,
        metadata: body.metadata ?? null,
      };
      ledger.addQr(qr);
      return reply.code(201).send(qrView(qr));
    }
    const amount = body.amount;
    if (amount === undefined || !Number.isSafeInteger(amount) || amount < 1 || amount > 10_000_000) {
      throw new XenditHttpError(
        400,
        'API_VALIDATION_ERROR',
        'amount is required for DYNAMIC QR codes: 1 to 10000000 IDR',
      );
    }
    const testError = CREATE_TEST_ERRORS[amount];
    if (testError) throw new XenditHttpError(...testError);
    const at = now();
    const expiresAt = body.expires_at === undefined ? at + DEFAULT_QR_LIFETIME_MS : Date.parse(body.expires_at);
    if (expiresAt <= at) throw new XenditHttpError(400, 'API_VALIDATION_ERROR', 'expires_at must be in the future');
    // Duplicate reference_ids are accepted: no source we could read says Xendit refuses them on /qr_codes.
    const id = `qr_${randomUUID()}`;
    const qr: QrRecord = {
      id,
      reference_id: body.reference_id,
      type: 'DYNAMIC',
      currency: 'IDR',
      channel_code: body.channel_code ?? 'ID_XENDIT',
      amount,
      expiresAt,
      qr_string: dynamicQrString(staticQr, amount, id),
      created: at,
      updated: at,
      metadata: body.metadata ?? null,
    };
    ledger.addQr(qr);
    return reply.code(201).send(qrView(qr));
  });

  app.get<{ Params: { id: string } }>('/qr_codes/:id', async (req) => qrView(findQr(req.params.id)));

  app.get<{ Params: { id: string } }>('/qr_codes/:id/payments', async (req) => {
    const qr = findQr(req.params.id);
    return { data: ledger.paymentsOf(qr.id).map((p) => paymentView(p)), has_more: false };
  });

  app.post<{ Params: { id: string } }>('/qr_codes/:id/payments/simulate', async (req) => {
    const qr = findQr(req.params.id);
    const parsed = SimulateSchema.safeParse(req.body);
    if (!parsed.success) throw validation(parsed.error);
    const amount = parsed.data?.amount ?? qr.amount;
    if (amount === null || amount === undefined) {
      throw new XenditHttpError(400, 'API_VALIDATION_ERROR', 'amount is required for a STATIC QR code');
    }
    const r = payAndNotify(qr, amount, 'XENDIT_SIMULATION', qr.qr_string);
    if (!r.ok) throw new XenditHttpError(r.code === 'API_VALIDATION_ERROR' ? 400 : 409, r.code, r.message);
    return paymentView(findPayment(r.paymentId));
  });

  let refundCalls = 0;
  const refundFaults = { count: 0, when: 'before' as 'before' | 'after' };
  const keyOfRefund = new Map<string, string>();
  function refundsView(): SandboxRefunds {
    const refunds = [...ledger.refunds.values()].map((r) => {
      const p = ledger.payments.get(r.qrpy_id);
      const qr = p ? ledger.qrs.get(p.qr_id) : undefined;
      return {
        ...r,
        reference_id: qr?.reference_id ?? null,
        qr_id: p?.qr_id ?? null,
        idempotency_key: keyOfRefund.get(r.id) ?? null,
      };
    });
    return { calls: refundCalls, refunds };
  }

  app.post<{ Params: { qrpyId: string } }>('/qr_codes/payments/:qrpyId/refunds', async (req, reply) => {
    refundCalls++;
    const fault = refundFaults.count > 0 ? refundFaults.when : null;
    if (fault !== null) refundFaults.count--;
    if (fault === 'before') throw new XenditHttpError(503, 'SERVER_ERROR', 'An unexpected error occured');
    const p = findPayment(req.params.qrpyId);
    const parsed = RefundSchema.safeParse(req.body);
    if (!parsed.success) throw validation(parsed.error);
    const key = req.headers['idempotency-key'];
    const r = ledger.refund(p, {
      amount: parsed.data?.amount,
      reason: parsed.data?.reason ?? null,
      idempotencyKey: typeof key === 'string' && key !== '' ? key : null,
    });
    if (!r.ok) throw new XenditHttpError(400, r.code, r.message);
    if (!r.replay) settleLater(r.refund.id);
    if (typeof key === 'string' && key !== '') keyOfRefund.set(r.refund.id, key);
    if (fault === 'after') throw new XenditHttpError(503, 'SERVER_ERROR', 'An unexpected error occured');
    return reply.code(r.replay ? 200 : 201).send(refundView(r.refund));
  });

  app.get<{ Params: { qrpyId: string } }>('/qr_codes/payments/:qrpyId/refunds', async (req) => {
    const p = findPayment(req.params.qrpyId);
    const list = [...ledger.refunds.values()].filter((r) => r.qrpy_id === p.id);
    return { data: list.map(refundView), has_more: false };
  });

  app.get<{ Params: { qrpyId: string; refundId: string } }>(
    '/qr_codes/payments/:qrpyId/refunds/:refundId',
    async (req) => {
      const r = ledger.refunds.get(req.params.refundId);
      if (!r || r.qrpy_id !== req.params.qrpyId) throw notFound();
      return refundView(r);
    },
  );

  /** The wallet app: a customer pays a decoded QR string. Not part of Xendit's API, so no merchant auth. */
  app.post('/_sandbox/pay', async (req, reply) => {
    const parsed = PaySchema.safeParse(req.body);
    if (!parsed.success) throw validation(parsed.error);
    const r = await payQr(
      parsed.data.qr_string,
      parsed.data.source === undefined ? {} : { source: parsed.data.source },
    );
    if (!r.ok) {
      const status = r.code === 'QR_CODE_NOT_FOUND' ? 404 : r.code === 'API_VALIDATION_ERROR' ? 400 : 409;
      return reply.code(status).send({ error_code: r.code, message: r.message });
    }
    return { payment_id: r.paymentId };
  });

  // The sandbox's own window on its books, for tests and the dashboard walk-through: not part of Xendit's API.
  app.get('/_sandbox/refunds', async () => refundsView());
  app.post('/_sandbox/faults', async (req, reply) => {
    const b = req.body as { refund?: { count?: unknown; when?: unknown } } | undefined;
    const count = b?.refund?.count;
    const when = b?.refund?.when ?? 'before';
    if (
      typeof count !== 'number' ||
      !Number.isSafeInteger(count) ||
      count < 0 ||
      (when !== 'before' && when !== 'after')
    ) {
      return reply
        .code(400)
        .send({ error_code: 'API_VALIDATION_ERROR', message: "expected {refund: {count, when: 'before'|'after'}}" });
    }
    refundFaults.count = count;
    refundFaults.when = when;
    return { refund: refundFaults };
  });

  /** The printed static QR, for the launcher to give the till as the store's offline QR. */
  app.get('/_sandbox/merchant-qr', async () => ({ qr_string: staticQr, qr_id: merchantQr.id }));

  return {
    app,
    dispatcher,
    payQr,
    ownsQr,
    setCallbackUrl(url) {
      callbackUrl = url;
    },
    setEchoScannedQr(echo) {
      echoScanned = echo;
    },
    refunds: refundsView,
    failRefunds(count, when) {
      refundFaults.count = count;
      refundFaults.when = when;
    },
    async close() {
      dispatcher.close();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await app.close();
    },
  };
}
