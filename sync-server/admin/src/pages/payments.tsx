import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PAYMENT_STATUSES } from '../../../../shared/payment-status.ts';
import {
  type AdminPayment,
  PAYMENT_METHODS,
  PaymentDetailSchema,
  PaymentsPageSchema,
} from '../../../../shared/schemas/admin-api.ts';
import { RefundListSchema } from '../../../../shared/schemas/refund-api.ts';
import { call, withQuery } from '../api.ts';
import { Empty, ErrorBox, Money, PageHeader, StatusBadge } from '../components/common.tsx';
import { formatTime } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { href, navigate } from '../router.ts';
import { canRefund, RefundDialog } from './refund-dialog.tsx';
import { needsResolving, VerifyDialog } from './review.tsx';

const FILTERS = ['status', 'method', 'provider', 'from', 'to', 'q'] as const;
const DETAIL_REFRESH_MS = 3_000;
type Filters = Record<(typeof FILTERS)[number], string>;

/** A YYYY-MM-DD from a date input as the start of that day in the browser's time zone (epoch ms). */
function dayStart(d: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) return undefined;
  const [y, m, day] = d.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, day).getTime();
}

export function PaymentsPage({ params }: { params: URLSearchParams }) {
  const { t, i18n } = useTranslation();
  const filters = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? ''])) as Filters;
  const [draft, setDraft] = useState<Filters>(filters);
  const [more, setMore] = useState<{ items: AdminPayment[]; cursor: string | null } | null>(null);
  const key = FILTERS.map((k) => filters[k]).join('|');
  const query = {
    status: filters.status,
    method: filters.method,
    provider: filters.provider,
    from: dayStart(filters.from),
    // "to" is inclusive on screen: up to the end of that day.
    to: filters.to ? (dayStart(filters.to) ?? 0) + 86_400_000 : undefined,
    q: filters.q,
  };
  const r = useLoad(() => {
    setMore(null);
    return call('GET', withQuery('/admin/api/payments', query), PaymentsPageSchema);
  }, [key]);
  const items = [...(r.data?.items ?? []), ...(more?.items ?? [])];
  const cursor = more ? more.cursor : (r.data?.next_cursor ?? null);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    navigate(href('payments', null, draft));
  };
  const loadMore = async () => {
    if (!cursor) return;
    const page = await call('GET', withQuery('/admin/api/payments', { ...query, cursor }), PaymentsPageSchema);
    setMore({ items: [...(more?.items ?? []), ...page.items], cursor: page.next_cursor });
  };
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });

  return (
    <section>
      <PageHeader title={t('payments.title')} />
      <form className="filters" onSubmit={apply} aria-label={t('common.filters')} data-testid="payment-filters">
        <label>
          {t('payments.status')}
          <select value={draft.status} onChange={set('status')} data-testid="filter-status">
            <option value="">{t('common.all')}</option>
            {PAYMENT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('payments.method')}
          <select value={draft.method} onChange={set('method')} data-testid="filter-method">
            <option value="">{t('common.all')}</option>
            {PAYMENT_METHODS.map((m) => (
              <option key={m} value={m}>
                {t(`methods.${m}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('payments.provider')}
          <select value={draft.provider} onChange={set('provider')} data-testid="filter-provider">
            <option value="">{t('common.all')}</option>
            <option value="xendit">Xendit</option>
            <option value="midtrans">Midtrans</option>
          </select>
        </label>
        <label>
          {t('common.from')}
          <input type="date" value={draft.from} onChange={set('from')} />
        </label>
        <label>
          {t('common.to')}
          <input type="date" value={draft.to} onChange={set('to')} />
        </label>
        <label>
          {t('payments.search')}
          <input type="search" value={draft.q} onChange={set('q')} data-testid="filter-q" />
        </label>
        <button type="submit" data-testid="filter-apply">
          {t('common.apply')}
        </button>
      </form>
      <ErrorBox error={r.error} />
      {r.data && items.length === 0 && <Empty>{t('payments.none')}</Empty>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table data-testid="payments-table">
            <thead>
              <tr>
                <th scope="col">{t('payments.created')}</th>
                <th scope="col">{t('payments.payment')}</th>
                <th scope="col">{t('payments.method')}</th>
                <th scope="col">{t('payments.provider')}</th>
                <th scope="col">{t('payments.status')}</th>
                <th scope="col" className="num">
                  {t('payments.amount')}
                </th>
                <th scope="col" className="num">
                  {t('payments.refunded')}
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.payment_id} data-testid={`payment-${p.payment_id}`} data-payment-id={p.payment_id}>
                  <td>{formatTime(p.created_at, i18n.language)}</td>
                  <td>
                    <a href={href('payments', p.payment_id)} className="mono">
                      {p.payment_id}
                    </a>
                  </td>
                  <td>{t(`methods.${p.method}`)}</td>
                  <td>{p.provider ?? '—'}</td>
                  <td>
                    <StatusBadge status={p.status} late={p.late} />
                  </td>
                  <td className="num">
                    <Money amount={p.amount} />
                  </td>
                  <td className="num">{p.refunded_amount ? <Money amount={p.refunded_amount} /> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" onClick={() => void loadMore()} data-testid="load-more">
          {t('common.loadMore')}
        </button>
      )}
    </section>
  );
}

export function PaymentDetailPage({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  // Polled, so a refund the provider confirms later, or a webhook that verifies it, shows without a reload.
  const r = useLoad(
    () => call('GET', `/admin/api/payments/${encodeURIComponent(id)}`, PaymentDetailSchema),
    [id],
    DETAIL_REFRESH_MS,
  );
  // Cash is given back at the counter: only provider payments have refunds to list.
  const refunds = useLoad(
    () => call('GET', `/v1/payments/${encodeURIComponent(id)}/refunds`, RefundListSchema),
    [id],
    DETAIL_REFRESH_MS,
  );
  const [dialog, setDialog] = useState<'refund' | 'verify' | null>(null);
  const d = r.data;
  const p = d?.payment;
  return (
    <section data-testid="payment-detail">
      <PageHeader title={t('payments.detailTitle')}>
        <a href={href('payments')}>{t('payments.back')}</a>
      </PageHeader>
      <ErrorBox error={r.error} />
      {p && d && (
        <>
          <dl className="facts">
            <dt>{t('payments.payment')}</dt>
            <dd className="mono">{p.payment_id}</dd>
            <dt>{t('payments.sale')}</dt>
            <dd className="mono">{p.sale_id}</dd>
            <dt>{t('payments.status')}</dt>
            <dd data-testid="detail-status">
              <StatusBadge status={p.status} late={p.late} />
            </dd>
            <dt>{t('payments.amount')}</dt>
            <dd>
              <Money amount={p.amount} testId="detail-amount" />
            </dd>
            <dt>{t('payments.refunded')}</dt>
            <dd>
              <Money amount={p.refunded_amount} testId="detail-refunded" />
            </dd>
            <dt>{t('payments.method')}</dt>
            <dd>{t(`methods.${p.method}`)}</dd>
            <dt>{t('payments.provider')}</dt>
            <dd>{p.provider ?? '—'}</dd>
            <dt>{t('payments.providerRef')}</dt>
            <dd className="mono">{p.provider_ref ?? '—'}</dd>
            <dt>{t('payments.offlineRef')}</dt>
            <dd className="mono">{p.offline_ref ?? '—'}</dd>
            <dt>{t('payments.wallet')}</dt>
            <dd>{p.payer_wallet ?? '—'}</dd>
            <dt>{t('payments.device')}</dt>
            <dd className="mono">{p.device_id}</dd>
            <dt>{t('payments.created')}</dt>
            <dd>{formatTime(p.created_at, i18n.language)}</dd>
            <dt>{t('payments.paidAt')}</dt>
            <dd>{formatTime(p.paid_at, i18n.language)}</dd>
            {d.review_note && (
              <>
                <dt>{t('review.note')}</dt>
                <dd data-testid="detail-note">{d.review_note}</dd>
              </>
            )}
          </dl>
          <div className="actions">
            {needsResolving(p) && (
              <button type="button" onClick={() => setDialog('verify')} data-testid="detail-verify">
                {t('review.verify')}
              </button>
            )}
            {canRefund(p) && (
              <button type="button" onClick={() => setDialog('refund')} data-testid="detail-refund">
                {t('refund.open')}
              </button>
            )}
          </div>
          {d.sale && (
            <>
              <h2>{t('payments.saleLines')}</h2>
              <table className="compact">
                <thead>
                  <tr>
                    <th scope="col">{t('payments.item')}</th>
                    <th scope="col" className="num">
                      {t('payments.qty')}
                    </th>
                    <th scope="col" className="num">
                      {t('payments.unitPrice')}
                    </th>
                    <th scope="col" className="num">
                      {t('payments.lineTotal')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {d.sale.lines.map((l, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: the same SKU may sit on two lines
                    <tr key={i}>
                      <td>
                        {l.name} <span className="muted mono small">{l.sku}</span>
                      </td>
                      <td className="num">{l.qty}</td>
                      <td className="num">
                        <Money amount={l.unit_price} />
                      </td>
                      <td className="num">
                        <Money amount={l.line_total} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          {(refunds.data?.refunds.length ?? 0) > 0 && (
            <>
              <h2>{t('refund.list')}</h2>
              <table className="compact" data-testid="detail-refunds">
                <thead>
                  <tr>
                    <th scope="col">{t('payments.created')}</th>
                    <th scope="col" className="num">
                      {t('payments.amount')}
                    </th>
                    <th scope="col">{t('payments.status')}</th>
                    <th scope="col">{t('refund.reason')}</th>
                    <th scope="col">{t('refund.by')}</th>
                  </tr>
                </thead>
                <tbody>
                  {refunds.data?.refunds.map((x) => (
                    <tr key={x.refund_id} data-testid="detail-refund-row" data-status={x.status}>
                      <td>{formatTime(x.created_at, i18n.language)}</td>
                      <td className="num">
                        <Money amount={x.amount} />
                      </td>
                      <td>
                        {t(`refund.statuses.${x.status}`)}
                        {x.error && <div className="bad small">{x.error}</div>}
                      </td>
                      <td>{x.reason}</td>
                      <td className="mono small">{x.requested_by}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          <h2>{t('payments.history')}</h2>
          <ol className="history" data-testid="detail-history">
            {d.history.map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: entries have no id of their own
              <li key={i}>
                <time>{formatTime(h.at, i18n.language)}</time> <strong>{h.action}</strong>
                {h.status && <StatusBadge status={h.status} />}
                {h.actor_kind && (
                  <span className="muted">
                    {' '}
                    · {h.actor_kind}
                    {h.actor_id ? ` ${h.actor_id}` : ''}
                  </span>
                )}
                {h.detail && <div className="muted small">{h.detail}</div>}
              </li>
            ))}
          </ol>
          <h2>{t('payments.webhooks')}</h2>
          {d.webhooks.length === 0 ? (
            <Empty>{t('webhooks.none')}</Empty>
          ) : (
            <ul>
              {d.webhooks.map((w) => (
                <li key={w.id}>
                  <a href={href('webhooks', String(w.id))}>
                    #{w.id} {w.provider} · {w.status ?? '—'} · {t(`webhooks.outcomes.${w.outcome}`, w.outcome)}
                  </a>{' '}
                  <span className="muted">{formatTime(w.received_at, i18n.language)}</span>
                </li>
              ))}
            </ul>
          )}
          {dialog === 'refund' && (
            <RefundDialog payment={p} onClose={() => setDialog(null)} onDone={() => r.reload()} />
          )}
          {dialog === 'verify' && (
            <VerifyDialog payment={p} onClose={() => setDialog(null)} onDone={() => r.reload()} />
          )}
        </>
      )}
    </section>
  );
}
