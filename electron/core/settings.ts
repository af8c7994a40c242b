/** Device configuration stored in the local settings table, with defaults for a fresh till. */
import type { Database } from 'better-sqlite3';
import type { IpcParsed, Language, SettingsView } from '../../shared/ipc.ts';
import { readSettings, writeSettings } from './db/repos/settings-repo.ts';

export type DeviceConfig = {
  serverUrl: string | null;
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

const str = (v: unknown, d: string | null) => (typeof v === 'string' ? v : v === null ? null : d);

export function loadConfig(db: Database): DeviceConfig {
  const s = readSettings(db);
  return {
    serverUrl: str(s.serverUrl, DEFAULTS.serverUrl),
    deviceToken: str(s.deviceToken, DEFAULTS.deviceToken),
    storeName: str(s.storeName, null) ?? DEFAULTS.storeName,
    deviceName: str(s.deviceName, null) ?? DEFAULTS.deviceName,
    language: s.language === 'en' ? 'en' : DEFAULTS.language,
    staticQris: str(s.staticQris, DEFAULTS.staticQris),
  };
}

export function saveConfig(db: Database, patch: IpcParsed<'settings:set'>): DeviceConfig {
  writeSettings(db, { ...patch, serverUrl: patch.serverUrl?.replace(/\/+$/, '') ?? patch.serverUrl });
  return loadConfig(db);
}

export function toSettingsView(c: DeviceConfig): SettingsView {
  const { deviceToken, ...rest } = c;
  return { ...rest, hasDeviceToken: deviceToken !== null && deviceToken !== '' };
}

export const isConfigured = (c: DeviceConfig): c is DeviceConfig & { serverUrl: string; deviceToken: string } =>
  !!c.serverUrl && !!c.deviceToken;
