import { describe, expect, it } from 'vitest';
import { rupiah } from '../../shared/money.ts';
import { createMetrics } from '../../sync-server/src/metrics.ts';
import { ProviderUnavailableError } from '../../sync-server/src/providers/errors.ts';
import { ProviderRouter } from '../../sync-server/src/providers/router.ts';
import { createXenditProvider } from '../../sync-server/src/providers/xendit/index.ts';

// A real provider module pointed at a port nobody listens on: every call fails as "unreachable".
const unreachable = () =>
  createXenditProvider({
    baseUrl: 'http://127.0.0.1:1',
    secretKey: 'xnd_development_x',
    callbackToken: 't',
    mode: 'sandbox',
    timeoutMs: 500,
  });

describe('provider circuit breakers', () => {
  it('are opened by failing payment creation only, never by status reads', async () => {
    const router = new ProviderRouter({ xendit: unreachable() }, { failures: 3, cooldownMs: 60_000 }, createMetrics());
    const ref = { paymentId: 'p', providerRef: 'qr_1' };
    for (let i = 0; i < 10; i++) {
      await expect(router.call('xendit', 'status', (p) => p.getPayment(ref))).rejects.toBeInstanceOf(
        ProviderUnavailableError,
      );
    }
    expect(router.health().xendit?.breaker).toBe('closed');
    const req = { paymentId: 'p', amount: rupiah(1_000), expiresAt: Date.now() + 60_000 };
    for (let i = 0; i < 3; i++) await expect(router.createQr('xendit', req)).rejects.toThrow();
    expect(router.health().xendit?.breaker).toBe('open');
    // Reads still reach the provider while creation is held back.
    await expect(router.call('xendit', 'status', (p) => p.getPayment(ref))).rejects.toThrow(/unreachable/);
  });
});
