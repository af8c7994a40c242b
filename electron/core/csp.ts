/**
 * The renderer's Content-Security-Policy, one definition for both transports. Scripts only from the app
 * itself (no inline, no eval), nothing framed, no forms, no plugins; `connect-src` is the caller's: the web
 * host adds its loopback WebSocket, Electron needs nothing beyond 'self'. Inline styles stay allowed because
 * React's `style` props are inline style attributes.
 */
export function contentSecurityPolicy(connectSrc: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src ${["'self'", ...connectSrc].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}
