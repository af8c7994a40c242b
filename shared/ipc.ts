/**
 * The till API: renderer ⇄ till core. One contract, two transports (Electron IPC through the preload, and the
 * loopback web bridge of `npm run till:web`). Channel and event names (`domain:verb`) are written here and
 * nowhere else: code elsewhere goes through `TILL_METHODS`, `ipcRequests` and `TILL_EVENTS`.
 *
 * Every input is a bounded strict object parsed by the core before anything else happens; every answer is a
 * `Result<T>` (shared/result.ts) so nothing ever throws across the bridge. The renderer never sends a price:
 * the core computes totals from its own catalog.
 */
import { z } from 'zod';
import {
  COUNTER_EVENTS,
  COUNTER_METHODS,
  type CounterEventPayloads,
  type CounterResponses,
  counterRequests,
} from './counter.ts';
import type { Rupiah } from './money.ts';
import type { OfflineQrisSetupView } from './offline-qris.ts';
import type { PaymentStatus } from './payment-status.ts';
import type { AppError, Result } from './result.ts';
import { needsInsecureConfirmation } from './server-url.ts';

// ---------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------

/** Codes a till call can fail with. `retryable` is fixed per code so the screen can offer "try again". */
export const TILL_ERROR_CODES = {
  INVALID_INPUT: false,
  NOT_FOUND: false,
  FORBIDDEN: false,
  /** The sync-server cannot be reached (network, timeout, 5xx other than the provider). Try again later. */
  SERVER_UNREACHABLE: true,
  /**
   * The server is up but the payment provider failed: its PROVIDER_UNAVAILABLE (503), PROVIDER_REJECTED (502)
   * or NOT_SUPPORTED (501). The screen says "payment provider unavailable, try again or take cash".
   */
  PROVIDER_UNAVAILABLE: true,
  ALREADY_PAID: false,
  /** No server URL / device token yet: the settings screen must be filled in first. */
  NOT_CONFIGURED: false,
  /** The request contradicts the current state (another payment in progress, sale already settled...). */
  CONFLICT: false,
  /** The server refused the device token (401/403 from the server). */
  UNAUTHORIZED: false,
  /**
   * Offline QRIS is not allowed for this sale now; `message` is the reason (shared/offline-qris.ts
   * `OfflineQrisRefusal`): no static QRIS cached, amount over the limit, unverified total over the limit.
   */
  OFFLINE_QRIS_REFUSED: false,
  /** The manager PIN must be entered first (or set first when none is set): the sync screen is behind it. */
  PIN_REQUIRED: false,
  /** The manager PIN was wrong; `message` says how many tries are left before a short lockout. */
  PIN_WRONG: false,
  /** Too many wrong PINs: refused until the lockout ends (`message` carries the epoch ms it ends at). */
  PIN_LOCKED: true,
  /** Renderer side only: the local till service (web host) cannot be reached; a reload usually fixes it. */
  BRIDGE_UNAVAILABLE: true,
  INTERNAL: false,
} as const satisfies Record<string, boolean>;
export type TillErrorCode = keyof typeof TILL_ERROR_CODES;

/** A typed till error; `code` is always one of TILL_ERROR_CODES. */
export type TillError = AppError & { code: TillErrorCode };

export function tillError(code: TillErrorCode, message: string = code): { ok: false; error: TillError } {
  return { ok: false, error: { code, message, retryable: TILL_ERROR_CODES[code] } };
}

// ---------------------------------------------------------------------------------------------------------
// Views (what the core answers with). camelCase, money in whole rupiah, times in UTC epoch ms.
// ---------------------------------------------------------------------------------------------------------

export type Product = {
  id: string;
  sku: string;
  barcode: string | null;
  name: string;
  price: Rupiah;
  active: boolean;
  /** For the category filter on the product tiles; null = uncategorised. */
  category: string | null;
  /** A picture for the tile, as a data: URL (the screen loads no images from the network). */
  imageUrl: string | null;
};

export type DiscountSpec = { kind: 'amount'; value: number } | { kind: 'percent_bp'; value: number };

export type SaleLine = {
  id: string;
  productId: string;
  sku: string;
  name: string;
  qty: number;
  unitPrice: Rupiah;
  lineTotal: Rupiah;
};

export type PaymentMethod = 'qris' | 'cash';

