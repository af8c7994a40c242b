import type { CatalogSlice, Slice } from './types.ts';

export const createCatalogSlice: Slice<CatalogSlice> = (api) => (set) => ({
  products: [],
  catalogStatus: 'idle',
  query: '',
  category: null,
  setQuery: (query) => set({ query }),
  setCategory: (category) => set({ category }),
  async loadCatalog() {
    set({ catalogStatus: 'loading' });
    const r = await api.listCatalog().catch(() => null);
    if (r?.ok) set({ products: r.data.filter((p) => p.active), catalogStatus: 'ready' });
    else set({ catalogStatus: 'error' });
  },
});
