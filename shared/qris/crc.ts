/**
 * CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, xorout 0), the checksum of EMV MPM tag 63.
 * It runs over UTF-8 bytes: the common `charCodeAt(i) << 8` loop is wrong for any non-ASCII merchant name,
 * and XMODEM (init 0) or KERMIT (reflected) give different values that wallets reject.
 */
const utf8 = new TextEncoder();

export function crc16CcittFalse(s: string): number {
  let crc = 0xffff;
  for (const byte of utf8.encode(s)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}

/** Four uppercase hex digits, zero-padded: `0855`, never `855` (a classic EMV-library bug that fails payments). */
export function formatCrc(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new RangeError(`not a 16-bit CRC: ${String(n)}`);
  return n.toString(16).toUpperCase().padStart(4, '0');
}
