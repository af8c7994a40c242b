/** The sync page's store actions: the PIN gate, locking on leaving, the catalog reload on a catalog sync. */
import { beforeEach, describe, expect, it } from 'vitest';
import { createTillStore, startStore, type TillStore } from '../../../renderer/src/store/create-store.ts';
import { createTillApiDouble, type TillApiDouble } from './till-api-double.ts';

let api: TillApiDouble;
let store: TillStore;
const s = () => store.getState();

beforeEach(async () => {
  api = createTillApiDouble();
  store = createTillStore(api);
  await startStore(store, api);
});

describe('manager PIN and the sync page', () => {
  it('without a PIN the sync page offers to set one, which opens it', async () => {
    s().setPage('sync');
    await s().loadManagerPin();
    expect(s().managerPin).toMatchObject({ set: false });
    expect(s().syncDetails).toBeNull();
    expect(await s().setManagerPin('2468')).toBe(true);
    expect(s().managerPin).toMatchObject({ set: true });
    await expect.poll(() => s().syncDetails).not.toBeNull();
  });

  it('a wrong PIN is refused and shows nothing; the right one opens the details; leaving locks again', async () => {
    await s().setManagerPin('2468');
    await s().lockManager();
    s().setPage('sync');
    expect(await s().unlockManager('1111')).toBe(false);
    expect(s().managerError).toMatchObject({ code: 'PIN_WRONG', key: 'manager.pinWrong' });
    expect(s().syncDetails).toBeNull();
    expect(await s().unlockManager('2468')).toBe(true);
    expect(s().syncDetails).not.toBeNull();
    s().setPage('sale');
    expect(s().syncDetails).toBeNull();
    await expect.poll(() => api.callsTo('lockManager').length).toBe(2);
  });
});

describe('catalog sync', () => {
  it('reloads the tiles when the core says the catalog changed', async () => {
    const before = api.callsTo('listCatalog').length;
    api.emit('catalog:changed', { changed: 3 });
    await expect.poll(() => api.callsTo('listCatalog').length).toBe(before + 1);
    expect(s().catalogStatus).toBe('ready');
  });
});
