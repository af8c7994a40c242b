/**
 * The till's one zustand store, made of slices (STYLE.md convention 13). Each slice owns its state and the
 * actions that change it; actions are where the till API is called, never components.
 */
import type { StateCreator } from 'zustand';
import type { PrinterView, PrintQueueView, ShiftView } from '../../../shared/counter.ts';
import type { DiscountSpec, IpcInput } from '../../../shared/ipc.ts';
import type { OfflineQrisSetupView } from '../../../shared/offline-qris.ts';
import type { PaymentStatus } from '../../../shared/payment-status.ts';
import type {
  ConnectionState,
  Language,
  ManagerPinView,
  PaymentInfo,
  Product,
  Receipt,
  SaleView,
  SyncDetails,
  TillApi,
  TillStatus,
} from '../bridge/index.ts';
import type { CartLine } from '../lib/cart-math.ts';

/** An i18n key plus its parameters: the store stays language-neutral, the screen translates. */
export type Message = { key: string; params?: Record<string, string | number> };
export type UiError = Message & { code: string };

export type CatalogSlice = {
  products: Product[];
  catalogStatus: 'idle' | 'loading' | 'ready' | 'error';
  query: string;
  /** The category filter on the tiles; null = all. */
  category: string | null;
  setQuery(q: string): void;
  setCategory(c: string | null): void;
  loadCatalog(): Promise<void>;
};

export type CartSlice = {
  lines: CartLine[];
  selectedProductId: string | null;
  discountInput: string;
  discount: DiscountSpec | null;
  discountValid: boolean;
  /**
   * The sale the core recorded for this cart (on the first Charge). Kept across failed or cancelled payments so
   * a retry charges the same sale instead of recording a second one; dropped when the cart changes.
   */
  openSale: SaleView | null;
  /** Last scan/add outcome, shown under the SKU field. */
  flash: (Message & { kind: 'ok' | 'error' }) | null;
  addProduct(productId: string): void;
  addByCode(code: string): Promise<void>;
  changeQty(productId: string, delta: number): void;
  removeLine(productId: string): void;
  selectLine(productId: string): void;
  moveSelection(delta: -1 | 1): void;
  setDiscountInput(s: string): void;
  clearCart(): void;
};

/**
 * The QRIS payment on screen; `creating`/`error` are the moments before the server has answered. An offline
 * QRIS (derived by the till from the store's static QR) is `confirm` until the cashier confirms it on the
 * customer's phone, then `unverified`.
 */
export type QrisView = {
  saleId: string;
  paymentId: string | null;
  status: PaymentStatus | 'creating' | 'error' | 'confirm';
  /** Derived offline from the static QRIS: shown with the OFFLINE marking, no server, no expiry. */
  offline: boolean;
  /** Offline only: the reference label (62/05) the server will verify it by. */
  reference: string | null;
  amount: number;
  qrString: string | null;
  merchantName: string | null;
  expiresAt: number | null;
  expirySuspected: boolean;
  late: boolean;
};

export type CheckoutSlice = {
  checkout: 'none' | 'qris' | 'cash' | 'receipt';
  qris: QrisView | null;
  tenderedInput: string;
  receipt: Receipt | null;
  busy: 'none' | 'charging' | 'cancelling' | 'completing' | 'checking' | 'saving';
  error: UiError | null;
  chargeQris(): Promise<void>;
  /**
   * Offline: derives the QR the next Charge of the cart on screen would show, ahead of time (the screen calls it
   * when the till is idle and encodes the QR too); null when there is none to derive.
   */
  primeOfflineCharge(): string | null;
  cancelQris(): Promise<void>;
  checkQris(): Promise<void>;
  /** Offline QRIS: the cashier saw the payment succeed on the customer's phone. */
  confirmOfflineQris(): Promise<void>;
  openCash(): Promise<void>;
  setTenderedInput(s: string): void;
  /** A quick-cash note: adds to what was tendered so far. */
  addTendered(note: number): void;
  completeCash(): Promise<void>;
  closeCheckout(): void;
  newSale(): void;
  dismissError(): void;
  /** Push listener for `payment:updated`. */
  onPaymentUpdated(p: PaymentInfo): void;
};

