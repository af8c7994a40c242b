/**
 * QRIS while offline (../shared/DESIGN.md "Offline QRIS"): the rules a till keeps when it derives a dynamic
 * QRIS from the store's static one without the server. Pure, shared by the till core (which enforces them) and
 * the renderer (which explains them before the cashier presses Charge).
 */
import { isQrisAmount } from './money.ts';
import { toDynamic } from './qris/index.ts';

/** What the till knows about offline QRIS right now: the server's setup as cached, plus its own count. */
export type OfflineQrisLimits = {
  /** A static QRIS is cached (a Midtrans store, or a till that never reached its server, has none). */
  ready: boolean;
  /** Largest single offline QRIS payment, whole rupiah. */
  maxAmount: number;
  /** Largest total of unverified offline QRIS money this till may hold. */
  maxUnverifiedTotal: number;
  /** Unverified money held now: the larger of the till's own count and the server's last figure. */
  unverifiedTotal: number;
};

/**
 * What the status snapshot carries: the limits, plus what the screen needs to draw an offline QR at once
 * (the core derives the same QR with `deriveOfflineQr` and stays the authority on confirmation).
 */
export type OfflineQrisSetupView = OfflineQrisLimits & {
  staticQris: string | null;
  merchantName: string | null;
  /** Tag 62/07 of this till's offline QRs. */
  terminal: string;
};

/** Why only cash is offered offline; each has an id+en text in the renderer (`offline.reason.*`). */
export type OfflineQrisRefusal = 'no_static_qris' | 'invalid_amount' | 'over_max_amount' | 'over_unverified_total';

/** null when an offline QRIS payment of `amount` is allowed. */
export function offlineQrisRefusal(amount: number, l: OfflineQrisLimits): OfflineQrisRefusal | null {
  if (!l.ready) return 'no_static_qris';
  if (!isQrisAmount(amount)) return 'invalid_amount';
  if (amount > l.maxAmount) return 'over_max_amount';
  if (l.unverifiedTotal + amount > l.maxUnverifiedTotal) return 'over_unverified_total';
  return null;
}

/**
 * The reference label (tag 62/05) of an offline payment: `OFF` + the last 12 hex digits of its id (the random
 * part of a UUIDv7), upper case: 15 printable ASCII characters, unique per payment.
 */
export function offlineReference(paymentId: string): string {
  const hex = paymentId.replaceAll('-', '').toUpperCase();
  if (!/^[0-9A-F]{32}$/.test(hex)) throw new Error(`not a payment id: ${paymentId}`);
  return `OFF${hex.slice(-12)}`;
}

/** The dynamic QRIS of one offline payment: amount in 54, `offlineReference(paymentId)` in 62/05, terminal in 62/07. */
export function deriveOfflineQr(staticQris: string, amount: number, paymentId: string, terminal: string): string {
  return toDynamic(staticQris, { amount, reference: offlineReference(paymentId), terminal });
}

/** The terminal label (tag 62/07) from the till's name: printable ASCII only, at most 25 characters. */
export function terminalLabel(deviceName: string): string {
  const ascii = deviceName
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .trim()
    .slice(0, 25)
    .trim();
  return ascii === '' || ascii === '***' ? 'TILL' : ascii;
}
