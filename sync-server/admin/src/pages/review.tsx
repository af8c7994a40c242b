import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type AdminPayment,
  ResolveResponseSchema,
  ReviewResponseSchema,
} from '../../../../shared/schemas/admin-api.ts';
import { ApiError, call } from '../api.ts';
import { Empty, ErrorBox, Money, PageHeader, StatusBadge } from '../components/common.tsx';
import { Dialog } from '../components/dialog.tsx';
import { formatTime } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { href } from '../router.ts';
import { canRefund, RefundDialog } from './refund-dialog.tsx';

/** A payment a manager still has to decide on: nobody verified it, or money came in late. */
export function needsResolving(p: AdminPayment): boolean {
  return (p.status === 'needs_review' || p.late) && p.reviewed_at === null;
}

export function ReviewPage() {
  const { t, i18n } = useTranslation();
  const r = useLoad(() => call('GET', '/admin/api/review', ReviewResponseSchema), [], 10_000);
  const [open, setOpen] = useState<{ kind: 'verify' | 'refund'; payment: AdminPayment } | null>(null);
  const items = r.data?.items ?? [];
  return (
    <section>
      <PageHeader title={t('review.title')} />
      <p className="muted">{t('review.intro')}</p>
      <ErrorBox error={r.error} />
      {r.data && items.length === 0 && <Empty>{t('review.none')}</Empty>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table data-testid="review-table">
            <thead>
              <tr>
                <th scope="col">{t('payments.created')}</th>
                <th scope="col">{t('payments.payment')}</th>
                <th scope="col">{t('review.reasons')}</th>
                <th scope="col">{t('payments.status')}</th>
                <th scope="col" className="num">
                  {t('payments.amount')}
                </th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map(({ payment: p, reasons, paid_amount }) => (
                <tr key={p.payment_id} data-testid={`review-${p.payment_id}`}>
                  <td>{formatTime(p.created_at, i18n.language)}</td>
                  <td>
                    <a href={href('payments', p.payment_id)} className="mono">
                      {p.payment_id}
                    </a>
                    <div className="muted small">
                      {t(`methods.${p.method}`)}
                      {p.offline_ref ? ` · ${p.offline_ref}` : ''}
                    </div>
                  </td>
                  <td>
                    {reasons.map((x) => (
                      <div key={x}>{t(`review.reason.${x}`)}</div>
                    ))}
                    {paid_amount !== null && (
                      <div className="small">
                        {t('review.paidAmount')} <Money amount={paid_amount} />
                      </div>
                    )}
                  </td>
                  <td>
                    <StatusBadge status={p.status} late={p.late} />
                  </td>
                  <td className="num">
                    <Money amount={p.amount} />
                  </td>
                  <td className="actions">
                    <button
                      type="button"
                      onClick={() => setOpen({ kind: 'verify', payment: p })}
                      data-testid="review-verify"
                    >
                      {t('review.verify')}
                    </button>
                    {canRefund(p) && (
                      <button
                        type="button"
                        onClick={() => setOpen({ kind: 'refund', payment: p })}
                        data-testid="review-refund"
                      >
                        {t('refund.open')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open?.kind === 'verify' && (
        <VerifyDialog payment={open.payment} onClose={() => setOpen(null)} onDone={() => r.reload()} />
      )}
      {open?.kind === 'refund' && (
        <RefundDialog payment={open.payment} onClose={() => setOpen(null)} onDone={() => r.reload()} />
      )}
    </section>
  );
}

/** "I saw this money arrive": the payment becomes paid and leaves the queue, with the manager's note. */
export function VerifyDialog({
  payment,
  onClose,
  onDone,
}: {
  payment: AdminPayment;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await call('POST', `/admin/api/review/${encodeURIComponent(payment.payment_id)}/resolve`, ResolveResponseSchema, {
        action: 'verify',
        note,
      });
      onDone();
      onClose();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('review.verifyTitle')} onClose={onClose} testId="verify-dialog">
      <form onSubmit={submit}>
        <p>
          {t('review.verifyText')} <Money amount={payment.amount} />
        </p>
        <label>
          {t('review.note')}
          <textarea
            required
            maxLength={500}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            data-testid="verify-note"
          />
        </label>
        <ErrorBox error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy || !note.trim()} data-testid="verify-submit">
            {t('review.verifyConfirm')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
