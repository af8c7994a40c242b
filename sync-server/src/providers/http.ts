/**
 * The one part of calling a provider that every provider shares: send with a deadline, read the body, and turn
 * "no answer" into a retryable ProviderUnavailableError. What the answer means is each provider's business.
 */
import { ProviderUnavailableError } from './errors.ts';

export async function sendToProvider(
  doFetch: typeof fetch,
  what: string,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: unknown },
  timeoutMs: number,
): Promise<{ res: Response; text: string }> {
  try {
    const res = await doFetch(url, {
      method: init.method,
      headers: init.body === undefined ? init.headers : { 'content-type': 'application/json', ...init.headers },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { res, text: await res.text() };
  } catch (e) {
    const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
    throw new ProviderUnavailableError(
      timedOut ? `${what}: no answer within ${timeoutMs} ms` : `${what}: unreachable (${errorText(e)})`,
      timedOut ? 'TIMEOUT' : 'NETWORK_ERROR',
    );
  }
}

function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message;
}
