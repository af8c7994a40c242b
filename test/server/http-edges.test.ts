/**
 * Issue 6, "Also": the edges of the HTTP layer answer in the API's `{error:{code,message}}` shape (parser
 * errors, timeouts, broken URLs, a bad live cursor), and device authentication runs before the body is read.
 * Real server on a real port; raw sockets where fetch cannot express the request.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { newId } from '../../shared/ids.ts';
import { DB_KIND, startTestSystem, type TestSystem, type Till } from './helpers.ts';
import { head, rawRequest } from './raw-http.ts';

const REQUEST_TIMEOUT_MS = 1_000;
const AUTH_FAILURES_PER_IP = 5;

let sys: TestSystem;
let till: Till;
let port: number;
beforeAll(async () => {
  sys = await startTestSystem({
    env: {
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HEADERS_TIMEOUT_MS: '800',
      KEEP_ALIVE_TIMEOUT_MS: '500',
      PROVIDER_TIMEOUT_MS: '2000',
      SOCKET_IDLE_TIMEOUT_MS: '2500',
      AUTH_FAILURES_PER_IP: String(AUTH_FAILURES_PER_IP),
    },
  });
  till = await sys.till();
  port = Number(new URL(sys.serverUrl).port);
});
afterAll(async () => {
  await sys?.close();
});

const apiError = (code: string) => ({ error: { code, message: expect.any(String) } });

async function metric(name: string, labels = ''): Promise<number> {
  const text = await sys.server.ctx.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe(`HTTP parser errors use the API error shape (${DB_KIND})`, () => {
  it('answers headers followed by a body that never comes with 408 REQUEST_TIMEOUT and closes', async () => {
    for (const path of ['/v1/webhooks/midtrans', '/v1/payments']) {
      const r = await rawRequest({
        port,
        chunks: [
          head('POST', path, [
            'Content-Type: application/json',
            'Content-Length: 500',
            `Authorization: Bearer ${till.token}`,
          ]),
        ],
        waitMs: REQUEST_TIMEOUT_MS * 10,
      });
      expect(r.status, r.data).toBe(408);
      expect(r.json).toEqual(apiError('REQUEST_TIMEOUT'));
      expect(r.closedAfterMs).not.toBeNull();
    }
  });

  it('answers headers that trickle in and never end with 408 REQUEST_TIMEOUT and closes', async () => {
    const r = await rawRequest({
      port,
      chunks: ['POST /v1/webhooks/xendit HTTP/1.1\r\n', 300, 'Host: a\r\n', 300, 'X-A: 1\r\n', 300, 'X-B: 2\r\n'],
      waitMs: REQUEST_TIMEOUT_MS * 10,
    });
    expect(r.status, r.data).toBe(408);
    expect(r.json).toEqual(apiError('REQUEST_TIMEOUT'));
    expect(r.closedAfterMs).not.toBeNull();
  });

  it('answers headers over the size limit with 431 HEADERS_TOO_LARGE', async () => {
    const r = await rawRequest({
      port,
      chunks: [head('GET', '/health', [`X-Big: ${'a'.repeat(20_000)}`])],
      waitMs: 5_000,
    });
    expect(r.status, r.data).toBe(431);
    expect(r.json).toEqual(apiError('HEADERS_TOO_LARGE'));
  });

  it('answers duplicate or conflicting Content-Length, and Content-Length with chunked, with 400 INVALID_INPUT', async () => {
    const bad = [
      ['Content-Length: 2', 'Content-Length: 3'],
      ['Content-Length: 2', 'Content-Length: 2'],
      ['Content-Length: 2', 'Transfer-Encoding: chunked'],
      ['Content-Length: -1'],
    ];
    for (const lines of bad) {
      const r = await rawRequest({
        port,
        chunks: [head('POST', '/v1/webhooks/midtrans', ['Content-Type: application/json', ...lines]), '{}'],
        waitMs: 5_000,
      });
      expect(r.status, `${lines.join(' + ')}: ${r.data}`).toBe(400);
      expect(r.json).toEqual(apiError('INVALID_INPUT'));
    }
  });

  it('answers a path with broken percent-encoding with 400 INVALID_INPUT', async () => {
    const res = await fetch(`${sys.serverUrl}/v1/payments/%E0%A4%A`, {
      headers: { authorization: `Bearer ${till.token}` },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(apiError('INVALID_INPUT'));
  });
});

describe('the live socket and pull answer a bad cursor alike', () => {
  async function liveRefusal(query: string): Promise<{ status: number; body: unknown }> {
    const ws = new WebSocket(`${sys.serverUrl.replace(/^http/, 'ws')}/v1/sync/live?${query}`, {
      headers: { authorization: `Bearer ${till.token}` },
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        ws.close();
        reject(new Error(`live socket opened for ${query}`));
      });
      ws.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      ws.once('error', () => {});
    });
  }

  for (const query of ['cursor=abc', 'cursor=-5', 'cursor=1.5', 'cursor=1&cursor=2', 'cursor=0&evil=1']) {
    it(`refuses ${query} with the same 400 as pull`, async () => {
      const pull = await till.request('GET', `/v1/sync/pull?${query}`);
      expect(pull.status).toBe(400);
      const live = await liveRefusal(query);
      expect(live.status).toBe(400);
      expect(live.body).toEqual(apiError('INVALID_INPUT'));
      expect((live.body as { error: { code: string } }).error.code).toBe(pull.body.error.code);
    });
  }

  it('still opens at a good cursor, and stays open past every HTTP timeout', async () => {
    const live = await till.live(0);
    await new Promise((r) => setTimeout(r, 4_000)); // past request (1 s), keep-alive (0.5 s) and idle (2.5 s)
    const { body } = await till.createPayment(4_321);
    await live.waitFor((f) => f.kind === 'event' && f.event.payment.payment_id === body.payment_id);
    live.close();
  });
});

describe('device authentication before the body', () => {
  it('refuses a 60 KB body without a token before the body has arrived, and closes the connection', async () => {
    const r = await rawRequest({
      port,
      // Only the first kilobyte of the announced 60 KB is ever sent.
      chunks: [
        head('POST', '/v1/payments', ['Content-Type: application/json', 'Content-Length: 61440']),
        'x'.repeat(1024),
      ],
      waitMs: REQUEST_TIMEOUT_MS * 10,
    });
    // Authenticating after the body would wait for it and end in a 408.
    expect(r.status, r.data).toBe(401);
    expect(r.json).toEqual(apiError('UNAUTHORIZED'));
    expect(r.closedAfterMs).not.toBeNull();
  });

  it('refuses a complete 60 KB malformed body without a token with 401, not a parse error', async () => {
    const res = await fetch(`${sys.serverUrl}/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"x":${'['.repeat(60 * 1024)}`,
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(apiError('UNAUTHORIZED'));
  });

  it('refuses the live socket without a token before the upgrade', async () => {
    const r = await rawRequest({
      port,
      chunks: [
        head('GET', '/v1/sync/live?cursor=0', [
          'Connection: Upgrade',
          'Upgrade: websocket',
          'Sec-WebSocket-Version: 13',
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        ]),
      ],
      waitMs: 5_000,
    });
    expect(r.status, r.data).toBe(401);
  });

  it('answers 429 once an address has failed too often, while a valid till at that address is still served', async () => {
    const from = '127.0.0.3';
    const attempt = (authorization: string) =>
      rawRequest({
        port,
        localAddress: from,
        chunks: [head('GET', '/v1/sync/pull?cursor=0', [`Authorization: ${authorization}`])],
        waitMs: 5_000,
      });
    const before429 = await metric('kasir_device_auth_failures_total', 'answer="429"');
    const forged = `Bearer kq1.${newId()}.${'A'.repeat(43)}`;
    const statuses: (number | null)[] = [];
    for (let i = 0; i < AUTH_FAILURES_PER_IP + 3; i++) statuses.push((await attempt(forged)).status);
    expect(statuses).toEqual([...Array(AUTH_FAILURES_PER_IP).fill(401), ...Array(3).fill(429)]);
    const limited = await attempt('Bearer nonsense');
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual(apiError('RATE_LIMITED'));
    expect(limited.data.toLowerCase()).toContain('retry-after:');
    const ok = await attempt(`Bearer ${till.token}`);
    expect(ok.status, ok.data).toBe(200);
    // Another address is not affected.
    const elsewhere = await rawRequest({
      port,
      localAddress: '127.0.0.4',
      chunks: [head('GET', '/v1/sync/pull?cursor=0', [`Authorization: ${forged}`])],
      waitMs: 5_000,
    });
    expect(elsewhere.status).toBe(401);
    expect((await metric('kasir_device_auth_failures_total', 'answer="429"')) - before429).toBe(4);
  });
});
