/**
 * Whole-payload rules on top of the TLV layer: 00 first, 63 last with a correct CRC, no duplicate ids, a
 * well-formed amount. See ../reference/qris.md (§1, §2.1, §4) for where each rule comes from.
 */
import { type Rupiah, rupiah } from '../money.ts';
import { crc16CcittFalse, formatCrc } from './crc.ts';
import { QrisError, type QrisErrorCode } from './errors.ts';
import { codePointLength, findNode, parseTlv, type QrisNode, serializeTlv } from './tlv.ts';

/** A payload that passed every check in `parseQris`. `nodes` serialise back to `raw` exactly. */
export type QrisPayload = { raw: string; nodes: QrisNode[] };

export const QRIS_MAX_PAYLOAD_LENGTH = 512;

/**
 * EMV 4.7.4 / QRIS 4.7.8.1: digits with at most one '.', never zero, no thousands separators, ≤ 13 chars. We
 * allow at most two decimals like spring-qris does, which is also what turns `1.000` (a thousands separator
 * typed the Indonesian way) into an error instead of Rp 1.
 */
export function isValidAmountText(s: string): boolean {
  return s.length <= 13 && /^[0-9]+(\.[0-9]{0,2})?$/.test(s) && /[1-9]/.test(s);
}

/** Parses and validates a QRIS/EMV MPM payload. Throws QrisError (and nothing else) when it is not valid. */
export function parseQris(payload: string): QrisPayload {
  if (typeof payload !== 'string') throw new QrisError('INVALID_FIELD', 'payload is not a string');
  if (payload === '') throw new QrisError('EMPTY', 'payload is empty');
  const length = codePointLength(payload);
  if (length > QRIS_MAX_PAYLOAD_LENGTH) {
    throw new QrisError('TOO_LONG', `payload is ${length} characters; the limit is ${QRIS_MAX_PAYLOAD_LENGTH}`);
  }
  const nodes = parseTlv(payload);
  checkCrc(payload, nodes);

  const first = nodes[0];
  if (first?.id !== '00') {
    throw new QrisError('INVALID_FIELD', `payload must start with tag 00, starts with ${first?.id}`, { tag: '00' });
  }
  if (first.value !== '01') {
    throw new QrisError('INVALID_FIELD', `payload format indicator (00) must be 01, is "${first.value}"`, {
      tag: '00',
    });
  }
  checkDuplicates(nodes, undefined);
  const amount = findNode(nodes, '54');
  if (amount && !isValidAmountText(amount.value)) {
    throw new QrisError('INVALID_AMOUNT', `amount (54) "${amount.value}" is not a valid non-zero amount`, {
      tag: '54',
    });
  }
  return { raw: payload, nodes };
}

function checkCrc(payload: string, nodes: readonly QrisNode[]): void {
  const last = nodes.at(-1);
  if (last?.id !== '63') {
    if (nodes.some((n) => n.id === '63')) throw new QrisError('CRC_NOT_LAST', 'CRC (63) is not the last object');
    throw new QrisError('CRC_MISSING', 'payload has no CRC (63)');
  }
  if (codePointLength(last.value) !== 4) {
    throw new QrisError('CRC_FORMAT', `CRC (63) must have length 04, has ${codePointLength(last.value)}`, {
      tag: '63',
    });
  }
  const expected = expectedCrc(payload, last);
  if (last.value !== expected) {
    // Lowercase hex is refused too: payment apps disagree on it and every issuer emits uppercase.
    const why = last.value.toUpperCase() === expected ? ' (must be uppercase hex)' : '';
    throw new QrisError('CRC_MISMATCH', `CRC is ${last.value}, expected ${expected}${why}`, {
      tag: '63',
      expected,
      actual: last.value,
    });
  }
}

/** The CRC covers everything up to and including "6304", i.e. the whole payload minus the CRC value itself. */
function expectedCrc(payload: string, crcNode: QrisNode): string {
  return formatCrc(crc16CcittFalse(payload.slice(0, payload.length - crcNode.value.length)));
}

function checkDuplicates(nodes: readonly QrisNode[], parent: string | undefined): void {
  const seen = new Set<string>();
  for (const n of nodes) {
    const tag = parent === undefined ? n.id : `${parent}.${n.id}`;
    if (seen.has(n.id)) throw new QrisError('DUPLICATE_TAG', `tag ${tag} appears more than once`, { tag });
    seen.add(n.id);
    if (n.children) checkDuplicates(n.children, tag);
  }
}

/** The payload text for a parsed payload; identical to `p.raw` for anything `parseQris` returned. */
export function serializeQris(p: QrisPayload): string {
  return serializeTlv(p.nodes);
}

/**
 * Serialises `nodes` (which must not contain 63), appends "6304" and the CRC, and validates the result with
 * `parseQris`, so whatever this returns is a payload we would accept ourselves.
 */
