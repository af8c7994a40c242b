/**
 * The manager dashboard's files (`npm run build:admin` → dist-admin/) under /admin/. Its API lives under
 * /admin/api/… (more specific routes than this wildcard, so they always win); an unknown /admin/api path is the
 * app's JSON 404, never the page.
 *
 * Every response carries a strict Content-Security-Policy: scripts and styles only from this origin (the build
 * emits no inline script or style), no framing, no plugins, forms only to this origin. The page talks to its
 * own origin only (connect-src 'self'). The HTML is revalidated on every load so a new build shows at once;
 * the hashed assets are immutable.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const DEFAULT_ADMIN_DIR = resolve(import.meta.dirname, '../../../dist-admin');

export const ADMIN_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': ADMIN_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

export async function adminStaticRoutes(app: FastifyInstance, dir: string = DEFAULT_ADMIN_DIR): Promise<void> {
  app.get('/admin', async (_req, reply) => reply.redirect('/admin/', 302));

  if (!existsSync(join(dir, 'index.html'))) {
    // Not built: say how to build it rather than a bare 404 (the API under /admin/api keeps working).
    app.get('/admin/', async (_req, reply) =>
      reply
        .code(503)
        .headers(SECURITY_HEADERS)
        .type('text/plain; charset=utf-8')
        .send('The manager dashboard is not built yet: run `npm run build:admin` and reload.'),
    );
    return;
  }

  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/admin/',
    index: 'index.html',
    dotfiles: 'deny',
    // The build's own files only: no directory listings, no precompressed guesses.
    list: false,
    decorateReply: false,
    cacheControl: false,
    setHeaders(reply, path) {
      reply.headers(SECURITY_HEADERS);
      const hashed = /[/\\]assets[/\\]/.test(path);
      reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}
