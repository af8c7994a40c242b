import type { CatalogSlice, Slice } from './types.ts';

export const createCatalogSlice: Slice<CatalogSlice> = (api) => (set, get) => ({
  products: [],
  catalogStatus: 'idle',
  query: '',
  category: null,
  setQuery: (query) => set({ query }),
  setCategory: (category) => set({ category }),
  async loadCatalog() {
    // A reload after a catalog sync keeps the tiles on screen until the new ones arrive.
    if (get().products.length === 0) set({ catalogStatus: 'loading' });
    const r = await api.listCatalog().catch(() => null);
    if (r?.ok) set({ products: r.data.filter((p) => p.active), catalogStatus: 'ready' });
    else set({ catalogStatus: 'error' });
  },
});