export function buildQris(nodes: readonly QrisNode[]): string {
  if (nodes.some((n) => n.id === '63')) {
    throw new QrisError('INVALID_FIELD', 'buildQris appends the CRC (63) itself; remove it from the input', {
      tag: '63',
    });
  }
  const body = `${serializeTlv(nodes)}6304`;
  return parseQris(body + formatCrc(crc16CcittFalse(body))).raw;
}

export type QrisAcquirer = {
  tag: string;
  gui: string | null;
  mpan: string | null;
  merchantId: string | null;
  criteria: string | null;
};

export type QrisAdditionalData = {
  billNumber: string | null;
  mobileNumber: string | null;
  storeLabel: string | null;
  loyaltyNumber: string | null;
  referenceLabel: string | null;
  customerLabel: string | null;
  terminalLabel: string | null;
  purpose: string | null;
  consumerDataRequest: string | null;
};

export type QrisSummary = {
  valid: boolean;
  error?: { code: QrisErrorCode; message: string };
  pointOfInitiation: 'static' | 'dynamic' | null;
  merchantName: string | null;
  merchantCity: string | null;
  postalCode: string | null;
  mcc: string | null;
  currency: string | null;
  countryCode: string | null;
  /** Whole rupiah when tag 54 is a valid whole amount (`39000.00` → 39000); null when absent or fractional. */
  amount: Rupiah | null;
  amountRaw: string | null;
  /** National Merchant ID, tag 51 sub 02. */
  nmid: string | null;
  /** Domestic acquirer templates 26–45 in payload order. */
  acquirers: QrisAcquirer[];
  additional: QrisAdditionalData;
  crc: { expected: string | null; actual: string | null; valid: boolean };
};

/**
 * A readable summary for the till screen and the CLI. Never throws on bad input: an invalid payload gives
 * `valid: false` with the error, plus whatever fields could still be read from well-formed TLV (so a cashier
 * can see *whose* QR has a bad CRC).
 */
export function describeQris(payload: string): QrisSummary {
  let nodes: QrisNode[] | null = null;
  let error: QrisSummary['error'];
  try {
    nodes = parseQris(payload).nodes;
  } catch (e) {
    if (!(e instanceof QrisError)) throw e;
    error = { code: e.code, message: e.message };
    if (e.code !== 'TOO_LONG' && typeof payload === 'string') nodes = parseTlvOrNull(payload);
  }
  const root = nodes ?? [];
  const value = (id: string) => findNode(root, id)?.value ?? null;
  const sub = (id: string, subId: string) => findNode(findNode(root, id)?.children, subId)?.value ?? null;

  const poi = value('01');
  const amountRaw = value('54');
  const wholeAmount = amountRaw !== null && isValidAmountText(amountRaw) && /^[0-9]+(\.0*)?$/.test(amountRaw);
  const last = root.at(-1);
  const crcActual = value('63');
  const crcExpected = last?.id === '63' && codePointLength(last.value) === 4 ? expectedCrc(payload, last) : null;

  const acquirers: QrisAcquirer[] = root
    .filter((n) => Number(n.id) >= 26 && Number(n.id) <= 45)
    .map((n) => ({
      tag: n.id,
      gui: findNode(n.children, '00')?.value ?? null,
      mpan: findNode(n.children, '01')?.value ?? null,
      merchantId: findNode(n.children, '02')?.value ?? null,
      criteria: findNode(n.children, '03')?.value ?? null,
    }));

  return {
    valid: error === undefined,
    ...(error ? { error } : {}),
    pointOfInitiation: poi === '11' ? 'static' : poi === '12' ? 'dynamic' : null,
    merchantName: value('59'),
    merchantCity: value('60'),
    postalCode: value('61'),
    mcc: value('52'),
    currency: value('53'),
    countryCode: value('58'),
    amount: wholeAmount ? rupiah(Number(amountRaw.split('.')[0])) : null,
    amountRaw,
    nmid: sub('51', '02'),
    acquirers,
    additional: {
      billNumber: sub('62', '01'),
      mobileNumber: sub('62', '02'),
      storeLabel: sub('62', '03'),
      loyaltyNumber: sub('62', '04'),
      referenceLabel: sub('62', '05'),
      customerLabel: sub('62', '06'),
      terminalLabel: sub('62', '07'),
      purpose: sub('62', '08'),
      consumerDataRequest: sub('62', '09'),
    },
    crc: { expected: crcExpected, actual: crcActual, valid: crcExpected !== null && crcExpected === crcActual },
  };
}

function parseTlvOrNull(s: string): QrisNode[] | null {
  try {
    return parseTlv(s);
  } catch (e) {
    if (e instanceof QrisError) return null;
    throw e;
  }
}
