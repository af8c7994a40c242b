import { useTranslation } from 'react-i18next';
import { formatRupiah } from '../../../shared/money.ts';
import { useTill } from '../store/index.ts';
import { Kbd } from './shortcut.tsx';

/** A short, readable sale number for the slip; the full id stays in the till's records. */
export function saleNumber(saleId: string): string {
  return saleId.replace(/-/g, '').slice(-8).toUpperCase();
}

export function ReceiptSheet() {
  const { t, i18n } = useTranslation();
  const receipt = useTill((s) => s.receipt);
  const newSale = useTill((s) => s.newSale);
  const hasPrinter = useTill((s) => (s.printer?.transport ?? 'none') !== 'none');
  const printReceipt = useTill((s) => s.printReceipt);
  const printState = useTill((s) => {
    const id = s.receipt?.sale.id;
    if (!id) return null;
    if (s.printQueue.queued.some((j) => j.refId === id)) return 'queued';
    return s.printQueue.lastPrinted?.refId === id ? 'printed' : null;
  });
  if (!receipt) return null;
  const { sale } = receipt;
  // An offline QRIS closes its sale before any provider confirmed it: the receipt says so.
  const payment =
    sale.payments.find((p) => p.status === 'paid') ??
    sale.payments.find((p) => p.status === 'unverified' || p.status === 'needs_review') ??
    null;
  const unconfirmed = payment !== null && payment.status !== 'paid' ? payment.status : null;
  const date = new Intl.DateTimeFormat(i18n.language === 'en' ? 'en-GB' : 'id-ID', {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(sale.paidAt ?? sale.createdAt);
  const paid = sale.status === 'paid';
  return (
    <div className="overlay" data-testid="receipt-sheet">
      <section className="sheet" role="dialog" aria-modal="true" aria-labelledby="receipt-title" style={{ width: 520 }}>
        <div className="sheet-head">
          <h2 id="receipt-title">{t('receipt.title')}</h2>
          <span
            className={`status ${unconfirmed ?? (paid ? 'paid' : 'pending')}`}
            data-testid="receipt-status"
            data-status={sale.status}
            data-payment-status={payment?.status}
          >
            {unconfirmed ? t(`qris.status.${unconfirmed}`) : paid ? t('qris.status.paid') : t('recent.status.open')}
          </span>
        </div>
        <div className="sheet-body">
          <article className="receipt" data-testid="receipt">
            <h3>{receipt.storeName}</h3>
            <div className="center">
              {t('receipt.saleNo')} {saleNumber(sale.id)}
            </div>
            <div className="center">
              {date} · {receipt.deviceName}
            </div>
            <hr />
            {sale.lines.map((l) => (
              <div key={l.id}>
                <div>{l.name}</div>
                <div className="r">
                  <span>
                    {l.qty} × {formatRupiah(l.unitPrice)}
                  </span>
                  <span>{formatRupiah(l.lineTotal)}</span>
                </div>
              </div>
            ))}
            <hr />
            <div className="r">
              <span>{t('cart.subtotal')}</span>
              <span>{formatRupiah(sale.subtotal)}</span>
            </div>
            {sale.discountAmount > 0 && (
              <div className="r">
                <span>{t('cart.discount')}</span>
                <span>− {formatRupiah(sale.discountAmount)}</span>
              </div>
            )}
            <div className="r big">
              <span>{t('cart.total')}</span>
              <span data-testid="receipt-total">{formatRupiah(sale.total)}</span>
            </div>
            {payment && (
              <>
                <hr />
                <div className="r">
                  <span>{t('receipt.method')}</span>
                  <span data-testid="receipt-method" data-method={payment.method}>
                    {payment.method === 'qris' ? t('receipt.qris') : t('receipt.cash')}
                  </span>
                </div>
                {payment.method === 'cash' && payment.tendered !== null && (
                  <div className="r">
                    <span>{t('receipt.tendered')}</span>
                    <span>{formatRupiah(payment.tendered)}</span>
                  </div>
                )}
                {payment.method === 'cash' && payment.change !== null && (
                  <div className="r">
                    <span>{t('receipt.change')}</span>
                    <span data-testid="receipt-change">{formatRupiah(payment.change)}</span>
                  </div>
                )}
                {payment.method === 'qris' && payment.provider && (
                  <div className="r">
                    <span>{t('receipt.provider')}</span>
                    <span data-testid="receipt-provider">{payment.provider}</span>
                  </div>
                )}
                {payment.method === 'qris' && (
                  <div className="r">
                    <span>{t('receipt.reference')}</span>
                    <span data-testid="receipt-reference" style={{ overflowWrap: 'anywhere' }}>
                      {payment.providerRef ?? payment.offlineRef ?? saleNumber(payment.id)}
                    </span>
                  </div>
                )}
                {payment.method === 'qris' && payment.payerWallet && (
                  <div className="r">
                    <span>{t('receipt.wallet')}</span>
                    <span data-testid="receipt-wallet">{payment.payerWallet}</span>
                  </div>
                )}
                {unconfirmed && (
                  <div className="offline-note" data-testid="receipt-unverified">
                    {t(unconfirmed === 'unverified' ? 'offline.unverifiedNote' : 'offline.reviewNote')}
                  </div>
                )}
              </>
            )}
            {paid && !unconfirmed && <div className="paid-stamp">{t('qris.status.paid')}</div>}
            <div className="center">{t('receipt.thanks')}</div>
          </article>
        </div>
        <div className="sheet-foot no-print">
          {printState && (
            <span className="field-note" data-testid="receipt-print-state" data-state={printState}>
              {printState === 'queued' ? t('receipt.printQueued') : t('receipt.printed')}
            </span>
          )}
          <button
            type="button"
            className="btn-big"
            onClick={() => (hasPrinter ? void printReceipt(sale.id) : window.print())}
            data-testid="receipt-print"
          >
            {t('receipt.print')}
          </button>
          <button type="button" className="btn-primary btn-big" onClick={newSale} data-testid="new-sale">
            {t('receipt.newSale')} <Kbd k="Enter" />
          </button>
        </div>
      </section>
    </div>
  );
}
