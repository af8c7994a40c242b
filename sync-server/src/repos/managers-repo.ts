/** Store managers and their sessions (the session id itself is never stored, only its SHA-256). */
import '../db/schema-admin.ts';
import type { ManagerRow, NewManager } from '../db/schema-admin.ts';
import type { Executor } from './executor.ts';

/** Inserts unless the store already has a manager with this email; false when it had. */
export async function insertManagerIfAbsent(db: Executor, m: NewManager): Promise<boolean> {
  const r = await db
    .insertInto('managers')
    .values(m)
    .onConflict((oc) => oc.columns(['store_id', 'email']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return r !== undefined;
}

export async function setManagerPassword(
  db: Executor,
  storeId: string,
  email: string,
  passwordHash: string,
): Promise<boolean> {
  const r = await db
    .updateTable('managers')
    .set({ password_hash: passwordHash })
    .where('store_id', '=', storeId)
    .where('email', '=', email)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Every manager login with this email (one per store), or only the one of `storeId`. */
export async function findManagersByEmail(db: Executor, email: string, storeId?: string): Promise<ManagerRow[]> {
  let q = db.selectFrom('managers').selectAll().where('email', '=', email);
  if (storeId !== undefined) q = q.where('store_id', '=', storeId);
  return q.orderBy('store_id').limit(20).execute();
}

export async function insertSession(
  db: Executor,
  s: { idHash: string; managerId: string; csrfSecret: string; createdAt: number; expiresAt: number },
): Promise<void> {
  await db
    .insertInto('manager_sessions')
    .values({
      id_hash: s.idHash,
      manager_id: s.managerId,
      csrf_secret: s.csrfSecret,
      created_at: s.createdAt,
      expires_at: s.expiresAt,
    })
    .execute();
}

export type SessionManager = {
  managerId: string;
  email: string;
  storeId: string;
  storeName: string;
  csrfSecret: string;
  expiresAt: number;
};

/** The live session with this hash, with its manager and store; undefined when unknown or expired. */
export async function getLiveSession(db: Executor, idHash: string, now: number): Promise<SessionManager | undefined> {
  const r = await db
    .selectFrom('manager_sessions as s')
    .innerJoin('managers as m', 'm.id', 's.manager_id')
    .innerJoin('stores as st', 'st.id', 'm.store_id')
    .select([
      'm.id as managerId',
      'm.email',
      'm.store_id as storeId',
      'st.name as storeName',
      's.csrf_secret',
      's.expires_at',
    ])
    .where('s.id_hash', '=', idHash)
    .where('s.expires_at', '>', now)
    .executeTakeFirst();
  if (!r) return undefined;
  return {
    managerId: r.managerId,
    email: r.email,
    storeId: r.storeId,
    storeName: r.storeName,
    csrfSecret: r.csrf_secret,
    expiresAt: Number(r.expires_at),
  };
}

export async function deleteSession(db: Executor, idHash: string): Promise<void> {
  await db.deleteFrom('manager_sessions').where('id_hash', '=', idHash).execute();
}

/** Expired sessions are useless; removing them keeps the table the size of the live ones. */
export async function deleteExpiredSessions(db: Executor, now: number): Promise<void> {
  await db.deleteFrom('manager_sessions').where('expires_at', '<=', now).execute();
}
