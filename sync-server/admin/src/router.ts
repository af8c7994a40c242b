/**
 * Hash routes (`#/payments/…`): the server serves one index.html under /admin/ and needs no fallback route,
 * and every page is a link a manager can bookmark or open in a new tab.
 */
import { useEffect, useState } from 'react';

export type Route = { page: string; id: string | null; params: URLSearchParams };

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = raw.split('?', 2);
  const [page = '', id = null] = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { page: page || 'tills', id, params: new URLSearchParams(query) };
}

export function href(page: string, id?: string | null, params?: Record<string, string>): string {
  const q = params ? new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '')).toString() : '';
  return `#/${page}${id ? `/${encodeURIComponent(id)}` : ''}${q ? `?${q}` : ''}`;
}

export function navigate(to: string): void {
  window.location.hash = to.replace(/^#/, '');
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
