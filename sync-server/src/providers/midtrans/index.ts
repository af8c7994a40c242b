/**
 * Midtrans dynamic QRIS through the Core API (`/v2/charge`, payment_type `qris`), called with plain `fetch`.
 * `midtrans-client` is not used at runtime: its base URL is not an option (reference §2.5) and it does not
 * verify notification signatures. The base URL is configuration, so the sandbox in sync-server/sandbox/midtrans
 * stands in for api.midtrans.com over real HTTP.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import type { Rupiah } from '../../../../shared/money.ts';
import {
  DuplicateOrderError,
  ProviderRejectedError,
  ProviderUnavailableError,
  WebhookPayloadError,
} from '../errors.ts';
import { sendToProvider } from '../http.ts';
import type { PaymentProvider, RawWebhook, RefundResult } from '../payment-provider.ts';
import {
  CancelResponseSchema,
  ChargeResponseSchema,
  chargeRequest,
  EnvelopeSchema,
  fromMidtransAmount,
  fromWib,
  type MidtransAcquirer,
  MidtransAmountError,
  NotificationSchema,
  type RefundRequest,
  RefundResponseSchema,
  StatusResponseSchema,
  toParsedWebhook,
  toPaymentState,
} from './wire.ts';

export type MidtransConfig = {
  baseUrl: string;
  serverKey: string;
  acquirer: MidtransAcquirer;
  /** Sent per charge as `X-Override-Notification` so notifications reach this server whatever the Dashboard says. */
  notificationUrl: string | null;
  mode: 'sandbox' | 'live';
  timeoutMs: number;
  /**
   * When set, every QR lives this long instead of until the requested `expiresAt` (e.g. 15, the expiry
   * Midtrans recommends as its minimum because shorter expiries are applied by a batch job and may fire late).
   */
  expiryMinutes?: number;
};

type Deps = { fetch?: typeof fetch; now?: () => number };

/** A body status_code below 400 is success; 407 is the (non-standard) success answer of /expire (§2.2). */
const isFailure = (code: number) => code >= 400 && code !== 407;