export type PaymentInfo = {
  id: string;
  saleId: string;
  method: PaymentMethod;
  status: PaymentStatus;
  /** A `paid` that arrived after expiry/cancel: money in, the manager reviews it. */
  late: boolean;
  amount: Rupiah;
  /** QRIS only: the dynamic QR to show, its merchant name and when the server will expire it. */
  qrString: string | null;
  merchantName: string | null;
  expiresAt: number | null;
  /**
   * QRIS only: `expiresAt` has passed but the server could not be asked. The screen shows "expired?"; the core
   * never marks anything paid or expired on its own guess.
   */
  expirySuspected: boolean;
  /** QRIS only: who took the money and their reference for it (printed on the receipt). */
  provider: string | null;
  providerRef: string | null;
  /** QRIS only: the wallet or bank app that paid, when the provider tells (printed on the receipt). */
  payerWallet: string | null;
  /** Offline QRIS only: the reference label (tag 62/05) the server verifies it by; null otherwise. */
  offlineRef: string | null;
  /** Cash only. */
  tendered: Rupiah | null;
  change: Rupiah | null;
  createdAt: number;
  updatedAt: number;
  paidAt: number | null;
};

/** `open` until a payment is paid (then `paid`); a sale is never deleted. */
export type SaleStatus = 'open' | 'paid';

export type SaleView = {
  id: string;
  status: SaleStatus;
  lines: SaleLine[];
  subtotal: Rupiah;
  discount: DiscountSpec | null;
  discountAmount: Rupiah;
  total: Rupiah;
  payments: PaymentInfo[];
  createdAt: number;
  paidAt: number | null;
};

export type Receipt = {
  sale: SaleView;
  storeName: string;
  deviceName: string;
  /** When the receipt was assembled (the till's clock). */
  printedAt: number;
};

export type Language = 'id' | 'en';

/** The device token is a secret: the renderer only learns whether one is set. */
export type SettingsView = {
  serverUrl: string | null;
  hasDeviceToken: boolean;
  storeName: string;
  deviceName: string;
  language: Language;
  staticQris: string | null;
};

export type ConnectionState = 'online' | 'offline' | 'connecting';

/** One snapshot of the till's link to the server, pushed on every change (STYLE.md convention 8). */
export type TillStatus = {
  connection: ConnectionState;
  configured: boolean;
  lastError: string | null;
  /** server clock − till clock, in ms, from the last hello/health; null until known. */
  clockSkewMs: number | null;
  /** |skew| > 2 minutes: the screen warns (QR expiry and receipts depend on the clock). */
  clockWarning: boolean;
  pendingOutbox: number;
  parkedOutbox: number;
  lastSyncedAt: number | null;
  /** Sales the server does not have yet (queued or parked) and their total: the offline banner. */
  pending: number;
  pendingTotal: Rupiah;
  /** Outbox entries the server refused: kept with their reason until retried (`sync:retryParked`). */
  parked: number;
  /** Offline QRIS money the cashier confirmed but no provider has confirmed yet. */
  unverifiedTotal: Rupiah;
  /** While a backlog drains: entries sent so far out of the backlog; null when idle. */
  syncProgress: { done: number; total: number } | null;
  /**
   * The current or last drain of the queue as the core saw it (electron/core/sync/drain-tracker.ts): entries
   * the server acknowledged since the drain began out of the entries queued then (plus any added meanwhile);
   * `finished` once the queue was empty. Kept after the end so the sync screen can show it completed.
   */
  drain: DrainView | null;
  /** QRIS while offline: the cached static QRIS is there or not, the limits, the unverified money held. */
  offlineQris: OfflineQrisSetupView;
};

export type DrainView = { done: number; total: number; finished: boolean; startedAt: number; endedAt: number | null };

/** What the manager PIN guards; never the hash. */
export type ManagerPinView = {
  set: boolean;
  /** Wrong PINs are refused until then (epoch ms); null when not locked out. */
  lockedUntil: number | null;
  /** The sync screen is open until then (epoch ms); null when locked. */
  unlockedUntil: number | null;
};

/** An outbox entry the server refused: kept with its reason until the manager sends it again. */
export type ParkedItem = {
  id: string;
  mutationId: number;
  kind: string;
  entityId: string;
  createdAt: number;
  parkedAt: number | null;
  attempts: number;
  error: string | null;
  /** The sale's total or the payment's amount when the entry is one; null otherwise. */
  amount: Rupiah | null;
};

