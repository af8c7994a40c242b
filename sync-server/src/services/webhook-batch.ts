/**
 * Webhooks applied a batch at a time. Under load, the verified webhooks that arrive together are gathered and
 * applied in one transaction by a handful of set-based statements — look up which are already stored, lock their
 * payments, see which of them have parked events, insert the events with their outcomes, write the payments,
 * append the tills' events — instead of six statements each. The lattice itself is not repeated here: every
 * webhook is decided by `decide` (payment-state.ts), exactly as one applied alone.
 *
 * Only the common case is batched: a status for a payment of ours that has no parked events and is the only one
 * of its payment in the batch. Everything else (parked events to drain, two events for one payment, no status,
 * static QRs, confirmed refunds) runs the one-at-a-time path, inside the same transaction.
 *
 * If anything fails — a lock wait, an event stored by another instance between our look-up and our insert —
 * nothing of the batch is kept and every webhook is applied alone, so its caller gets its own outcome.
 */
import type { ProviderId } from '../../../shared/schemas/sync-api.ts';
import type { ParsedWebhook } from '../providers/payment-provider.ts';
import { type AuditEntryInput, appendAudits } from '../repos/audit-repo.ts';
import type { Executor } from '../repos/executor.ts';
import { getPaymentsForUpdate, writePaymentStatuses } from '../repos/payments-repo.ts';
import { appendSyncEvents } from '../repos/sync-events-repo.ts';
import type { NewWebhookEvent } from '../repos/webhook-events-repo.ts';
import { insertWebhookEvents, parkedAmong, storedEventKeys } from '../repos/webhook-events-repo.ts';
import type { ServerContext } from './context.ts';
import { decide, type Outcome, type Published, statusAudits, toView, webhookChange } from './payment-state.ts';

export type BatchItem = {
  provider: ProviderId;
  /** The stored row's delivery fields (provider, received_at, headers, raw_body). */
  base: Pick<NewWebhookEvent, 'provider' | 'received_at' | 'headers' | 'raw_body'>;
  parsed: ParsedWebhook & { paymentId: string };
};

export type ItemOutcome = Outcome | 'duplicate' | 'ignored';

/** Applies one item alone in the caller's transaction (webhook-intake's one-at-a-time path). */
export type ApplyAlone = (trx: Executor, item: BatchItem, published: Published) => Promise<ItemOutcome>;

/** Whether a verified webhook can go through the batch. */
export function batchable(parsed: ParsedWebhook): parsed is ParsedWebhook & { paymentId: string } {
  return parsed.status !== null && parsed.paymentId !== null && !parsed.staticQr;
}

class StoredMeanwhile extends Error {
  constructor() {
    super('an event of the batch was stored by another transaction meanwhile');
  }
}

