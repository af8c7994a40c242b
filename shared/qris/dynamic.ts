/**
 * Static → dynamic conversion for offline payments (../reference/qris.md §5.1). The till derives a one-off
 * payload from the store's printed static QR: 01=12, 54=amount, optional 62/05 reference and 62/07 terminal
 * labels, new CRC. Everything else is kept in its original order, because issuers compare tag order and
 * content with what they registered.
 */
import { isQrisAmount } from '../money.ts';
import { buildQris, parseQris } from './codec.ts';
import { QrisError } from './errors.ts';
import { findNode, type QrisNode, template, tlv } from './tlv.ts';

export type DynamicOptions = {
  /** Whole rupiah, 1…10,000,000 (Bank Indonesia's per-transaction QRIS limit). */
  amount: number;
  /** Tag 62 sub 05, the reference label the payer's app echoes back; ≤ 25 printable ASCII characters. */
  reference?: string;
  /** Tag 62 sub 07, the terminal label; ≤ 25 printable ASCII characters. */
  terminal?: string;
};

/** The EMV "ans" common character set: printable ASCII, space included. */
const ANS_LABEL = /^[\x20-\x7e]{1,25}$/;

// Tags that describe an amount or fee. All of them go, so an old fee (55–57) can never ride along with the new
// amount, and no id can end up duplicated.
const DROPPED = new Set(['54', '55', '56', '57', '63']);

export function toDynamic(staticPayload: string, opts: DynamicOptions): string {
  const { nodes } = parseQris(staticPayload); // refuses bad TLV and a wrong CRC before we touch anything
  const poi = findNode(nodes, '01');
  if (poi && poi.value !== '11') {
    // A dynamic QR belongs to one transaction at its PSP; re-amounting it would make a payment nobody expects.
    throw new QrisError('NOT_STATIC', `point of initiation (01) is "${poi.value}", not static (11)`, { tag: '01' });
  }
  if (!isQrisAmount(opts.amount)) {
    throw new QrisError('INVALID_AMOUNT', `amount must be whole rupiah 1…10000000, got ${String(opts.amount)}`, {
      tag: '54',
    });
  }
  const labels: [string, string | undefined][] = [
    ['05', checkLabel('05', opts.reference)],
    ['07', checkLabel('07', opts.terminal)],
  ];

  const amount = tlv('54', String(opts.amount));
  const out: QrisNode[] = [];
  for (const n of nodes) {
    if (DROPPED.has(n.id)) continue;
    if (n.id === '58') out.push(amount); // issuers put 54 right before 58 (reference §5.1 step 4)
    out.push(n.id === '01' ? tlv('01', '12') : n);
    if (n.id === '00' && !poi) out.push(tlv('01', '12'));
  }
  if (!out.includes(amount)) out.push(amount);

  const wanted = labels.filter((l): l is [string, string] => l[1] !== undefined);
  if (wanted.length > 0) {
    const i = out.findIndex((n) => n.id === '62');
    const old = out[i];
    if (old && !old.children) {
      throw new QrisError('INVALID_FIELD', 'existing additional data (62) is not TLV; cannot add labels', {
        tag: '62',
      });
    }
    let subs = old?.children ?? [];
    for (const [id, value] of wanted) subs = upsert(subs, tlv(id, value));
    const merged = template('62', subs);
    if (old) out[i] = merged;
    else out.splice(insertionIndex(out, '62'), 0, merged);
  }
  return buildQris(out);
}

function checkLabel(sub: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  // "***" tells the payer's app to ask the payer for the value, which would defeat matching on it.
  if (typeof v !== 'string' || !ANS_LABEL.test(v) || v === '***') {
    throw new QrisError('INVALID_FIELD', `label 62.${sub} must be 1–25 printable ASCII characters`, {
      tag: `62.${sub}`,
    });
  }
  return v;
}

/** Replaces a same-id node in place, or inserts in id order before the first larger id (else at the end). */
function upsert(nodes: readonly QrisNode[], node: QrisNode): QrisNode[] {
  const at = nodes.findIndex((n) => n.id === node.id);
  if (at >= 0) return nodes.map((n, i) => (i === at ? node : n));
  const copy = [...nodes];
  copy.splice(insertionIndex(nodes, node.id), 0, node);
  return copy;
}

function insertionIndex(nodes: readonly QrisNode[], id: string): number {
  const i = nodes.findIndex((n) => n.id > id);
  return i < 0 ? nodes.length : i;
}
