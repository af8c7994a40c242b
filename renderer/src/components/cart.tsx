import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { formatRupiah, isQrisAmount } from '../../../shared/money.ts';
import { offlineQrisRefusal } from '../../../shared/offline-qris.ts';
import { lineTotal } from '../lib/cart-math.ts';
import { selectDiscountOk, selectTotals, useTill } from '../store/index.ts';
import { primeQr } from './qr-code.tsx';
import { Kbd } from './shortcut.tsx';

export function Cart() {
  const { t } = useTranslation();
  const count = useTill((s) => s.lines.reduce((n, l) => n + l.qty, 0));
  const clearCart = useTill((s) => s.clearCart);
  return (
    <aside className="cart" aria-label={t('cart.title')}>
      <div className="cart-head">
        <h2>
          {t('cart.title')}
          <span className="count" data-testid="cart-count">
            {t('cart.items', { count })}
          </span>
        </h2>
        <button type="button" className="btn-ghost btn-danger" onClick={clearCart} disabled={count === 0}>
          {t('cart.clear')}
        </button>
      </div>
      <Lines />
      <Totals />
      <PayActions />
      <div className="keys-hint">{t('keys.hint')}</div>
    </aside>
  );
}

function Lines() {
  const { t } = useTranslation();
  const lines = useTill((s) => s.lines);
  const selected = useTill((s) => s.selectedProductId);
  const selectLine = useTill((s) => s.selectLine);
  const changeQty = useTill((s) => s.changeQty);
  const removeLine = useTill((s) => s.removeLine);
  if (lines.length === 0) {
    return (
      <div className="lines empty" data-testid="cart-empty">
        {t('cart.empty')}
      </div>
    );
  }
  return (
    <ul className="lines" data-testid="cart-lines">
      {lines.map((l) => (
        // biome-ignore lint/a11y/useKeyWithClickEvents: keyboard users move the selection with ↑/↓ (global keys).
        <li
          key={l.productId}
          className={`line ${selected === l.productId ? 'selected' : ''}`}
          onClick={() => selectLine(l.productId)}
          data-testid={`line-${l.sku}`}
          data-selected={selected === l.productId}
        >
          <div>
            <div className="name">{l.name}</div>
            <div className="unit">
              {formatRupiah(l.unitPrice)} × {l.qty}
            </div>
          </div>
          <div className="total" data-testid="line-total">
            {formatRupiah(lineTotal(l))}
          </div>
          <div className="qty">
            <button
              type="button"
              aria-label={t('cart.decrease')}
              title={`${t('cart.decrease')} (−)`}
              onClick={(e) => {
                e.stopPropagation();
                changeQty(l.productId, -1);
              }}
              data-testid="qty-dec"
            >
              −
            </button>
            <span className="n" data-testid="line-qty" title={t('cart.qty')}>
              {l.qty}
            </span>
            <button
              type="button"
              aria-label={t('cart.increase')}
              title={`${t('cart.increase')} (+)`}
              onClick={(e) => {
                e.stopPropagation();
                changeQty(l.productId, 1);
              }}
              data-testid="qty-inc"
            >
              +
            </button>
          </div>
          <button
            type="button"
            className="btn-ghost btn-danger remove"
            onClick={(e) => {
              e.stopPropagation();
              removeLine(l.productId);
            }}
          >
            {t('cart.remove')}
          </button>
        </li>
      ))}
    </ul>
  );
}

function Totals() {
  const { t } = useTranslation();
  const { subtotal, discount, total } = useTill(useShallow(selectTotals));
  const discountInput = useTill((s) => s.discountInput);
  const discountValid = useTill(selectDiscountOk);
  const setDiscountInput = useTill((s) => s.setDiscountInput);
  return (
    <div className="totals">
      <div className="row">
        <span>{t('cart.subtotal')}</span>
        <span data-testid="subtotal">{formatRupiah(subtotal)}</span>
      </div>
      <div className="row">
        <label htmlFor="discount-input">{t('cart.discount')}</label>
        <input
          id="discount-input"
          data-testid="discount-input"
          inputMode="decimal"
          value={discountInput}
          onChange={(e) => setDiscountInput(e.target.value)}
          placeholder={t('cart.discountPlaceholder')}
          aria-invalid={!discountValid}
        />
      </div>
      {!discountValid && <div className="field-error">{t('cart.discountInvalid')}</div>}
      {discount > 0 && (
        <div className="row">
          <span />
          <span data-testid="discount-amount">− {formatRupiah(discount)}</span>
        </div>
      )}
      <div className="row grand">
        <span>{t('cart.total')}</span>
        <span data-testid="cart-total">{formatRupiah(total)}</span>
      </div>
    </div>
  );
}

function PayActions() {
  const { t } = useTranslation();
  const total = useTill((s) => selectTotals(s).total);
  const empty = useTill((s) => s.lines.length === 0);
  const discountValid = useTill(selectDiscountOk);
  const chargeQris = useTill((s) => s.chargeQris);
  const openCash = useTill((s) => s.openCash);
  const offline = useTill((s) => s.connection !== 'online');
  const limits = useTill((s) => s.offlineQris);
  const primeOfflineCharge = useTill((s) => s.primeOfflineCharge);
  const canPay = !empty && discountValid;
  // Offline, the QR the next Charge would show is derived and encoded while the till is idle, so Charge only
  // draws it: the cashier sees the QR in the same frame as the sheet.
  // biome-ignore lint/correctness/useExhaustiveDependencies: total and limits are what is primed (read from the store): a change primes again.
  useEffect(() => {
    if (!offline || !canPay) return;
    const prime = () => {
      const qr = primeOfflineCharge();
      if (qr) primeQr(qr);
    };
    if (typeof requestIdleCallback !== 'function') {
      const t = setTimeout(prime, 50);
      return () => clearTimeout(t);
    }
    const idle = requestIdleCallback(prime, { timeout: 500 });
    return () => cancelIdleCallback(idle);
  }, [offline, canPay, total, limits, primeOfflineCharge]);
  const qrisOk = isQrisAmount(total);
  // Offline, QRIS is derived from the store's static code within its limits; beyond them only cash, and why.
  const refusal = offline && canPay && qrisOk ? offlineQrisRefusal(total, limits) : null;
  return (
    <div className="pay-actions">
      {canPay && !qrisOk && total > 0 && <div className="field-error full">{t('cart.qrisLimit')}</div>}
      {refusal && (
        <div className="field-error full" data-testid="offline-refusal" data-reason={refusal}>
          <strong>{t('offline.cashOnly')}</strong> {t(`offline.reason.${refusal}`)}
          {limits.ready && refusal !== 'invalid_amount' && (
            <>
              {' '}
              {t('offline.limits', {
                max: formatRupiah(limits.maxAmount),
                left: formatRupiah(Math.max(0, limits.maxUnverifiedTotal - limits.unverifiedTotal)),
              })}
            </>
          )}
        </div>
      )}
      <button
        type="button"
        className="btn-qris btn-big"
        onClick={() => void chargeQris()}
        disabled={!canPay || !qrisOk || refusal !== null}
        data-testid="charge-qris"
        data-offline={offline || undefined}
        data-offline-ready={limits.ready}
      >
        {t('cart.chargeQris')} <Kbd k="F8" />
      </button>
      <button
        type="button"
        className="btn-primary btn-big"
        onClick={openCash}
        disabled={!canPay}
        data-testid="charge-cash"
      >
        {t('cart.cash')} <Kbd k="F9" />
      </button>
    </div>
  );
}
