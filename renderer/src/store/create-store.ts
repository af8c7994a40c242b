/**
 * Builds the bound store from its slices around one TillApi. The app makes one (store/index.ts) with the real
 * bridge; unit tests make a fresh one per test around a double of the same contract type.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { TILL_EVENTS, type TillApi } from '../bridge/index.ts';
import { createCartSlice } from './cart-slice.ts';
import { createCatalogSlice } from './catalog-slice.ts';
import { createCheckoutSlice } from './checkout-slice.ts';
import { createCounterSlice } from './counter-slice.ts';
import { createManagerSlice } from './manager-slice.ts';
import { createRecentSlice } from './recent-slice.ts';
import { createSessionSlice } from './session-slice.ts';
import type { TillState } from './types.ts';

export type TillStore = StoreApi<TillState>;

export function createTillStore(api: TillApi): TillStore {
  return createStore<TillState>()((...a) => ({
    ...createCatalogSlice(api)(...a),
    ...createCartSlice(api)(...a),
    ...createCheckoutSlice(api)(...a),
    ...createSessionSlice(api)(...a),
    ...createRecentSlice(api)(...a),
    ...createCounterSlice(api)(...a),
    ...createManagerSlice(api)(...a),
  }));
}

/**
 * Subscribes the push listeners (each one only calls a slice's setter) and loads what the screen shows.
 * Returns the unsubscribe function.
 */
export async function startStore(store: TillStore, api: TillApi): Promise<() => void> {
  const s = store.getState;
  const offs = [
    api.onEvent(TILL_EVENTS.paymentUpdated, (p) => s().onPaymentUpdated(p)),
    api.onEvent(TILL_EVENTS.saleUpdated, (v) => s().onSaleUpdated(v)),
    api.onEvent(TILL_EVENTS.connectionChanged, (st) => s().onStatus(st)),
    api.onEvent(TILL_EVENTS.printChanged, (q) => s().onPrintQueue(q)),
    api.onEvent(TILL_EVENTS.shiftChanged, (sh) => s().onShift(sh)),
    // The store's catalog was synced from the server: the tiles show the new names and prices.
    api.onEvent(TILL_EVENTS.catalogChanged, () => void s().loadCatalog()),
    // The customer display follows the cart as it is built.
    store.subscribe((now, before) => {
      if (now.lines !== before.lines || now.discount !== before.discount) now.syncDisplay();
    }),
  ];
  await Promise.all([
    s().loadSettings(),
    s().loadCatalog(),
    s().loadRecent(),
    s().loadCounter(),
    api
      .getStatus()
      .then((r) => r.ok && s().onStatus(r.data))
      .catch(() => undefined),
  ]);
  return () => {
    for (const off of offs) off();
  };
}
