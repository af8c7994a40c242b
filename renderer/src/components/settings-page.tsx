import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { needsInsecureConfirmation, normalizeServerUrl } from '../../../shared/server-url.ts';
import { unsyncedRisk } from '../../../shared/sync-risk.ts';
import { LANGUAGES } from '../i18n/index.ts';
import { useTill } from '../store/index.ts';
import { ErrorAlert } from './error-alert.tsx';
import { RiskConfirm } from './risk-confirm.tsx';
import { Kbd } from './shortcut.tsx';
import { SetPinForm } from './sync-page.tsx';

const LANGUAGE_NAMES = { id: 'Bahasa Indonesia', en: 'English' } as const;

export function SettingsPage() {
  const { t } = useTranslation();
  const serverUrl = useTill((s) => s.serverUrl);
  const hasToken = useTill((s) => s.hasDeviceToken);
  const language = useTill((s) => s.language);
  const setLanguage = useTill((s) => s.setLanguage);
  const saveSettings = useTill((s) => s.saveSettings);
  const setPage = useTill((s) => s.setPage);
  const saved = useTill((s) => s.settingsSaved);
  const busy = useTill((s) => s.busy === 'saving');
  const [url, setUrl] = useState(serverUrl);
  const [token, setToken] = useState('');
  const [allowInsecure, setAllowInsecure] = useState(false);
  const status = useTill((s) => s.status);
  const logout = useTill((s) => s.logout);
  const [confirming, setConfirming] = useState<'logout' | 'changeServer' | null>(null);
  const risk = status ? unsyncedRisk(status) : null;
  const urlValid = /^https?:\/\/\S+$/i.test(url.trim());
  // The stored token stays with the address it was entered for: a new address needs the token again.
  const urlChanged = urlValid && normalizeServerUrl(url) !== serverUrl;
  const insecure = urlValid && needsInsecureConfirmation(url.trim());
  const tokenMissing = urlChanged && token.trim() === '';
  const unconfirmed = urlChanged && insecure && !allowInsecure;

  // The store loads the settings after the first render; show them once they arrive.
  useEffect(() => setUrl(serverUrl), [serverUrl]);

  const save = async () => {
    if (await saveSettings({ serverUrl: url.trim(), deviceToken: token.trim() || null, allowInsecure })) {
      setToken('');
      setAllowInsecure(false);
    }
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!urlValid || tokenMissing || unconfirmed) return;
    // Moving to another server, or to another device token (another device to the server), while the server
    // lacks some of this till's data: say what is at risk first.
    const replacing = (urlChanged && serverUrl !== '') || (token.trim() !== '' && hasToken);
    if (replacing && risk) return setConfirming('changeServer');
    await save();
  };
  const startLogout = () => (risk ? setConfirming('logout') : void logout());

  return (
    <div className="page" data-testid="settings-page">
      <div className="card">
        <h2>{t('settings.title')}</h2>
        <ErrorAlert />
        <form onSubmit={submit}>
          <label className="field">
            <span>{t('settings.serverUrl')}</span>
            <input
              data-testid="settings-server-url"
              value={url}
              onChange={(e) => {
                setUrl(e.target.value);
                setAllowInsecure(false); // a confirmation is for the address it was given for
              }}
              placeholder="https://"
              inputMode="url"
              autoComplete="off"
              spellCheck={false}
              aria-invalid={!urlValid}
            />
            <span className="field-note">{t('settings.serverUrlHint')}</span>
            {!urlValid && url !== '' && <span className="field-error">{t('settings.invalidUrl')}</span>}
          </label>
          {insecure && (
            <div className="alert" role="alert" data-testid="settings-insecure-warning">
              <p>{t('settings.insecureWarning')}</p>
              {urlChanged && (
                <label>
                  <input
                    type="checkbox"
                    data-testid="settings-allow-insecure"
                    checked={allowInsecure}
                    onChange={(e) => setAllowInsecure(e.target.checked)}
                  />{' '}
                  {t('settings.allowInsecure')}
                </label>
              )}
            </div>
          )}
          <label className="field">
            <span>{t('settings.deviceToken')}</span>
            <input
              data-testid="settings-device-token"
              type="password"
              value={token}
              onChange={(e) => setToken(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              required={urlChanged}
              aria-invalid={tokenMissing}
            />
            <span className="field-note" data-testid="settings-token-note">
              {urlChanged && hasToken
                ? t('settings.tokenRequired')
                : hasToken
                  ? t('settings.deviceTokenSet')
                  : t('settings.deviceTokenHint')}
            </span>
          </label>
          <label className="field">
            <span>{t('settings.language')}</span>
            <select
              data-testid="settings-language"
              value={language}
              onChange={(e) => {
                const l = LANGUAGES.find((x) => x === e.target.value);
                if (l) void setLanguage(l);
              }}
            >
              {LANGUAGES.map((l) => (
                <option key={l} value={l}>
                  {LANGUAGE_NAMES[l]}
                </option>
              ))}
            </select>
          </label>
          {saved && (
            <div className="flash" data-testid="settings-saved">
              {t('settings.saved')}
            </div>
          )}
          <div style={{ display: 'flex', gap: 10, justifyContent: 'flex-end' }}>
            <button type="button" className="btn-big" onClick={() => setPage('sale')}>
              {t('settings.back')} <Kbd k="Esc" />
            </button>
            <button
              type="submit"
              className="btn-primary btn-big"
              disabled={!urlValid || busy || tokenMissing || unconfirmed}
              data-testid="settings-save"
            >
              {t('settings.save')}
            </button>
          </div>
        </form>
      </div>
      {serverUrl !== '' && (
        <div className="card" data-testid="logout-card">
          <h2>{t('settings.logout')}</h2>
          <p className="field-note">{t('settings.logoutHint')}</p>
          <button type="button" className="btn-danger btn-big" onClick={startLogout} data-testid="settings-logout">
            {t('settings.logout')}
          </button>
        </div>
      )}
      <div className="card" data-testid="pin-card">
        <h2>{t('manager.changePin')}</h2>
        <SetPinForm />
      </div>
      {confirming && risk && (
        <RiskConfirm
          risk={risk}
          action={confirming}
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            const action = confirming;
            setConfirming(null);
            void (action === 'logout' ? logout() : save());
          }}
        />
      )}
    </div>
  );
}
