/**
 * The one module that changes a payment's status on the server. Webhook intake, the sweeper, cancel and create
 * (and, later, offline verification) all call `applyOrPark` inside their own transaction; nothing else writes a
 * payment's status or appends its `payment.updated` event. It owns:
 *  - the lattice (shared/payment-status.ts): forward only, duplicates are no-ops, a late `paid` is kept;
 *  - parking: a webhook that cannot apply yet (its payment unknown, or a step ahead, like a refund before its
 *    settlement) is kept and re-tried, never dropped;
 *  - draining: after every applied change the payment's parked webhooks are re-tried, oldest first;
 *  - the event append for the store's tills;
 *  - when the sweeper should next ask the provider about the payment.
 */
import type { Rupiah } from '../../../shared/money.ts';
import { isMoneyIn, type PaymentStatus, transition } from '../../../shared/payment-status.ts';
import type { ActorKind } from '../../../shared/schemas/admin-api.ts';
import type { PaymentView, ProviderId } from '../../../shared/schemas/sync-api.ts';
import type { PaymentRow, PaymentUpdate } from '../db/schema.ts';
import type { ParsedWebhook, ProviderPaymentState } from '../providers/payment-provider.ts';
import { type AuditEntryInput, appendAudits } from '../repos/audit-repo.ts';
import type { Executor } from '../repos/executor.ts';
import { getPaymentForUpdate, updatePayment } from '../repos/payments-repo.ts';
import { appendSyncEvent } from '../repos/sync-events-repo.ts';
import { listParked, setWebhookOutcome } from '../repos/webhook-events-repo.ts';
import type { ServerContext } from './context.ts';

export type ChangeSource = 'webhook' | 'sweeper' | 'till' | 'provider' | 'manager';

export type Change = {
  status: PaymentStatus;
  amount?: Rupiah | null;
  paidAt?: number | null;
  /** The provider's id of the money movement (needed to refund). */
  paymentRef?: string | null;
  /** For refund statuses: the total refunded so far. */
  refundedAmount?: Rupiah | null;
  /** The wallet or bank app that paid, when the provider says. */
  payerWallet?: string | null;
  source: ChangeSource;
  /** Who, within the source, caused it (the manager's id), for the audit log. */
  actorId?: string;
  /**
   * The provider's own status read, which is its whole truth: a step it implies is applied with it (a refund
   * read while we are still pending means the payment was paid first), so a read never needs parking.
   */
  authoritative?: boolean;
  /** The stored webhook this change comes from: its outcome is recorded, and it is parked when it cannot apply. */
  webhookEventId?: number;
  /**
   * The provider's reference an unsigned part of the event names: an event naming a transaction other than the
   * payment's own is refused. (Left out where the provider vouches for it: a second Xendit QR made under the same
   * reference by a retried create is still money for this payment.)
   */
  providerRef?: string | null;
};

export type Outcome = 'applied' | 'duplicate' | 'ignored' | 'parked' | 'early' | 'unknown_payment' | 'rejected';

/** Stores whose tills must hear of a change once the caller's transaction has committed. */
export type Published = Set<string>;

export function toView(p: PaymentRow): PaymentView {
  return {
    payment_id: p.id,
    sale_id: p.sale_id,
    store_id: p.store_id,
    device_id: p.device_id,
    amount: p.amount,
    status: p.status as PaymentStatus,
    late: p.late === 1,
    provider: p.provider as ProviderId,
    provider_ref: p.provider_ref,
    qr_string: p.qr_string,
    expires_at: p.expires_at,
    paid_at: p.paid_at,
    refunded_amount: p.refunded_amount,
    payer_wallet: p.payer_wallet,
    created_at: p.created_at,
    updated_at: p.updated_at,
  };
}

/** Runs `fn` in a transaction of its own and tells the stores' tills once it has committed. */
export async function inTransaction<T>(
  ctx: ServerContext,
  fn: (trx: Executor, published: Published) => Promise<T>,
): Promise<T> {
  const published: Published = new Set();
  const r = await ctx.database.db.transaction().execute((trx) => fn(trx, published));
  for (const s of published) ctx.published(s);
  return r;
}

/**
 * Applies one status assertion about `payment` (read for update in this transaction, or its id), or parks it.
 * A `paid` whose amount differs from the payment's is still applied — the money is in — but flagged `late`
 * for review, together with payments that were paid after they had ended.
 */