export type CounterSlice = {
  printer: PrinterView | null;
  printQueue: PrintQueueView;
  /** The open shift, or the last closed one (its report stays on screen). */
  shift: ShiftView | null;
  floatInput: string;
  /** The name of the cashier opening a shift, as typed. */
  cashierInput: string;
  countedInput: string;
  counterBusy: boolean;
  counterError: UiError | null;
  printerSaved: boolean;
  loadCounter(): Promise<void>;
  savePrinter(p: IpcInput<'printer:set'>): Promise<boolean>;
  printReceipt(saleId: string): Promise<void>;
  retryPrints(): Promise<void>;
  setFloatInput(s: string): void;
  setCashierInput(s: string): void;
  setCountedInput(s: string): void;
  openShift(): Promise<void>;
  closeShift(): Promise<void>;
  /** Sends the cart to the customer display (called when the cart changes). */
  syncDisplay(): void;
  /** Push listeners for `print:changed` and `shift:changed`. */
  onPrintQueue(q: PrintQueueView): void;
  onShift(s: ShiftView | null): void;
};

export type SessionSlice = {
  page: 'sale' | 'recent' | 'settings' | 'counter' | 'sync';
  language: Language;
  serverUrl: string;
  hasDeviceToken: boolean;
  storeName: string;
  enrolled: boolean;
  connection: ConnectionState;
  clockSkewMs: number;
  /** From the sync status snapshot: what the server does not have yet. */
  sync: {
    pending: number;
    pendingTotal: number;
    parked: number;
    unverifiedTotal: number;
    progress: { done: number; total: number } | null;
  };
  /** The whole last status snapshot (the sync page and the risk confirmations read it). */
  status: TillStatus | null;
  /** From the status snapshot: whether QRIS can be taken offline and within which limits. */
  offlineQris: OfflineQrisSetupView;
  settingsSaved: boolean;
  setPage(p: SessionSlice['page']): void;
  setLanguage(l: Language): Promise<void>;
  loadSettings(): Promise<void>;
  /** `allowInsecure`: the manager confirmed plain http to an address outside the shop's network. */
  saveSettings(o: { serverUrl: string; deviceToken: string | null; allowInsecure?: boolean }): Promise<boolean>;
  /** Detaches the till from its server (URL and token cleared); the screen confirms first when data is at risk. */
  logout(): Promise<boolean>;
  /** Push listener for `connection:changed`. */
  onStatus(s: TillStatus): void;
  /** Sends the entries the server refused once more (the core gives them new mutation ids). */
  retryParked(): Promise<void>;
};

export type RecentSlice = {
  recent: SaleView[];
  /** The history's date filter, `YYYY-MM-DD` in the till's time zone; '' = the latest sales of any day. */
  recentDay: string;
  setRecentDay(day: string): void;
  loadRecent(): Promise<void>;
  /** A paid sale shows its receipt; an open one goes back into the cart to be charged. */
  openRecent(saleId: string): Promise<void>;
  /** Push listener for `sale:updated`. */
  onSaleUpdated(s: SaleView): void;
};

/** The manager PIN and the sync page behind it. */
export type ManagerSlice = {
  managerPin: ManagerPinView | null;
  syncDetails: SyncDetails | null;
  managerError: UiError | null;
  managerBusy: boolean;
  pinSaved: boolean;
  loadManagerPin(): Promise<void>;
  /** Sets (or changes, with `currentPin`) the PIN; a fresh PIN leaves the sync page unlocked. */
  setManagerPin(pin: string, currentPin?: string): Promise<boolean>;
  unlockManager(pin: string): Promise<boolean>;
  lockManager(): Promise<void>;
  loadSyncDetails(): Promise<void>;
  /** Sends parked entries again (all when `ids` is absent) and reloads the details. */
  retryParkedItems(ids?: string[]): Promise<void>;
};

export type TillState = CatalogSlice &
  CartSlice &
  CheckoutSlice &
  SessionSlice &
  RecentSlice &
  CounterSlice &
  ManagerSlice;

export type Slice<T> = (api: TillApi) => StateCreator<TillState, [], [], T>;
