import { newId } from '../../../shared/ids.ts';
import { formatRupiah } from '../../../shared/money.ts';
import { deriveOfflineQr, offlineQrisRefusal, offlineReference } from '../../../shared/offline-qris.ts';
import type { OfflineQrisOffer, PaymentInfo, Result, SaleView } from '../bridge/index.ts';
import { parseRupiahInput } from '../lib/cart-math.ts';
import { offlineReasonKey, thrown, toUiError } from './errors.ts';
import { selectDiscountOk, selectTotals } from './selectors.ts';
import type { CheckoutSlice, QrisView, Slice } from './types.ts';

function qrisView(p: PaymentInfo): QrisView {
  return {
    saleId: p.saleId,
    paymentId: p.id,
    status: p.status,
    amount: p.amount,
    qrString: p.qrString,
    merchantName: p.merchantName,
    expiresAt: p.expiresAt,
    expirySuspected: p.expirySuspected,
    late: p.late,
    offline: p.offlineRef !== null,
    reference: p.offlineRef,
  };
}

function offerView(o: OfflineQrisOffer): QrisView {
  return {
    saleId: o.saleId,
    paymentId: o.paymentId,
    status: 'confirm',
    amount: o.amount,
    qrString: o.qrString,
    merchantName: o.merchantName,
    expiresAt: null,
    expirySuspected: false,
    late: false,
    offline: true,
    reference: o.reference,
  };
}

/** A bridge call that resolves to a Result even if the transport throws. */
async function safe<T>(p: Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await p;
  } catch (e) {
    return { ok: false, error: thrown(e) };
  }
}