export async function applyOrPark(
  ctx: ServerContext,
  trx: Executor,
  payment: PaymentRow | string | null | undefined,
  change: Change,
  published: Published,
): Promise<{ outcome: Outcome; row: PaymentRow | null }> {
  const row =
    typeof payment === 'string' ? ((await getPaymentForUpdate(trx, payment, ctx.database.kind)) ?? null) : payment;
  const r = await applyOne(ctx, trx, row ?? null, change, published);
  if (r.outcome === 'applied' && r.row) {
    const drained = await drainParked(ctx, trx, r.row, published);
    return { outcome: 'applied', row: drained };
  }
  return r;
}

/** What a change does to a payment, decided without touching the database (`decide`). */
export type Decision = {
  outcome: Outcome;
  /** The payment as it ends up (the row unchanged when nothing applies; null when there is no payment). */
  row: PaymentRow | null;
  /** The payment's columns to write, or null when nothing is written to it. */
  patch: PaymentUpdate | null;
  /** Views to append for the store's tills, in order (two when a read implies a step in between). */
  events: PaymentRow[];
  /** Status changes made, in order (counted in metrics and kept in the audit log). */
  changes: { from: string; to: PaymentStatus }[];
  /** What to record on the stored webhook, when the change comes from one. */
  record: { outcome: string; detail: string | null; paymentId: string | null } | null;
  /** A status ahead of the payment that nobody will re-try (not from a stored webhook): worth a warning. */
  unparkedEarly?: boolean;
};

/**
 * The lattice applied to one change, in memory: the single place that decides what a change does. `applyOne`
 * writes a decision at once; the webhook batch (webhook-batch.ts) writes many decisions in a few statements.
 */
export function decide(row: PaymentRow | null, change: Change, now: number): Decision {
  const fromWebhook = change.webhookEventId !== undefined;
  const rec = (outcome: string, detail: string | null, paymentId: string | null): Decision['record'] =>
    fromWebhook ? { outcome, detail, paymentId } : null;
  const unchanged = (outcome: Outcome, r: PaymentRow | null, record: Decision['record']): Decision => ({
    outcome,
    row: r,
    patch: null,
    events: [],
    changes: [],
    record,
  });

  if (!row) {
    // The provider can be faster than our own write, and an offline payment's notification can arrive before
    // the till has synced the sale: keep it and apply it when the payment arrives.
    if (!fromWebhook) return unchanged('unknown_payment', null, null);
    return unchanged('parked', null, rec('parked', 'unknown payment', null));
  }
  if (change.providerRef != null && row.provider_ref === null && fromWebhook) {
    // We do not know the payment's transaction yet (its create is still under way), so we cannot tell whether
    // the event is about it: wait for the create, whose drain checks it then.
    return unchanged('parked', row, rec('parked', 'payment has no provider reference yet', row.id));
  }
  if (change.providerRef != null && row.provider_ref !== null && change.providerRef !== row.provider_ref) {
    // Only the payment id is signed: an event that names another transaction of the provider is a forgery
    // (a genuine notification for payment A replayed with B's transaction id), never applied to either.
    return unchanged(
      'rejected',
      row,
      rec('rejected', `reference ${change.providerRef} is not this payment's (${row.provider_ref})`, row.id),
    );
  }

  const t = transition(row.status as PaymentStatus, change.status);
  if (t.kind === 'duplicate') {
    // A further partial refund keeps the status but raises the refunded total: that is a change to publish.
    if (
      row.status === 'partially_refunded' &&
      change.refundedAmount != null &&
      change.refundedAmount > row.refunded_amount
    ) {
      const next = { ...row, refunded_amount: change.refundedAmount, updated_at: now };
      return {
        outcome: 'applied',
        row: next,
        patch: { refunded_amount: next.refunded_amount, updated_at: now },
        events: [next],
        changes: [],
        record: rec('applied', null, row.id),
      };
    }
    // A duplicate paid may still tell us the provider's payment id (needed for refunds) or the payer's wallet.
    const fill = {
      ...(change.paymentRef && !row.payment_ref ? { payment_ref: change.paymentRef } : {}),
      ...(change.payerWallet && !row.payer_wallet ? { payer_wallet: change.payerWallet } : {}),
    };
    const filled = Object.keys(fill).length > 0;
    return {
      ...unchanged('duplicate', filled ? { ...row, ...fill } : row, rec('duplicate', null, row.id)),
      patch: filled ? fill : null,
    };
  }
  if (t.kind === 'ignored') {
    return unchanged('ignored', row, rec('ignored', `backwards from ${row.status}`, row.id));
  }
  if (t.kind === 'early') {
    if (change.authoritative && isMoneyIn(change.status) && change.status !== 'paid') {
      // The provider says the money came in and went (partly) back, and we never heard it come in: take both
      // steps, the payment first, so the refund has something to refund.
      const paid = decide(row, { ...change, status: 'paid', refundedAmount: null, webhookEventId: undefined }, now);
      if (paid.outcome === 'applied' && paid.row) {
        const then = decide(paid.row, change, now);
        return {
          ...then,
          patch: then.patch ? { ...paid.patch, ...then.patch } : paid.patch,
          events: [...paid.events, ...then.events],
          changes: [...paid.changes, ...then.changes],
        };
      }
    }
    if (!fromWebhook) return { ...unchanged('early', row, null), unparkedEarly: true };
    // The step in between may never be delivered (a lost settlement): have the sweeper ask the provider soon.
    return {
      ...unchanged(
        'parked',
        { ...row, next_check_at: now },
        rec('parked', `early: ${change.status} while ${row.status}`, row.id),
      ),
      patch: { next_check_at: now },
    };
  }

  const amountMismatch = t.next === 'paid' && change.amount != null && change.amount !== row.amount;
  const next: PaymentRow = {
    ...row,
    status: t.next,
    late: t.late || amountMismatch || row.late === 1 ? 1 : 0,
    paid_at: t.next === 'paid' ? (change.paidAt ?? now) : row.paid_at,
    payment_ref: change.paymentRef ?? row.payment_ref,
    payer_wallet: t.next === 'paid' ? (change.payerWallet ?? row.payer_wallet) : row.payer_wallet,
    refunded_amount:
      t.next === 'refunded'
        ? row.amount
        : t.next === 'partially_refunded'
          ? (change.refundedAmount ?? row.refunded_amount)
          : row.refunded_amount,
    // Only a pending payment has anything left to ask its provider about.
    next_check_at: t.next === 'pending' ? row.next_check_at : null,
    create_claimed_until: null,
    updated_at: now,
  };
  return {
    outcome: 'applied',
    row: next,
    patch: mutableColumns(next),
    events: [next],
    changes: [{ from: row.status, to: t.next }],
    record: rec('applied', null, row.id),
  };
}

