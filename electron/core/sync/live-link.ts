/**
 * The live WebSocket to the sync-server (`GET /v1/sync/live?cursor=N`). It reconnects with backoff and always
 * resumes from the last applied `seq`, so nothing is missed and a replayed event is a no-op downstream.
 * It only reports; the core decides what an event means.
 */
import WebSocket from 'ws';
import {
  type StoreLiveFrame as LiveFrame,
  StoreLiveFrameSchema as LiveFrameSchema,
  type StoreEvent as SyncEvent,
} from '../../../shared/events.ts';

export type LinkState = 'connecting' | 'online' | 'offline';

export type LiveLinkOptions = {
  baseUrl: string;
  token: string;
  /** The cursor to resume from, read at every (re)connect. */
  cursor: () => number;
  onHello: (f: Extract<LiveFrame, { kind: 'hello' }>) => void;
  /** Applies one event durably (status and cursor in one transaction); a throw drops the socket to resume. */
  onEvent: (e: SyncEvent) => void;
  onState: (s: LinkState, lastError: string | null) => void;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** A socket with no pong for this long is considered dead (a NAT or Wi-Fi drop sends no close frame). */
  heartbeatMs?: number;
};

export class LiveLink {
  readonly #o: Required<LiveLinkOptions>;
  #ws: WebSocket | null = null;
  #stopped = false;
  #backoff: number;
  #retry: NodeJS.Timeout | null = null;
  #beat: NodeJS.Timeout | null = null;

  constructor(o: LiveLinkOptions) {
    this.#o = { minBackoffMs: 500, maxBackoffMs: 10_000, heartbeatMs: 15_000, ...o };
    this.#backoff = this.#o.minBackoffMs;
  }

  start(): void {
    this.#stopped = false;
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#retry) clearTimeout(this.#retry);
    if (this.#beat) clearInterval(this.#beat);
    this.#retry = null;
    this.#beat = null;
    this.#ws?.terminate();
    this.#ws = null;
  }

  #connect(): void {
    if (this.#stopped) return;
    this.#o.onState('connecting', null);
    const url = new URL('/v1/sync/live', this.#o.baseUrl.replace(/^http/, 'ws'));
    url.searchParams.set('cursor', String(this.#o.cursor()));
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${this.#o.token}` },
      handshakeTimeout: 5_000,
      maxPayload: 1 << 20,
    });
    this.#ws = ws;
    let lastError: string | null = null;
    let alive = true;

    ws.on('unexpected-response', (_req, res) => {
      lastError =
        res.statusCode === 401 || res.statusCode === 403
          ? `the sync-server refused the device token (HTTP ${res.statusCode})`
          : `the sync-server answered HTTP ${res.statusCode} to the live connection`;
      res.resume();
      ws.terminate();
    });
    ws.on('error', (e) => {
      lastError ??= `live connection failed: ${e.message}`;
    });
    ws.on('pong', () => {
      alive = true;
    });
    ws.on('message', (data) => {
      let frame: LiveFrame;
      try {
        const parsed = LiveFrameSchema.safeParse(JSON.parse(String(data)));
        if (!parsed.success) return; // a frame of a newer server version: skip it, the cursor does not move
        frame = parsed.data;
      } catch {
        return;
      }
      if (frame.kind === 'hello') {
        this.#backoff = this.#o.minBackoffMs;
        this.#o.onHello(frame);
        this.#o.onState('online', null);
        return;
      }
      try {
        this.#o.onEvent(frame.event);
      } catch (e) {
        // Could not apply (disk full, locked DB): drop the socket and resume from the last applied cursor.
        lastError = `could not apply a server event: ${e instanceof Error ? e.message : String(e)}`;
        ws.terminate();
      }
    });
    ws.on('open', () => {
      if (this.#beat) clearInterval(this.#beat);
      this.#beat = setInterval(() => {
        if (!alive) {
          lastError = 'the live connection stopped answering';
          ws.terminate();
          return;
        }
        alive = false;
        ws.ping();
      }, this.#o.heartbeatMs);
    });
    ws.on('close', () => {
      if (this.#beat) clearInterval(this.#beat);
      this.#beat = null;
      if (this.#ws === ws) this.#ws = null;
      if (this.#stopped) return;
      this.#o.onState('offline', lastError ?? 'the live connection closed');
      this.#retry = setTimeout(() => {
        this.#retry = null;
        this.#connect();
      }, this.#backoff);
      this.#backoff = Math.min(this.#backoff * 2, this.#o.maxBackoffMs);
    });
  }
}
