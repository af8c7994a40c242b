/**
 * Store managers: accounts (argon2id password hashes), login and sessions.
 *
 * - A login answers the same way, after the same work, whether the email is unknown or the password wrong: an
 *   unknown email is still checked against a dummy hash, so neither the message nor the time tells them apart.
 * - A session id is 256 random bits, sent only in the HttpOnly cookie; the database keeps its SHA-256, so a
 *   copy of the database opens no session. Each session has its own CSRF token.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { newId } from '../../../shared/ids.ts';
import { MIN_MANAGER_PASSWORD } from '../../../shared/schemas/admin-api.ts';
import type { ManagerRow } from '../db/schema-admin.ts';
import type { Executor } from '../repos/executor.ts';
import {
  deleteExpiredSessions,
  deleteSession,
  findManagersByEmail,
  getLiveSession,
  insertManagerIfAbsent,
  insertSession,
  type SessionManager,
  setManagerPassword,
} from '../repos/managers-repo.ts';
import { getStore } from '../repos/stores-repo.ts';

export class ManagerInputError extends Error {
  override readonly name = 'ManagerInputError';
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();
const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;

export const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');

/** Refuses passwords a manager should not have; the message says why. */
export function checkPassword(password: string): void {
  if ([...password].length < MIN_MANAGER_PASSWORD) {
    throw new ManagerInputError(`the password must be at least ${MIN_MANAGER_PASSWORD} characters long`);
  }
  if (Buffer.byteLength(password) > 1024) throw new ManagerInputError('the password is too long (1024 bytes at most)');
}

export const hashPassword = (password: string): Promise<string> => hash(password);

/**
 * Adds a manager to a store, or sets the password of the existing one (`replace`). Returns whether the
 * manager was created.
 */
export async function addManager(
  db: Executor,
  o: { storeId: string; email: string; password: string; now: number; replace?: boolean },
): Promise<{ created: boolean; id: string | null }> {
  const email = normalizeEmail(o.email);
  if (!EMAIL_RE.test(email) || email.length > 254) throw new ManagerInputError(`not an email address: ${o.email}`);
  checkPassword(o.password);
  if (!(await getStore(db, o.storeId))) throw new ManagerInputError(`no store ${o.storeId}`);
  const passwordHash = await hashPassword(o.password);
  const id = newId();
  if (
    await insertManagerIfAbsent(db, { id, store_id: o.storeId, email, password_hash: passwordHash, created_at: o.now })
  ) {
    return { created: true, id };
  }
  if (!o.replace) throw new ManagerInputError(`store ${o.storeId} already has a manager ${email}`);
  await setManagerPassword(db, o.storeId, email, passwordHash);
  return { created: false, id: (await findManagersByEmail(db, email, o.storeId))[0]?.id ?? null };
}

let dummyHash: Promise<string> | null = null;
/** A hash no password matches, verified for unknown emails so they cost the same time as known ones. */
function dummy(): Promise<string> {
  dummyHash ??= hash(randomBytes(32).toString('base64url'));
  return dummyHash;
}

async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

export type LoginAttempt =
  | { ok: true; manager: ManagerRow }
  /** `known`: the email names a manager (of `storeId`), so the failure can be audited in that store. */
  | { ok: false; known: ManagerRow | null; ambiguous?: boolean };

/**
 * Checks an email and password. With several stores under one email and no store given, the password is
 * tried against each; a password that opens more than one is ambiguous and the caller asks for the store.
 */
export async function checkLogin(
  db: Executor,
  o: { email: string; password: string; store?: string | undefined },
): Promise<LoginAttempt> {
  const candidates = await findManagersByEmail(db, normalizeEmail(o.email), o.store);
  if (candidates.length === 0) {
    await verifyPassword(await dummy(), o.password);
    return { ok: false, known: null };
  }
  const matching: ManagerRow[] = [];
  for (const m of candidates) if (await verifyPassword(m.password_hash, o.password)) matching.push(m);
  if (matching.length === 1) return { ok: true, manager: matching[0]! };
  if (matching.length > 1) return { ok: false, known: null, ambiguous: true };
  return { ok: false, known: candidates.length === 1 ? candidates[0]! : null };
}

export type OpenedSession = { sessionId: string; csrfToken: string; expiresAt: number };

export async function openSession(db: Executor, managerId: string, now: number, ttlMs: number): Promise<OpenedSession> {
  // Housekeeping on the rare write path keeps the table the size of the live sessions.
  await deleteExpiredSessions(db, now);
  const sessionId = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const expiresAt = now + ttlMs;
  await insertSession(db, {
    idHash: sha256Hex(sessionId),
    managerId,
    csrfSecret: csrfToken,
    createdAt: now,
    expiresAt,
  });
  return { sessionId, csrfToken, expiresAt };
}

const SESSION_ID_RE = /^[A-Za-z0-9_-]{43}$/;

export async function resolveSession(db: Executor, sessionId: string, now: number): Promise<SessionManager | null> {
  if (!SESSION_ID_RE.test(sessionId)) return null;
  return (await getLiveSession(db, sha256Hex(sessionId), now)) ?? null;
}

export async function closeSession(db: Executor, sessionId: string): Promise<void> {
  if (SESSION_ID_RE.test(sessionId)) await deleteSession(db, sha256Hex(sessionId));
}

/** Constant-time comparison of a presented CSRF token with the session's (hashed first: equal lengths). */
export function csrfMatches(expected: string, presented: string | undefined): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || presented.length > 200) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(presented).digest();
  return timingSafeEqual(a, b);
}
