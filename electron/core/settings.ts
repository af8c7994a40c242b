/** Device configuration stored in the local settings table, with defaults for a fresh till. */
import type { Database } from 'better-sqlite3';
import {
  type IpcInput,
  type IpcParsed,
  type Language,
  SETTINGS_MESSAGES,
  type SettingsView,
} from '../../shared/ipc.ts';
import { needsInsecureConfirmation, normalizeServerUrl } from '../../shared/server-url.ts';
import { readSettings, writeSettings } from './db/repos/settings-repo.ts';
import { fail } from './errors.ts';

export type DeviceConfig = {
  serverUrl: string | null;
  /**
   * The token to send to `serverUrl`, or null. Only ever the token entered together with that very URL: a
   * stored token bound to another URL is not returned here, so nothing in the core can send it elsewhere.
   */
  deviceToken: string | null;
  storeName: string;
  deviceName: string;
  language: Language;
  staticQris: string | null;
};

const DEFAULTS: DeviceConfig = {
  serverUrl: null,
  deviceToken: null,
  storeName: 'Toko',
  deviceName: 'Kasir 1',
  language: 'id',
  staticQris: null,
};

/** The settings key holding the URL the stored device token was entered with. */
const TOKEN_URL = 'deviceTokenUrl';

const str = (v: unknown, d: string | null) => (typeof v === 'string' ? v : v === null ? null : d);

export function loadConfig(db: Database): DeviceConfig {
  const s = readSettings(db);
  const serverUrl = str(s.serverUrl, DEFAULTS.serverUrl);
  const token = str(s.deviceToken, DEFAULTS.deviceToken);
  // A till configured before tokens were bound has no TOKEN_URL: its token stays with the URL it has.
  const tokenUrl = Object.hasOwn(s, TOKEN_URL) ? str(s[TOKEN_URL], null) : serverUrl;
  return {
    serverUrl,
    deviceToken: token !== null && serverUrl !== null && tokenUrl === serverUrl ? token : null,
    storeName: str(s.storeName, null) ?? DEFAULTS.storeName,
    deviceName: str(s.deviceName, null) ?? DEFAULTS.deviceName,
    language: s.language === 'en' ? 'en' : DEFAULTS.language,
    staticQris: str(s.staticQris, DEFAULTS.staticQris),
  };
}

/**
 * Saves a settings patch. A server URL other than the stored one needs the device token in the same patch (the
 * schema asks for it too; this is the core's own check), plain http outside the local network needs
 * `allowInsecure`, and clearing the URL clears the token. Throws INVALID_INPUT and writes nothing otherwise.
 */
export function saveConfig(db: Database, patch: IpcParsed<'settings:set'>): DeviceConfig {
  const before = loadConfig(db);
  const { allowInsecure, serverUrl: rawUrl, deviceToken: rawToken, ...rest } = patch;
  const url = rawUrl === undefined || rawUrl === null ? rawUrl : normalizeServerUrl(rawUrl);
  const token = rawToken === undefined || rawToken === null ? rawToken : rawToken.trim() || null;
  const urlChanged = url !== undefined && url !== before.serverUrl;
  if (urlChanged && url !== null && !token) throw fail('INVALID_INPUT', SETTINGS_MESSAGES.tokenRequired);
  if (urlChanged && url !== null && needsInsecureConfirmation(url) && allowInsecure !== true) {
    throw fail('INVALID_INPUT', SETTINGS_MESSAGES.insecure);
  }
  const values: Record<string, unknown> = { ...rest };
  if (url === null) {
    Object.assign(values, { serverUrl: null, deviceToken: null, [TOKEN_URL]: null });
  } else if (urlChanged) {
    Object.assign(values, { serverUrl: url, deviceToken: token, [TOKEN_URL]: url });
  } else if (token !== undefined) {
    // A token on its own belongs to the URL stored now (null when there is none: it is then never sent).
    Object.assign(values, { deviceToken: token, [TOKEN_URL]: token === null ? null : before.serverUrl });
  }
  writeSettings(db, values);
  return loadConfig(db);
}

export function toSettingsView(c: DeviceConfig): SettingsView {
  const { deviceToken, ...rest } = c;
  return { ...rest, hasDeviceToken: deviceToken !== null && deviceToken !== '' };
}

export const isConfigured = (c: DeviceConfig): c is DeviceConfig & { serverUrl: string; deviceToken: string } =>
  !!c.serverUrl && !!c.deviceToken;

/**
 * Settings given at launch (environment, command line) repeat the server URL on every start, but the token is
 * needed only when that URL is new: a URL equal to the stored one with no token beside it is dropped, so a
 * restart with the same `--server-url` keeps working while a different one still needs `--device-token`.
 */
export function launchSettings(current: SettingsView, s: IpcInput<'settings:set'>): IpcInput<'settings:set'> {
  if (typeof s.serverUrl !== 'string' || s.deviceToken) return s;
  if (normalizeServerUrl(s.serverUrl) !== current.serverUrl) return s;
  const { serverUrl: _same, allowInsecure: _confirmed, ...rest } = s;
  return rest;
}
