/**
 * How the renderer reaches the till core. In Electron the preload has put the API on `window.pos`; in a plain
 * browser (the `npm run till:web` host) the same API runs over the loopback web bridge. Both have the exact
 * shape `TillApi` from shared/ipc.ts, so nothing else in the renderer knows which transport it is on.
 *
 *   const api = getTillApi();
 *   const r = await api.createSale({ lines: [{ productId, qty: 2 }] });
 *   if (r.ok) show(r.data); else showError(r.error.code);
 *   const off = api.onEvent(TILL_EVENTS.paymentUpdated, (p) => ...);
 */
import type { TillApi } from '../../../shared/ipc.ts';
import { createWebBridge } from './web-bridge.ts';

export type {
  ConnectionState,
  DiscountSpec,
  IpcResponses,
  Language,
  ManagerPinView,
  OfflineQrisOffer,
  PaymentInfo,
  PaymentMethod,
  Product,
  Receipt,
  SaleLine,
  SaleStatus,
  SaleView,
  SettingsView,
  SyncDetails,
  TillApi,
  TillError,
  TillErrorCode,
  TillEventName,
  TillEventPayloads,
  TillStatus,
} from '../../../shared/ipc.ts';
export { TILL_ERROR_CODES, TILL_EVENTS } from '../../../shared/ipc.ts';
export type { Result } from '../../../shared/result.ts';

declare global {
  interface Window {
    /** Set by the Electron preload (electron/preload/index.ts); absent in a browser. */
    pos?: TillApi;
  }
}

let api: TillApi | undefined;

/** The one API object for this page; made on first use. */
export function getTillApi(): TillApi {
  api ??= window.pos ?? createWebBridge();
  return api;
}

/** True in a plain browser (the web host), false under Electron's preload: quitting is guarded differently. */
export function isWebHost(): boolean {
  return window.pos === undefined;
}

/** Tests (and only tests) swap the API for a double. */
export function setTillApiForTests(replacement: TillApi | undefined): void {
  api = replacement;
}
