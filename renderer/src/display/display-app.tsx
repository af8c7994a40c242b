import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DisplayState } from '../../../shared/counter.ts';
import { formatRupiah } from '../../../shared/money.ts';
import { Countdown } from '../components/countdown.tsx';
import { QrCode } from '../components/qr-code.tsx';
import { subscribeDisplay } from './display-source.ts';

/** The customer-facing screen: mirrors the cart, the total, the QR with its countdown, and paid. Read-only. */
export function DisplayApp() {
  const { t } = useTranslation();
  const [state, setState] = useState<DisplayState | null>(null);
  useEffect(() => subscribeDisplay(setState), []);
  if (!state) {
    return (
      <div className="display" data-testid="display" data-phase="waiting">
        <div className="display-center">{t('display.waiting')}</div>
      </div>
    );
  }
  return (
    <div className="display" data-testid="display" data-phase={state.phase}>
      <header className="display-store" data-testid="display-store">
        {state.storeName}
      </header>
      {state.phase === 'idle' && <div className="display-center">{t('display.welcome')}</div>}
      {(state.phase === 'cart' || state.phase === 'qris') && (
        <div className={state.phase === 'qris' ? 'display-split' : ''}>
          <ul className="display-lines" data-testid="display-lines">
            {state.lines.map((l, i) => (
              // Lines have no id of their own on this screen; their order is the cart's.
              // biome-ignore lint/suspicious/noArrayIndexKey: display-only list in cart order
              <li key={i} data-testid="display-line">
                <span>
                  {l.qty} × {l.name}
                </span>
                <span>{formatRupiah(l.lineTotal)}</span>
              </li>
            ))}
          </ul>
          {state.phase === 'qris' && state.qrString && (
            <div className="display-qr">
              <div className="merchant" data-testid="display-merchant">
                {state.storeName}
              </div>
              <QrCode payload={state.qrString} label={t('display.scan')} />
              <div>{t('display.scan')}</div>
              {state.expiresAt !== null && <Countdown expiresAt={state.expiresAt} skewMs={0} />}
            </div>
          )}
        </div>
      )}
      {state.phase !== 'idle' && (
        <div className="display-total">
          <span>{t('display.total')}</span>
          <span data-testid="display-total">{formatRupiah(state.total)}</span>
        </div>
      )}
      {state.phase === 'paid' && (
        <div className="display-center display-paid" data-testid="display-paid">
          {t('display.paid')}
          {state.change !== null && state.change > 0 && (
            <div>
              {t('display.change')} <span data-testid="display-change">{formatRupiah(state.change)}</span>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
