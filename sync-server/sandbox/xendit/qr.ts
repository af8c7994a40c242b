/**
 * QRIS strings for the Xendit sandbox, made with the shared codec so that every string carries a CRC the
 * wallets (and our own parser) accept.
 */
import { buildQris, describeQris, type QrisSummary, template, tlv, toDynamic } from '../../../shared/qris/index.ts';

/** A Xendit-acquired static QRIS for one merchant account: its MPAN, merchant id and NMID. */
function xenditStaticQr(ids: { mpan: string; merchantId: string; nmid: string }, extra: ReturnType<typeof tlv>[] = []) {
  return buildQris([
    tlv('00', '01'),
    tlv('01', '11'),
    template('26', [tlv('00', 'CO.XENDIT.WWW'), tlv('01', ids.mpan), tlv('02', ids.merchantId), tlv('03', 'UMI')]),
    template('51', [tlv('00', 'ID.CO.QRIS.WWW'), tlv('02', ids.nmid), tlv('03', 'UMI')]),
    tlv('52', '5411'),
    tlv('53', '360'),
    tlv('58', 'ID'),
    tlv('59', 'KASIR QRIS DEMO'),
    tlv('60', 'JAKARTA'),
    tlv('61', '10110'),
    ...extra,
  ]);
}

/**
 * A plausible Xendit-acquired static QRIS sticker. The acquirer template follows a live Xendit payload
 * (reference §3 X-C): GUI `CO.XENDIT.WWW` with NNS 93600848 in the MPAN, then the national 51 template with an
 * NMID. The name, city and postal code are the demo shop's.
 */
export function defaultMerchantStaticQr(): string {
  return xenditStaticQr({ mpan: '936008480000001234', merchantId: 'KQDEMO000000001', nmid: 'ID1025000000017' }, [
    template('62', [tlv('07', 'A01')]),
  ]);
}

/**
 * A STATIC QR created through the API: the demo merchant's sticker with its own merchant PAN and NMID, derived
 * from the QR id, so that payments to QRs derived from it can be told apart from the printed one's.
 */
export function staticQrString(qrId: string): string {
  const digits = [...qrId.replaceAll(/[^0-9a-f]/g, '')].map((c) => Number.parseInt(c, 16) % 10).join('');
  return xenditStaticQr({
    mpan: `93600848${digits.slice(0, 10)}`,
    merchantId: `KQ${digits.slice(10, 23)}`,
    nmid: `ID10${digits.slice(0, 11)}`,
  });
}

/** The 62/05 reference label for a QR id: `qr_` plus 22 hex digits of its UUID, within the 25-character limit. */
export function referenceLabel(qrId: string): string {
  return qrId.replaceAll('-', '').slice(0, 25);
}

/** A dynamic QR for one QR code: the merchant's static QR with the amount and the QR's own reference label. */
export function dynamicQrString(staticQr: string, amount: number, qrId: string): string {
  return toDynamic(staticQr, { amount, reference: referenceLabel(qrId) });
}

/** Whole-rupiah amount (tag 54) of a valid QRIS string, or null. */
export function qrAmount(qrString: string): number | null {
  const d = describeQris(qrString);
  return d.valid ? d.amount : null;
}

/**
 * True when a valid QRIS string pays the same merchant as the static QR: same acquirer accounts (26–45), NMID,
 * name and city. The till's offline QRs are built this way; wallets route them to the merchant like the sticker.
 */
export function isFromMerchantQr(qrString: string, staticQr: string): boolean {
  const a = describeQris(qrString);
  if (!a.valid) return false;
  const b = describeQris(staticQr);
  return sameMerchant(a, b);
}

function sameMerchant(a: QrisSummary, b: QrisSummary): boolean {
  return (
    a.nmid === b.nmid &&
    a.merchantName === b.merchantName &&
    a.merchantCity === b.merchantCity &&
    JSON.stringify(a.acquirers) === JSON.stringify(b.acquirers)
  );
}
