/**
 * Where the customer display gets its state: in Electron the display window's preload (`window.posDisplay`,
 * read-only); in a browser the web host's `/api/display` WebSocket, opened with the display token from the
 * URL fragment (`#display=…`). Neither way can call a till verb.
 */
import type { DisplayState } from '../../../shared/counter.ts';

export const DISPLAY_PROTOCOL = 'kasir-display';
const STORAGE_KEY = 'kasir-qris.display-token';

declare global {
  interface Window {
    posDisplay?: { onDisplay(cb: (s: DisplayState) => void): () => void };
  }
}

export function isDisplayPage(loc: Location = window.location): boolean {
  return (
    /^#display(?:=|$)/.test(loc.hash) ||
    (loc.hash === '' && !!window.sessionStorage.getItem(STORAGE_KEY) && !window.pos)
  );
}

function takeDisplayToken(loc: Location = window.location, storage: Storage = window.sessionStorage): string | null {
  const m = /^#display=([A-Za-z0-9_-]{16,200})$/.exec(loc.hash);
  if (m?.[1]) {
    storage.setItem(STORAGE_KEY, m[1]);
    window.history.replaceState(null, '', loc.pathname + loc.search);
    return m[1];
  }
  return storage.getItem(STORAGE_KEY);
}

/** Subscribes to the display state; reconnects with backoff. Returns the unsubscribe function. */
export function subscribeDisplay(cb: (s: DisplayState | null) => void): () => void {
  if (window.posDisplay) return window.posDisplay.onDisplay(cb);
  const token = takeDisplayToken();
  if (!token) {
    cb(null);
    return () => {};
  }
  let stopped = false;
  let ws: WebSocket | null = null;
  let retryMs = 250;
  const connect = () => {
    if (stopped) return;
    ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/display`, [
      DISPLAY_PROTOCOL,
      token,
    ]);
    ws.onopen = () => {
      retryMs = 250;
    };
    ws.onmessage = (m) => {
      try {
        const frame = JSON.parse(String(m.data)) as { name?: string; payload?: DisplayState };
        if (frame.name === 'display:changed' && frame.payload) cb(frame.payload);
      } catch {
        // Not ours: ignored.
      }
    };
    ws.onclose = () => {
      ws = null;
      if (stopped) return;
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5_000);
    };
  };
  connect();
  return () => {
    stopped = true;
    ws?.close();
  };
}
