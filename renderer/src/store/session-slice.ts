import { needsInsecureConfirmation, normalizeServerUrl } from '../../../shared/server-url.ts';
import type { Language, SettingsView } from '../bridge/index.ts';
import { applyLanguage, DEFAULT_LANGUAGE, isLanguage } from '../i18n/index.ts';
import { thrown, toUiError } from './errors.ts';
import type { SessionSlice, Slice, TillState } from './types.ts';

/**
 * The language is kept by the till core (settings) so it survives restarts and a new web-host port; this
 * browser-side copy only avoids a flash of the wrong language before the settings arrive.
 */
export const LANGUAGE_KEY = 'kasir-qris.language';

export function rememberLanguage(l: Language): void {
  try {
    globalThis.localStorage?.setItem(LANGUAGE_KEY, l);
  } catch {
    // Storage can be unavailable (private mode, quota); the core still has the setting.
  }
}

export function rememberedLanguage(): Language {
  try {
    const l = globalThis.localStorage?.getItem(LANGUAGE_KEY);
    return isLanguage(l) ? l : DEFAULT_LANGUAGE;
  } catch {
    return DEFAULT_LANGUAGE;
  }
}

function fromSettings(v: SettingsView): Partial<TillState> {
  return {
    serverUrl: v.serverUrl ?? '',
    hasDeviceToken: v.hasDeviceToken,
    storeName: v.storeName,
    enrolled: v.serverUrl !== null && v.hasDeviceToken,
    language: v.language,
  };
}

export const createSessionSlice: Slice<SessionSlice> = (api) => (set, get) => ({
  page: 'sale',
  language: rememberedLanguage(),
  serverUrl: '',
  hasDeviceToken: false,
  storeName: '',
  // Assume enrolled until the core says otherwise, so a configured till does not flash a warning at start.
  enrolled: true,
  connection: 'connecting',
  clockSkewMs: 0,
  sync: { pending: 0, pendingTotal: 0, parked: 0, unverifiedTotal: 0, progress: null },
  status: null,
  offlineQris: {
    ready: false,
    maxAmount: 0,
    maxUnverifiedTotal: 0,
    unverifiedTotal: 0,
    staticQris: null,
    merchantName: null,
    terminal: '',
  },
  settingsSaved: false,

  setPage(page) {
    // A payment sheet is modal: the cashier finishes or cancels it before leaving the sale.
    if (get().checkout !== 'none') return;
    const from = get().page;
    set({ page, settingsSaved: false, error: null });
    // Leaving the sync page locks it again: the next visit asks for the PIN.
    if (from === 'sync' && page !== 'sync') void get().lockManager();
    if (page === 'sync' || page === 'settings') void get().loadManagerPin();
    if (page === 'recent') void get().loadRecent();
  },

  async setLanguage(language) {
    set({ language });
    applyLanguage(language);
    rememberLanguage(language);
    const r = await api.saveSettings({ language }).catch((e: unknown) => ({ ok: false as const, error: thrown(e) }));
    if (!r.ok) set({ error: toUiError(r.error) });
  },

  async loadSettings() {
    const r = await api.getSettings().catch((e: unknown) => ({ ok: false as const, error: thrown(e) }));
    if (!r.ok) return set({ error: toUiError(r.error) });
    set(fromSettings(r.data));
    applyLanguage(r.data.language);
    rememberLanguage(r.data.language);
  },

  /**
   * The device token belongs to the server address it was entered with: a new address is saved only together
   * with its token, and plain http outside the shop's network only once the manager confirmed the warning.
   * The core checks both again; checking here too keeps the refusal on the settings screen, in words.
   */
  async saveSettings({ serverUrl, deviceToken, allowInsecure = false }) {
    const url = normalizeServerUrl(serverUrl);
    const token = deviceToken?.trim() || null;
    const urlChanged = url !== get().serverUrl;
    const refuse = (key: string) => {
      set({ error: { code: 'INVALID_INPUT', key }, settingsSaved: false });
      return false;
    };
    if (urlChanged && !token) return refuse('settings.tokenRequired');
    const insecure = needsInsecureConfirmation(url);
    if (urlChanged && insecure && !allowInsecure) return refuse('settings.insecureNeedsConfirm');
    const input = urlChanged
      ? { serverUrl: url, deviceToken: token, ...(insecure ? { allowInsecure: true } : {}) }
      : token
        ? { deviceToken: token }
        : null;
    if (!input) {
      set({ error: null, settingsSaved: true });
      return true;
    }
    set({ busy: 'saving', error: null, settingsSaved: false });
    const r = await api.saveSettings(input).catch((e: unknown) => ({ ok: false as const, error: thrown(e) }));
    if (!r.ok) {
      set({ busy: 'none', error: toUiError(r.error) });
      return false;
    }
    set({ ...fromSettings(r.data), busy: 'none', settingsSaved: true });
    return true;
  },

  async logout() {
    set({ busy: 'saving', error: null, settingsSaved: false });
    const r = await api
      .saveSettings({ serverUrl: null })
      .catch((e: unknown) => ({ ok: false as const, error: thrown(e) }));
    if (!r.ok) {
      set({ busy: 'none', error: toUiError(r.error) });
      return false;
    }
    set({ ...fromSettings(r.data), busy: 'none', settingsSaved: true });
    return true;
  },

  async retryParked() {
    const r = await api.retryParked().catch((e: unknown) => ({ ok: false as const, error: thrown(e) }));
    if (!r.ok) return set({ error: toUiError(r.error) });
    get().onStatus(r.data);
  },

  onStatus(s) {
    set({
      status: s,
      connection: s.connection,
      clockSkewMs: s.clockSkewMs ?? 0,
      sync: {
        pending: s.pending,
        pendingTotal: s.pendingTotal,
        parked: s.parked,
        unverifiedTotal: s.unverifiedTotal,
        progress: s.syncProgress,
      },
      offlineQris: s.offlineQris,
      ...(s.configured ? {} : { enrolled: false }),
      ...(s.configured && !get().enrolled ? { enrolled: true } : {}),
    });
  },
});
