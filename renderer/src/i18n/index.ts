/**
 * i18next with the two bundled languages. Indonesian is the default; the cashier's choice is applied by the
 * settings slice (which persists it) through `applyLanguage`, so the store stays the one source of truth.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.ts';
import { id } from './id.ts';

export const LANGUAGES = ['id', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'id';

export function isLanguage(x: unknown): x is Language {
  return typeof x === 'string' && (LANGUAGES as readonly string[]).includes(x);
}

export const i18n = i18next.createInstance();

export function initI18n(lng: Language): Promise<unknown> {
  return i18n.use(initReactI18next).init({
    resources: { id: { translation: id }, en: { translation: en } },
    lng,
    fallbackLng: DEFAULT_LANGUAGE,
    // React already escapes text; escaping twice would show `&amp;` in product names.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
}

export function applyLanguage(lng: Language): void {
  if (i18n.isInitialized && i18n.language !== lng) void i18n.changeLanguage(lng);
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
}
