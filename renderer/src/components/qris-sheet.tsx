import { useTranslation } from 'react-i18next';
import { formatRupiah } from '../../../shared/money.ts';
import { useTill } from '../store/index.ts';
import { Countdown } from './countdown.tsx';
import { ErrorAlert } from './error-alert.tsx';
import { OfflineQrisSheet } from './offline-qris-sheet.tsx';
import { QrCode } from './qr-code.tsx';
import { Kbd } from './shortcut.tsx';

export function QrisSheet() {
  const { t } = useTranslation();
  const qris = useTill((s) => s.qris);
  // The customer checks whom they pay: the store's own name, not the acquirer's name inside the QR payload.
  const merchant = useTill((s) => s.storeName || s.qris?.merchantName || '');
  const skewMs = useTill((s) => s.clockSkewMs);
  const cancelQris = useTill((s) => s.cancelQris);
  const closeCheckout = useTill((s) => s.closeCheckout);
  const chargeQris = useTill((s) => s.chargeQris);
  const cancelling = useTill((s) => s.busy === 'cancelling');
  const checking = useTill((s) => s.busy === 'checking');
  const checkQris = useTill((s) => s.checkQris);
  const offline = useTill((s) => s.connection !== 'online');
  if (!qris) return null;
  if (qris.offline && qris.status === 'confirm') return <OfflineQrisSheet qris={qris} />;
  const { status } = qris;
  const pending = status === 'pending';
  const over = status === 'expired' || status === 'cancelled' || status === 'failed';
  return (
    <div
      className="overlay"
      data-testid="qris-sheet"
      data-sale-id={qris.saleId}
      data-payment-id={qris.paymentId ?? undefined}
    >
      <section className="sheet" role="dialog" aria-modal="true" aria-labelledby="qris-title">
        <div className="sheet-head">
          <h2 id="qris-title">{t('qris.title')}</h2>
        </div>
        <div className="sheet-body">
          <ErrorAlert />
          {qris.qrString === null ? (
            <div className="empty">{qris.status === 'creating' ? t('qris.creating') : null}</div>
          ) : (
            <div className="qris-layout">
              <div className={`qr-frame ${pending ? '' : 'done'}`}>
                <span className="qr-label">QRIS</span>
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
                <div
                  className={`status ${status}`}
                  data-testid="qris-status"
                  data-status={status}
                  role="status"
                  aria-live="assertive"
                >
                  {t(`qris.status.${status === 'creating' || status === 'confirm' ? 'pending' : status}`)}
                </div>
                {pending && qris.expiresAt !== null && <Countdown expiresAt={qris.expiresAt} skewMs={skewMs} />}
                {pending && <div className="hint">{t('qris.scanToPay')}</div>}
                {status === 'expired' && <div className="hint">{t('qris.expiredHint')}</div>}
                {pending && qris.expirySuspected && (
                  <div className="hint" data-testid="qris-expiry-suspected">
                    {t('qris.expirySuspected')}
                  </div>
                )}
                {qris.late && <div className="hint">{t('qris.lateNote')}</div>}
              </div>
            </div>
          )}
        </div>
        <div className="sheet-foot">
          {pending && (qris.expirySuspected || offline) && (
            <button
              type="button"
              className="btn-big"
              onClick={() => void checkQris()}
              disabled={checking}
              data-testid="qris-check"
            >
              {t('qris.check')}
            </button>
          )}
          {(pending || status === 'creating') && (
            <button
              type="button"
              className="btn-danger btn-big"
              onClick={() => void cancelQris()}
              disabled={cancelling || status === 'creating'}
              data-testid="qris-cancel"
            >
              {cancelling ? t('qris.cancelling') : t('qris.cancel')} <Kbd k="Esc" />
            </button>
          )}
          {(over || qris.status === 'error') && (
            <>
              <button type="button" className="btn-big" onClick={closeCheckout} data-testid="qris-back">
                {t('qris.close')} <Kbd k="Esc" />
              </button>
              <button
                type="button"
                className="btn-qris btn-big"
                onClick={() => void chargeQris()}
                data-testid="qris-retry"
              >
                {t('qris.retry')} <Kbd k="F8" />
              </button>
            </>
          )}
        </div>
      </section>
    </div>
  );
}
