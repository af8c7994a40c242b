/**
 * The till core: plain Node (never imports `electron`), shared by the Electron shell and the web host. It owns
 * the local database, the device configuration, the link to the sync-server and the push events. Methods
 * throw TillFailure for expected refusals; the channel handlers (handlers.ts) turn everything into Result.
 */
import type { Database } from 'better-sqlite3';
import type { PrinterView } from '../../shared/counter.ts';
import type { StoreEvent } from '../../shared/events.ts';
import { newId } from '../../shared/ids.ts';
import {
  type ConnectionState,
  type IpcParsed,
  type OfflineQrisOffer,
  type PaymentInfo,
  type Product,
  type Receipt,
  type SaleView,
  type SettingsView,
  type SyncDetails,
  TILL_EVENTS,
  type TillStatus,
} from '../../shared/ipc.ts';
import { isQrisAmount, type Rupiah, rupiah } from '../../shared/money.ts';
import {
  deriveOfflineQr,
  type OfflineQrisSetupView,
  offlineQrisRefusal,
  offlineReference,
  terminalLabel,
} from '../../shared/offline-qris.ts';
import { describeQris, toDynamic } from '../../shared/qris/index.ts';
import type { OfflineSetup } from '../../shared/schemas/sync-api.ts';
import { applyServerCatalog } from './catalog/catalog-sync.ts';
import { seedDemoCatalog } from './catalog/demo-catalog.ts';
import { Counter } from './counter/counter.ts';
import type { PrinterTransport } from './counter/printer-transport.ts';
import { openDatabase } from './db/open.ts';
import { clearOfflineSetup, readOfflineSetup, writeOfflineSetup } from './db/repos/offline-setup-repo.ts';
import {
  ackState,
  countOutbox,
  listParkedWithAmounts,
  oldestUnsyncedAt,
  requeueParked,
  unsyncedSales,
} from './db/repos/outbox-repo.ts';
import {
  getPayment,
  listPaymentsOfSale,
  listPendingQris,
  listUnverified,
  type PaymentRecord,
  sumUnverified,
} from './db/repos/payments-repo.ts';
import { findActiveByCode, forgetServerVersions, listProducts } from './db/repos/products-repo.ts';
import type { SaleRecord } from './db/repos/sales-repo.ts';
import { advanceCursor, readSyncState, resetCursor } from './db/repos/sync-state-repo.ts';
import { fail, type Logger, stderrLogger, TillFailure } from './errors.ts';
import { TillEventBus } from './events.ts';
import { ManagerPin } from './manager/pin.ts';
import {
  applyServerView,
  recordCashPayment,
  recordLocalCancel,
  recordLocalFailure,
  recordOfflineQrisPayment,
  recordQrisPayment,
} from './payments/payments.ts';
import { priceSale, recentSales, recordSale, requireSale, toSaleView } from './sales/sales.ts';
import { type DeviceConfig, isConfigured, loadConfig, saveConfig, toSettingsView } from './settings.ts';
import { ConnectivityMonitor, type ConnectivityOptions } from './sync/connectivity.ts';
import { DrainTracker } from './sync/drain-tracker.ts';
import { LiveLink, type LiveLinkOptions } from './sync/live-link.ts';
import { type PusherOptions, SyncPusher } from './sync/pusher.ts';
import { ServerApi } from './sync/server-api.ts';

/** The till warns when its clock and the server's differ by more than this (../shared/DESIGN.md). */
export const CLOCK_WARNING_MS = 2 * 60_000;
/** With the socket up, the server pushes expiry; ask it ourselves only when that is this late. */
const EXPIRY_GRACE_MS = 30_000;
/** How long a new sale's push waits for its payment to join it (see createSale). */
const SALE_PUSH_DELAY_MS = 200;
/** Codes after which the server certainly did not create the payment: it must not block a cash sale. */
const NEVER_CREATED = new Set(['INVALID_INPUT', 'CONFLICT', 'UNAUTHORIZED', 'FORBIDDEN']);
/** Offline QR offers waiting for the cashier's confirmation, at most (older ones are forgotten). */
const MAX_OFFERS = 50;

