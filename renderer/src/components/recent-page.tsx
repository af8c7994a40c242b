import { useTranslation } from 'react-i18next';
import { formatRupiah } from '../../../shared/money.ts';
import type { SaleView } from '../bridge/index.ts';
import { useTill } from '../store/index.ts';
import { saleNumber } from './receipt-sheet.tsx';

/**
 * The sale's state for the cashier: paid, waiting on a QR the customer can scan, or recorded but not paid
 * (e.g. the server was down at Charge, so no QR was ever shown).
 */
export function saleState(s: SaleView): 'paid' | 'unverified' | 'needs_review' | 'awaiting_payment' | 'unpaid' {
  if (s.status === 'paid') {
    // Closed by an offline QRIS that no provider has confirmed (yet): not the same as paid.
    if (s.payments.some((p) => p.status === 'paid')) return 'paid';
    if (s.payments.some((p) => p.status === 'needs_review')) return 'needs_review';
    if (s.payments.some((p) => p.status === 'unverified')) return 'unverified';
    return 'paid';
  }
  return s.payments.some((p) => p.status === 'pending' && p.qrString !== null) ? 'awaiting_payment' : 'unpaid';
}

export function RecentPage() {
  const { t, i18n } = useTranslation();
  const recent = useTill((s) => s.recent);
  const openRecent = useTill((s) => s.openRecent);
  const day = useTill((s) => s.recentDay);
  const setDay = useTill((s) => s.setRecentDay);
  const time = new Intl.DateTimeFormat(i18n.language === 'en' ? 'en-GB' : 'id-ID', {
    dateStyle: 'short',
    timeStyle: 'short',
  });
  return (
    <div className="page" data-testid="recent-page">
      <h2>{t('recent.title')}</h2>
      <div className="finders">
        <label className="field">
          <span>{t('recent.date')}</span>
          <input type="date" value={day} onChange={(e) => setDay(e.target.value)} data-testid="recent-date" />
        </label>
        {day !== '' && (
          <button type="button" onClick={() => setDay('')} data-testid="recent-all-dates">
            {t('recent.allDates')}
          </button>
        )}
      </div>
      {recent.length === 0 ? (
        <div className="empty">{t('recent.empty')}</div>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>{t('receipt.date')}</th>
              <th>{t('receipt.saleNo')}</th>
              <th className="num">{t('cart.total')}</th>
              <th>{t('receipt.method')}</th>
              <th>{t('recent.statusCol')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {recent.map((s) => {
              const state = saleState(s);
              const paidBy = s.payments.find(
                (p) => p.status === 'paid' || p.status === 'unverified' || p.status === 'needs_review',
              )?.method;
              return (
                <tr key={s.id} data-testid="recent-sale" data-sale-id={s.id} data-state={state}>
                  <td>{time.format(s.createdAt)}</td>
                  <td>{saleNumber(s.id)}</td>
                  <td className="num" data-testid="recent-total">
                    {formatRupiah(s.total)}
                  </td>
                  <td data-testid="recent-method" data-method={paidBy ?? ''}>
                    {paidBy ? t(`receipt.${paidBy}`) : '—'}
                  </td>
                  <td>
                    <span className={`pill ${state}`}>{t(`recent.status.${state}`)}</span>
                  </td>
                  <td className="num">
                    <button type="button" onClick={() => void openRecent(s.id)} data-testid="recent-open">
                      {s.status === 'paid' ? t('recent.open') : t('recent.resume')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
