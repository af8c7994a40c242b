/**
 * The configured payment providers. Adding a provider means its folder, one line here, and its fixture test.
 * A provider without keys in the configuration is simply absent (its webhooks answer 404).
 */
import type { ProviderId } from '../../../shared/schemas/sync-api.ts';
import type { Config } from '../config.ts';
import { createMidtransProvider } from './midtrans/index.ts';
import type { PaymentProvider } from './payment-provider.ts';
import { createXenditProvider } from './xendit/index.ts';

const factories = {
  xendit: (c: Config) => c.xendit && createXenditProvider({ ...c.xendit, timeoutMs: c.providerTimeoutMs }),
  midtrans: (c: Config) => c.midtrans && createMidtransProvider({ ...c.midtrans, timeoutMs: c.providerTimeoutMs }),
} satisfies Record<ProviderId, (c: Config) => PaymentProvider | null>;

export function createProviders(config: Config): Partial<Record<ProviderId, PaymentProvider>> {
  const out: Partial<Record<ProviderId, PaymentProvider>> = {};
  for (const [id, make] of Object.entries(factories) as [ProviderId, (c: Config) => PaymentProvider | null][]) {
    const p = make(config);
    if (p) out[id] = p;
  }
  return out;
}