export const createCheckoutSlice: Slice<CheckoutSlice> = (api) => (set, get) => {
  /** The sale for the current cart: recorded once, reused by every retry and by cash after a failed QRIS. */
  async function ensureSale(): Promise<Result<SaleView>> {
    const { openSale, lines, discount } = get();
    if (openSale) return { ok: true, data: openSale };
    const r = await safe(
      api.createSale({
        lines: lines.map((l) => ({ productId: l.productId, qty: l.qty })),
        ...(discount ? { discount } : {}),
      }),
    );
    if (r.ok) set({ openSale: r.data });
    return r;
  }

  /** Resolves after the next frame has been painted (at once where there are no frames, as in unit tests). */
  function afterNextPaint(): Promise<void> {
    if (typeof requestAnimationFrame !== 'function') return Promise.resolve();
    return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  }

  /** The core's answer to the offline QR on screen, while it is on its way (confirm waits for it). */
  let offerPending: Promise<unknown> | null = null;
  /** The next offline charge of the cart on screen, derived while the till was idle (primeOfflineCharge). */
  let primed: { paymentId: string; key: string; qrString: string } | null = null;

  /** What an offline QR for the cart on screen would be, or null when it cannot be derived here. */
  function offlineKey(s: ReturnType<typeof get>): string | null {
    const total = selectTotals(s).total;
    const o = s.offlineQris;
    if (!o.staticQris || (s.openSale && s.openSale.total !== total)) return null;
    return `${o.staticQris}|${o.terminal}|${total}`;
  }

  /**
   * QRIS while the server cannot be reached: the core derives a QR from the store's static QRIS. Beyond the
   * limits (or without a static QRIS) nothing is charged and the reason is shown; cash stays available.
   */
  async function chargeOffline(): Promise<void> {
    const s = get();
    const refusal = offlineQrisRefusal(selectTotals(s).total, s.offlineQris);
    if (refusal) {
      set({ error: { code: 'OFFLINE_QRIS_REFUSED', key: offlineReasonKey(refusal) } });
      return;
    }
    const { openSale, lines, discount, offlineQris: o } = s;
    const total = selectTotals(s).total;
    // A charge primed for exactly this cart uses its id and QR; a primed id is used once.
    const ready = primed && primed.key === offlineKey(s) ? primed : null;
    primed = null;
    const paymentId = ready?.paymentId ?? newId();
    // Drawn at once from the status snapshot's static QRIS; the core derives the same QR with the same
    // function and ids, and its answer replaces this one (it is the authority, and confirms nothing unseen).
    let local: QrisView | null = null;
    if (o.staticQris && (!openSale || openSale.total === total)) {
      try {
        const qrString = ready?.qrString ?? deriveOfflineQr(o.staticQris, total, paymentId, o.terminal);
        local = {
          ...offerView({
            saleId: openSale?.id ?? '',
            paymentId,
            amount: total as OfflineQrisOffer['amount'],
            qrString,
            merchantName: o.merchantName,
            reference: offlineReference(paymentId),
            terminal: o.terminal,
          }),
        };
      } catch {
        local = null;
      }
    }
    set(local ? { checkout: 'qris', qris: local, error: null } : { busy: 'charging', error: null });
    // A sale already recorded (an earlier attempt) is charged as it is; otherwise the cart goes as a draft and
    // the core records sale and payment together when the cashier confirms (nothing to write before the QR).
    const ask = () =>
      safe(
        api.startOfflineQris(
          openSale
            ? { saleId: openSale.id, paymentId }
            : {
                lines: lines.map((l) => ({ productId: l.productId, qty: l.qty })),
                ...(discount ? { discount } : {}),
                paymentId,
              },
        ),
      );
    // With the QR already drawn here, the core is asked once the frame showing it is painted: its answer is
    // needed only when the cashier confirms (confirm waits for it), and sending it cost the click ~2 ms.
    const call = local ? afterNextPaint().then(ask) : ask();
    offerPending = call;
    const r = await call;
    if (offerPending === call) offerPending = null;
    // The cashier walked away from the QR meanwhile: nothing more to show.
    if (local && get().qris?.paymentId !== paymentId) return;
    if (r.ok) {
      set({ checkout: 'qris', qris: offerView(r.data), busy: 'none' });
      return;
    }
    set({ busy: 'none' });
    // The core is online after all (the snapshot was a moment behind): charge the ordinary way.
    if (r.error.code === 'CONFLICT' && get().connection === 'online') return get().chargeQris();
    set({ error: toUiError(r.error), checkout: 'none', qris: null });
  }

  /** Shows the receipt of a paid sale and refreshes the recent list behind it. */
  async function showReceipt(saleId: string): Promise<void> {
    const r = await safe(api.getSale({ saleId }));
    if (r.ok) set({ receipt: r.data, checkout: 'receipt', busy: 'none', error: null });
    else set({ error: toUiError(r.error), busy: 'none' });
    void get().loadRecent();
  }

  return {
    primeOfflineCharge() {
      const s = get();
      if (s.connection === 'online' || s.lines.length === 0 || s.checkout !== 'none') return null;
      if (offlineQrisRefusal(selectTotals(s).total, s.offlineQris)) return null;
      const key = offlineKey(s);
      if (key === null) return null;
      if (primed?.key === key) return primed.qrString;
      // The id is kept while the cart changes: it is no payment until a charge uses it.
      const paymentId = primed?.paymentId ?? newId();
      try {
        const { staticQris, terminal } = s.offlineQris;
        primed = { paymentId, key, qrString: deriveOfflineQr(staticQris!, selectTotals(s).total, paymentId, terminal) };
      } catch {
        primed = null;
      }
      return primed?.qrString ?? null;
    },

    checkout: 'none',
    qris: null,
    tenderedInput: '',
    receipt: null,
    busy: 'none',
    error: null,

    async chargeQris() {
      const s = get();
      if (s.busy !== 'none' || s.lines.length === 0 || !selectDiscountOk(s)) return;
      if (s.qris && (s.qris.status === 'pending' || s.qris.status === 'creating' || s.qris.status === 'confirm'))
        return;
      if (s.connection !== 'online') return chargeOffline();
      set({ busy: 'charging', error: null });
      const sale = await ensureSale();
      if (!sale.ok) {
        set({ busy: 'none', error: toUiError(sale.error), checkout: 'none', qris: null });
        return;
      }
      // Asked before the sheet is drawn: drawing it takes the renderer a frame, and the create need not wait for it.
      const call = safe(api.startQris({ saleId: sale.data.id }));
      set({
        checkout: 'qris',
        qris: {
          saleId: sale.data.id,
          paymentId: null,
          status: 'creating',
          amount: sale.data.total,
          qrString: null,
          merchantName: null,
          expiresAt: null,
          expirySuspected: false,
          late: false,
          offline: false,
          reference: null,
        },
      });
      const r = await call;
      if (r.ok) {
        // A push may already have moved this payment on (a very fast payer); never go back to pending.
        const current = get().qris;
        if (current?.paymentId === r.data.id && current.status !== 'pending') return set({ busy: 'none' });
        set({ qris: qrisView(r.data), busy: 'none' });
        if (r.data.status === 'paid') await showReceipt(r.data.saleId);
      } else {
        // The sale stays recorded and in the cart: the message says so, and Retry / Cash reuse it.
        set((st) => ({
          busy: 'none',
          error: toUiError(r.error),
          qris: st.qris ? { ...st.qris, status: 'error' } : null,
        }));
      }
    },

    async confirmOfflineQris() {
      if (offerPending) await offerPending;
      const q = get().qris;
      if (!q?.paymentId || q.status !== 'confirm' || get().busy !== 'none') return;
      set({ busy: 'completing', error: null });
      const r = await safe(api.confirmOfflineQris({ paymentId: q.paymentId }));
      if (r.ok) await showReceipt(r.data.saleId);
      else set({ busy: 'none', error: toUiError(r.error) });
    },

    async cancelQris() {
      const q = get().qris;
      // An offline QR was never recorded: walking away from it leaves the sale open in the cart.
      if (q?.status === 'confirm' && get().busy === 'none') {
        set({ checkout: 'none', qris: null, error: null });
        return;
      }
      if (!q?.paymentId || q.status !== 'pending' || get().busy !== 'none') return;
      set({ busy: 'cancelling', error: null });
      const r = await safe(api.cancelPayment({ paymentId: q.paymentId }));
      if (r.ok) {
        set({ busy: 'none' });
        get().onPaymentUpdated(r.data);
      } else if (r.error.code === 'ALREADY_PAID') {
        // The customer paid while the cashier was cancelling: the money is in, so show the receipt.
        set({ busy: 'none' });
        await showReceipt(q.saleId);
      } else {
        set({ busy: 'none', error: toUiError(r.error) });
      }
    },

    async checkQris() {
      const q = get().qris;
      if (!q?.paymentId || get().busy !== 'none') return;
      set({ busy: 'checking', error: null });
      const r = await safe(api.checkPayment({ paymentId: q.paymentId }));
      set({ busy: 'none' });
      if (r.ok) get().onPaymentUpdated(r.data);
      else set({ error: toUiError(r.error) });
    },

    async openCash() {
      const s = get();
      if (s.busy !== 'none' || s.lines.length === 0 || !selectDiscountOk(s) || s.checkout !== 'none') return;
      set({ busy: 'charging', error: null });
      const sale = await ensureSale();
      if (sale.ok) set({ busy: 'none', checkout: 'cash', tenderedInput: '' });
      else set({ busy: 'none', error: toUiError(sale.error) });
    },

    setTenderedInput: (tenderedInput) => set({ tenderedInput }),

    addTendered(note) {
      const now = parseRupiahInput(get().tenderedInput) ?? 0;
      const next = now + note;
      if (Number.isSafeInteger(next) && next <= 999_999_999_999) set({ tenderedInput: formatRupiah(next) });
    },

    async completeCash() {
      const { openSale, tenderedInput, busy } = get();
      const tendered = parseRupiahInput(tenderedInput);
      if (!openSale || tendered === null || tendered < openSale.total || busy !== 'none') return;
      set({ busy: 'completing', error: null });
      const r = await safe(api.payCash({ saleId: openSale.id, tendered }));
      if (r.ok) await showReceipt(openSale.id);
      else set({ busy: 'none', error: toUiError(r.error) });
    },

    closeCheckout() {
      const { checkout, qris } = get();
      // A pending QR stays payable at the provider; the sheet only closes once it is over (cancel first).
      if (checkout === 'qris' && (qris?.status === 'pending' || qris?.status === 'creating')) return;
      if (checkout === 'qris' && qris?.status === 'confirm') return void get().cancelQris();
      if (checkout === 'receipt') return get().newSale();
      set({ checkout: 'none', qris: null, error: null, tenderedInput: '' });
    },

    newSale() {
      get().clearCart();
      set({ checkout: 'none', qris: null, receipt: null, tenderedInput: '', error: null, busy: 'none', page: 'sale' });
      void get().loadRecent();
    },

    dismissError: () => set({ error: null }),

    onPaymentUpdated(p) {
      const { qris, openSale, checkout } = get();
      const ours = qris?.paymentId === p.id || (qris?.saleId === p.saleId && qris.paymentId === null);
      if (ours) set({ qris: qrisView(p) });
      // Money received for the sale on screen always shows its receipt, even after a cancel was pressed.
      const forThisSale = openSale?.id === p.saleId || qris?.saleId === p.saleId;
      if (p.status === 'paid' && forThisSale && checkout !== 'receipt') void showReceipt(p.saleId);
    },
  };
};
