/**
 * The counter: receipt printer and its queue, the cashier's shift, and feeding the customer display with the
 * cart as it is built (the core prices it; the display never sees what the cashier types elsewhere).
 */
import type { PrintQueueView, ShiftView } from '../../../shared/counter.ts';
import type { Result } from '../bridge/index.ts';
import { parseRupiahInput } from '../lib/cart-math.ts';
import { thrown, toUiError } from './errors.ts';
import type { CounterSlice, Slice } from './types.ts';

async function safe<T>(p: Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await p;
  } catch (e) {
    return { ok: false, error: thrown(e) };
  }
}

const EMPTY_QUEUE: PrintQueueView = { queued: [], lastPrinted: null };

export const createCounterSlice: Slice<CounterSlice> = (api) => (set, get) => ({
  printer: null,
  printQueue: EMPTY_QUEUE,
  shift: null,
  floatInput: '',
  cashierInput: '',
  countedInput: '',
  counterBusy: false,
  counterError: null,
  printerSaved: false,

  async loadCounter() {
    const [p, q, s] = await Promise.all([safe(api.getPrinter()), safe(api.printQueue()), safe(api.currentShift())]);
    set({
      ...(p.ok ? { printer: p.data } : {}),
      ...(q.ok ? { printQueue: q.data } : {}),
      ...(s.ok ? { shift: keepSynced(get().shift, s.data) } : {}),
    });
  },

  async savePrinter(p) {
    set({ counterBusy: true, counterError: null, printerSaved: false });
    const r = await safe(api.savePrinter(p));
    if (r.ok) set({ printer: r.data, counterBusy: false, printerSaved: true });
    else set({ counterBusy: false, counterError: toUiError(r.error) });
    return r.ok;
  },

  async printReceipt(saleId) {
    const r = await safe(api.printReceipt({ saleId }));
    if (!r.ok) set({ counterError: toUiError(r.error) });
    else set({ counterError: null });
  },

  async retryPrints() {
    if (get().counterBusy) return;
    set({ counterBusy: true });
    const r = await safe(api.retryPrints());
    set({ counterBusy: false, ...(r.ok ? { printQueue: r.data } : { counterError: toUiError(r.error) }) });
  },

  setFloatInput: (floatInput) => set({ floatInput }),
  setCashierInput: (cashierInput) => set({ cashierInput }),
  setCountedInput: (countedInput) => set({ countedInput }),

  async openShift() {
    const openingFloat = parseRupiahInput(get().floatInput);
    const cashier = get().cashierInput.trim();
    if (openingFloat === null || cashier === '' || get().counterBusy) return;
    set({ counterBusy: true, counterError: null });
    const r = await safe(api.openShift({ openingFloat, cashier }));
    // The name stays filled in: the same cashier usually opens the next shift on this till.
    if (r.ok) set({ shift: r.data, counterBusy: false, floatInput: '' });
    else set({ counterBusy: false, counterError: toUiError(r.error) });
  },

  async closeShift() {
    const countedCash = parseRupiahInput(get().countedInput);
    if (countedCash === null || get().counterBusy || get().shift?.status !== 'open') return;
    set({ counterBusy: true, counterError: null });
    const r = await safe(api.closeShift({ countedCash }));
    if (r.ok) set({ shift: keepSynced(get().shift, r.data), counterBusy: false, countedInput: '' });
    else set({ counterBusy: false, counterError: toUiError(r.error) });
  },

  syncDisplay() {
    const { lines, discount, discountValid } = get();
    // A half-typed discount is not shown to the customer; the last valid cart stays on their screen.
    if (!discountValid) return;
    void safe(
      api.showCart({
        lines: lines.map((l) => ({ productId: l.productId, qty: l.qty })),
        ...(discount ? { discount } : {}),
      }),
    );
  },

  onPrintQueue: (printQueue) => set({ printQueue }),
  onShift: (shift: ShiftView | null) => {
    if (shift) set({ shift: keepSynced(get().shift, shift) });
  },
});

/**
 * A closed shift's report only ever goes from "waiting" to "on the server". The push event that says so can
 * overtake the answer to the close itself (two channels), so an older view never takes `synced` back.
 */
function keepSynced(current: ShiftView | null, incoming: ShiftView | null): ShiftView | null {
  if (current && incoming && current.id === incoming.id && current.status === 'closed' && current.synced) {
    return incoming.status === 'closed' && !incoming.synced ? { ...incoming, synced: true } : incoming;
  }
  return incoming;
}
