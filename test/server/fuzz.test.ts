import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.ts';
import { startTestSystem, type TestSystem, type Till } from './helpers.ts';

let sys: TestSystem;
let till: Till;
beforeAll(async () => {
  sys = await startTestSystem();
  till = await sys.till();
});
afterAll(async () => {
  await sys?.close();
});

const routes = [
  ['POST', '/v1/payments'],
  ['POST', () => `/v1/payments/${newId()}/cancel`],
  ['GET', () => `/v1/payments/${newId()}`],
  ['GET', '/v1/sync/pull?cursor=0'],
  ['POST', '/v1/sync/push'],
  ['POST', '/v1/webhooks/xendit'],
  ['POST', '/v1/webhooks/midtrans'],
  ['POST', '/v1/shifts'],
  ['GET', () => `/v1/shifts/${newId()}`],
] as const;

// Bodies a careless or hostile client might send: arbitrary JSON, near-miss payment requests, raw bytes.
const body = fc.oneof(
  fc.json(),
  fc
    .record(
      {
        payment_id: fc.oneof(fc.uuid(), fc.string()),
        sale_id: fc.oneof(fc.uuid(), fc.string()),
        amount: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
        provider: fc.oneof(fc.constantFrom('xendit', 'midtrans'), fc.string()),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
  fc.string({ maxLength: 300 }),
);

describe('no input makes the server answer 5xx', () => {
  it('answers random bodies on every route with 2xx or a typed 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        body,
        fc.constantFrom('application/json', 'text/plain', 'application/octet-stream'),
        fc.boolean(),
        async ([method, path], payload, contentType, authed) => {
          const url = `${sys.serverUrl}${typeof path === 'function' ? path() : path}`;
          const res = await fetch(url, {
            method,
            headers: { 'content-type': contentType, ...(authed ? { authorization: `Bearer ${till.token}` } : {}) },
            body: method === 'GET' ? undefined : payload,
          });
          const text = await res.text();
          const code = res.status >= 400 ? (JSON.parse(text) as { error: { code: string } }).error.code : null;
          // A provider's own refusal or outage is a gateway answer (502/503), never a 500 of ours.
          if (res.status >= 500) expect(code, `${method} ${url} ${payload} → ${text}`).toMatch(/^PROVIDER_/);
          if (code !== null) expect(code).toMatch(/^[A-Z_]+$/);
        },
      ),
      { numRuns: 300, seed: 4242 },
    );
  });
});