export type UnverifiedPaymentView = {
  paymentId: string;
  saleId: string;
  amount: Rupiah;
  offlineRef: string | null;
  createdAt: number;
};

/** The manager's sync screen (behind the PIN): the status snapshot and what is behind its numbers. */
export type SyncDetails = {
  status: TillStatus;
  /** created_at of the oldest outbox entry not yet acknowledged (queued or parked); null when none. */
  oldestUnsyncedAt: number | null;
  parkedItems: ParkedItem[];
  unverified: UnverifiedPaymentView[];
  /** The till's clock when assembled, so the screen computes ages against the same clock. */
  now: number;
};

/**
 * A dynamic QRIS the till derived offline from the store's static one (nothing is recorded yet): the cashier
 * shows it, checks the customer's screen, then confirms (`payment:confirmOfflineQris`) or walks away.
 */
export type OfflineQrisOffer = {
  /** Not recorded yet when the offer was made from a draft: the id it gets on confirmation. */
  saleId: string;
  /** The id the payment gets when confirmed; its reference label is derived from it. */
  paymentId: string;
  amount: Rupiah;
  qrString: string;
  merchantName: string | null;
  /** Tag 62/05. */
  reference: string;
  /** Tag 62/07. */
  terminal: string;
};
/** The sync status snapshot (STYLE.md §8) is the till status: one type, pushed on every change. */
export type SyncStatus = TillStatus;

// ---------------------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------------------

const Id = z.uuid({ error: 'must be an id' });
const ShortText = z.string().max(200, { error: 'at most 200 characters' });

export const CatalogListInput = z
  .strictObject({ query: ShortText.optional(), includeInactive: z.boolean().optional() })
  .optional();
/** Exact SKU or barcode, as a scanner types it. */
export const CatalogFindInput = z.strictObject({ code: z.string().trim().min(1).max(64) });
export const SaleLineInput = z.strictObject({
  productId: Id,
  qty: z
    .number({ error: 'qty must be a number' })
    .int({ error: 'qty must be a whole number' })
    .min(1, { error: 'qty must be at least 1' })
    .max(999, { error: 'qty must be at most 999' }),
});
export const DiscountInput = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('amount'), value: z.number().int().min(0).max(10_000_000_000) }),
  /** Basis points: 1250 = 12.5 %. */
  z.strictObject({ kind: z.literal('percent_bp'), value: z.number().int().min(0).max(10_000) }),
]);
export const SaleDraftInput = z.strictObject({
  lines: z.array(SaleLineInput).min(1, { error: 'a sale needs at least one line' }).max(200),
  discount: DiscountInput.optional(),
});
export const SaleRefInput = z.strictObject({ saleId: Id });
/**
 * Offline QRIS for a sale already recorded (`saleId`), or for the cart as it is (a draft): then nothing is
 * recorded until the cashier confirms, and the sale and its payment are written together. `paymentId`: the id
 * the screen already drew its QR with (shared/offline-qris.ts `deriveOfflineQr`); made here when absent.
 */
export const OfflineQrisInput = z.union([
  SaleRefInput.extend({ paymentId: Id.optional() }),
  SaleDraftInput.extend({ paymentId: Id.optional() }),
]);
export const PaymentRefInput = z.strictObject({ paymentId: Id });
export const RecentSalesInput = z
  .strictObject({
    limit: z.number().int().min(1).max(200).optional(),
    /** Sales created in [from, to] (UTC epoch ms, inclusive), for the history's date filter. */
    from: z.number().int().min(0).optional(),
    to: z.number().int().min(0).optional(),
  })
  .optional();
export const CashInput = z.strictObject({
  saleId: Id,
  tendered: z.number().int({ error: 'tendered must be whole rupiah' }).min(0).max(10_000_000_000),
});
/** The refusals of `settings:set`, worded once for the schema and the core. */
export const SETTINGS_MESSAGES = {
  tokenRequired: 'a new server URL needs the device token again (a stored token is never sent to another URL)',
  insecure:
    'plain http to an address outside the local network would send the device token unencrypted; use https or confirm with allowInsecure',
} as const;
/**
 * Settings. The device token is bound to the server URL it was entered with: giving a `serverUrl` requires the
 * `deviceToken` again (the core also refuses a changed URL without one and never sends a stored token to a
 * URL other than the one it came with), and plain http to an address outside the shop's network needs the
 * manager's explicit `allowInsecure` (shared/server-url.ts).
 */
