import { useTranslation } from 'react-i18next';
import { LANGUAGES } from '../i18n/index.ts';
import { useTill } from '../store/index.ts';

export function TopBar() {
  const { t } = useTranslation();
  const page = useTill((s) => s.page);
  const setPage = useTill((s) => s.setPage);
  const language = useTill((s) => s.language);
  const setLanguage = useTill((s) => s.setLanguage);
  const storeName = useTill((s) => s.storeName);
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          QR
        </span>
        {t('app.title')}
      </div>
      {storeName && <span className="store">{storeName}</span>}
      <span className="spacer" />
      <ConnectionPill />
      <nav style={{ display: 'flex', gap: 8 }}>
        <button type="button" aria-pressed={page === 'sale'} onClick={() => setPage('sale')} data-testid="nav-sale">
          {t('app.sale')}
        </button>
        <button
          type="button"
          aria-pressed={page === 'recent'}
          onClick={() => setPage('recent')}
          data-testid="nav-recent"
        >
          {t('app.recent')}
        </button>
        <button
          type="button"
          aria-pressed={page === 'counter'}
          onClick={() => setPage('counter')}
          data-testid="nav-counter"
        >
          {t('app.counter')}
        </button>
        <button type="button" aria-pressed={page === 'sync'} onClick={() => setPage('sync')} data-testid="nav-sync">
          {t('syncPage.nav')} <kbd>F6</kbd>
        </button>
        <button
          type="button"
          aria-pressed={page === 'settings'}
          onClick={() => setPage('settings')}
          data-testid="nav-settings"
        >
          {t('app.settings')}
        </button>
      </nav>
      <fieldset className="lang-switch" aria-label={t('app.language')} style={{ margin: 0, padding: 0 }}>
        {LANGUAGES.map((l) => (
          <button
            key={l}
            type="button"
            aria-pressed={language === l}
            onClick={() => void setLanguage(l)}
            data-testid={`lang-${l}`}
          >
            {l.toUpperCase()}
          </button>
        ))}
      </fieldset>
    </header>
  );
}

function ConnectionPill() {
  const { t } = useTranslation();
  const connection = useTill((s) => s.connection);
  const label =
    connection === 'online' ? t('app.online') : connection === 'offline' ? t('app.offline') : t('app.connecting');
  return (
    <span className={`conn ${connection}`} data-testid="connection" data-state={connection} role="status">
      {label}
    </span>
  );
}