/** The columns a status change may write. */
export function mutableColumns(r: PaymentRow) {
  return {
    status: r.status,
    late: r.late,
    paid_at: r.paid_at,
    payment_ref: r.payment_ref,
    payer_wallet: r.payer_wallet,
    refunded_amount: r.refunded_amount,
    next_check_at: r.next_check_at,
    create_claimed_until: r.create_claimed_until,
    updated_at: r.updated_at,
  } satisfies PaymentUpdate;
}

/** Decides one change and writes the decision inside the caller's transaction. */
async function applyOne(
  ctx: ServerContext,
  trx: Executor,
  row: PaymentRow | null,
  change: Change,
  published: Published,
): Promise<{ outcome: Outcome; row: PaymentRow | null }> {
  const d = decide(row, change, ctx.now());
  if (d.unparkedEarly) {
    ctx.log.warn({ paymentId: row?.id, status: change.status, current: row?.status }, 'status ahead of the payment');
  }
  if (d.patch && row) await updatePayment(trx, row.id, d.patch);
  for (const e of d.events) await appendPaymentEvent(ctx, trx, e, published);
  for (const c of d.changes) ctx.metrics.statusChanges.inc({ status: c.to, source: change.source });
  if (d.row && d.changes.length > 0) {
    await appendAudits(trx, ctx.database.kind, statusAudits(d.row, change, d.changes, ctx.now()));
  }
  if (d.record && change.webhookEventId !== undefined) {
    await setWebhookOutcome(trx, change.webhookEventId, {
      outcome: d.record.outcome,
      // A refused event gives up its identity, so the genuine event it imitated is still taken when it comes.
      ...(d.record.outcome === 'rejected' ? { event_key: null } : {}),
      ...(d.record.paymentId === null ? {} : { payment_id: d.record.paymentId }),
      detail: d.record.detail,
      processed_at: ctx.now(),
    });
  }
  return { outcome: d.outcome, row: d.row };
}