export const SettingsInput = z
  .strictObject({
    serverUrl: z
      .url({ protocol: /^https?$/, error: 'server URL must be an http(s) URL' })
      .max(500)
      .nullable()
      .optional(),
    deviceToken: z.string().trim().min(1).max(200).nullable().optional(),
    /** The manager confirmed sending the device token over plain http to a non-local address. */
    allowInsecure: z.boolean().optional(),
    storeName: z.string().trim().min(1).max(200).optional(),
    deviceName: z.string().trim().min(1).max(200).optional(),
    language: z.enum(['id', 'en']).optional(),
    /** The store's printed static QRIS (for offline QRIS, a later issue); parsed when used. */
    staticQris: z.string().trim().min(1).max(512).nullable().optional(),
  })
  .superRefine((v, ctx) => {
    if (typeof v.serverUrl !== 'string') return;
    if (!v.deviceToken) {
      ctx.addIssue({ code: 'custom', path: ['deviceToken'], message: SETTINGS_MESSAGES.tokenRequired });
    }
    if (needsInsecureConfirmation(v.serverUrl) && v.allowInsecure !== true) {
      ctx.addIssue({ code: 'custom', path: ['serverUrl'], message: SETTINGS_MESSAGES.insecure });
    }
  });
export const NoInput = z.undefined();
/** Parked outbox entries to send again (all of them when `ids` is absent). */
export const RetryParkedInput = z
  .strictObject({
    ids: z
      .array(z.uuid({ error: 'must be an id' }))
      .min(1)
      .max(1000)
      .optional(),
  })
  .optional();

/** 4 to 8 digits. */
const Pin = z.string().regex(/^\d{4,8}$/, { error: 'the PIN is 4 to 8 digits' });
/** Sets (or changes: then `currentPin` is required) the manager PIN. */
export const ManagerSetPinInput = z.strictObject({ pin: Pin, currentPin: Pin.optional() });
export const ManagerUnlockInput = z.strictObject({ pin: Pin });

// ---------------------------------------------------------------------------------------------------------
// Channels
// ---------------------------------------------------------------------------------------------------------

/** channel → request schema. */
export const ipcRequests = {
  'catalog:list': CatalogListInput,
  'catalog:find': CatalogFindInput,
  /** Seeds the demo catalog when the catalog is empty (a fresh till, the demo). */
  'catalog:seedDemo': NoInput,
  'sale:create': SaleDraftInput,
  'sale:get': SaleRefInput,
  'sales:recent': RecentSalesInput,
  'payment:startQris': SaleRefInput,
  'payment:cancel': PaymentRefInput,
  'payment:cash': CashInput,
  'payment:get': PaymentRefInput,
  /** Asks the server now (the "check again" button); SERVER_UNREACHABLE when it cannot. */
  'payment:check': PaymentRefInput,
  /** Offline: derives a dynamic QRIS for the sale from the cached static one (OFFLINE_QRIS_REFUSED if not allowed). */
  'payment:offlineQris': OfflineQrisInput,
  /** The cashier saw the payment on the customer's phone: records it `unverified` with its outbox row. */
  'payment:confirmOfflineQris': PaymentRefInput,
  'settings:get': NoInput,
  'settings:set': SettingsInput,
  'till:status': NoInput,
  /** Sends parked outbox entries again, each under a new mutation id; answers the new status. */
  'sync:retryParked': RetryParkedInput,
  /** The manager's sync screen (PIN_REQUIRED unless unlocked with `manager:unlock`). */
  'sync:details': NoInput,
  'manager:pin': NoInput,
  'manager:setPin': ManagerSetPinInput,
  'manager:unlock': ManagerUnlockInput,
  'manager:lock': NoInput,
  ...counterRequests,
} as const;

