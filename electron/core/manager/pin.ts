/**
 * The manager PIN that guards the till's sync screen. Stored in the settings table as scrypt(pin, salt) with a
 * random 16-byte salt (never the PIN), compared in constant time. A few wrong tries in a row lock it for a
 * short, growing while; the count and the lockout survive a restart (they are in the same table), so turning
 * the till off and on does not buy more tries. Unlocking opens the screen for a while (in memory only).
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { ManagerPinView } from '../../../shared/ipc.ts';
import { readSettings, writeSettings } from '../db/repos/settings-repo.ts';
import { fail } from '../errors.ts';

/** Wrong tries in a row before a lockout. */
export const PIN_MAX_TRIES = 5;
/** The first lockout; each further one (every PIN_MAX_TRIES more wrong tries) doubles, up to PIN_LOCK_MAX_MS. */
export const PIN_LOCK_MS = 30_000;
export const PIN_LOCK_MAX_MS = 15 * 60_000;
/** How long an unlock keeps the sync screen open. */
export const PIN_UNLOCK_MS = 10 * 60_000;

const KEY = 'managerPin';
const FAILURES = 'managerPinFailures';
const LOCKED_UNTIL = 'managerPinLockedUntil';
/** scrypt cost: N=2^14, r=8, p=1 (Node's defaults; ~16 MiB and tens of ms per try). */
const PARAMS = { N: 16_384, r: 8, p: 1 } as const;
const KEY_LEN = 32;

type StoredPin = { algo: 'scrypt'; N: number; r: number; p: number; salt: string; hash: string };

function isStoredPin(v: unknown): v is StoredPin {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    o.algo === 'scrypt' &&
    typeof o.salt === 'string' &&
    typeof o.hash === 'string' &&
    [o.N, o.r, o.p].every((x) => Number.isInteger(x) && (x as number) > 0)
  );
}

function derive(pin: string, salt: Buffer, p: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((ok, ko) =>
    scrypt(pin, salt, KEY_LEN, { ...p, maxmem: 64 * 1024 * 1024 }, (e, key) => (e ? ko(e) : ok(key))),
  );
}

export class ManagerPin {
  readonly #db: Database;
  readonly #now: () => number;
  #unlockedUntil = 0;

  constructor(db: Database, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  view(): ManagerPinView {
    const s = readSettings(this.#db);
    const now = this.#now();
    const locked = typeof s[LOCKED_UNTIL] === 'number' && (s[LOCKED_UNTIL] as number) > now;
    return {
      set: isStoredPin(s[KEY]),
      lockedUntil: locked ? (s[LOCKED_UNTIL] as number) : null,
      unlockedUntil: this.#unlockedUntil > now ? this.#unlockedUntil : null,
    };
  }

  isUnlocked(): boolean {
    return this.#unlockedUntil > this.#now();
  }

  /** Throws PIN_REQUIRED unless the screen was unlocked and the unlock has not run out. */
  requireUnlocked(): void {
    if (!this.isUnlocked()) throw fail('PIN_REQUIRED', 'enter the manager PIN first');
  }

  /**
   * Sets the PIN. Changing an existing one needs the current PIN (checked like an unlock: wrong tries count
   * towards the lockout). A newly set PIN leaves the screen unlocked: the manager who set it is there.
   */
  async setPin(pin: string, currentPin?: string): Promise<ManagerPinView> {
    if (this.view().set) {
      if (currentPin === undefined) throw fail('PIN_REQUIRED', 'the current PIN is needed to change it');
      await this.#check(currentPin);
    }
    const salt = randomBytes(16);
    const hash = await derive(pin, salt, PARAMS);
    const stored: StoredPin = { algo: 'scrypt', ...PARAMS, salt: salt.toString('hex'), hash: hash.toString('hex') };
    writeSettings(this.#db, { [KEY]: stored, [FAILURES]: 0, [LOCKED_UNTIL]: null });
    this.#unlockedUntil = this.#now() + PIN_UNLOCK_MS;
    return this.view();
  }

  async unlock(pin: string): Promise<ManagerPinView> {
    if (!this.view().set) throw fail('PIN_REQUIRED', 'no manager PIN is set yet; set one in Settings');
    await this.#check(pin);
    this.#unlockedUntil = this.#now() + PIN_UNLOCK_MS;
    return this.view();
  }

  lock(): ManagerPinView {
    this.#unlockedUntil = 0;
    return this.view();
  }

  /** Verifies a PIN against the stored hash; counts a wrong one and locks out after PIN_MAX_TRIES in a row. */
  async #check(pin: string): Promise<void> {
    const v = this.view();
    if (v.lockedUntil !== null) throw fail('PIN_LOCKED', String(v.lockedUntil));
    const s = readSettings(this.#db);
    const stored = s[KEY];
    if (!isStoredPin(stored)) throw fail('PIN_REQUIRED', 'no manager PIN is set yet');
    const expected = Buffer.from(stored.hash, 'hex');
    const got = await derive(pin, Buffer.from(stored.salt, 'hex'), stored);
    if (got.length === expected.length && timingSafeEqual(got, expected)) {
      writeSettings(this.#db, { [FAILURES]: 0, [LOCKED_UNTIL]: null });
      return;
    }
    // Read again after the (slow) hash: two tries racing each other both count.
    const failures = Number(readSettings(this.#db)[FAILURES] ?? 0) + 1;
    const patch: Record<string, unknown> = { [FAILURES]: failures };
    if (failures % PIN_MAX_TRIES === 0) {
      const step = failures / PIN_MAX_TRIES - 1;
      const until = this.#now() + Math.min(PIN_LOCK_MAX_MS, PIN_LOCK_MS * 2 ** Math.min(step, 10));
      patch[LOCKED_UNTIL] = until;
      writeSettings(this.#db, patch);
      throw fail('PIN_LOCKED', String(until));
    }
    writeSettings(this.#db, patch);
    throw fail('PIN_WRONG', String(PIN_MAX_TRIES - (failures % PIN_MAX_TRIES)));
  }
}
