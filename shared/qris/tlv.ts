/**
 * EMV MPM TLV: id (2 digits) + length (2 digits, 01–99) + value. Lengths count characters — Unicode code
 * points, not UTF-16 units and not bytes (EMV 4.4.1.1) — so `Array.from`/`for…of` is used throughout, never
 * `.length`, which miscounts astral characters such as emoji in a merchant name.
 */
import { QrisError } from './errors.ts';

export type QrisNode = {
  id: string;
  /** The raw value. For a template it equals the serialisation of `children`. */
  value: string;
  /** Present when the tag is a template and its value parsed as TLV; absent for primitives. */
  children?: QrisNode[];
};

const TWO_DIGITS = /^[0-9]{2}$/;

/**
 * Which tags hold nested TLV. Root: 26–51 merchant accounts, 62 additional data, 64 language, 80–99
 * unreserved. Inside 62: 50–99 payment-system templates (GoPay puts a token in 62/50).
 */
export function isTemplateId(id: string, parentId?: string): boolean {
  if (!TWO_DIGITS.test(id)) return false;
  const n = Number(id);
  if (parentId === undefined) return (n >= 26 && n <= 51) || n === 62 || n === 64 || n >= 80;
  if (parentId === '62') return n >= 50;
  return false;
}

export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Parses one TLV level strictly (throws QrisError TLV_MALFORMED) and the templates inside it leniently: a
 * template whose value is not well-formed TLV stays a primitive, because acquirers put free text in places
 * the spec reserves for templates and a reader must not refuse a payload that wallets accept.
 * Pass `parentId` when parsing a template's value so nested templates (62/50–99) are recognised.
 */
export function parseTlv(s: string, parentId?: string): QrisNode[] {
  const cps = Array.from(s);
  const nodes: QrisNode[] = [];
  let pos = 0;
  while (pos < cps.length) {
    if (pos + 4 > cps.length) {
      throw new QrisError('TLV_MALFORMED', `truncated object header at character ${pos}`, { offset: pos });
    }
    const id = cps.slice(pos, pos + 2).join('');
    const len = cps.slice(pos + 2, pos + 4).join('');
    if (!TWO_DIGITS.test(id)) {
      throw new QrisError('TLV_MALFORMED', `tag id "${id}" at character ${pos} is not two digits`, { offset: pos });
    }
    const tag = parentId === undefined ? id : `${parentId}.${id}`;
    if (!TWO_DIGITS.test(len)) {
      throw new QrisError('TLV_MALFORMED', `length "${len}" of tag ${tag} is not two digits`, { tag, offset: pos });
    }
    const n = Number(len);
    if (n === 0) throw new QrisError('TLV_MALFORMED', `tag ${tag} has length 00`, { tag, offset: pos });
    if (pos + 4 + n > cps.length) {
      throw new QrisError('TLV_MALFORMED', `tag ${tag} says ${n} characters but only ${cps.length - pos - 4} remain`, {
        tag,
        offset: pos,
      });
    }
    const value = cps.slice(pos + 4, pos + 4 + n).join('');
    const node: QrisNode = { id, value };
    if (isTemplateId(id, parentId)) {
      const children = tryParseTlv(value, id);
      if (children) node.children = children;
    }
    nodes.push(node);
    pos += 4 + n;
  }
  return nodes;
}

function tryParseTlv(s: string, parentId: string): QrisNode[] | null {
  try {
    return parseTlv(s, parentId);
  } catch (e) {
    if (e instanceof QrisError) return null;
    throw e;
  }
}

/**
 * Writes nodes back as TLV. A template is written from its `children` (the source of truth when present), so
 * editing a child and re-serialising keeps the parent's length right. For nodes that came from `parseTlv`
 * the output is the input, character for character.
 */
export function serializeTlv(nodes: readonly QrisNode[]): string {
  let out = '';
  for (const node of nodes) {
    if (!TWO_DIGITS.test(node.id)) throw new QrisError('TLV_MALFORMED', `tag id "${node.id}" is not two digits`);
    const value = node.children ? serializeTlv(node.children) : node.value;
    const n = codePointLength(value);
    if (n === 0) throw new QrisError('TLV_MALFORMED', `tag ${node.id} has an empty value`, { tag: node.id });
    if (n > 99) {
      throw new QrisError('TOO_LONG', `tag ${node.id} is ${n} characters; the limit is 99`, { tag: node.id });
    }
    out += node.id + String(n).padStart(2, '0') + value;
  }
  return out;
}

/** A primitive node. */
export function tlv(id: string, value: string): QrisNode {
  return { id, value };
}

/** A template node whose value is computed from its children; throws as `serializeTlv` would. */
export function template(id: string, children: QrisNode[]): QrisNode {
  const node = { id, value: serializeTlv(children), children };
  serializeTlv([node]); // an empty or over-long template fails here, where it is built
  return node;
}

export function findNode(nodes: readonly QrisNode[] | undefined, id: string): QrisNode | undefined {
  return nodes?.find((n) => n.id === id);
}
