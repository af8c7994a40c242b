import type { ShiftRow } from '../db/schema.ts';
import type { Executor } from './executor.ts';

/** Inserts unless the id exists; returns whether this call inserted it (a concurrent replay loses quietly). */
export async function insertShift(db: Executor, s: ShiftRow): Promise<boolean> {
  const r = await db
    .insertInto('shifts')
    .values(s)
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return r !== undefined;
}

export async function getShift(db: Executor, id: string): Promise<ShiftRow | undefined> {
  return db.selectFrom('shifts').selectAll().where('id', '=', id).executeTakeFirst();
}
