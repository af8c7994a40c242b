/**
 * The app's store: one bound zustand store over the real till API. Components read it with narrow selectors
 * (`useTill((s) => s.lines)`), and `useShallow` for derived lists.
 */
import { useStore } from 'zustand';
import type { Language } from '../bridge/index.ts';
import { getTillApi } from '../bridge/index.ts';
import { createTillStore, startStore, type TillStore } from './create-store.ts';
import { rememberedLanguage } from './session-slice.ts';
import type { TillState } from './types.ts';

export {
  selectCash,
  selectCategories,
  selectDiscountOk,
  selectTotals,
  selectVisibleProducts,
} from './selectors.ts';
export type { TillState } from './types.ts';

let store: TillStore | undefined;

function appStore(): TillStore {
  store ??= createTillStore(getTillApi());
  return store;
}

export function useTill<T>(selector: (s: TillState) => T): T {
  return useStore(appStore(), selector);
}
useTill.getState = (): TillState => appStore().getState();

/** Loads settings, catalogue and recent sales, and subscribes the push events. Called once at startup. */
export function startTill(): Promise<() => void> {
  return startStore(appStore(), getTillApi());
}

export function initialLanguage(): Language {
  return rememberedLanguage();
}
