/**
 * Deadlines the till and the sync-server must agree on. A till request that makes the server call a payment
 * provider (create a QRIS, cancel one) can take as long as the provider calls it waits on in sequence; if the
 * till gave up sooner it would report "server unreachable" while the server is still talking to the provider,
 * and the QR it then creates would be shown nowhere.
 */

/** The server's deadline for one provider HTTP call (PROVIDER_TIMEOUT_MS), by default and at most. */
export const PROVIDER_TIMEOUT_DEFAULT_MS = 10_000;
export const PROVIDER_TIMEOUT_MAX_MS = 15_000;

/**
 * Provider calls one till request may wait on, one after the other: a create at the store's provider that
 * times out, then the failover create at the other; or a refused cancel, then the status read that explains it.
 */
export const PROVIDER_CALLS_PER_REQUEST = 2;

/** The server's own work (database, queueing) and the network on top of the provider calls. */
export const SERVER_WORK_MARGIN_MS = 5_000;

/** How long the till waits for a request that involves the provider, given the server's per-call deadline. */
export function tillProviderRequestTimeoutMs(providerTimeoutMs: number = PROVIDER_TIMEOUT_MAX_MS): number {
  return PROVIDER_CALLS_PER_REQUEST * providerTimeoutMs + SERVER_WORK_MARGIN_MS;
}

/** The till's wait for everything else (reads of the server's own state, health): no provider involved. */
export const TILL_REQUEST_TIMEOUT_MS = 8_000;