export function createMidtransProvider(cfg: MidtransConfig, deps: Deps = {}): PaymentProvider {
  const doFetch = deps.fetch ?? fetch;
  const now = deps.now ?? Date.now;
  const base = cfg.baseUrl.replace(/\/+$/, '');
  const auth = `Basic ${Buffer.from(`${cfg.serverKey}:`).toString('base64')}`;
  const serverKey = Buffer.from(cfg.serverKey, 'utf8');

  async function call<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    schema: S,
    opts: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<z.output<S>> {
    const what = `Midtrans ${method} ${path}`;
    const headers = { authorization: auth, accept: 'application/json', ...opts.headers };
    const { res, text } = await sendToProvider(
      doFetch,
      what,
      `${base}${path}`,
      { method, headers, body: opts.body },
      cfg.timeoutMs,
    );
    if (res.status >= 500) throw new ProviderUnavailableError(`${what}: HTTP ${res.status}`, String(res.status));

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // A 2xx that is not JSON leaves the outcome unknown (a proxy page?): worth a later retry or a status read.
      if (res.status >= 400) throw new ProviderRejectedError(`${what}: HTTP ${res.status}`, String(res.status));
      throw new ProviderUnavailableError(`${what}: answer is not JSON`, 'BAD_RESPONSE');
    }
    // The body's status_code decides, whatever the HTTP status (Midtrans answers some errors with HTTP 200).
    const env = EnvelopeSchema.safeParse(json);
    if (env.success) {
      const code = Number(env.data.status_code);
      const msg = [env.data.status_message ?? 'error', ...(env.data.validation_messages ?? [])].join('; ');
      if (code >= 500) throw new ProviderUnavailableError(`${what}: ${msg}`, env.data.status_code);
      if (code === 406 && path === '/v2/charge') throw new DuplicateOrderError(`${what}: ${msg}`, '406');
      if (isFailure(code)) throw new ProviderRejectedError(`${what}: ${msg}`, env.data.status_code);
    } else if (res.status >= 400) {
      throw new ProviderRejectedError(`${what}: HTTP ${res.status}`, String(res.status));
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new ProviderUnavailableError(`${what}: unexpected answer: ${parsed.error.message}`, 'BAD_RESPONSE');
    return parsed.data;
  }

  /** Amount conversion failures are the provider's data, not a network fault: retrying would not help. */
  function amountOf(s: string, what: string): Rupiah {
    try {
      return fromMidtransAmount(s);
    } catch (e) {
      if (e instanceof MidtransAmountError) throw new ProviderRejectedError(`Midtrans ${what}: ${e.message}`);
      throw e;
    }
  }

  const idPath = (orderId: string) => `/v2/${encodeURIComponent(orderId)}`;

  return {
    id: 'midtrans',
    mode: cfg.mode,

    async createQrPayment({ paymentId, amount, expiresAt }) {
      const orderTime = now();
      // We ask for the deadline the till shows, to the second. Midtrans applies expiries under 15 minutes by
      // batch, so one may fire late; the server cancels at its own deadline (immediate), and a payment that
      // still slips through is kept as a late `paid`, never hidden.
      const expirySeconds =
        cfg.expiryMinutes !== undefined ? cfg.expiryMinutes * 60 : Math.floor((expiresAt - orderTime) / 1000);
      if (!Number.isSafeInteger(expirySeconds) || expirySeconds < 1) {
        throw new ProviderRejectedError(`Midtrans charge: expiry must be in the future (${expirySeconds} s)`);
      }
      const body = chargeRequest({
        orderId: paymentId,
        amount,
        acquirer: cfg.acquirer,
        orderTimeMs: orderTime,
        expirySeconds,
      });
      const headers: Record<string, string> = {};
      if (cfg.notificationUrl) headers['x-override-notification'] = cfg.notificationUrl;
      const r = await call('POST', '/v2/charge', ChargeResponseSchema, { body, headers });
      if (r.order_id !== paymentId || amountOf(r.gross_amount, 'charge') !== amount) {
        throw new ProviderRejectedError(
          `Midtrans charge: answer is for ${r.order_id} Rp ${r.gross_amount}, asked ${paymentId} Rp ${amount}`,
        );
      }
      const stated = r.expiry_time ? fromWib(r.expiry_time) : null;
      return {
        providerRef: r.transaction_id,
        qrString: r.qr_string,
        expiresAt: stated ?? orderTime + expirySeconds * 1000,
      };
    },

    async getPayment(ref) {
      const s = await call('GET', `${idPath(ref.paymentId)}/status`, StatusResponseSchema);
      try {
        return toPaymentState(s);
      } catch (e) {
        if (e instanceof MidtransAmountError) throw new ProviderRejectedError(`Midtrans status: ${e.message}`);
        throw e;
      }
    },

    async cancelPayment(ref) {
      // A 412 ("Merchant cannot modify the status of the transaction") surfaces as ProviderRejectedError with
      // providerCode '412': the payment already moved on (paid, expired), so the server re-reads its status.
      await call('POST', `${idPath(ref.paymentId)}/cancel`, CancelResponseSchema);
      return { atProvider: true };
    },

    async expirePayment(ref) {
      // "407 Success, transaction has expired"; a 412 means it already moved on (paid), which the caller reads.
      await call('POST', `${idPath(ref.paymentId)}/expire`, CancelResponseSchema);
    },

    async refundPayment(ref, req): Promise<RefundResult> {
      // GoPay/QRIS refunds go through the direct (online) refund endpoint (reference §2.3). refund_key makes a
      // retried refund the same refund at Midtrans.
      const body: RefundRequest = { refund_key: req.refundId, amount: req.amount };
      if (req.reason !== undefined) body.reason = req.reason;
      const r = await call('POST', `${idPath(ref.paymentId)}/refund/online/direct`, RefundResponseSchema, { body });
      if (r.status_code === '202') return { refundId: req.refundId, status: 'failed', amount: req.amount };
      const amount = r.refund_amount !== undefined ? amountOf(r.refund_amount, 'refund') : req.amount;
      return { refundId: r.refund_key ?? req.refundId, status: 'succeeded', amount };
    },

    verifyWebhook(req: RawWebhook): boolean {
      const n = signedFields(req.rawBody);
      if (!n || !/^[0-9a-f]{128}$/i.test(n.signature_key)) return false;
      // The digest covers the exact strings received ("5539.00" and "5539" are different messages).
      const expected = createHash('sha512')
        .update(Buffer.from(n.order_id + n.status_code + n.gross_amount, 'utf8'))
        .update(serverKey)
        .digest();
      // Compared as bytes: the same digest in upper- or lower-case hex is the same signature.
      return timingSafeEqual(expected, Buffer.from(n.signature_key, 'hex'));
    },

    // Refunds take money back and only order_id + status_code + gross_amount are signed: a settlement's "200"
    // signature would otherwise carry a forged "refund". Everything else a notification can assert is fixed by
    // its signed status_code (wire.ts checks the pair) or cannot harm a paid payment (the lattice).
    confirmBeforeApplying: (status) => status === 'refunded' || status === 'partially_refunded',

    parseWebhook(req: RawWebhook) {
      let json: unknown;
      try {
        json = JSON.parse(req.rawBody.toString('utf8'));
      } catch {
        throw new WebhookPayloadError('Midtrans notification is not JSON');
      }
      const n = NotificationSchema.safeParse(json);
      if (!n.success)
        throw new WebhookPayloadError(`Midtrans notification has an unexpected shape: ${n.error.message}`);
      try {
        return toParsedWebhook(n.data);
      } catch (e) {
        if (e instanceof MidtransAmountError) throw new WebhookPayloadError(`Midtrans notification: ${e.message}`);
        throw e;
      }
    },
  };
}

/** The four signed fields as received, or null when the body is not a JSON object carrying them as strings. */
function signedFields(
  raw: Buffer,
): { order_id: string; status_code: string; gross_amount: string; signature_key: string } | null {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const o = json as Record<string, unknown>;
  const { order_id, status_code, gross_amount, signature_key } = o;
  if (
    typeof order_id !== 'string' ||
    typeof status_code !== 'string' ||
    typeof gross_amount !== 'string' ||
    typeof signature_key !== 'string'
  ) {
    return null;
  }
  return { order_id, status_code, gross_amount, signature_key };
}
