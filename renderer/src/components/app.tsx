import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { formatRupiah } from '../../../shared/money.ts';
import { unsyncedRisk } from '../../../shared/sync-risk.ts';
import { isWebHost } from '../bridge/index.ts';
import { useTill } from '../store/index.ts';
import { useGlobalKeys } from '../use-global-keys.ts';
import { Cart } from './cart.tsx';
import { CashSheet } from './cash-sheet.tsx';
import { Catalog } from './catalog.tsx';
import { CounterPage, PrintQueueBanner } from './counter-page.tsx';
import { QrisSheet } from './qris-sheet.tsx';
import { ReceiptSheet } from './receipt-sheet.tsx';
import { RecentPage } from './recent-page.tsx';
import { SettingsPage } from './settings-page.tsx';
import { SyncPage } from './sync-page.tsx';
import { TopBar } from './top-bar.tsx';

export function App() {
  useGlobalKeys();
  useQuitGuard();
  const page = useTill((s) => s.page);
  const checkout = useTill((s) => s.checkout);
  return (
    <div className="app">
      <TopBar />
      <Banners />
      {page === 'sale' && (
        <main className="sale">
          <Catalog />
          <Cart />
        </main>
      )}
      {page === 'recent' && <RecentPage />}
      {page === 'settings' && <SettingsPage />}
      {page === 'counter' && <CounterPage />}
      {page === 'sync' && <SyncPage />}
      {checkout === 'qris' && <QrisSheet />}
      {checkout === 'cash' && <CashSheet />}
      {checkout === 'receipt' && <ReceiptSheet />}
    </div>
  );
}

/** What the server does not have yet; shown while offline and while a backlog drains. Selling goes on. */
function SyncBanner() {
  const { t } = useTranslation();
  const sync = useTill((s) => s.sync);
  const retryParked = useTill((s) => s.retryParked);
  const connection = useTill((s) => s.connection);
  const { pending, pendingTotal, parked, unverifiedTotal, progress } = sync;
  // Online, a sale is pushed within moments of being made: only a real backlog is worth a banner then.
  const backlog = pending > 0 && (connection !== 'online' || (progress !== null && progress.total > 20));
  if (!backlog && parked === 0 && unverifiedTotal === 0) return null;
  return (
    <div
      className="banner warn sync-banner"
      role="status"
      data-testid="banner-unsynced"
      data-pending={pending}
      data-total={pendingTotal}
      data-unverified={unverifiedTotal}
    >
      {backlog && (
        <span data-testid="unsynced-text">
          {t('sync.unsynced', { count: pending, total: formatRupiah(pendingTotal) })}
        </span>
      )}
      {progress && (
        <span data-testid="sync-progress">
          {t('sync.sending', { done: progress.done, total: progress.total })}
          <progress max={progress.total} value={progress.done} />
        </span>
      )}
      {unverifiedTotal > 0 && (
        <span data-testid="unverified-total">{t('sync.unverified', { total: formatRupiah(unverifiedTotal) })}</span>
      )}
      {parked > 0 && (
        <span data-testid="parked">
          {t('sync.parked', { count: parked })}{' '}
          <button type="button" onClick={() => void retryParked()} data-testid="retry-parked">
            {t('sync.retry')}
          </button>
        </span>
      )}
    </div>
  );
}

function Banners() {
  const { t } = useTranslation();
  const connection = useTill((s) => s.connection);
  const enrolled = useTill((s) => s.enrolled);
  const skewMs = useTill((s) => s.clockSkewMs);
  const error = useTill((s) => s.error);
  const checkout = useTill((s) => s.checkout);
  const page = useTill((s) => s.page);
  const dismissError = useTill((s) => s.dismissError);
  const minutes = Math.round(Math.abs(skewMs) / 60_000);
  return (
    <div>
      {!enrolled && (
        <div className="banner bad" data-testid="banner-not-enrolled">
          {t('app.notEnrolled')}
        </div>
      )}
      {enrolled && connection === 'offline' && (
        <div className="banner warn" data-testid="banner-offline">
          {t('app.offlineHint')}
        </div>
      )}
      <SyncBanner />
      <PrintQueueBanner />
      {Math.abs(skewMs) > 120_000 && (
        <div className="banner warn" data-testid="banner-clock">
          {t('app.clockSkew', { minutes })}
        </div>
      )}
      {/* Errors raised while a sheet or the settings page is open are shown there; others land here. */}
      {error && checkout === 'none' && page === 'sale' && (
        <div className="banner bad" role="alert" data-testid="error" data-code={error.code}>
          {t(error.key, { ...error.params })}
          <button type="button" onClick={dismissError}>
            {t('errors.dismiss')}
          </button>
        </div>
      )}
    </div>
  );
}

/**
 * In a browser (the web host) closing or reloading the tab while the server lacks some of the till's data
 * asks first (the browser's own `beforeunload` dialog; its text cannot be chosen). Under Electron the main
 * process asks instead, with the counts (electron/main/index.ts): a `beforeunload` there would silently
 * cancel the close.
 */
function useQuitGuard(): void {
  const status = useTill((s) => s.status);
  const atRisk = status !== null && unsyncedRisk(status) !== null;
  useEffect(() => {
    if (!atRisk || !isWebHost()) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [atRisk]);
}
