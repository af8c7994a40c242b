/**
 * Xendit dynamic QRIS through the QR Codes API, api-version 2022-07-31, called with plain `fetch` because the
 * current xendit-node SDK has no /qr_codes class and the old one speaks only V1 (reference §1.9). The base URL
 * is configuration, so the sandbox in sync-server/sandbox/xendit stands in for api.xendit.co over real HTTP.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { rupiah } from '../../../../shared/money.ts';
import { ProviderRejectedError, ProviderUnavailableError, WebhookPayloadError } from '../errors.ts';
import { sendToProvider } from '../http.ts';
import type {
  PaymentProvider,
  PaymentRef,
  ProviderPaymentState,
  RawWebhook,
  RefundResult,
} from '../payment-provider.ts';
import {
  type CreateQrCodeRequest,
  parseQrPaymentCallback,
  paymentsOf,
  QrCodeSchema,
  QrPaymentListSchema,
  type QrRefundRequest,
  QrRefundSchema,
  toCreatedQr,
  toParsedWebhook,
  toPaymentState,
  toRefundResult,
  toXenditAmount,
  XENDIT_API_VERSION,
  XenditAmountError,
  XenditErrorSchema,
} from './wire.ts';

export type XenditConfig = {
  baseUrl: string;
  secretKey: string;
  callbackToken: string;
  mode: 'sandbox' | 'live';
  timeoutMs: number;
  /** xenPlatform sub-account, sent as `for-user-id`. */
  forUserId?: string;
};

type Deps = { fetch?: typeof fetch; now?: () => number };