const ACTOR: Record<ChangeSource, ActorKind> = {
  webhook: 'provider',
  provider: 'provider',
  sweeper: 'sweeper',
  till: 'device',
  manager: 'manager',
};

/** The audit log's entries for a payment's status changes: what changed, and who or what caused it. */
export function statusAudits(
  row: PaymentRow,
  change: Change,
  changes: Decision['changes'],
  at: number,
): AuditEntryInput[] {
  const actorKind = ACTOR[change.source];
  const actorId =
    actorKind === 'manager'
      ? (change.actorId ?? null)
      : actorKind === 'device'
        ? row.device_id
        : actorKind === 'provider'
          ? row.provider
          : null;
  return changes.map((c) => ({
    storeId: row.store_id,
    at,
    actorKind,
    actorId,
    action: 'payment.status',
    subjectType: 'payment',
    subjectId: row.id,
    detail: {
      from: c.from,
      to: c.to,
      source: change.source,
      amount: row.amount,
      ...(row.late === 1 ? { late: true } : {}),
      ...(c.to === 'refunded' || c.to === 'partially_refunded' ? { refunded_amount: row.refunded_amount } : {}),
    },
  }));
}

/** Appends the payment's current view for its store's tills; published once the transaction commits. */
export async function appendPaymentEvent(
  ctx: ServerContext,
  trx: Executor,
  row: PaymentRow,
  published: Published,
): Promise<void> {
  await appendSyncEvent(trx, ctx.database.kind, {
    store_id: row.store_id,
    type: 'payment.updated',
    payload: JSON.stringify(toView(row)),
    created_at: ctx.now(),
  });
  ctx.metrics.eventsPublished.inc({ type: 'payment.updated' });
  published.add(row.store_id);
}

/**
 * Re-tries the parked webhooks of one payment inside the caller's transaction, oldest first, until none of
 * them applies any more (each applied one may unblock another that arrived early). Returns the payment as it
 * ends up.
 */
async function drainParked(
  ctx: ServerContext,
  trx: Executor,
  payment: PaymentRow,
  published: Published,
): Promise<PaymentRow> {
  if (!ctx.router.has(payment.provider as ProviderId)) return payment;
  const provider = ctx.router.provider(payment.provider as ProviderId);
  let current = payment;
  for (let progress = true; progress; ) {
    progress = false;
    for (const e of await listParked(trx, current.provider, current.id, current.provider_ref)) {
      // Re-read the stored raw body: it was verified (and, where needed, confirmed) on arrival.
      let parsed: ParsedWebhook;
      try {
        parsed = provider.parseWebhook({ rawBody: e.raw_body, headers: {} });
      } catch {
        continue;
      }
      if (parsed.status === null) continue;
      // A parked event found by reference but naming another payment of ours belongs to that one.
      if (parsed.paymentId !== null && parsed.paymentId !== current.id) continue;
      const r = await applyOne(ctx, trx, current, webhookChange(parsed, e.id), published);
      if (r.outcome === 'applied' && r.row) {
        current = r.row;
        progress = true;
      }
    }
  }
  return current;
}

/** What the provider's own status read says, as a change to apply (the read is authoritative). */
export function readChange(state: ProviderPaymentState & { status: PaymentStatus }, source: ChangeSource): Change {
  return {
    status: state.status,
    amount: state.amount,
    paidAt: state.paidAt,
    paymentRef: state.paymentRef,
    refundedAmount: state.refundedAmount ?? null,
    payerWallet: state.payerWallet ?? null,
    source,
    authoritative: true,
  };
}

/** A verified webhook as a change to apply. */
export function webhookChange(parsed: ParsedWebhook, webhookEventId: number): Change & { status: PaymentStatus } {
  return {
    status: parsed.status!,
    amount: parsed.amount,
    paidAt: parsed.occurredAt,
    paymentRef: parsed.paymentRef,
    refundedAmount: parsed.refundedAmount ?? null,
    payerWallet: parsed.payerWallet ?? null,
    providerRef: parsed.providerRefVouched ? null : parsed.providerRef,
    source: 'webhook',
    webhookEventId,
  };
}

/** Applies webhooks that were parked before `payment` existed (or had its provider reference). */
export async function applyParked(ctx: ServerContext, paymentId: string): Promise<PaymentRow | undefined> {
  return inTransaction(ctx, async (trx, published) => {
    const row = await getPaymentForUpdate(trx, paymentId, ctx.database.kind);
    return row ? drainParked(ctx, trx, row, published) : undefined;
  });
}
