/**
 * Where a till may send its device token. The token is a bearer secret: whoever receives it can act as the
 * till. Plain http is accepted without a second thought only inside the shop (loopback and private LAN
 * addresses, mDNS `.local` names); any other http address needs the manager's explicit confirmation, because
 * the token would cross the internet readable by anyone on the path.
 */

/** The server URL as the till stores and compares it: trailing slashes dropped. */
export function normalizeServerUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

function ipv4(host: string): [number, number, number, number] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const parts = m.slice(1).map(Number) as [number, number, number, number];
  return parts.every((n) => n <= 255) ? parts : null;
}

/**
 * Loopback (127/8, ::1, localhost) or a private LAN address (10/8, 172.16/12, 192.168/16) or an mDNS name
 * (`*.local`). `hostname` as `URL.hostname` gives it (IPv6 in brackets; the WHATWG parser already turned
 * `0x7f.1`-style IPv4 spellings into dotted decimal).
 */
export function isLocalNetworkHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  if (h === 'localhost') return true;
  if (h === '[::1]') return true;
  if (h.endsWith('.local') && h.length > '.local'.length) return true;
  const v4 = ipv4(h);
  if (!v4) return false;
  const [a, b] = v4;
  return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

/**
 * True when saving this URL must be confirmed by the manager (`allowInsecure`): plain http to an address
 * outside the shop. An unparseable URL is not "insecure" here; the URL schema refuses it on its own.
 */
export function needsInsecureConfirmation(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === 'http:' && !isLocalNetworkHost(u.hostname);
}