export function createXenditProvider(cfg: XenditConfig, deps: Deps = {}): PaymentProvider {
  const doFetch = deps.fetch ?? fetch;
  const now = deps.now ?? Date.now;
  const base = cfg.baseUrl.replace(/\/+$/, '');
  const auth = `Basic ${Buffer.from(`${cfg.secretKey}:`).toString('base64')}`;

  async function call<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    schema: S,
    opts: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<z.output<S>> {
    const headers: Record<string, string> = {
      authorization: auth,
      'api-version': XENDIT_API_VERSION,
      accept: 'application/json',
      ...opts.headers,
    };
    if (cfg.forUserId) headers['for-user-id'] = cfg.forUserId;
    const what = `Xendit ${method} ${path}`;
    const { res, text } = await sendToProvider(
      doFetch,
      what,
      `${base}${path}`,
      { method, headers, body: opts.body },
      cfg.timeoutMs,
    );
    const json = parseJson(text);

    if (!res.ok) {
      const err = XenditErrorSchema.safeParse(json);
      const code = err.success ? err.data.error_code : `HTTP_${res.status}`;
      const message = `${what} → ${res.status} ${code}${err.success && err.data.message ? `: ${err.data.message}` : ''}`;
      // 5xx and 429 (RATE_LIMIT_EXCEEDED) pass with time; every other 4xx is a refusal of this request.
      if (res.status >= 500 || res.status === 429) throw new ProviderUnavailableError(message, code);
      throw new ProviderRejectedError(message, code);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      // A 2xx we cannot read: the operation may or may not have happened, so the caller must retry or check.
      throw new ProviderUnavailableError(`${what}: unexpected response: ${parsed.error.message}`, 'BAD_RESPONSE');
    }
    return parsed.data;
  }

  async function paymentState(ref: PaymentRef): Promise<ProviderPaymentState> {
    const qrPath = `/qr_codes/${encodeURIComponent(ref.providerRef)}`;
    const qr = await call('GET', qrPath, QrCodeSchema);
    if (qr.reference_id !== ref.paymentId) {
      throw new ProviderRejectedError(
        `Xendit QR ${ref.providerRef} belongs to reference ${qr.reference_id}, not ${ref.paymentId}`,
        'REFERENCE_MISMATCH',
      );
    }
    const list = await call('GET', `${qrPath}/payments`, QrPaymentListSchema);
    try {
      return toPaymentState(qr, paymentsOf(list), now());
    } catch (e) {
      if (e instanceof XenditAmountError) throw new ProviderUnavailableError(e.message, 'BAD_RESPONSE');
      throw e;
    }
  }

  /** The QR payment (qrpy_…) to refund: the one we stored, else the one the QR's payments list shows. */
  async function qrPaymentOf(ref: PaymentRef & { paymentRef: string | null }): Promise<string> {
    if (ref.paymentRef !== null) return ref.paymentRef;
    const state = await paymentState(ref);
    if (state.paymentRef === null) {
      throw new ProviderRejectedError(`Xendit QR ${ref.providerRef} has no payment to refund`, 'PAYMENT_NOT_FOUND');
    }
    return state.paymentRef;
  }

  return {
    id: 'xendit',
    mode: cfg.mode,

    async createQrPayment(req) {
      const body: CreateQrCodeRequest = {
        reference_id: req.paymentId,
        type: 'DYNAMIC',
        currency: 'IDR',
        amount: toXenditAmount(req.amount),
        expires_at: new Date(req.expiresAt).toISOString(),
      };
      // No idempotency header is documented for /qr_codes (reference §1.3): a retried create makes a second QR
      // under the same reference_id, which is harmless because only the one we store is ever shown.
      const qr = await call('POST', '/qr_codes', QrCodeSchema, { body });
      if (
        qr.reference_id !== req.paymentId ||
        (qr.amount !== null && qr.amount !== undefined && qr.amount !== req.amount)
      ) {
        throw new ProviderUnavailableError(
          `Xendit answered a create for ${req.paymentId}/${req.amount} with ${qr.reference_id}/${String(qr.amount)}`,
          'BAD_RESPONSE',
        );
      }
      return toCreatedQr(qr, req.expiresAt);
    },

    getPayment: paymentState,

    async createStaticQr({ reference }) {
      const body: CreateQrCodeRequest = { reference_id: reference, type: 'STATIC', currency: 'IDR' };
      const qr = await call('POST', '/qr_codes', QrCodeSchema, { body });
      if (qr.reference_id !== reference || qr.type !== 'STATIC') {
        throw new ProviderUnavailableError(
          `Xendit answered a STATIC create for ${reference} with ${qr.reference_id}/${qr.type}`,
          'BAD_RESPONSE',
        );
      }
      return { providerRef: qr.id, qrString: qr.qr_string };
    },

    async cancelPayment() {
      // Xendit's QR Codes API has no cancel or deactivate call for a dynamic QR: it stays payable until its
      // expires_at. The server cancels locally, and a payment that still arrives is kept as a late `paid`.
      return { atProvider: false };
    },

    async refundPayment(ref, req): Promise<RefundResult> {
      const paymentRef = await qrPaymentOf(ref);
      const body: QrRefundRequest = { amount: toXenditAmount(req.amount) };
      if (req.reason !== undefined) body.reason = req.reason;
      const refund = await call(
        'POST',
        `/qr_codes/payments/${encodeURIComponent(paymentRef)}/refunds`,
        QrRefundSchema,
        {
          body,
          // Our refund id, so that a retried request cannot refund twice where Xendit honours the key.
          headers: { 'idempotency-key': req.refundId },
        },
      );
      try {
        return toRefundResult(refund, req.amount);
      } catch (e) {
        if (e instanceof XenditAmountError) throw new ProviderUnavailableError(e.message, 'BAD_RESPONSE');
        throw e;
      }
    },

    async getRefund(ref, providerRefundId): Promise<RefundResult> {
      // GET /qr_codes/payments/{qrpy_id}/refunds/{refund_id} (reference §1.7, a third-party client [X9]).
      const paymentRef = await qrPaymentOf(ref);
      const refund = await call(
        'GET',
        `/qr_codes/payments/${encodeURIComponent(paymentRef)}/refunds/${encodeURIComponent(providerRefundId)}`,
        QrRefundSchema,
      );
      try {
        const r = toRefundResult(refund, rupiah(0));
        if (refund.refund_amount === undefined && refund.amount === undefined) {
          throw new ProviderUnavailableError(`Xendit refund ${providerRefundId} states no amount`, 'BAD_RESPONSE');
        }
        return r;
      } catch (e) {
        if (e instanceof XenditAmountError) throw new ProviderUnavailableError(e.message, 'BAD_RESPONSE');
        throw e;
      }
    },

    verifyWebhook(req: RawWebhook): boolean {
      const got = req.headers['x-callback-token'];
      if (typeof got !== 'string' || got.length === 0 || cfg.callbackToken.length === 0) return false;
      // Hashing first gives equal-length buffers, so neither the comparison nor an early length check leaks
      // how long the token is.
      return timingSafeEqual(sha256(got), sha256(cfg.callbackToken));
    },

    // The callback token authenticates the sender, not the event: only a success is taken on its word, and
    // anything else is confirmed by reading the QR's payments.
    confirmBeforeApplying: (status) => status !== 'paid',

    parseWebhook(req: RawWebhook) {
      let json: unknown;
      try {
        json = JSON.parse(req.rawBody.toString('utf8'));
      } catch {
        throw new WebhookPayloadError('Xendit callback body is not JSON');
      }
      const parsed = parseQrPaymentCallback(json);
      if (!parsed.ok) throw new WebhookPayloadError(`not a Xendit qr.payment callback: ${parsed.error}`);
      try {
        return toParsedWebhook(parsed.cb);
      } catch (e) {
        if (e instanceof XenditAmountError) throw new WebhookPayloadError(e.message);
        throw e;
      }
    },
  };
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
