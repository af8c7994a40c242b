import { type Insertable, sql } from 'kysely';
import type { WebhookEventRow, WebhookEventsTable } from '../db/schema.ts';
import type { Executor } from './executor.ts';

/** A delivery to store: `raw_body` is the exact bytes received, kept as they are (bytea / BLOB). */
export type NewWebhookEvent = Insertable<WebhookEventsTable>;

/**
 * Everything else in a webhook row is text that came, directly or not, from whoever sent the delivery
 * (header snapshot, ids, error details). PostgreSQL text cannot hold U+0000 and fails the whole statement,
 * which would lose the audit row and answer 500; SQLite would store it but most tools cut the string there.
 * So NUL is written as the visible escape `\u0000`. The exact bytes always stay in `raw_body`.
 */
export function textSafe<T extends string | null | undefined>(s: T): T {
  return (typeof s === 'string' && s.includes('\u0000') ? s.replaceAll('\u0000', '\\u0000') : s) as T;
}

function safeRow<T extends Partial<Record<keyof WebhookEventsTable, unknown>>>(e: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) out[k] = k === 'raw_body' ? v : typeof v === 'string' ? textSafe(v) : v;
  return out as T;
}

export async function insertWebhookEvent(db: Executor, e: NewWebhookEvent): Promise<number> {
  const r = await db.insertInto('webhook_events').values(safeRow(e)).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

/** Inserts a verified event unless its provider identity is already stored; null means it is a duplicate. */
export async function insertWebhookEventOnce(db: Executor, e: NewWebhookEvent): Promise<number | null> {
  const r = await db
    .insertInto('webhook_events')
    .values(safeRow(e))
    .onConflict((oc) => oc.columns(['provider', 'event_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return r?.id ?? null;
}

export async function setWebhookOutcome(
  db: Executor,
  id: number,
  o: {
    outcome: string;
    payment_id?: string | null;
    event_key?: null;
    detail?: string | null;
    processed_at: number;
  },
): Promise<void> {
  await db.updateTable('webhook_events').set(safeRow(o)).where('id', '=', id).execute();
}

/** Events that arrived before their payment was known (or ahead of a step), oldest first. */
export async function listParked(
  db: Executor,
  provider: string,
  paymentId: string,
  providerRef: string | null,
): Promise<WebhookEventRow[]> {
  const rows = await db
    .selectFrom('webhook_events')
    .selectAll()
    .where('outcome', '=', 'parked')
    .where('provider', '=', provider)
    .where((eb) =>
      providerRef === null
        ? eb('payment_id', '=', paymentId)
        : eb.or([eb('payment_id', '=', paymentId), eb('provider_ref', '=', providerRef)]),
    )
    .execute();
  // Sorted here: this runs after every applied webhook and nearly always finds nothing, and an ORDER BY
  // would make SQLite set up a sorter each time.
  return rows.sort((a, b) => a.id - b.id);
}

export async function countWebhookEvents(db: Executor, provider?: string): Promise<Record<string, number>> {
  let q = db.selectFrom('webhook_events').select(['outcome', (eb) => eb.fn.countAll<number>().as('n')]);
  if (provider) q = q.where('provider', '=', provider);
  const rows = await q.groupBy('outcome').execute();
  return Object.fromEntries(rows.map((r) => [r.outcome, Number(r.n)]));
}

/** Parked events about one provider reference (a store's static QR), oldest first. */
export async function listParkedByRef(db: Executor, provider: string, providerRef: string): Promise<WebhookEventRow[]> {
  const rows = await db
    .selectFrom('webhook_events')
    .selectAll()
    .where('outcome', '=', 'parked')
    .where('provider', '=', provider)
    .where('provider_ref', '=', providerRef)
    .execute();
  return rows.sort((a, b) => a.id - b.id);
}

/*
 * Set-based forms for a batch of webhooks (services/webhook-batch.ts). On PostgreSQL each is one statement whose
 * text does not depend on the batch size (arrays, not value lists), so it is prepared once per connection.
 */

/** Which of these event identities of a provider are already stored. */
export async function storedEventKeys(
  db: Executor,
  dialect: 'sqlite' | 'postgres',
  provider: string,
  keys: string[],
): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const q = db.selectFrom('webhook_events').select('event_key').where('provider', '=', provider);
  const rows = await (dialect === 'postgres'
    ? q.where(sql<boolean>`event_key = any(${keys}::text[])`)
    : q.where('event_key', 'in', keys)
  ).execute();
  return new Set(rows.map((r) => r.event_key!));
}

/**
 * The payments (by id) and provider references among these that have parked events. Run after the payments are
 * locked, so an event parked by a transaction that held one of those locks is seen.
 */
export async function parkedAmong(
  db: Executor,
  dialect: 'sqlite' | 'postgres',
  provider: string,
  paymentIds: string[],
  providerRefs: string[],
): Promise<Set<string>> {
  if (paymentIds.length === 0 && providerRefs.length === 0) return new Set();
  const q = db
    .selectFrom('webhook_events')
    .select(['payment_id', 'provider_ref'])
    .where('outcome', '=', 'parked')
    .where('provider', '=', provider);
  const rows = await (dialect === 'postgres'
    ? q.where(sql<boolean>`(payment_id = any(${paymentIds}::text[]) or provider_ref = any(${providerRefs}::text[]))`)
    : q.where((eb) =>
        eb.or([
          eb('payment_id', 'in', paymentIds.length ? paymentIds : ['']),
          eb('provider_ref', 'in', providerRefs.length ? providerRefs : ['']),
        ]),
      )
  ).execute();
  const out = new Set<string>();
  for (const r of rows) {
    if (r.payment_id !== null) out.add(r.payment_id);
    if (r.provider_ref !== null) out.add(r.provider_ref);
  }
  return out;
}

/**
 * Inserts a batch of verified events with their outcomes already decided, skipping identities stored meanwhile;
 * returns how many rows were inserted (the caller compares it with what it expected).
 */
export async function insertWebhookEvents(
  db: Executor,
  dialect: 'sqlite' | 'postgres',
  rows: NewWebhookEvent[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const safe = rows.map(safeRow);
  if (dialect === 'sqlite') {
    const r = await db
      .insertInto('webhook_events')
      .values(safe)
      .onConflict((oc) => oc.columns(['provider', 'event_key']).doNothing())
      .returning('id')
      .execute();
    return r.length;
  }
  const col = <K extends keyof NewWebhookEvent>(k: K) => safe.map((r) => r[k] ?? null);
  const r = await sql<{ n: number }>`
    with ins as (
      insert into webhook_events
        (provider, event_key, received_at, headers, raw_body, verified, outcome, payment_id, provider_ref, status,
         detail, processed_at)
      select * from unnest(${col('provider')}::text[], ${col('event_key')}::text[], ${col('received_at')}::bigint[],
        ${col('headers')}::text[], ${col('raw_body')}::bytea[], ${col('verified')}::int[], ${col('outcome')}::text[],
        ${col('payment_id')}::text[], ${col('provider_ref')}::text[], ${col('status')}::text[],
        ${col('detail')}::text[], ${col('processed_at')}::bigint[])
      on conflict (provider, event_key) do nothing
      returning 1
    )
    select count(*)::int as n from ins`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}
