/**
 * The web host's request guards, pure so they can be tested with plain values.
 *
 * - DNS rebinding: a page on evil.example whose name re-resolves to 127.0.0.1 reaches this port with
 *   `Host: evil.example`, so only the loopback host names with our port are accepted, and an Origin, when a
 *   browser sends one, must be our own origin.
 * - The token proves the caller got the printed URL; compared in constant time over fixed-length digests so
 *   neither content nor length leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const TOKEN_HEADER = 'x-till-token';
/** The sub-protocol the host echoes; the token travels as a second offered sub-protocol. */
export const EVENTS_PROTOCOL = 'kasir-till';
/** The customer display's sub-protocol (its own token, see display.ts). */
export const DISPLAY_PROTOCOL = 'kasir-display';

export function allowedOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

export function isAllowedHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** No Origin (curl, same-origin GET) is fine; a present one must be ours. `null` origins are refused. */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  return origin === undefined || allowedOrigins(port).includes(origin);
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (typeof given !== 'string' || given.length === 0 || given.length > 512) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

export type TokenCheck = 'ok' | 'missing' | 'wrong';

export function checkHeaderToken(header: string | string[] | undefined, expected: string): TokenCheck {
  if (header === undefined || header === '') return 'missing';
  return typeof header === 'string' && tokenMatches(header, expected) ? 'ok' : 'wrong';
}

/** `Sec-WebSocket-Protocol: kasir-till, <token>` → the token check. */
export function checkProtocolToken(
  header: string | string[] | undefined,
  expected: string,
  protocol: string = EVENTS_PROTOCOL,
): TokenCheck {
  if (typeof header !== 'string') return 'missing';
  const offered = header
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== protocol);
  if (offered.length === 0) return 'missing';
  // Every candidate is compared, so the time does not depend on where the right one sits.
  let found = false;
  for (const o of offered) found = tokenMatches(o, expected) || found;
  return found ? 'ok' : 'wrong';
}
