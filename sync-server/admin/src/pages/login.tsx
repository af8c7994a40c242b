import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Manager } from '../../../../shared/schemas/admin-api.ts';
import { ApiError } from '../api.ts';
import { LanguageSwitch } from '../components/language-switch.tsx';
import { login } from '../session.ts';

export function LoginPage({ onLogin }: { onLogin: (m: Manager) => void }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [store, setStore] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLogin(await login({ email, password, ...(store.trim() ? { store: store.trim() } : {}) }));
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err)));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  const message = !error
    ? null
    : error.status === 429
      ? t('login.rateLimited')
      : error.status === 401 || error.status === 400 || error.status === 403
        ? t('login.wrong')
        : t('errors.generic', { message: error.message });

  return (
    <main className="login" id="main">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title" data-testid="login-form">
        <div className="login-top">
          <h1 id="login-title">{t('login.title')}</h1>
          <LanguageSwitch />
        </div>
        <p className="muted">{t('login.intro')}</p>
        <label>
          {t('login.email')}
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            data-testid="login-email"
          />
        </label>
        <label>
          {t('login.password')}
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="login-password"
          />
        </label>
        <label>
          {t('login.store')}
          <input
            type="text"
            name="store"
            value={store}
            onChange={(e) => setStore(e.target.value)}
            placeholder={t('login.storeHint')}
            data-testid="login-store"
          />
        </label>
        {message && (
          <div className="alert alert-bad" role="alert" data-testid="login-error" data-status={error?.status}>
            {message}
          </div>
        )}
        <button type="submit" className="primary" disabled={busy} data-testid="login-submit">
          {busy ? t('login.signingIn') : t('login.submit')}
        </button>
      </form>
    </main>
  );
}
