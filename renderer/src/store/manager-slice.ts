import { thrown, toUiError } from './errors.ts';
import type { ManagerSlice, Slice } from './types.ts';

export const createManagerSlice: Slice<ManagerSlice> = (api) => (set, get) => ({
  managerPin: null,
  syncDetails: null,
  managerError: null,
  managerBusy: false,
  pinSaved: false,

  async loadManagerPin() {
    const r = await api.managerPin().catch((e: unknown) => ({ ok: false as const, error: thrown(e) }));
    if (!r.ok) return set({ managerError: toUiError(r.error) });
    set({ managerPin: r.data });
    if (r.data.unlockedUntil !== null && get().page === 'sync') void get().loadSyncDetails();
  },

  async setManagerPin(pin, currentPin) {
    set({ managerBusy: true, managerError: null, pinSaved: false });
    const r = await api
      .setManagerPin(currentPin === undefined ? { pin } : { pin, currentPin })
      .catch((e: unknown) => ({ ok: false as const, error: thrown(e) }));
    if (!r.ok) {
      set({ managerBusy: false, managerError: toUiError(r.error) });
      return false;
    }
    set({ managerBusy: false, managerPin: r.data, pinSaved: true });
    if (get().page === 'sync') void get().loadSyncDetails();
    return true;
  },

  async unlockManager(pin) {
    set({ managerBusy: true, managerError: null });
    const r = await api.unlockManager({ pin }).catch((e: unknown) => ({ ok: false as const, error: thrown(e) }));
    if (!r.ok) {
      set({ managerBusy: false, managerError: toUiError(r.error) });
      if (r.error.code === 'PIN_LOCKED') void get().loadManagerPin();
      return false;
    }
    set({ managerBusy: false, managerPin: r.data });
    await get().loadSyncDetails();
    return true;
  },

  async lockManager() {
    set({ syncDetails: null, managerError: null, pinSaved: false });
    const r = await api.lockManager().catch((e: unknown) => ({ ok: false as const, error: thrown(e) }));
    if (r.ok) set({ managerPin: r.data });
  },

  async loadSyncDetails() {
    const r = await api.syncDetails().catch((e: unknown) => ({ ok: false as const, error: thrown(e) }));
    if (!r.ok) {
      // The unlock ran out: back to the PIN prompt.
      if (r.error.code === 'PIN_REQUIRED') {
        set({ syncDetails: null });
        void get().loadManagerPin();
        return;
      }
      return set({ managerError: toUiError(r.error) });
    }
    set({ syncDetails: r.data });
  },

  async retryParkedItems(ids) {
    const r = await api
      .retryParked(ids ? { ids } : undefined)
      .catch((e: unknown) => ({ ok: false as const, error: thrown(e) }));
    if (!r.ok) return set({ managerError: toUiError(r.error) });
    get().onStatus(r.data);
    await get().loadSyncDetails();
  },
});
