/**
 * Serves the built renderer on `app://till/…` from one folder, with the CSP as a real response header (a meta
 * tag cannot set frame-ancestors, and a header covers every page). Paths are resolved inside the folder only.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { contentSecurityPolicy } from '../core/csp.ts';
import { isAppUrl } from './security.ts';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.webmanifest': 'application/manifest+json',
};

/** The file for an app:// URL, or null when the URL is not ours or points outside the renderer folder. */
export function resolveAppFile(rendererDir: string, url: string): string | null {
  if (!isAppUrl(url)) return null;
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const rel = normalize(path === '/' || path === '' ? '/index.html' : path).replace(/^[/\\]+/, '');
  const root = normalize(rendererDir.endsWith(sep) ? rendererDir : rendererDir + sep);
  const file = normalize(join(root, rel));
  return file.startsWith(root) ? file : null;
}

export function appProtocolHandler(rendererDir: string, read: (file: string) => Promise<Buffer> = readFile) {
  const headers = (type: string) => ({
    'content-type': type,
    'content-security-policy': contentSecurityPolicy(),
    'x-content-type-options': 'nosniff',
  });
  return async (req: { url: string }): Promise<Response> => {
    const file = resolveAppFile(rendererDir, req.url);
    if (!file) return new Response('not found', { status: 404, headers: headers('text/plain') });
    try {
      const body = await read(file);
      return new Response(new Uint8Array(body), {
        status: 200,
        headers: headers(MIME[extname(file)] ?? 'application/octet-stream'),
      });
    } catch {
      return new Response('not found', { status: 404, headers: headers('text/plain') });
    }
  };
}
