import type { Database } from 'better-sqlite3';
import type { OfflineSetup } from '../../../../shared/schemas/sync-api.ts';

/** The store's offline QRIS setup as last fetched from `serverUrl` (GET /v1/store/offline). */
export type CachedOfflineSetup = OfflineSetup & { serverUrl: string; fetchedAt: number };

type Row = {
  server_url: string;
  static_qris: string | null;
  merchant_name: string | null;
  verified_by_provider: number;
  max_amount: number;
  max_unverified_total: number;
  unverified_total: number;
  fetched_at: number;
};

export function readOfflineSetup(db: Database): CachedOfflineSetup | null {
  const r = db.prepare('SELECT * FROM offline_setup WHERE id = 1').get() as Row | undefined;
  if (!r) return null;
  return {
    serverUrl: r.server_url,
    static_qris: r.static_qris,
    merchant_name: r.merchant_name,
    verified_by_provider: r.verified_by_provider === 1,
    max_amount: r.max_amount,
    max_unverified_total: r.max_unverified_total,
    unverified_total: r.unverified_total,
    fetchedAt: r.fetched_at,
  };
}

export function writeOfflineSetup(db: Database, serverUrl: string, s: OfflineSetup, now: number): void {
  db.prepare(
    `INSERT INTO offline_setup (id, server_url, static_qris, merchant_name, verified_by_provider, max_amount,
       max_unverified_total, unverified_total, fetched_at)
     VALUES (1, @serverUrl, @staticQris, @merchantName, @verified, @maxAmount, @maxTotal, @unverified, @now)
     ON CONFLICT (id) DO UPDATE SET server_url = excluded.server_url, static_qris = excluded.static_qris,
       merchant_name = excluded.merchant_name, verified_by_provider = excluded.verified_by_provider,
       max_amount = excluded.max_amount, max_unverified_total = excluded.max_unverified_total,
       unverified_total = excluded.unverified_total, fetched_at = excluded.fetched_at`,
  ).run({
    serverUrl,
    staticQris: s.static_qris,
    merchantName: s.merchant_name,
    verified: s.verified_by_provider ? 1 : 0,
    maxAmount: s.max_amount,
    maxTotal: s.max_unverified_total,
    unverified: s.unverified_total,
    now,
  });
}

/** Another server or store: its setup must not be used. */
export function clearOfflineSetup(db: Database): void {
  db.prepare('DELETE FROM offline_setup').run();
}
