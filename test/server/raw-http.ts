/**
 * HTTP at the socket level, for tests of what fetch cannot send or observe: stalled and malformed requests,
 * a chosen source address (any 127.x.y.z is the local host on Linux, so one machine can play many clients),
 * and whether and when the server closed the connection.
 */
import { connect } from 'node:net';

export type RawResult = {
  /** Everything the server sent. */
  data: string;
  /** Status of the first response, or null when none came. */
  status: number | null;
  /** The first response's body parsed as JSON, when it is JSON. */
  json: any;
  /** Milliseconds from connect until the server closed the connection; null if still open at `waitMs`. */
  closedAfterMs: number | null;
  /** The socket error, if any (a refused connection shows as ECONNRESET or no data at all). */
  error: string | null;
};

export function parseResponse(data: string): { status: number | null; json: any } {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
  const at = data.indexOf('\r\n\r\n');
  let json: any = null;
  if (at >= 0) {
    try {
      json = JSON.parse(data.slice(at + 4));
    } catch {}
  }
  return { status: m ? Number(m[1]) : null, json };
}

/**
 * Connects, writes `chunks` (a number is a pause in ms), and collects the answer until the server closes or
 * `waitMs` passes (then the socket is destroyed).
 */
export function rawRequest(o: {
  port: number;
  host?: string;
  localAddress?: string;
  chunks: (string | Buffer | number)[];
  waitMs: number;
}): Promise<RawResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect({ port: o.port, host: o.host ?? '127.0.0.1', localAddress: o.localAddress });
    let data = '';
    let error: string | null = null;
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ data, ...parseResponse(data), closedAfterMs: closed ? Date.now() - started : null, error });
    };
    const timer = setTimeout(() => finish(false), o.waitMs);
    socket.on('data', (d) => {
      data += d.toString('latin1');
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on('close', () => finish(true));
    socket.on('connect', async () => {
      for (const c of o.chunks) {
        if (typeof c === 'number') await new Promise((r) => setTimeout(r, c));
        else if (!socket.destroyed) socket.write(c);
      }
    });
  });
}

/** A request head; `extra` lines are added as they are (duplicates and odd headers included). */
export function head(method: string, path: string, extra: string[] = []): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra.map((l) => `${l}\r\n`).join('')}\r\n`;
}
