/**
 * The dashboard's own i18next instance with its two languages. Indonesian is the default; the manager's
 * choice is kept in localStorage (it is a preference of this browser, not of the account).
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.ts';
import { id } from './id.ts';

export const LANGUAGES = ['id', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
const KEY = 'kasir-admin-language';

export function isLanguage(x: unknown): x is Language {
  return typeof x === 'string' && (LANGUAGES as readonly string[]).includes(x);
}

export function initialLanguage(): Language {
  try {
    const saved = localStorage.getItem(KEY);
    if (isLanguage(saved)) return saved;
  } catch {
    // storage blocked: the default
  }
  return 'id';
}

export const i18n = i18next.createInstance();

export function initI18n(lng: Language): Promise<unknown> {
  document.documentElement.lang = lng;
  return i18n.use(initReactI18next).init({
    resources: { id: { translation: id }, en: { translation: en } },
    lng,
    fallbackLng: 'id',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
}

export function setLanguage(lng: Language): void {
  try {
    localStorage.setItem(KEY, lng);
  } catch {
    // not kept: still switches for this page
  }
  document.documentElement.lang = lng;
  void i18n.changeLanguage(lng);
}
