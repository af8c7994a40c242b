import { useTranslation } from 'react-i18next';
import { formatRupiah } from '../../../shared/money.ts';
import { useTill } from '../store/index.ts';
import type { QrisView } from '../store/types.ts';
import { ErrorAlert } from './error-alert.tsx';
import { QrCode } from './qr-code.tsx';
import { Kbd } from './shortcut.tsx';

/**
 * An offline QRIS: derived by the till from the store's static QR, with no server to say when it is paid. It
 * looks different on purpose (OFFLINE badge, amber frame and banner) and waits for the cashier to confirm what
 * the customer's phone shows (Enter), or to cancel (Esc).
 */
export function OfflineQrisSheet({ qris }: { qris: QrisView }) {
  const { t } = useTranslation();
  const merchant = useTill((s) => s.qris?.merchantName ?? s.storeName);
  const confirm = useTill((s) => s.confirmOfflineQris);
  const cancel = useTill((s) => s.cancelQris);
  const busy = useTill((s) => s.busy !== 'none');
  return (
    <div
      className="overlay"
      data-testid="qris-sheet"
      data-offline="true"
      data-sale-id={qris.saleId}
      data-payment-id={qris.paymentId ?? undefined}
    >
      <section className="sheet offline" role="dialog" aria-modal="true" aria-labelledby="qris-title">
        <div className="sheet-head">
          <h2 id="qris-title">{t('offline.title')}</h2>
          <span className="offline-badge">{t('offline.badge')}</span>
        </div>
        <div className="offline-banner" role="alert" data-testid="offline-qr-banner">
          {t('offline.confirmHint')}
        </div>
        <div className="sheet-body">
          <ErrorAlert />
          {qris.qrString !== null && (
            <div className="qris-layout">
              <div className="qr-frame offline">
                <span className="qr-label">QRIS · {t('offline.badge')}</span>
                <QrCode payload={qris.qrString} label={t('qris.scanToPay')} />
              </div>
              <div className="qris-info">
                {merchant && (
                  <div className="merchant" data-testid="qris-merchant">
                    {merchant}
                  </div>
                )}
                <div className="amount" data-testid="qris-amount">
                  {formatRupiah(qris.amount)}
                </div>
                <div className="status unverified" data-testid="qris-status" data-status="confirm" role="status">
                  {t('offline.confirmHint')}
                </div>
                <div className="hint">{t('offline.confirmDetail')}</div>
                {qris.reference && (
                  <div className="hint" data-testid="offline-reference">
                    {t('offline.reference', { reference: qris.reference })}
                  </div>
                )}
              </div>
            </div>
          )}
        </div>
        <div className="sheet-foot">
          <button
            type="button"
            className="btn-danger btn-big"
            onClick={() => void cancel()}
            disabled={busy}
            data-testid="offline-cancel"
          >
            {t('offline.cancel')} <Kbd k="Esc" />
          </button>
          <button
            type="button"
            className="btn-ok btn-big"
            onClick={() => void confirm()}
            disabled={busy}
            data-testid="offline-confirm"
          >
            {t('offline.confirm')} <Kbd k="Enter" />
          </button>
        </div>
      </section>
    </div>
  );
}