/** Applies `items` in the caller's transaction; one outcome per item, in order. */
export async function applyWebhookBatch(
  ctx: ServerContext,
  trx: Executor,
  items: BatchItem[],
  published: Published,
  alone: ApplyAlone,
): Promise<ItemOutcome[]> {
  const dialect = ctx.database.kind;
  const now = ctx.now();
  const out: (ItemOutcome | undefined)[] = new Array(items.length);

  // Duplicates of what is stored. Two deliveries of one event identity within the batch (a redelivery, or a forgery
  // borrowing another payment's transaction id) go the one-at-a-time path below, in order: the first may be
  // refused and give its identity up, and which is a duplicate of which depends on that.
  const byProvider = new Map<ProviderId, number[]>();
  const sameKey = new Map<string, number>();
  for (const [i, it] of items.entries()) {
    byProvider.set(it.provider, [...(byProvider.get(it.provider) ?? []), i]);
    const k = `${it.provider}\u0000${it.parsed.eventId}`;
    sameKey.set(k, (sameKey.get(k) ?? 0) + 1);
  }
  const shared = (i: number) => sameKey.get(`${items[i]!.provider}\u0000${items[i]!.parsed.eventId}`)! > 1;
  let fresh: number[] = [];
  for (const [provider, idx] of byProvider) {
    const stored = await storedEventKeys(
      trx,
      dialect,
      provider,
      idx.map((i) => items[i]!.parsed.eventId),
    );
    for (const i of idx) {
      if (stored.has(items[i]!.parsed.eventId)) out[i] = 'duplicate';
      else fresh.push(i);
    }
  }
  fresh = fresh.sort((a, b) => a - b);

  // Their payments, locked; then which of those have parked events (read after the locks are held).
  const perPayment = new Map<string, number>();
  for (const i of fresh)
    perPayment.set(items[i]!.parsed.paymentId, (perPayment.get(items[i]!.parsed.paymentId) ?? 0) + 1);
  const rows = new Map(
    (await getPaymentsForUpdate(trx, dialect, [...perPayment.keys()])).map((r) => [r.id, r] as const),
  );
  const parked = new Map<ProviderId, Set<string>>();
  for (const [provider, idx] of byProvider) {
    const mine = [...rows.values()].filter((r) => r.provider === provider);
    const ids = new Set(idx.map((i) => items[i]!.parsed.paymentId));
    parked.set(
      provider,
      await parkedAmong(
        trx,
        dialect,
        provider,
        [...ids],
        mine.flatMap((r) => (r.provider_ref === null ? [] : [r.provider_ref])),
      ),
    );
  }

  const inserts: NewWebhookEvent[] = [];
  const writes = [];
  const events = [];
  const changes: string[] = [];
  const audits: AuditEntryInput[] = [];
  const one: number[] = [];
  for (const i of fresh) {
    const { provider, parsed, base } = items[i]!;
    const found = rows.get(parsed.paymentId);
    // Only this provider's payments: a genuine notification from one provider never changes another's payment.
    const row = found?.provider === provider ? found : null;
    const p = parked.get(provider)!;
    const hasParked = p.has(parsed.paymentId) || (row?.provider_ref != null && p.has(row.provider_ref));
    if (perPayment.get(parsed.paymentId)! > 1 || hasParked || shared(i)) {
      one.push(i);
      continue;
    }
    const d = decide(row, webhookChange(parsed, -1), now);
    const rec = d.record!;
    inserts.push({
      ...base,
      // A refused event gives up its identity, so the genuine event it imitated is still taken when it comes.
      event_key: rec.outcome === 'rejected' ? null : parsed.eventId,
      verified: 1,
      outcome: rec.outcome,
      payment_id: rec.paymentId ?? parsed.paymentId,
      provider_ref: parsed.providerRef,
      status: parsed.status,
      detail: rec.detail,
      processed_at: now,
    });
    if (d.patch && d.row) writes.push(d.row);
    for (const e of d.events) events.push(e);
    changes.push(...d.changes.map((c) => c.to));
    if (d.row && d.changes.length > 0) audits.push(...statusAudits(d.row, webhookChange(parsed, -1), d.changes, now));
    out[i] = d.outcome;
  }

  if ((await insertWebhookEvents(trx, dialect, inserts)) !== inserts.length) throw new StoredMeanwhile();
  await writePaymentStatuses(trx, dialect, writes);
  await appendSyncEvents(
    trx,
    dialect,
    events.map((e) => ({
      store_id: e.store_id,
      type: 'payment.updated',
      payload: JSON.stringify(toView(e)),
      created_at: now,
    })),
  );
  await appendAudits(trx, dialect, audits);
  for (const e of events) {
    ctx.metrics.eventsPublished.inc({ type: 'payment.updated' });
    published.add(e.store_id);
  }
  for (const status of changes) ctx.metrics.statusChanges.inc({ status, source: 'webhook' });

  for (const i of one) out[i] = await alone(trx, items[i]!, published);
  return out as ItemOutcome[];
}

type Waiting = { item: BatchItem; resolve: (o: ItemOutcome) => void; reject: (e: unknown) => void };

/**
 * Gathers the webhooks that arrive while earlier batches are being applied into the next batch: one webhook
 * alone when the server is idle, larger batches as load grows. Up to `concurrency` batches are in flight (each
 * in a transaction of ctx.writes, which also shares commits).
 */
export class WebhookBatcher {
  private queue: Waiting[] = [];
  private scheduled = false;
  private active = 0;
  private readonly ctx: ServerContext;
  private readonly alone: ApplyAlone;
  private readonly maxBatch: number;
  private readonly concurrency: number;

  constructor(ctx: ServerContext, alone: ApplyAlone, o: { maxBatch?: number; concurrency?: number } = {}) {
    this.ctx = ctx;
    this.alone = alone;
    // Bounded so that a transaction's events stay well under EVENTS_PER_TX (sync-events-repo.ts).
    this.maxBatch = o.maxBatch ?? 200;
    this.concurrency = o.concurrency ?? (ctx.database.kind === 'sqlite' ? 1 : 2);
  }

  submit(item: BatchItem): Promise<ItemOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.scheduled || this.queue.length === 0 || this.active >= this.concurrency) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.queue.length > 0 && this.active < this.concurrency) {
        const batch = this.queue.splice(0, this.maxBatch);
        this.active++;
        void this.apply(batch).finally(() => {
          this.active--;
          this.kick();
        });
      }
    });
  }

  private async apply(batch: Waiting[]): Promise<void> {
    const published: Published = new Set();
    let outcomes: ItemOutcome[];
    try {
      outcomes = await this.ctx.writes.run((trx) =>
        applyWebhookBatch(
          this.ctx,
          trx,
          batch.map((w) => w.item),
          published,
          this.alone,
        ),
      );
    } catch (err) {
      if (batch.length > 1 && !(err instanceof StoredMeanwhile)) {
        this.ctx.log.warn({ err, size: batch.length }, 'webhook batch failed; applying its webhooks one by one');
      }
      await Promise.all(batch.map((w) => this.applyAlone(w)));
      return;
    }
    for (const s of published) this.ctx.published(s);
    for (const [i, w] of batch.entries()) w.resolve(outcomes[i]!);
  }

  private async applyAlone(w: Waiting): Promise<void> {
    const published: Published = new Set();
    try {
      const o = await this.ctx.writes.run((trx) => this.alone(trx, w.item, published));
      for (const s of published) this.ctx.published(s);
      w.resolve(o);
    } catch (err) {
      w.reject(err);
    }
  }
}
