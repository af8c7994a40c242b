import type { Product } from '../bridge/index.ts';
import { parseDiscount } from '../lib/cart-math.ts';
import type { CartSlice, Slice, TillState } from './types.ts';

/** The core refuses more than this per line (shared/ipc.ts SaleLineInput). */
export const MAX_QTY = 999;

/** Any change to what is being sold means the recorded open sale no longer matches the cart. */
const changed = { openSale: null, error: null } satisfies Partial<TillState>;

export const createCartSlice: Slice<CartSlice> = (api) => (set, get) => {
  const add = (p: Product) => {
    const lines = get().lines;
    const existing = lines.find((l) => l.productId === p.id);
    const next = existing
      ? lines.map((l) => (l.productId === p.id ? { ...l, qty: Math.min(MAX_QTY, l.qty + 1) } : l))
      : [...lines, { productId: p.id, sku: p.sku, name: p.name, unitPrice: p.price, qty: 1 }];
    set({
      ...changed,
      lines: next,
      selectedProductId: p.id,
      flash: { kind: 'ok', key: 'catalog.added', params: { name: p.name } },
    });
  };

  return {
    lines: [],
    selectedProductId: null,
    discountInput: '',
    discount: null,
    discountValid: true,
    openSale: null,
    flash: null,

    addProduct(productId) {
      const p = get().products.find((x) => x.id === productId);
      if (p) add(p);
    },

    async addByCode(raw) {
      const code = raw.trim();
      if (code === '') return;
      // The loaded catalogue answers a scan instantly; the core is asked only for codes it does not hold
      // (a product added since the catalogue was loaded).
      const lower = code.toLowerCase();
      const local = get().products.find((p) => p.sku.toLowerCase() === lower || p.barcode === code);
      if (local) return add(local);
      const r = await api.findProduct({ code }).catch(() => null);
      if (r?.ok && r.data) return add(r.data);
      set({ flash: { kind: 'error', key: 'catalog.notFound', params: { code } } });
    },

    changeQty(productId, delta) {
      const lines = get().lines.flatMap((l) => {
        if (l.productId !== productId) return [l];
        const qty = Math.min(MAX_QTY, l.qty + delta);
        return qty > 0 ? [{ ...l, qty }] : [];
      });
      const selected = get().selectedProductId;
      set({
        ...changed,
        lines,
        selectedProductId: lines.some((l) => l.productId === selected) ? selected : (lines.at(-1)?.productId ?? null),
      });
    },

    removeLine(productId) {
      const lines = get().lines.filter((l) => l.productId !== productId);
      const selected = get().selectedProductId;
      set({
        ...changed,
        lines,
        selectedProductId: selected === productId ? (lines.at(-1)?.productId ?? null) : selected,
      });
    },

    selectLine: (productId) => set({ selectedProductId: productId }),

    moveSelection(delta) {
      const { lines, selectedProductId } = get();
      if (lines.length === 0) return;
      const i = lines.findIndex((l) => l.productId === selectedProductId);
      const next = i < 0 ? (delta > 0 ? 0 : lines.length - 1) : Math.max(0, Math.min(lines.length - 1, i + delta));
      set({ selectedProductId: lines[next]?.productId ?? null });
    },

    setDiscountInput(discountInput) {
      const parsed = parseDiscount(discountInput);
      const prev = get().discount;
      const discount = parsed.ok ? parsed.discount : prev;
      const same = JSON.stringify(discount) === JSON.stringify(prev);
      set({ discountInput, discountValid: parsed.ok, discount, ...(same ? {} : changed) });
    },

    clearCart: () =>
      set({
        ...changed,
        lines: [],
        selectedProductId: null,
        discountInput: '',
        discount: null,
        discountValid: true,
        flash: null,
      }),
  };
};
