/**
 * Issue 6, defect 3: webhook bodies are stored as the exact bytes received, on SQLite and PostgreSQL. A NUL
 * byte (which PostgreSQL text cannot hold) or bytes that are not UTF-8 must not turn a delivery into a 500
 * and must not lose its audit row.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids.ts';
import { openDatabase } from '../../sync-server/src/db/database.ts';
import { migrationsFor } from '../../sync-server/src/db/migrations/index.ts';
import {
  insertWebhookEvent,
  insertWebhookEventOnce,
  setWebhookOutcome,
} from '../../sync-server/src/repos/webhook-events-repo.ts';
import { signedMidtrans } from '../support/midtrans.ts';
import { DB_KIND, freshPgSchema, PG_URL, startTestSystem, type TestSystem } from './helpers.ts';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => {
  await sys?.close();
});

/** Posts exactly these bytes (fetch would re-encode a string), and reads the JSON answer. */
function postBytes(
  provider: string,
  body: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const u = new URL(`${sys.serverUrl}/v1/webhooks/${provider}`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const db = () => sys.server.ctx.database.db;
const lastWebhook = () =>
  db().selectFrom('webhook_events').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();

const NUL_BYTE = Buffer.from('{"a":"\u0000"}', 'utf8'); // a literal 0x00 inside the JSON string
const NUL_ESCAPE = Buffer.from('{"a":"\\u0000"}', 'utf8'); // the six characters \u0000
const NOT_UTF8 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x00, 0xc3, 0x22, 0x7d]);

describe(`raw webhook bodies on ${DB_KIND}`, () => {
  const bodies: [string, Buffer][] = [
    ['a NUL byte', NUL_BYTE],
    ['an escaped NUL', NUL_ESCAPE],
    ['bytes that are not UTF-8', NOT_UTF8],
  ];

  for (const [name, body] of bodies) {
    for (const provider of ['midtrans', 'xendit']) {
      it(`answers an unsigned ${provider} delivery holding ${name} with 401 and keeps its exact bytes`, async () => {
        const r = await postBytes(provider, body);
        expect(r.status).toBe(401);
        expect(r.body).toEqual({ error: { code: 'INVALID_SIGNATURE', message: expect.any(String) } });
        const row = await lastWebhook();
        expect(row).toMatchObject({ provider, verified: 0, outcome: 'rejected' });
        expect(Buffer.isBuffer(row.raw_body)).toBe(true);
        expect(Buffer.compare(row.raw_body, body)).toBe(0);
      });
    }

    it(`answers a verified Xendit delivery holding ${name} with 400 and keeps its exact bytes`, async () => {
      const r = await postBytes('xendit', body, { 'x-callback-token': sys.sandboxes.xenditCallbackToken });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('INVALID_INPUT');
      const row = await lastWebhook();
      expect(row).toMatchObject({ provider: 'xendit', verified: 1, outcome: 'invalid' });
      expect(Buffer.compare(row.raw_body, body)).toBe(0);
    });
  }

  it('keeps a signed Midtrans notification whose unsigned fields hold an escaped NUL and non-UTF-8 bytes, byte for byte', async () => {
    const orderId = newId();
    const text = signedMidtrans(
      {
        transaction_time: '2026-11-23 10:00:00',
        transaction_status: 'pending',
        transaction_id: newId(),
        status_message: 'midtrans \u0000 notification BYTES',
        status_code: '201',
        payment_type: 'qris',
        order_id: orderId,
        merchant_id: 'G1',
        gross_amount: '5000.00',
        fraud_status: 'accept',
        currency: 'IDR',
      },
      sys.sandboxes.midtransServerKey,
    );
    // The signature covers order_id, status_code and gross_amount only, so other fields may carry any bytes.
    const [head, tail] = text.split('BYTES') as [string, string];
    const body = Buffer.concat([Buffer.from(head), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(tail)]);
    const r = await postBytes('midtrans', body);
    expect(r.status).toBe(200);
    const row = await lastWebhook();
    expect(row).toMatchObject({ verified: 1, outcome: 'parked', payment_id: orderId });
    expect(Buffer.compare(row.raw_body, body)).toBe(0);
  });
});

describe(`the webhook-events repository on ${DB_KIND}`, () => {
  it('stores text that holds NUL in every text column instead of failing, and raw bytes as they are', async () => {
    const nul = 'a\u0000b';
    const raw = Buffer.from([0, 1, 2, 0xff, 0]);
    const id = await insertWebhookEvent(db(), {
      provider: 'midtrans',
      event_key: null,
      received_at: 1,
      headers: JSON.stringify({ 'user-agent': 'x' }).replace('x', nul),
      raw_body: raw,
      verified: 0,
      outcome: 'rejected',
      detail: `detail ${nul}`,
      processed_at: 1,
    });
    const once = await insertWebhookEventOnce(db(), {
      provider: 'midtrans',
      event_key: `key-${nul}-${newId()}`,
      received_at: 1,
      headers: '{}',
      raw_body: raw,
      verified: 1,
      outcome: 'received',
      payment_id: nul,
      provider_ref: nul,
      status: nul,
      detail: null,
      processed_at: null,
    });
    expect(once).not.toBeNull();
    await setWebhookOutcome(db(), once!, { outcome: 'invalid', payment_id: nul, detail: nul, processed_at: 2 });
    const rows = await db().selectFrom('webhook_events').selectAll().where('id', 'in', [id, once!]).execute();
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(Buffer.compare(row.raw_body, raw)).toBe(0);
      for (const v of [row.headers, row.detail, row.payment_id, row.event_key, row.provider_ref, row.status]) {
        if (v !== null) expect(v).not.toContain('\u0000');
      }
    }
    // The NUL stays visible to an operator reading the row.
    expect(rows.find((r) => r.id === id)?.detail).toBe('detail a\\u0000b');
  });
});

describe(`migration 0003-raw-bytes on ${DB_KIND}`, () => {
  it('turns every stored text body into the same UTF-8 bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kasir-raw-'));
    const schema = PG_URL ? await freshPgSchema() : null;
    const database = openDatabase(
      schema ? { kind: 'postgres', url: schema.url } : { kind: 'sqlite', file: join(dir, 'server.sqlite') },
    );
    try {
      const all = migrationsFor(database.kind);
      const pgSchema =
        database.kind === 'postgres'
          ? (await sql<{ s: string }>`select current_schema() as s`.execute(database.db)).rows[0]?.s
          : undefined;
      const migrator = new Migrator({
        db: database.db,
        provider: { getMigrations: async () => all },
        ...(pgSchema ? { migrationTableSchema: pgSchema } : {}),
      });
      const before = Object.keys(all).filter((n) => n < '0003');
      const r = await migrator.migrateTo(before.at(-1)!);
      expect(r.error).toBeUndefined();
      const texts = ['{"order_id":"é-ü-€-😀"}', '', '{"a":"\\u0000"}'];
      for (const t of texts) {
        await sql`insert into webhook_events (provider, event_key, received_at, headers, raw_body, verified, outcome)
                  values ('midtrans', null, 1, '{}', ${t}, 0, 'rejected')`.execute(database.db);
      }
      expect(await database.migrate()).toContain('0003-raw-bytes');
      const rows = await database.db.selectFrom('webhook_events').select(['raw_body']).orderBy('id').execute();
      expect(rows.map((x) => Buffer.isBuffer(x.raw_body))).toEqual([true, true, true]);
      expect(rows.map((x) => x.raw_body.toString('utf8'))).toEqual(texts);
    } finally {
      await database.close();
      await schema?.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
