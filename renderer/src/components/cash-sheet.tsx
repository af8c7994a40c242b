import { type FormEvent, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { formatRupiah } from '../../../shared/money.ts';
import { QUICK_NOTES } from '../lib/cart-math.ts';
import { followingAmounts, formatTyped } from '../lib/rupiah-input.ts';
import { selectCash, useTill } from '../store/index.ts';
import { ErrorAlert } from './error-alert.tsx';
import { Kbd } from './shortcut.tsx';

export function CashSheet() {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const tenderedInput = useTill((s) => s.tenderedInput);
  const setTendered = useTill((s) => s.setTenderedInput);
  const addTendered = useTill((s) => s.addTendered);
  const closeCheckout = useTill((s) => s.closeCheckout);
  const completeCash = useTill((s) => s.completeCash);
  const busy = useTill((s) => s.busy === 'completing');
  const due = useTill((s) => selectCash(s).due);
  const tendered = useTill((s) => selectCash(s).tendered);
  const change = useTill((s) => selectCash(s).change);

  useEffect(() => input.current?.focus(), []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void completeCash();
  };
  const enough = tendered !== null && change !== null && change >= 0;

  return (
    <div className="overlay" data-testid="cash-sheet">
      <form className="sheet" role="dialog" aria-modal="true" aria-labelledby="cash-title" onSubmit={submit}>
        <div className="sheet-head">
          <h2 id="cash-title">{t('cash.title')}</h2>
        </div>
        <div className="sheet-body cash-grid">
          <ErrorAlert />
          <div className="cash-due">
            <span>{t('cash.due')}</span>
            <span className="v" data-testid="cash-due">
              {formatRupiah(due)}
            </span>
          </div>
          <label className="field">
            <span>{t('cash.tendered')}</span>
            <input
              ref={input}
              className="tender-input"
              inputMode="numeric"
              data-testid="cash-tendered"
              value={tenderedInput}
              onChange={(e) => setTendered(formatTyped(e.target.value))}
              placeholder="Rp 0"
              autoComplete="off"
            />
          </label>
          {/* One tap for the usual amounts given for this total (the next 5k/10k/50k/100k). */}
          <div className="notes" data-testid="quick-amounts">
            <button type="button" onClick={() => setTendered(formatRupiah(due))} data-testid="note-exact">
              {t('cash.exact')}
            </button>
            {followingAmounts(due).map((n) => (
              <button key={n} type="button" onClick={() => setTendered(formatRupiah(n))} data-testid={`amount-${n}`}>
                {formatRupiah(n)}
              </button>
            ))}
          </div>
          {/* Notes as the customer hands them over: each tap adds to what was tendered. */}
          <div className="notes" data-testid="quick-notes">
            {QUICK_NOTES.map((n) => (
              <button key={n} type="button" onClick={() => addTendered(n)} data-testid={`note-${n}`}>
                + {formatRupiah(n)}
              </button>
            ))}
            <button type="button" onClick={() => setTendered('')} data-testid="note-clear">
              {t('cash.clear')}
            </button>
          </div>
          {tendered !== null && change !== null && (
            <div className={`change ${enough ? '' : 'short'}`} data-testid="cash-change-row">
              <span>{enough ? t('cash.change') : t('cash.short', { amount: formatRupiah(-change) })}</span>
              <span className="v" data-testid="cash-change">
                {formatRupiah(enough ? change : 0)}
              </span>
            </div>
          )}
        </div>
        <div className="sheet-foot">
          <button type="button" className="btn-big" onClick={closeCheckout} data-testid="cash-back">
            {t('cash.back')} <Kbd k="Esc" />
          </button>
          <button type="submit" className="btn-ok btn-big" disabled={!enough || busy} data-testid="cash-confirm">
            {t('cash.confirm')} <Kbd k="Enter" />
          </button>
        </div>
      </form>
    </div>
  );
}
