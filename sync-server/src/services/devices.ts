/**
 * Devices (tills) and their bearer tokens. A token is `kq1.<device id>.<secret>`; only sha256(secret) is
 * stored. The secret is 256 random bits, so a fast hash is enough (no password stretching needed), and the
 * comparison is constant-time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { newId } from '../../../shared/ids.ts';
import type { ProviderId } from '../../../shared/schemas/sync-api.ts';
import type { DeviceRow } from '../db/schema.ts';
import { getDevice, insertDevice } from '../repos/devices-repo.ts';
import type { Executor } from '../repos/executor.ts';
import { getStore, insertStore } from '../repos/stores-repo.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest();
const TOKEN_RE = /^kq1\.([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/;

export async function enrolDevice(
  db: Executor,
  o: { storeId: string; storeName?: string; deviceName: string; provider: ProviderId; now: number },
): Promise<{ deviceId: string; token: string; storeCreated: boolean }> {
  let storeCreated = false;
  if (!(await getStore(db, o.storeId))) {
    await insertStore(db, { id: o.storeId, name: o.storeName ?? o.storeId, provider: o.provider, created_at: o.now });
    storeCreated = true;
  }
  const deviceId = newId();
  const secret = randomBytes(32).toString('base64url');
  await insertDevice(db, {
    id: deviceId,
    store_id: o.storeId,
    name: o.deviceName,
    token_hash: sha256(secret).toString('hex'),
    created_at: o.now,
    revoked_at: null,
    last_seen_at: null,
  });
  return { deviceId, token: `kq1.${deviceId}.${secret}`, storeCreated };
}

/** The device a bearer token belongs to, or null for anything malformed, unknown, revoked or wrong. */
export async function authenticateDevice(db: Executor, token: string): Promise<DeviceRow | null> {
  const m = TOKEN_RE.exec(token);
  if (!m) return null;
  const device = await getDevice(db, m[1]!);
  if (!device || device.revoked_at !== null) return null;
  const stored = Buffer.from(device.token_hash, 'hex');
  const given = sha256(m[2]!);
  return stored.length === given.length && timingSafeEqual(stored, given) ? device : null;
}
