/**
 * Both provider sandboxes plus a "wallet" that pays a decoded QR string the way a customer's bank or e-wallet
 * app would. `npm run sandbox` runs them standalone and prints the environment a sync-server needs to use them;
 * `npm start` and the tests start them in-process through `startSandboxes()`.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { z } from 'zod';
import { createMidtransSandbox, type MidtransSandbox } from './midtrans/index.ts';
import type { Chaos } from './webhook-dispatcher.ts';
import { createXenditSandbox, type XenditSandbox } from './xendit/index.ts';

export const SANDBOX_XENDIT_SECRET = 'xnd_development_kasir_sandbox_secret';
export const SANDBOX_MIDTRANS_SERVER_KEY = 'SB-Mid-server-kasir-sandbox';

export type Sandboxes = {
  xendit: XenditSandbox;
  midtrans: MidtransSandbox;
  xenditUrl: string;
  midtransUrl: string;
  payerUrl: string;
  xenditSecretKey: string;
  xenditCallbackToken: string;
  midtransServerKey: string;
  /** Where the sandboxes deliver webhooks: the server's `/v1/webhooks/<provider>` under this base URL. */
  setServerUrl(url: string): void;
  pay(qrString: string): Promise<{ ok: boolean; status: number; body: unknown }>;
  close(): Promise<void>;
};

const PayBody = z.strictObject({ qr_string: z.string().min(1).max(1024), source: z.string().max(40).optional() });

export async function startSandboxes(o: {
  host?: string;
  ports?: { xendit?: number; midtrans?: number; payer?: number };
  serverUrl?: string | null;
  timeScale?: number;
  chaos?: Partial<Chaos>;
  logger?: boolean;
}): Promise<Sandboxes> {
  const host = o.host ?? '127.0.0.1';
  const callbackToken = randomBytes(24).toString('base64url');
  const hook = (p: string) => (o.serverUrl ? `${o.serverUrl}/v1/webhooks/${p}` : null);
  const xendit = await createXenditSandbox({
    secretKey: SANDBOX_XENDIT_SECRET,
    callbackToken,
    callbackUrl: hook('xendit'),
    timeScale: o.timeScale ?? 1,
    chaos: o.chaos,
    logger: o.logger ?? false,
  });
  const midtrans = await createMidtransSandbox({
    serverKey: SANDBOX_MIDTRANS_SERVER_KEY,
    notificationUrl: hook('midtrans'),
    timeScale: o.timeScale ?? 1,
    expiryTimeScale: 1,
    chaos: o.chaos,
    logger: o.logger ?? false,
  });
  const xenditUrl = await xendit.app.listen({ host, port: o.ports?.xendit ?? 0 });
  const midtransUrl = await midtrans.app.listen({ host, port: o.ports?.midtrans ?? 0 });

  // The wallet: it knows nothing of payment ids, only the string it decoded from the QR on the till's screen.
  const payer = Fastify({ logger: false, bodyLimit: 8 * 1024 });
  payer.post('/pay', async (request, reply) => {
    const body = PayBody.safeParse(request.body);
    if (!body.success) return reply.status(400).send({ error_code: 'INVALID_INPUT', message: body.error.message });
    const qr = body.data.qr_string;
    if (xendit.ownsQr(qr)) {
      const r = await xendit.payQr(qr, { source: body.data.source ?? 'DANA' });
      return r.ok ? reply.send({ provider: 'xendit', payment_id: r.paymentId }) : reply.status(409).send(r);
    }
    if (midtrans.ownsQr(qr)) {
      const r = await midtrans.payQr(qr, { issuer: body.data.source ?? 'gopay' });
      return r.ok ? reply.send({ provider: 'midtrans', transaction_id: r.transactionId }) : reply.status(409).send(r);
    }
    return reply.status(404).send({ error_code: 'QR_NOT_FOUND', message: 'no sandbox issued this QR code' });
  });
  const payerUrl = await payer.listen({ host, port: o.ports?.payer ?? 0 });

  return {
    xendit,
    midtrans,
    xenditUrl,
    midtransUrl,
    payerUrl,
    xenditSecretKey: SANDBOX_XENDIT_SECRET,
    xenditCallbackToken: callbackToken,
    midtransServerKey: SANDBOX_MIDTRANS_SERVER_KEY,
    setServerUrl(url) {
      xendit.setCallbackUrl(`${url}/v1/webhooks/xendit`);
      midtrans.setNotificationUrl(`${url}/v1/webhooks/midtrans`);
    },
    async pay(qrString) {
      const res = await fetch(`${payerUrl}/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ qr_string: qrString }),
      });
      return { ok: res.ok, status: res.status, body: await res.json().catch(() => null) };
    },
    async close() {
      await payer.close();
      await xendit.close();
      await midtrans.close();
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const serverUrl = process.env.SERVER_URL ?? 'http://127.0.0.1:8787';
  const port = (name: string, d: number) => Number(process.env[name] ?? d);
  const s = await startSandboxes({
    serverUrl,
    ports: {
      xendit: port('XENDIT_SANDBOX_PORT', 4010),
      midtrans: port('MIDTRANS_SANDBOX_PORT', 4020),
      payer: port('PAYER_PORT', 4030),
    },
  });
  process.stdout.write(
    [
      'Provider sandboxes are running. Point a sync-server at them with:',
      `  XENDIT_BASE_URL=${s.xenditUrl} XENDIT_SECRET_KEY=${s.xenditSecretKey} XENDIT_CALLBACK_TOKEN=${s.xenditCallbackToken}`,
      `  MIDTRANS_BASE_URL=${s.midtransUrl} MIDTRANS_SERVER_KEY=${s.midtransServerKey}`,
      `Webhooks go to ${serverUrl}/v1/webhooks/{xendit,midtrans}.`,
      `Pay a QR like a wallet app: curl -XPOST ${s.payerUrl}/pay -H 'content-type: application/json' -d '{"qr_string":"..."}'`,
      '',
    ].join('\n'),
  );
  const stop = async () => {
    await s.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