/** channel → what a successful call returns. */
export type IpcResponses = {
  'catalog:list': Product[];
  /** null when no active product has that SKU or barcode. */
  'catalog:find': Product | null;
  'catalog:seedDemo': { inserted: number };
  'sale:create': SaleView;
  'sale:get': Receipt;
  'sales:recent': SaleView[];
  'payment:startQris': PaymentInfo;
  'payment:cancel': PaymentInfo;
  'payment:cash': PaymentInfo;
  'payment:get': PaymentInfo;
  'payment:check': PaymentInfo;
  'payment:offlineQris': OfflineQrisOffer;
  'payment:confirmOfflineQris': PaymentInfo;
  'settings:get': SettingsView;
  'settings:set': SettingsView;
  'till:status': TillStatus;
  'sync:retryParked': TillStatus;
  'sync:details': SyncDetails;
  'manager:pin': ManagerPinView;
  'manager:setPin': ManagerPinView;
  'manager:unlock': ManagerPinView;
  'manager:lock': ManagerPinView;
} & CounterResponses;

export type IpcChannel = keyof typeof ipcRequests;
export type IpcInput<C extends IpcChannel> = z.input<(typeof ipcRequests)[C]>;
export type IpcParsed<C extends IpcChannel> = z.output<(typeof ipcRequests)[C]>;
export const IPC_CHANNELS = Object.keys(ipcRequests) as IpcChannel[];

export function isIpcChannel(s: unknown): s is IpcChannel {
  return typeof s === 'string' && Object.hasOwn(ipcRequests, s);
}

/** TillApi method name → channel. The preload and the web bridge both build the API from this table. */
export const TILL_METHODS = {
  listCatalog: 'catalog:list',
  findProduct: 'catalog:find',
  seedDemoCatalog: 'catalog:seedDemo',
  createSale: 'sale:create',
  getSale: 'sale:get',
  recentSales: 'sales:recent',
  startQris: 'payment:startQris',
  cancelPayment: 'payment:cancel',
  payCash: 'payment:cash',
  getPayment: 'payment:get',
  checkPayment: 'payment:check',
  startOfflineQris: 'payment:offlineQris',
  confirmOfflineQris: 'payment:confirmOfflineQris',
  getSettings: 'settings:get',
  saveSettings: 'settings:set',
  getStatus: 'till:status',
  retryParked: 'sync:retryParked',
  syncDetails: 'sync:details',
  managerPin: 'manager:pin',
  setManagerPin: 'manager:setPin',
  unlockManager: 'manager:unlock',
  lockManager: 'manager:lock',
  ...COUNTER_METHODS,
} as const satisfies Record<string, IpcChannel>;
export type TillMethod = keyof typeof TILL_METHODS;

// ---------------------------------------------------------------------------------------------------------
// Push events (core → renderer)
// ---------------------------------------------------------------------------------------------------------

export const TILL_EVENTS = {
  paymentUpdated: 'payment:updated',
  saleUpdated: 'sale:updated',
  connectionChanged: 'connection:changed',
  /** The store's catalog changed on the till (synced from the server): the product grid reloads. */
  catalogChanged: 'catalog:changed',
  ...COUNTER_EVENTS,
} as const;
export type TillEventName = (typeof TILL_EVENTS)[keyof typeof TILL_EVENTS];
export type TillEventPayloads = {
  'payment:updated': PaymentInfo;
  'sale:updated': SaleView;
  'connection:changed': TillStatus;
  'catalog:changed': { changed: number };
} & CounterEventPayloads;
export const TILL_EVENT_NAMES = Object.values(TILL_EVENTS) as TillEventName[];

export function isTillEventName(s: unknown): s is TillEventName {
  return typeof s === 'string' && (TILL_EVENT_NAMES as string[]).includes(s);
}

// ---------------------------------------------------------------------------------------------------------
// The API object the renderer holds (window.pos in Electron, the web bridge otherwise)
// ---------------------------------------------------------------------------------------------------------

type Call<C extends IpcChannel> =
  undefined extends IpcInput<C>
    ? (input?: IpcInput<C>) => Promise<Result<IpcResponses[C]>>
    : (input: IpcInput<C>) => Promise<Result<IpcResponses[C]>>;

export type TillApi = { [M in TillMethod]: Call<(typeof TILL_METHODS)[M]> } & {
  /** Subscribes to a push event; returns the unsubscribe function. */
  onEvent<E extends TillEventName>(name: E, cb: (payload: TillEventPayloads[E]) => void): () => void;
};
