import { thrown, toUiError } from './errors.ts';
import type { RecentSlice, Slice } from './types.ts';

export const RECENT_LIMIT = 50;

/** `YYYY-MM-DD` → that day in the till's own time zone, as an inclusive epoch-ms range; null if not a date. */
export function dayRange(day: string): { from: number; to: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const from = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime();
  const to = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1).getTime() - 1;
  return Number.isFinite(from) ? { from, to } : null;
}

export const createRecentSlice: Slice<RecentSlice> = (api) => (set, get) => ({
  recent: [],
  recentDay: '',

  setRecentDay(recentDay) {
    set({ recentDay });
    void get().loadRecent();
  },

  async loadRecent() {
    const range = dayRange(get().recentDay);
    const r = await api
      .recentSales({ limit: RECENT_LIMIT, ...(range ?? {}) })
      .catch((e: unknown) => ({ ok: false as const, error: thrown(e) }));
    if (r.ok) set({ recent: r.data });
  },

  async openRecent(saleId) {
    const sale = get().recent.find((s) => s.id === saleId);
    if (!sale || get().checkout !== 'none') return;
    if (sale.status === 'paid') {
      const r = await api.getSale({ saleId }).catch((e: unknown) => ({ ok: false as const, error: thrown(e) }));
      if (r.ok) set({ receipt: r.data, checkout: 'receipt' });
      else set({ error: toUiError(r.error) });
      return;
    }
    // An open (unpaid) sale goes back into the cart as it was recorded, ready to be charged again.
    get().clearCart();
    set({
      lines: sale.lines.map((l) => ({
        productId: l.productId,
        sku: l.sku,
        name: l.name,
        unitPrice: l.unitPrice,
        qty: l.qty,
      })),
      selectedProductId: sale.lines.at(-1)?.productId ?? null,
      discount: sale.discount,
      discountInput: sale.discount ? discountText(sale.discount) : '',
      openSale: sale,
      page: 'sale',
    });
  },

  onSaleUpdated(s) {
    const recent = get().recent;
    const range = dayRange(get().recentDay);
    // A sale outside the chosen day is not added to the filtered list (an update to a listed one still is).
    if (range && (s.createdAt < range.from || s.createdAt > range.to) && !recent.some((x) => x.id === s.id)) return;
    if (!recent.some((x) => x.id === s.id)) return set({ recent: [s, ...recent].slice(0, RECENT_LIMIT) });
    set({ recent: recent.map((x) => (x.id === s.id ? s : x)) });
  },
});

function discountText(d: { kind: 'amount' | 'percent_bp'; value: number }): string {
  if (d.kind === 'amount') return String(d.value);
  const whole = Math.trunc(d.value / 100);
  const frac = d.value % 100;
  return frac === 0 ? `${whole}%` : `${whole},${String(frac).padStart(2, '0')}%`;
}
