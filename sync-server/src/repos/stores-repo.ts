import type { StoreRow } from '../db/schema.ts';
import type { Executor } from './executor.ts';

export async function insertStore(db: Executor, s: StoreRow): Promise<void> {
  await db.insertInto('stores').values(s).execute();
}

export async function getStore(db: Executor, id: string): Promise<StoreRow | undefined> {
  return db.selectFrom('stores').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function setStoreProvider(db: Executor, id: string, provider: string): Promise<boolean> {
  const r = await db.updateTable('stores').set({ provider }).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function listStores(db: Executor): Promise<StoreRow[]> {
  return db.selectFrom('stores').selectAll().orderBy('created_at').execute();
}
