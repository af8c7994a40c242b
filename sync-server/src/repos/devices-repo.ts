import type { DeviceRow } from '../db/schema.ts';
import type { Executor } from './executor.ts';

export async function insertDevice(db: Executor, d: DeviceRow): Promise<void> {
  await db.insertInto('devices').values(d).execute();
}

export async function getDevice(db: Executor, id: string): Promise<DeviceRow | undefined> {
  return db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function touchDevice(db: Executor, id: string, now: number): Promise<void> {
  await db.updateTable('devices').set({ last_seen_at: now }).where('id', '=', id).execute();
}

export async function revokeDevice(db: Executor, id: string, now: number): Promise<boolean> {
  const r = await db
    .updateTable('devices')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