export type TillCoreOptions = {
  dataDir: string;
  now?: () => number;
  log?: Logger;
  fetch?: typeof fetch;
  /** Watchdog tick: polling fallback while the socket is down, expiry checks. */
  pollIntervalMs?: number;
  /** Requests the server answers on its own (default shared/deadlines.ts TILL_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
  /** Requests that wait on the payment provider (default: longer than the server's provider deadline). */
  providerRequestTimeoutMs?: number;
  live?: Pick<LiveLinkOptions, 'minBackoffMs' | 'maxBackoffMs' | 'heartbeatMs'>;
  /** Outbox drain tuning (batch size, backoff); tests and benchmarks shorten it. */
  push?: Pick<PusherOptions, 'batchSize' | 'maxBodyBytes' | 'minBackoffMs' | 'maxBackoffMs' | 'random'>;
  connectivity?: Omit<ConnectivityOptions, 'onChange'>;
  /** Tests: where receipts go instead of the configured printer. */
  printerTransport?: (p: PrinterView) => PrinterTransport | null;
  /** How often the store's offline QRIS setup is fetched again while online (default 5 minutes). */
  offlineRefreshMs?: number;
};

export class TillCore {
  readonly db: Database;
  readonly events = new TillEventBus();
  readonly log: Logger;
  readonly #o: TillCoreOptions;
  readonly #now: () => number;
  #config: DeviceConfig;
  #api: ServerApi | null = null;
  #link: LiveLink | null = null;
  #started = false;
  #ticker: NodeJS.Timeout | null = null;
  #ticking = false;
  #conn: { state: ConnectionState; lastError: string | null; clockSkewMs: number | null } = {
    state: 'offline',
    lastError: null,
    clockSkewMs: null,
  };
  /** The last failed HTTP call's message, cleared by the next successful one. */
  #httpError: string | null = null;
  #suspected = new Set<string>();
  #lastStatusJson = '';
  readonly #pusher: SyncPusher;
  readonly #monitor: ConnectivityMonitor;
  /** Receipt printing, shifts and the customer display (counter/counter.ts). */
  readonly counter: Counter;
  /** Offline QRIS shown and not yet confirmed, by the payment id they will get. */
  readonly #offers = new Map<string, OfflineQrisOffer & { draft: IpcParsed<'sale:create'> | null }>();
  #offlineFetch: Promise<void> | null = null;
  #offlineFetchedAt = 0;
  #catalogFetch: Promise<void> | null = null;
  readonly #drain = new DrainTracker();
  /** The PIN in front of the manager's sync screen (manager/pin.ts). */
  readonly managerPin: ManagerPin;

  constructor(o: TillCoreOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.log = o.log ?? stderrLogger();
    this.db = openDatabase({ dataDir: o.dataDir });
    this.#config = loadConfig(this.db);
    this.managerPin = new ManagerPin(this.db, this.#now);
    this.#rebuildApi();
    this.#monitor = new ConnectivityMonitor({
      ...o.connectivity,
      onChange: (state) => {
        this.#conn.state = state;
        // Back online: send the backlog now rather than at the end of the current backoff.
        if (state === 'online') {
          this.#pusher.kick(true);
          void this.refreshOfflineSetup();
          void this.refreshCatalog();
        }
        this.#refreshSuspicions();
        this.#publishStatus();
      },
    });
    this.#pusher = new SyncPusher({
      ...o.push,
      db: this.db,
      api: () => this.#api,
      now: this.#now,
      log: this.log,
      onChange: () => {
        this.#publishStatus();
        this.counter.syncChanged();
      },
      onReachability: (ok) => (ok ? this.#monitor.requestOk() : this.#monitor.requestFailed()),
    });
    this.counter = new Counter({
      db: this.db,
      events: this.events,
      outboxChanged: () => this.#pusher.kick(),
      log: this.log,
      now: this.#now,
      config: () => this.#config,
      ...(o.fetch ? { fetch: o.fetch } : {}),
      ...(o.printerTransport ? { transport: o.printerTransport } : {}),
    });
  }

  /** Starts the live link and the watchdog. Calls work without it (the tests of pure behaviour). */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#restartLink();
    this.#pusher.start();
    void this.refreshOfflineSetup();
    void this.refreshCatalog();
    this.#ticker = setInterval(() => void this.#tick(), this.#o.pollIntervalMs ?? 3_000);
    this.#ticker.unref();
  }

  close(): void {
    this.#started = false;
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = null;
    this.#link?.stop();
    this.#link = null;
    this.#pusher.stop();
    this.#monitor.stop();
    if (this.db.open) this.db.close();
  }

  // ------------------------------------------------------------------------------------------------ catalog

  listCatalog(i: IpcParsed<'catalog:list'>): Product[] {
    return listProducts(this.db, i ?? {});
  }

  findProduct(i: IpcParsed<'catalog:find'>): Product | null {
    return findActiveByCode(this.db, i.code);
  }

  seedDemoCatalog(): { inserted: number } {
    return seedDemoCatalog(this.db, this.#now());
  }

  // -------------------------------------------------------------------------------------------------- sales

  createSale(i: IpcParsed<'sale:create'>): SaleView {
    const s = recordSale(this.db, i, this.#now());
    // A sale is followed within moments by its payment (the cashier's next key): waiting that long lets both go
    // in one push, and keeps the push off the server while a QRIS for the sale is being created.
    this.#pusher.kick(false, SALE_PUSH_DELAY_MS);
    this.#publishStatus();
    return this.#saleView(s);
  }

  getReceipt(i: IpcParsed<'sale:get'>): Receipt {
    const sale = this.#saleView(requireSale(this.db, i.saleId));
    return { sale, storeName: this.#config.storeName, deviceName: this.#config.deviceName, printedAt: this.#now() };
  }

  recentSales(i: IpcParsed<'sales:recent'>): SaleView[] {
    return recentSales(this.db, i?.limit ?? 20, i?.from, i?.to).map((s) => this.#saleView(s));
  }

  // ----------------------------------------------------------------------------------------------- payments

  /**
   * Shows a QRIS for a sale. The local payment (and its outbox row) exists before the server is asked, with a
   * client id the server is idempotent on: after a timeout or a crash, asking again re-sends the same id and
   * gets the same QR instead of a second charge.
   */
  async startQris(i: IpcParsed<'payment:startQris'>): Promise<PaymentInfo> {
    const api = this.#requireApi();
    const sale = requireSale(this.db, i.saleId);
    if (sale.status === 'paid') throw fail('ALREADY_PAID', 'this sale is already paid');
    if (!isQrisAmount(sale.total)) throw fail('INVALID_INPUT', 'QRIS needs a total between Rp 1 and Rp 10.000.000');
    const open = listPaymentsOfSale(this.db, sale.id).find((p) => p.method === 'qris' && p.status === 'pending');
    const now = this.#now();
    if (open?.qrString && (open.expiresAt === null || open.expiresAt > now)) return this.#paymentInfo(open);
    // The customer is waiting for this QR: no push starts beside its create (the payment is queued, not lost).
    const release = this.#pusher.hold();
    try {
      return await this.#createQris(api, sale, open ?? null, now);
    } finally {
      release();
    }
  }

  async #createQris(
    api: ServerApi,
    sale: { id: string; total: Rupiah },
    open: PaymentRecord | null,
    now: number,
  ): Promise<PaymentInfo> {
    const p = open ?? recordQrisPayment(this.db, sale.id, sale.total, now);
    if (!open) {
      this.#pusher.kick();
      this.#publishStatus();
    }
    try {
      const view = await api.createPayment({ paymentId: p.id, saleId: sale.id, amount: sale.total });
      this.#markReachable();
      return this.#apply(view) ?? this.#paymentInfo(p);
    } catch (e) {
      this.#noteFailure(e);
      if (e instanceof TillFailure && NEVER_CREATED.has(e.code)) this.#localStatus(p.id, 'failed');
      throw e;
    }
  }

  /** Cancels at the server; when it cannot be reached the cancel is recorded here and queued (see payments.ts). */
  async cancelPayment(i: IpcParsed<'payment:cancel'>): Promise<PaymentInfo> {
    const p = this.#requirePayment(i.paymentId);
    if (p.method !== 'qris') throw fail('CONFLICT', 'only a QRIS payment can be cancelled');
    if (p.status === 'paid') throw fail('ALREADY_PAID', 'the customer has already paid');
    if (p.status !== 'pending') return this.#paymentInfo(p);
    if (this.#api) {
      try {
        const view = await this.#api.cancelPayment(p.id);
        this.#markReachable();
        return this.#apply(view) ?? this.#paymentInfo(p);
      } catch (e) {
        this.#noteFailure(e);
        if (!(e instanceof TillFailure)) throw e;
        if (e.code === 'ALREADY_PAID') {
          await this.#refresh(p.id).catch(() => undefined);
          throw e;
        }
        const local = ['SERVER_UNREACHABLE', 'PROVIDER_UNAVAILABLE', 'NOT_FOUND'].includes(e.code);
        if (!local) throw e;
      }
    }
    const c = recordLocalCancel(this.db, p.id, this.#now());
    this.#pusher.kick();
    this.#publishPayment(c, false);
    return this.#paymentInfo(c);
  }

  /** Cash: any open QRIS for the sale is cancelled first, so the customer cannot pay twice by accident. */
  async payCash(i: IpcParsed<'payment:cash'>): Promise<PaymentInfo> {
    const sale = requireSale(this.db, i.saleId);
    if (sale.status === 'paid') throw fail('ALREADY_PAID', 'this sale is already paid');
    if (i.tendered < sale.total)
      throw fail('INVALID_INPUT', `cash tendered must be at least the total (${sale.total})`);
    for (const p of listPaymentsOfSale(this.db, sale.id)) {
      if (p.status === 'pending') await this.cancelPayment({ paymentId: p.id });
    }
    const p = recordCashPayment(this.db, sale.id, i.tendered, this.#now());
    this.#pusher.kick();
    this.#publishPayment(p, true);
    return this.#paymentInfo(p);
  }

  /**
   * QRIS while the server cannot be reached: derives a dynamic QRIS for the sale from the cached static one
   * (amount in tag 54, reference label `OFF…` in 62/05, this till's label in 62/07). Nothing is written until
   * the cashier confirms; refused (OFFLINE_QRIS_REFUSED with the reason) beyond the store's limits or
   * without a cached static QRIS, and refused (CONFLICT) while online, where the provider's dynamic QR is used.
   */
  startOfflineQris(i: IpcParsed<'payment:offlineQris'>): OfflineQrisOffer {
    if (this.#conn.state === 'online') throw fail('CONFLICT', 'the server is reachable: charge QRIS online');
    let sale: { id: string; total: number };
    let draft: IpcParsed<'sale:create'> | null = null;
    if ('saleId' in i && i.saleId !== undefined) {
      const s = requireSale(this.db, i.saleId);
      if (s.status === 'paid') throw fail('ALREADY_PAID', 'this sale is already paid');
      if (listPaymentsOfSale(this.db, s.id).some((p) => p.status === 'pending')) {
        throw fail('CONFLICT', 'a QRIS payment for this sale is still open; cancel it first');
      }
      sale = s;
    } else {
      // Priced now and recorded only on confirmation: nothing to write (or fsync) before the QR is up.
      const { paymentId: _id, ...d } = i as IpcParsed<'sale:create'> & { paymentId?: string };
      draft = d;
      sale = { id: newId(), total: priceSale(this.db, d).total };
    }
    const setup = this.#offlineSetup();
    const refusal = offlineQrisRefusal(sale.total, this.offlineLimits());
    if (refusal || !setup?.static_qris) throw fail('OFFLINE_QRIS_REFUSED', refusal ?? 'no_static_qris');
    const paymentId = i.paymentId ?? newId();
    if (getPayment(this.db, paymentId)) throw fail('CONFLICT', 'a payment with this id is already recorded');
    const reference = offlineReference(paymentId);
    const terminal = terminalLabel(this.#config.deviceName);
    let qrString: string;
    try {
      qrString = deriveOfflineQr(setup.static_qris, sale.total, paymentId, terminal);
    } catch {
      throw fail('OFFLINE_QRIS_REFUSED', 'no_static_qris');
    }
    for (const [id, o] of this.#offers) if (o.saleId === sale.id) this.#offers.delete(id);
    if (this.#offers.size >= MAX_OFFERS) this.#offers.delete(this.#offers.keys().next().value as string);
    const offer: OfflineQrisOffer = {
      saleId: sale.id,
      paymentId,
      amount: rupiah(sale.total),
      qrString,
      merchantName: setup.merchant_name ?? merchantNameOf(qrString),
      reference,
      terminal,
    };
    this.#offers.set(paymentId, { ...offer, draft });
    return offer;
  }

  /**
   * The cashier saw the payment succeed on the customer's phone: the sale (when the offer was made from the
   * cart) and the payment are recorded, `unverified`, with their outbox rows, in one transaction (payments.ts).
   * Confirming again answers the recorded payment.
   */
  confirmOfflineQris(i: IpcParsed<'payment:confirmOfflineQris'>): PaymentInfo {
    const offer = this.#offers.get(i.paymentId);
    if (!offer) {
      const done = getPayment(this.db, i.paymentId);
      if (done) return this.#paymentInfo(done);
      throw fail('NOT_FOUND', 'this offline QR is no longer on offer; charge again');
    }
    const now = this.#now();
    const p = this.db.transaction(() => {
      if (offer.draft) recordSale(this.db, offer.draft, now, offer.saleId);
      return recordOfflineQrisPayment(
        this.db,
        {
          paymentId: offer.paymentId,
          saleId: offer.saleId,
          amount: offer.amount,
          qrString: offer.qrString,
          offlineRef: offer.reference,
          merchantName: offer.merchantName,
        },
        now,
        () => {
          // Judged again on what is committed: another confirm may have used the headroom meanwhile.
          const refusal = offlineQrisRefusal(offer.amount, { ...this.offlineLimits(), ready: true });
          if (refusal) throw fail('OFFLINE_QRIS_REFUSED', refusal);
        },
      );
    })();
    this.#offers.delete(offer.paymentId);
    this.#pusher.kick();
    this.#publishPayment(p, true);
    return this.#paymentInfo(p);
  }

  /** The limits offline QRIS works within now (cached setup of this server + this till's unverified money). */
  offlineLimits(): OfflineQrisSetupView {
    const s = this.#offlineSetup();
    const local = sumUnverified(this.db);
    const terminal = terminalLabel(this.#config.deviceName);
    if (!s) {
      const none = { staticQris: null, merchantName: null, terminal };
      return { ...none, ready: false, maxAmount: 0, maxUnverifiedTotal: 0, unverifiedTotal: local };
    }
    return {
      staticQris: s.static_qris,
      merchantName: s.merchant_name,
      terminal,
      ready: s.static_qris !== null,
      maxAmount: s.max_amount,
      maxUnverifiedTotal: s.max_unverified_total,
      // The server's figure covers payments verified or not since; ours covers the ones it has not seen yet.
      unverifiedTotal: Math.max(local, s.unverified_total),
    };
  }

  /**
   * Fetches the store's offline setup (GET /v1/store/offline) and caches it. Called at start, on reconnect,
   * periodically while online and after an offline payment was verified. Failures keep the old cache.
   */
  refreshOfflineSetup(): Promise<void> {
    if (this.#offlineFetch) return this.#offlineFetch;
    const api = this.#api;
    const url = this.#config.serverUrl;
    if (!api || url === null) return Promise.resolve();
    this.#offlineFetch = (async () => {
      try {
        const setup = await api.offlineSetup();
        this.#markReachable();
        if (this.#api !== api || !this.db.open) return; // settings changed meanwhile: not this server's
        writeOfflineSetup(this.db, url, usableSetup(setup, this.log), this.#now());
        this.#offlineFetchedAt = this.#now();
        this.#publishStatus();
      } catch (e) {
        this.#noteFailure(e);
        if (!(e instanceof TillFailure)) this.log.error('offline setup fetch failed', { err: e });
      } finally {
        this.#offlineFetch = null;
      }
    })();
    return this.#offlineFetch;
  }

  /**
   * Fetches the store's whole catalog (GET /v1/catalog) and applies it (catalog/catalog-sync.ts). Called at
   * start, on reconnect and after the server changed; events keep it current in between. Failures keep the
   * copy the till has: it sells from it offline.
   */
  refreshCatalog(): Promise<void> {
    if (this.#catalogFetch) return this.#catalogFetch;
    const api = this.#api;
    if (!api) return Promise.resolve();
    this.#catalogFetch = (async () => {
      try {
        const snap = await api.catalog();
        this.#markReachable();
        if (this.#api !== api || !this.db.open) return; // settings changed meanwhile: not this server's
        this.#catalogApplied(applyServerCatalog(this.db, snap.products, this.#now(), { snapshot: true }));
      } catch (e) {
        this.#noteFailure(e);
        // A server without the catalog route (older build) answers 404: the till keeps its copy.
        if (!(e instanceof TillFailure)) this.log.error('catalog fetch failed', { err: e });
      } finally {
        this.#catalogFetch = null;
      }
    })();
    return this.#catalogFetch;
  }

  #catalogApplied(changed: number): void {
    if (changed > 0) this.events.emit(TILL_EVENTS.catalogChanged, { changed });
  }

  getPayment(i: IpcParsed<'payment:get'>): PaymentInfo {
    return this.#paymentInfo(this.#requirePayment(i.paymentId));
  }

  async checkPayment(i: IpcParsed<'payment:check'>): Promise<PaymentInfo> {
    const p = this.#requirePayment(i.paymentId);
    this.#requireApi();
    if (p.method !== 'qris') return this.#paymentInfo(p);
    return (await this.#refresh(p.id)) ?? this.#paymentInfo(this.#requirePayment(p.id));
  }

  // ------------------------------------------------------------------------------------------ configuration

  getSettings(): SettingsView {
    return toSettingsView(this.#config);
  }

  saveSettings(i: IpcParsed<'settings:set'>): SettingsView {
    const before = this.#config;
    this.#config = saveConfig(this.db, i);
    if (before.serverUrl !== this.#config.serverUrl || before.deviceToken !== this.#config.deviceToken) {
      // Another server or another device's token is another event stream: replay it from the start
      // (payments this till does not know are ignored, known ones only move forward).
      resetCursor(this.db);
      clearOfflineSetup(this.db);
      this.#offers.clear();
      this.#offlineFetchedAt = 0;
      this.#conn = { state: 'connecting', lastError: null, clockSkewMs: null };
      // The monitor's evidence was about the old server: without this it could stay "online" inside while the
      // screen says otherwise, and never tell the screen when the new server answers.
      this.#monitor.restart();
      this.#httpError = null;
      this.#drain.reset();
      this.#rebuildApi();
      this.#restartLink();
      this.#pusher.kick(true);
      // Another server's catalog revisions are not comparable with this one's: its snapshot must win.
      forgetServerVersions(this.db);
      void this.refreshOfflineSetup();
      void this.refreshCatalog();
      this.#publishStatus();
    }
    return this.getSettings();
  }

  /** Parked entries go back in the queue under new mutation ids (outbox-repo `requeueParked`). */
  retryParked(i: IpcParsed<'sync:retryParked'>): TillStatus {
    const n = requeueParked(this.db, i?.ids ?? null, this.#now());
    if (n > 0) this.#pusher.kick(true);
    this.#publishStatus();
    return this.status();
  }

  status(): TillStatus {
    const { pending, parked } = countOutbox(this.db);
    const unsynced = unsyncedSales(this.db);
    const skew = this.#pusher.clockSkewMs ?? this.#conn.clockSkewMs;
    return {
      connection: this.#conn.state,
      configured: isConfigured(this.#config),
      lastError: this.#httpError ?? this.#pusher.lastError ?? this.#conn.lastError,
      clockSkewMs: skew,
      clockWarning: skew !== null && Math.abs(skew) > CLOCK_WARNING_MS,
      pendingOutbox: pending,
      parkedOutbox: parked,
      lastSyncedAt: readSyncState(this.db).lastSyncedAt,
      pending: unsynced.count,
      pendingTotal: rupiah(unsynced.total),
      parked,
      unverifiedTotal: rupiah(sumUnverified(this.db)),
      syncProgress: this.#pusher.progress,
      drain: this.#drain.observe({
        online: this.#conn.state === 'online',
        pending,
        ackedMutationId: ackState(this.db).ackedMutationId,
        now: this.#now(),
      }),
      offlineQris: this.offlineLimits(),
    };
  }

  /** The manager's sync screen: what is behind the status numbers. Needs the manager PIN (manager/pin.ts). */
  syncDetails(): SyncDetails {
    this.managerPin.requireUnlocked();
    return {
      status: this.status(),
      oldestUnsyncedAt: oldestUnsyncedAt(this.db),
      parkedItems: listParkedWithAmounts(this.db).map((e) => ({
        id: e.id,
        mutationId: e.mutationId,
        kind: e.kind,
        entityId: e.entityId,
        createdAt: e.createdAt,
        parkedAt: e.parkedAt,
        attempts: e.attempts,
        error: e.lastError,
        amount: e.amount === null ? null : rupiah(e.amount),
      })),
      unverified: listUnverified(this.db).map((p) => ({
        paymentId: p.id,
        saleId: p.saleId,
        amount: p.amount,
        offlineRef: p.offlineRef,
        createdAt: p.createdAt,
      })),
      now: this.#now(),
    };
  }

  /** Applies one server event (live or polled). Public for the transports' tests; idempotent. */
  applyEvent(e: StoreEvent): PaymentInfo | null {
    const now = this.#now();
    if (e.type === 'catalog.updated') {
      let changed = 0;
      this.db.transaction(() => {
        changed = applyServerCatalog(this.db, e.products, now, { snapshot: false });
        advanceCursor(this.db, e.seq, now);
      })();
      this.#catalogApplied(changed);
      return null;
    }
    let applied: ReturnType<typeof applyServerView> = null;
    this.db.transaction(() => {
      applied = applyServerView(this.db, e.payment, now);
      advanceCursor(this.db, e.seq, now);
    })();
    const a = applied as ReturnType<typeof applyServerView>;
    if (!a) return null;
    if (a.changed || a.salePaid) this.#publishPayment(a.payment, true);
    // An offline payment was verified or sent to review: the server's unverified figure moved too.
    if (a.changed && a.payment.offlineRef !== null) void this.refreshOfflineSetup();
    return this.#paymentInfo(a.payment);
  }

  // ---------------------------------------------------------------------------------------------- internals

  #rebuildApi(): void {
    const c = this.#config;
    this.#api = isConfigured(c)
      ? new ServerApi({
          baseUrl: c.serverUrl,
          token: c.deviceToken,
          timeoutMs: this.#o.requestTimeoutMs,
          providerTimeoutMs: this.#o.providerRequestTimeoutMs,
          ...(this.#o.fetch ? { fetch: this.#o.fetch } : {}),
        })
      : null;
  }

  #restartLink(): void {
    this.#link?.stop();
    this.#link = null;
    const c = this.#config;
    if (!this.#started || !isConfigured(c)) return;
    this.#link = new LiveLink({
      baseUrl: c.serverUrl,
      token: c.deviceToken,
      ...this.#o.live,
      cursor: () => readSyncState(this.db).cursor,
      onHello: (f) => {
        this.#conn.clockSkewMs = f.server_time - this.#now();
        this.#pusher.kick(true);
      },
      onEvent: (e) => {
        this.applyEvent(e);
      },
      onState: (state, lastError) => {
        this.#monitor.socket(state === 'online');
        if (state !== 'connecting') this.#conn.lastError = lastError;
        this.#refreshSuspicions();
        this.#publishStatus();
      },
    });
    this.#link.start();
  }

  #offlineSetup() {
    const s = readOfflineSetup(this.db);
    return s && s.serverUrl === this.#config.serverUrl ? s : null;
  }

  #requireApi(): ServerApi {
    if (!this.#api) throw fail('NOT_CONFIGURED', 'set the server URL and the device token first');
    return this.#api;
  }

  #requirePayment(id: string): PaymentRecord {
    const p = getPayment(this.db, id);
    if (!p) throw fail('NOT_FOUND', `no payment ${id}`);
    return p;
  }

  async #refresh(paymentId: string): Promise<PaymentInfo | null> {
    const view = await this.#requireApi().getPayment(paymentId);
    this.#markReachable();
    return this.#apply(view);
  }

  #apply(view: Parameters<typeof applyServerView>[1]): PaymentInfo | null {
    const a = applyServerView(this.db, view, this.#now());
    if (!a) return null;
    if (a.changed || a.salePaid) this.#publishPayment(a.payment, true);
    return this.#paymentInfo(a.payment);
  }

  #localStatus(paymentId: string, status: 'failed'): void {
    const p = recordLocalFailure(this.db, paymentId, status, this.#now());
    if (p) this.#publishPayment(p, true);
  }

  #markReachable(): void {
    this.#monitor.requestOk();
    if (this.#httpError === null) return;
    this.#httpError = null;
    this.#publishStatus();
  }

  #noteFailure(e: unknown): void {
    if (e instanceof TillFailure && e.code === 'SERVER_UNREACHABLE') this.#monitor.requestFailed();
    if (e instanceof TillFailure && (e.code === 'SERVER_UNREACHABLE' || e.code === 'UNAUTHORIZED')) {
      this.#httpError = e.message;
      this.#publishStatus();
    }
  }

  /** The watchdog: polls pending QRIS while the socket is down, and double-checks overdue expiries. */
  async #tick(): Promise<void> {
    if (this.#ticking || !this.db.open) return;
    this.#ticking = true;
    try {
      this.#refreshSuspicions();
      this.counter.autoRetryPrints();
      if (!this.#api) return;
      const now = this.#now();
      const online = this.#conn.state === 'online';
      if (online && now - this.#offlineFetchedAt >= (this.#o.offlineRefreshMs ?? 5 * 60_000)) {
        void this.refreshOfflineSetup();
      }
      const due = listPendingQris(this.db).filter(
        (p) => p.qrString !== null && (!online || (p.expiresAt !== null && now > p.expiresAt + EXPIRY_GRACE_MS)),
      );
      for (const p of due.slice(0, 20)) {
        try {
          await this.#refresh(p.id);
        } catch (e) {
          this.#noteFailure(e);
          if (e instanceof TillFailure && e.code === 'SERVER_UNREACHABLE') break;
        }
      }
    } catch (e) {
      this.log.error('till watchdog failed', { err: e });
    } finally {
      this.#ticking = false;
    }
  }

  /** "expired?" is a display state only; emitted when it flips so the screen can say so. */
  #refreshSuspicions(): void {
    if (!this.db.open) return;
    const now = new Set(
      listPendingQris(this.db)
        .filter((p) => this.#isSuspected(p))
        .map((p) => p.id),
    );
    const flipped = [...now].filter((id) => !this.#suspected.has(id));
    flipped.push(...[...this.#suspected].filter((id) => !now.has(id)));
    this.#suspected = now;
    for (const id of flipped) {
      const p = getPayment(this.db, id);
      if (p) this.events.emit(TILL_EVENTS.paymentUpdated, this.#paymentInfo(p));
    }
  }

  #isSuspected(p: PaymentRecord): boolean {
    return (
      p.method === 'qris' &&
      p.status === 'pending' &&
      p.expiresAt !== null &&
      this.#now() >= p.expiresAt &&
      this.#conn.state !== 'online'
    );
  }

  #paymentInfo(p: PaymentRecord): PaymentInfo {
    return { ...p, expirySuspected: this.#isSuspected(p) };
  }

  #saleView(s: SaleRecord): SaleView {
    return toSaleView(
      this.db,
      s,
      listPaymentsOfSale(this.db, s.id).map((p) => this.#paymentInfo(p)),
    );
  }

  #publishPayment(p: PaymentRecord, withSale: boolean): void {
    this.events.emit(TILL_EVENTS.paymentUpdated, this.#paymentInfo(p));
    try {
      this.counter.onPayment(p);
    } catch (e) {
      // The display and the receipt follow the payment; they must never fail it.
      this.log.error('counter hook failed', { err: e });
    }
    if (withSale) this.events.emit(TILL_EVENTS.saleUpdated, this.#saleView(requireSale(this.db, p.saleId)));
    this.#publishStatus();
  }

  /** Publishes the status snapshot when it changed (outbox counts move with every sale). */
  #publishStatus(): void {
    if (!this.db.open) return;
    const s = this.status();
    const json = JSON.stringify(s);
    if (json === this.#lastStatusJson) return;
    this.#lastStatusJson = json;
    this.events.emit(TILL_EVENTS.connectionChanged, s);
  }
}

function merchantNameOf(qr: string): string | null {
  try {
    return describeQris(qr).merchantName;
  } catch {
    return null;
  }
}

/** A static QRIS the codec cannot turn into a dynamic one is cached as none: offline sells cash only. */
function usableSetup(s: OfflineSetup, log: Logger): OfflineSetup {
  if (s.static_qris === null) return s;
  try {
    toDynamic(s.static_qris, { amount: 1 });
    return s;
  } catch (e) {
    log.error('the store static QRIS from the server is not usable offline', { err: e });
    return { ...s, static_qris: null };
  }
}
