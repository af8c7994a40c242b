/**
 * The sandbox's QR strings, made with the shared QRIS codec (shared/qris) so every one has a valid CRC and
 * decodes in any wallet: one dynamic payload per transaction, derived from the merchant's static QRIS.
 */
import {
  buildQris,
  describeQris,
  isQrisError,
  parseQris,
  template,
  tlv,
  toDynamic,
} from '../../../shared/qris/index.ts';

/**
 * A plausible GoPay-acquired static QRIS for a demo shop: GoPay's GUI and NNS (93600914) in tag 26, the
 * national repository (ID.CO.QRIS.WWW + NMID) in 51, MCC 5812, IDR, Jakarta. The CRC comes from the codec.
 */
export function defaultMerchantStaticQr(): string {
  return buildQris([
    tlv('00', '01'),
    tlv('01', '11'),
    template('26', [
      tlv('00', 'COM.GO-JEK.WWW'),
      tlv('01', '936009140000012345'),
      tlv('02', 'G000012345'),
      tlv('03', 'UMI'),
    ]),
    template('51', [tlv('00', 'ID.CO.QRIS.WWW'), tlv('02', 'ID1020000012345'), tlv('03', 'UMI')]),
    tlv('52', '5812'),
    tlv('53', '360'),
    tlv('58', 'ID'),
    tlv('59', 'KASIR QRIS DEMO'),
    tlv('60', 'JAKARTA'),
    tlv('61', '10110'),
    template('62', [tlv('07', 'A01')]),
  ]);
}

export function isValidQris(payload: string): boolean {
  try {
    parseQris(payload);
    return true;
  } catch (e) {
    if (isQrisError(e)) return false;
    throw e;
  }
}

/** Only a static payload can be re-amounted; a dynamic one belongs to one transaction already. */
export function isStaticQris(payload: string): boolean {
  return isValidQris(payload) && describeQris(payload).pointOfInitiation !== 'dynamic';
}

/**
 * The reference label (62/05, ≤ 25 characters) is the transaction id's first 25 hex digits: 100 random
 * bits, so two transactions for the same amount never share a QR string.
 */
export const referenceLabelFor = (transactionId: string) => transactionId.replaceAll('-', '').slice(0, 25);

export function dynamicQr(staticQr: string, amount: number, transactionId: string): string {
  return toDynamic(staticQr, { amount, reference: referenceLabelFor(transactionId) });
}

/** Midtrans's merchant_id for this QR: the acquirer's merchant id (26/02, "G…" for GoPay), else the NMID. */
export function merchantIdOf(staticQr: string): string {
  const d = describeQris(staticQr);
  return d.acquirers[0]?.merchantId ?? d.nmid ?? 'G000000000';
}
