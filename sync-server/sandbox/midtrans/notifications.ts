/**
 * How Midtrans delivers HTTP notifications (reference §2.4, docs "HTTP(S) Notification / Webhooks"):
 * 2xx ends it; 500 earns 1 retry, 503 four, 400/404 two, 301/302/303 none, anything else (a timeout, a refused
 * connection, 401, 429...) five; retries come about 2, 10, 30, 90 and 210 minutes apart; 15 s per attempt.
 * 307/308 are followed with the same POST and body, up to 5 hops.
 */
import type { RetryPolicy } from '../webhook-dispatcher.ts';

const MINUTE = 60_000;

export const MIDTRANS_RETRY_POLICY: RetryPolicy = {
  scheduleMs: [2 * MINUTE, 10 * MINUTE, 30 * MINUTE, 90 * MINUTE, 210 * MINUTE],
  timeoutMs: 15_000,
  retriesFor(status) {
    if (status === null) return 5;
    if (status >= 200 && status < 300) return 0;
    switch (status) {
      case 500:
        return 1;
      case 503:
        return 4;
      case 400:
      case 404:
        return 2;
      case 301:
      case 302:
      case 303:
        return 0;
      default:
        return 5;
    }
  },
};

const MAX_REDIRECTS = 5;

/**
 * fetch's own redirect handling would turn a 301/302/303 into a GET and follow it; Midtrans does not follow
 * those at all. So redirects are handled here: 307/308 re-POST the same body, everything else is returned as is.
 */
export function midtransNotifyFetch(base: typeof fetch = fetch): typeof fetch {
  const notifyFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let url = input instanceof Request ? input.url : String(input);
    for (let hop = 0; ; hop++) {
      const res = await base(url, { ...init, redirect: 'manual' });
      const location = res.headers.get('location');
      if ((res.status !== 307 && res.status !== 308) || !location || hop >= MAX_REDIRECTS) return res;
      await res.arrayBuffer().catch(() => undefined);
      url = new URL(location, url).toString();
    }
  };
  return notifyFetch as typeof fetch;
}
