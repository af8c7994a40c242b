/**
 * The customer display's URL and token on the web host: it streams the display state and nothing else; its
 * token is refused by every till verb and by the cashier's event stream, and the till token cannot open it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentLogger } from '../../../electron/core/errors.ts';
import { DISPLAY_PROTOCOL, EVENTS_PROTOCOL, TOKEN_HEADER } from '../../../electron/web-host/guards.ts';
import { startWebHost, type WebHost } from '../../../electron/web-host/start.ts';
import type { DisplayState } from '../../../shared/counter.ts';
import { IPC_CHANNELS } from '../../../shared/ipc.ts';
import { tempDir } from '../core/helpers.ts';

const hosts: WebHost[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  for (const h of hosts.splice(0)) await h.close();
});

async function start(): Promise<WebHost & { displayToken: string }> {
  const h = await startWebHost({
    dataDir: tempDir(),
    port: 0,
    rendererDir: tempDir('renderer-'),
    seedDemo: true,
    log: silentLogger,
  });
  hosts.push(h);
  const displayToken = /#display=([A-Za-z0-9_-]+)$/.exec(h.displayUrl)?.[1];
  if (!displayToken) throw new Error(`no display token in ${h.displayUrl}`);
  return { ...h, displayToken };
}

/** Opens a socket; resolves with the frames it gets, or the HTTP status it was refused with. */
function open(h: WebHost, path: string, protocols: string[]) {
  const frames: { name: string; payload: unknown }[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${h.port}${path}`, protocols);
  sockets.push(ws);
  ws.on('message', (d) => frames.push(JSON.parse(String(d)) as { name: string; payload: unknown }));
  const opened = new Promise<number>((resolve) => {
    ws.once('open', () => resolve(101));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(0));
  });
  return { ws, frames, opened };
}

const verb = (h: WebHost, channel: string, token: string, input?: unknown) =>
  fetch(`http://127.0.0.1:${h.port}/api/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
    body: JSON.stringify({ input }),
  });

async function until<T>(f: () => T | undefined, ms = 5_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('customer display on the web host', () => {
  it('streams the display state: idle first, then the cart the cashier builds, priced by the core', async () => {
    const h = await start();
    const d = open(h, '/api/display', [DISPLAY_PROTOCOL, h.displayToken]);
    expect(await d.opened).toBe(101);
    const first = await until(() => d.frames[0]);
    expect(first).toEqual({ name: 'display:changed', payload: { phase: 'idle', storeName: 'Toko' } });
    const product = h.core.listCatalog(undefined).find((p) => p.sku === 'AIR-600')!;
    const r = await verb(h, 'display:cart', h.token, { lines: [{ productId: product.id, qty: 3 }] });
    expect(((await r.json()) as { ok: boolean }).ok).toBe(true);
    const cart = await until(() => d.frames.find((f) => (f.payload as DisplayState).phase === 'cart'));
    expect(cart.payload).toMatchObject({ phase: 'cart', total: product.price * 3, lines: [{ qty: 3 }] });
    // It receives only display events: a status change of the till is not sent to the customer.
    expect(d.frames.every((f) => f.name === 'display:changed')).toBe(true);
  });

  it('refuses the display token for every till verb', async () => {
    const h = await start();
    for (const channel of IPC_CHANNELS) {
      const r = await verb(h, channel, h.displayToken);
      expect(r.status, channel).toBe(403);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    }
    // Including the display's own feeding verb: only the cashier's screen may say what is in the cart.
    const product = h.core.listCatalog(undefined)[0]!;
    expect((await verb(h, 'display:cart', h.displayToken, { lines: [{ productId: product.id, qty: 1 }] })).status).toBe(
      403,
    );
  });

  it('refuses the display token on the cashier’s event stream, and the till token on the display stream', async () => {
    const h = await start();
    expect(await open(h, '/api/events', [EVENTS_PROTOCOL, h.displayToken]).opened).toBe(403);
    expect(await open(h, '/api/display', [DISPLAY_PROTOCOL, h.token]).opened).toBe(403);
    expect(await open(h, '/api/display', [DISPLAY_PROTOCOL]).opened).toBe(401);
    expect(await open(h, '/api/display', [DISPLAY_PROTOCOL, `${h.displayToken}x`]).opened).toBe(403);
  });

  it('ignores whatever the display page sends', async () => {
    const h = await start();
    const d = open(h, '/api/display', [DISPLAY_PROTOCOL, h.displayToken]);
    await d.opened;
    await until(() => d.frames[0]);
    d.ws.send(JSON.stringify({ channel: 'sale:create', input: { lines: [] } }));
    d.ws.send('not json');
    await new Promise((r) => setTimeout(r, 100));
    expect(h.core.recentSales(undefined)).toEqual([]);
    expect(d.ws.readyState).toBe(WebSocket.OPEN);
  });
});
