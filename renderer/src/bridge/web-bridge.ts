/**
 * The till API over the loopback web host (electron/web-host). Calls are `POST /api/<channel>` with the
 * per-launch token in a header; push events arrive on the `/api/events` WebSocket, whose token travels in
 * `Sec-WebSocket-Protocol` because a browser cannot set headers on a WebSocket.
 *
 * The token comes in the URL fragment (`#token=...`, never sent to a server or written to a log). It is read
 * once, removed from the address bar so it is not bookmarked or shoulder-surfed, and kept in sessionStorage so
 * a reload of this tab still works (a new tab needs the printed URL again).
 */
import {
  type IpcChannel,
  isTillEventName,
  TILL_METHODS,
  type TillApi,
  type TillEventName,
  type TillEventPayloads,
  tillError,
} from '../../../shared/ipc.ts';
import type { Result } from '../../../shared/result.ts';

export const TOKEN_HEADER = 'x-till-token';
/** First WebSocket sub-protocol; the server echoes it. The second one carries the token. */
export const EVENTS_PROTOCOL = 'kasir-till';
const STORAGE_KEY = 'kasir-qris.till-token';

/** Reads `#token=` once, strips it from the URL, and falls back to this tab's sessionStorage. */
export function takeToken(loc: Location = window.location, storage: Storage = window.sessionStorage): string | null {
  const m = /(?:^#|&)token=([A-Za-z0-9_-]{16,200})(?:&|$)/.exec(loc.hash);
  if (m?.[1]) {
    storage.setItem(STORAGE_KEY, m[1]);
    window.history.replaceState(null, '', loc.pathname + loc.search);
    return m[1];
  }
  return storage.getItem(STORAGE_KEY);
}

type Listener = (payload: unknown) => void;

export function createWebBridge(): TillApi {
  const token = takeToken();
  const listeners = new Map<TillEventName, Set<Listener>>();
  let socket: WebSocket | null = null;
  let retryMs = 250;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  async function call(channel: IpcChannel, input: unknown): Promise<Result<unknown>> {
    if (!token) return tillError('FORBIDDEN', 'this page was opened without the till token; use the printed URL');
    let res: Response;
    try {
      res = await fetch(`/api/${channel}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
        // Wrapped so that "no input" is a valid JSON body too.
        body: JSON.stringify({ input }),
      });
    } catch (e) {
      return tillError('BRIDGE_UNAVAILABLE', e instanceof Error ? e.message : 'the till service is not reachable');
    }
    if (res.status === 401 || res.status === 403) return tillError('FORBIDDEN', 'the till token was refused');
    try {
      return (await res.json()) as Result<unknown>;
    } catch {
      return tillError('BRIDGE_UNAVAILABLE', `unexpected answer from the till service (HTTP ${res.status})`);
    }
  }

  function connect(): void {
    if (!token || socket) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/events`;
    const ws = new WebSocket(url, [EVENTS_PROTOCOL, token]);
    socket = ws;
    ws.onopen = () => {
      retryMs = 250;
    };
    ws.onmessage = (m) => {
      let frame: { name?: unknown; payload?: unknown };
      try {
        frame = JSON.parse(String(m.data)) as typeof frame;
      } catch {
        return;
      }
      if (!isTillEventName(frame.name)) return;
      for (const cb of listeners.get(frame.name) ?? []) cb(frame.payload);
    };
    ws.onclose = () => {
      socket = null;
      if (retryTimer || totalListeners() === 0) return;
      // The host may be restarting: back off up to 5 s and resubscribe. On connect the host sends a fresh
      // connection:changed snapshot, so the screen can refetch whatever it shows.
      retryTimer = setTimeout(() => {
        retryTimer = null;
        connect();
      }, retryMs);
      retryMs = Math.min(retryMs * 2, 5_000);
    };
  }

  const totalListeners = () => [...listeners.values()].reduce((n, s) => n + s.size, 0);

  const api: Record<string, unknown> = {};
  for (const [method, channel] of Object.entries(TILL_METHODS)) {
    api[method] = (input?: unknown) => call(channel, input);
  }
  api.onEvent = <E extends TillEventName>(name: E, cb: (payload: TillEventPayloads[E]) => void) => {
    const set = listeners.get(name) ?? new Set<Listener>();
    listeners.set(name, set);
    const l = cb as Listener;
    set.add(l);
    connect();
    return () => {
      set.delete(l);
    };
  };
  return api as TillApi;
}
