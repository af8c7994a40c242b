/**
 * What would be at risk if the till were quit, logged out of its server or reset now: entries the server has
 * not acknowledged (sales and their total among them) and offline QRIS money no provider has confirmed yet.
 * One rule for the Electron quit dialog, the web host's `beforeunload` and the settings screen's confirmation.
 */
import { type Rupiah, rupiah } from './money.ts';

export type RiskSource = {
  pendingOutbox: number;
  parkedOutbox: number;
  pending: number;
  pendingTotal: Rupiah;
  unverifiedTotal: Rupiah;
};

export type UnsyncedRisk = {
  /** Outbox entries not acknowledged (queued + parked): sales, payments, cancels, shift reports. */
  entries: number;
  /** Sales the server does not have yet, and their total. */
  sales: number;
  salesTotal: Rupiah;
  /** Offline QRIS taken on the cashier's word, not yet confirmed by the provider. */
  unverifiedTotal: Rupiah;
};

/** null when nothing is at risk (quitting or logging out needs no confirmation then). */
export function unsyncedRisk(s: RiskSource): UnsyncedRisk | null {
  const entries = s.pendingOutbox + s.parkedOutbox;
  if (entries === 0 && s.unverifiedTotal === 0) return null;
  return { entries, sales: s.pending, salesTotal: rupiah(s.pendingTotal), unverifiedTotal: rupiah(s.unverifiedTotal) };
}
