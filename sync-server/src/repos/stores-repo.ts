import type { Insertable } from 'kysely';
import type { StoreRow, StoresTable } from '../db/schema.ts';
import type { Executor } from './executor.ts';

export async function insertStore(db: Executor, s: Insertable<StoresTable>): Promise<void> {
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

export async function setStaticQris(
  db: Executor,
  id: string,
  s: { static_qris: string; static_provider: string | null; static_ref: string | null },
): Promise<boolean> {
  const r = await db.updateTable('stores').set(s).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function setOfflineLimits(
  db: Executor,
  id: string,
  l: { offline_max_amount: number; offline_max_unverified: number },
): Promise<boolean> {
  const r = await db.updateTable('stores').set(l).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The store whose static QR a provider's notification is about. */
export async function getStoreByStaticRef(
  db: Executor,
  provider: string,
  staticRef: string,
): Promise<StoreRow | undefined> {
  return db
    .selectFrom('stores')
    .selectAll()
    .where('static_provider', '=', provider)
    .where('static_ref', '=', staticRef)
    .executeTakeFirst();
}
