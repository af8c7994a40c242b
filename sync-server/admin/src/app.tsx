import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Manager } from '../../../shared/schemas/admin-api.ts';
import { ApiError, onUnauthorized } from './api.ts';
import { ErrorBox } from './components/common.tsx';
import { LanguageSwitch } from './components/language-switch.tsx';
import { AuditPage } from './pages/audit.tsx';
import { CatalogPage } from './pages/catalog.tsx';
import { ChartsPage } from './pages/charts.tsx';
import { LoginPage } from './pages/login.tsx';
import { PaymentDetailPage, PaymentsPage } from './pages/payments.tsx';
import { ProvidersPage } from './pages/providers.tsx';
import { ReconciliationPage } from './pages/reconciliation.tsx';
import { ReviewPage } from './pages/review.tsx';
import { TillsPage } from './pages/tills.tsx';
import { WebhookDetailPage, WebhooksPage } from './pages/webhooks.tsx';
import { href, type Route, useRoute } from './router.ts';
import { loadMe, logout, ManagerContext } from './session.ts';

const NAV = [
  'tills',
  'payments',
  'review',
  'webhooks',
  'providers',
  'reconciliation',
  'charts',
  'catalog',
  'audit',
] as const;

function Page({ route }: { route: Route }) {
  const { t } = useTranslation();
  switch (route.page) {
    case 'tills':
      return <TillsPage />;
    case 'payments':
      return route.id ? <PaymentDetailPage id={route.id} /> : <PaymentsPage params={route.params} />;
    case 'review':
      return <ReviewPage />;
    case 'webhooks':
      return route.id ? <WebhookDetailPage id={route.id} /> : <WebhooksPage params={route.params} />;
    case 'providers':
      return <ProvidersPage />;
    case 'reconciliation':
      return <ReconciliationPage params={route.params} />;
    case 'charts':
      return <ChartsPage />;
    case 'catalog':
      return <CatalogPage />;
    case 'audit':
      return <AuditPage params={route.params} />;
    default:
      return <p role="alert">{t('app.notFound')}</p>;
  }
}

export function App() {
  const { t } = useTranslation();
  const [manager, setManager] = useState<Manager | null | undefined>(undefined);
  const [bootError, setBootError] = useState<ApiError | null>(null);
  const route = useRoute();
  const main = useRef<HTMLElement>(null);

  useEffect(() => {
    loadMe().then(setManager, (e: unknown) => {
      setBootError(e instanceof ApiError ? e : new ApiError(0, 'CLIENT', String(e)));
      setManager(null);
    });
    return onUnauthorized(() => setManager(null));
  }, []);

  // Keyboard and screen-reader users land on the new page's heading, not at the top of the navigation.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on page change only
  useEffect(() => {
    main.current?.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true });
  }, [route.page, route.id]);

  if (manager === undefined) return <p className="loading">{t('common.loading')}</p>;
  if (manager === null)
    return (
      <>
        <ErrorBox error={bootError} />
        <LoginPage
          onLogin={(m) => {
            setBootError(null);
            setManager(m);
          }}
        />
      </>
    );

  return (
    <ManagerContext.Provider value={manager}>
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <header className="top">
        <div className="brand">
          <strong>{t('app.title')}</strong>
          <span className="muted" data-testid="store-name">
            {manager.store_name}
          </span>
        </div>
        <div className="who">
          <span data-testid="manager-email">{manager.email}</span>
          <LanguageSwitch />
          <button type="button" onClick={() => void logout().finally(() => setManager(null))} data-testid="logout">
            {t('app.logout')}
          </button>
        </div>
      </header>
      <div className="layout">
        <nav aria-label={t('app.nav')}>
          <ul>
            {NAV.map((p) => (
              <li key={p}>
                <a href={href(p)} aria-current={route.page === p ? 'page' : undefined} data-testid={`nav-${p}`}>
                  {t(`nav.${p}`)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" ref={main} tabIndex={-1}>
          <Page route={route} />
        </main>
      </div>
    </ManagerContext.Provider>
  );
}
