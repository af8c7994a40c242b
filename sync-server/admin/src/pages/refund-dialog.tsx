import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { newId } from '../../../../shared/ids.ts';
import { formatRupiah } from '../../../../shared/money.ts';
import type { AdminPayment } from '../../../../shared/schemas/admin-api.ts';
import { RefundResponseSchema, type RefundView } from '../../../../shared/schemas/refund-api.ts';
import { ApiError, call } from '../api.ts';
import { ErrorBox } from '../components/common.tsx';
import { Dialog } from '../components/dialog.tsx';
import { formatTyped, parseTyped } from '../money-input.ts';

/** QRIS money that came in and is not all given back yet; cash is returned at the counter, not here. */
export function canRefund(p: AdminPayment): boolean {
  return (
    p.method !== 'cash' &&
    p.provider !== null &&
    (p.status === 'paid' || p.status === 'partially_refunded') &&
    p.amount - p.refunded_amount > 0
  );
}

/**
 * Full or partial refund through the payment's provider. The idempotency key is made once when the dialog
 * opens: pressing the button again (a retry after a timeout, a double click, "check again" while the provider
 * is still processing) sends the same key, so the server never refunds twice for one decision. A new decision
 * is a new dialog and a new key.
 */
export function RefundDialog({
  payment,
  onClose,
  onDone,
}: {
  payment: AdminPayment;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const [key] = useState(() => newId());
  const refundable = payment.amount - payment.refunded_amount;
  const [mode, setMode] = useState<'full' | 'partial'>('full');
  const [typed, setTyped] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<RefundView | null>(null);

  const partial = parseTyped(typed);
  const amount = mode === 'full' ? refundable : partial;
  const amountOk = amount !== null && amount >= 1 && amount <= refundable;
  // Once sent, the decision is fixed: the key stands for this amount and reason.
  const locked = result !== null || busy;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!amountOk) return;
    setBusy(true);
    setError(null);
    try {
      const res = await call(
        'POST',
        `/v1/payments/${encodeURIComponent(payment.payment_id)}/refund`,
        RefundResponseSchema,
        { ...(mode === 'partial' ? { amount } : {}), reason, idempotency_key: key },
      );
      setResult(res.refund);
      if (res.refund.status !== 'requested') onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('refund.title')} onClose={onClose} testId="refund-dialog">
      <form onSubmit={submit} data-idempotency-key={key}>
        <p>
          <span className="mono small">{payment.payment_id}</span>
          <br />
          {t('refund.refundable', { amount: formatRupiah(refundable) })}
        </p>
        <fieldset disabled={locked}>
          <legend className="sr-only">{t('refund.amount')}</legend>
          <label>
            <input
              type="radio"
              name="mode"
              checked={mode === 'full'}
              onChange={() => setMode('full')}
              data-testid="refund-full"
            />
            {t('refund.full')}
          </label>
          <label>
            <input
              type="radio"
              name="mode"
              checked={mode === 'partial'}
              onChange={() => setMode('partial')}
              data-testid="refund-partial"
            />
            {t('refund.partial')}
          </label>
        </fieldset>
        {mode === 'partial' && (
          <label>
            {t('refund.amount')}
            <input
              inputMode="numeric"
              value={typed}
              disabled={locked}
              onChange={(e) => setTyped(formatTyped(e.target.value))}
              aria-invalid={typed !== '' && !amountOk}
              data-testid="refund-amount"
            />
          </label>
        )}
        {mode === 'partial' && typed !== '' && !amountOk && (
          <p className="bad small" role="alert">
            {t('refund.invalidAmount', { max: formatRupiah(refundable) })}
          </p>
        )}
        <label>
          {t('refund.reason')}
          <textarea
            required
            maxLength={255}
            value={reason}
            disabled={locked}
            onChange={(e) => setReason(e.target.value)}
            data-testid="refund-reason"
          />
        </label>
        <ErrorBox error={error} />
        {result && (
          <div
            className={`alert ${result.status === 'failed' ? 'alert-bad' : 'alert-ok'}`}
            role="status"
            data-testid="refund-result"
            data-status={result.status}
          >
            {t('refund.done', { amount: formatRupiah(result.amount), status: t(`refund.statuses.${result.status}`) })}
            {result.error ? ` ${result.error}` : ''}
          </div>
        )}
        <div className="actions">
          <button type="button" onClick={onClose} data-testid="refund-close">
            {result ? t('common.close') : t('common.cancel')}
          </button>
          {(!result || result.status === 'requested') && (
            <button
              type="submit"
              className="primary"
              disabled={busy || !amountOk || !reason.trim()}
              data-testid="refund-submit"
            >
              {result?.status === 'requested'
                ? t('refund.checkAgain')
                : t('refund.confirm', { amount: amountOk ? formatRupiah(amount) : '' })}
            </button>
          )}
        </div>
      </form>
    </Dialog>
  );
}
