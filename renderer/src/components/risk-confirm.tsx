/**
 * Asks before an action that would leave unsynced data behind (logging out of the server, changing it) and
 * says what is at risk: the unsynced sales and their total, the queue, the unverified offline QRIS money.
 */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { formatRupiah } from '../../../shared/money.ts';
import type { UnsyncedRisk } from '../../../shared/sync-risk.ts';

export function RiskConfirm(props: {
  risk: UnsyncedRisk;
  action: 'logout' | 'changeServer';
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const { risk, action } = props;
  const cancel = useRef<HTMLButtonElement>(null);
  // Keyboard-first: focus lands on the safe choice; Esc cancels.
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div className="overlay" data-testid="risk-confirm" data-action={action}>
      <div
        className="sheet"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="risk-title"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            props.onCancel();
          }
        }}
      >
        <div className="sheet-head">
          <h2 id="risk-title">{t('risk.title')}</h2>
        </div>
        <div className="sheet-body">
          <p
            data-testid="risk-body"
            data-sales={risk.sales}
            data-total={risk.salesTotal}
            data-entries={risk.entries}
            data-unverified={risk.unverifiedTotal}
          >
            {t('risk.body', { sales: risk.sales, salesTotal: formatRupiah(risk.salesTotal), entries: risk.entries })}
          </p>
          {risk.unverifiedTotal > 0 && (
            <p data-testid="risk-unverified">{t('risk.unverified', { total: formatRupiah(risk.unverifiedTotal) })}</p>
          )}
          <p>{t(action === 'logout' ? 'risk.logout' : 'risk.changeServer')}</p>
        </div>
        <div className="sheet-foot">
          <button ref={cancel} type="button" className="btn-big" onClick={props.onCancel} data-testid="risk-cancel">
            {t('risk.cancel')}
          </button>
          <button type="button" className="btn-danger btn-big" onClick={props.onConfirm} data-testid="risk-confirm-go">
            {t(action === 'logout' ? 'risk.confirmLogout' : 'risk.confirmChange')}
          </button>
        </div>
      </div>
    </div>
  );
}
