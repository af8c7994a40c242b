import type { Insertable } from 'kysely';
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
