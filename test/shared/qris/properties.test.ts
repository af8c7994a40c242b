import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildQris,
  codePointLength,
  describeQris,
  isTemplateId,
  parseQris,
  parseTlv,
  QrisError,
  type QrisNode,
  serializeTlv,
  template,
  tlv,
  toDynamic,
} from '../../../shared/qris/index.ts';
import { oracleCrc, VALID } from './vectors.ts';

const id = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((n) => String(n).padStart(2, '0'));
// 'binary' units are whole code points, astral ones included, so lengths are exercised in characters.
const text = (max: number) => fc.string({ unit: 'binary', minLength: 1, maxLength: max });

/** Children of a template, sized so the template value stays within 99 characters. */
function children(parentId: string): fc.Arbitrary<QrisNode[]> {
  const child = id(0, 99).chain((cid): fc.Arbitrary<QrisNode> => {
    if (isTemplateId(cid, parentId)) {
      return fc
        .uniqueArray(fc.tuple(id(0, 99), text(8)), { minLength: 1, maxLength: 2, selector: (t) => t[0] })
        .map((kids) =>
          template(
            cid,
            kids.map(([k, v]) => tlv(k, v)),
          ),
        );
    }
    return text(20).map((v) => tlv(cid, v));
  });
  return fc.uniqueArray(child, { minLength: 1, maxLength: parentId === '62' ? 3 : 4, selector: (n) => n.id });
}

/** One root object at `nodeId`: a template with children where the spec has templates, else a primitive. */
function rootNode(nodeId: string): fc.Arbitrary<QrisNode> {
  if (nodeId === '54') return fc.integer({ min: 1, max: 99_999_999 }).map((n) => tlv('54', String(n)));
  if (isTemplateId(nodeId)) return children(nodeId).map((kids) => template(nodeId, kids));
  return text(40).map((v) => tlv(nodeId, v));
}

/** Root objects other than 00, 01 and 63, with unique ids, in random order. */
const rootNodes = (maxLength: number) =>
  fc.uniqueArray(
    id(2, 99)
      .filter((i) => i !== '63')
      .chain(rootNode),
    { maxLength, selector: (n) => n.id },
  );

const staticBody = rootNodes(6)
  .map((rest) => [tlv('00', '01'), tlv('01', '11'), ...rest])
  .filter((nodes) => codePointLength(serializeTlv(nodes)) <= 504);

function outcome(f: () => unknown): 'ok' | 'qris-error' {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof QrisError) return 'qris-error';
    throw e; // anything else is a bug: the property fails and fast-check shrinks the input
  }
}

describe('properties', () => {
  it('(a) parseTlv(serializeTlv(tree)) gives back the tree for random valid trees', () => {
    fc.assert(
      fc.property(rootNodes(8), (nodes) => {
        expect(parseTlv(serializeTlv(nodes))).toEqual(nodes);
      }),
    );
  });

  it('(a) buildQris output parses back to the same nodes plus a correct 63', () => {
    fc.assert(
      fc.property(staticBody, (nodes) => {
        const payload = buildQris(nodes);
        const parsed = parseQris(payload);
        expect(parsed.nodes.slice(0, -1)).toEqual(nodes);
        expect(payload.slice(-4)).toBe(oracleCrc(payload.slice(0, -4)));
      }),
    );
  });

  it('(b) parseQris returns or throws QrisError for arbitrary strings, and describeQris agrees', () => {
    const anyString = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom(...'0123456789ID.6304') }),
      fc.string({ unit: 'binary', maxLength: 2000 }),
    );
    fc.assert(
      fc.property(anyString, (s) => {
        const o = outcome(() => parseQris(s));
        expect(describeQris(s).valid).toBe(o === 'ok');
      }),
    );
  });

  const vector = fc.constantFrom(...Object.values(VALID));
  const mutation = fc.oneof(
    fc.tuple(fc.constant('replace' as const), fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 })),
    fc.tuple(fc.constant('insert' as const), fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 })),
    fc.tuple(fc.constant('delete' as const), fc.nat(), fc.integer({ min: 1, max: 8 }).map(String)),
  );

  it('(b) parseQris returns or throws QrisError for mutated vectors', () => {
    fc.assert(
      fc.property(vector, fc.array(mutation, { minLength: 1, maxLength: 3 }), (v, edits) => {
        let s = v;
        for (const [kind, at, arg] of edits) {
          const i = at % (s.length + 1);
          if (kind === 'replace') s = s.slice(0, i) + arg + s.slice(i + arg.length);
          else if (kind === 'insert') s = s.slice(0, i) + arg + s.slice(i);
          else s = s.slice(0, i) + s.slice(i + Number(arg));
        }
        outcome(() => parseQris(s));
        outcome(() => toDynamic(s, { amount: 1000 }));
        expect(describeQris(s).valid).toBe(outcome(() => parseQris(s)) === 'ok');
      }),
    );
  });

  it('(b) any single printable-ASCII substitution in a vector is rejected', () => {
    // One changed byte is an error burst shorter than 16 bits, which CRC-16 always detects; so this must hold
    // for every case, not just most.
    const printable = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(vector, fc.nat(), printable, (v, at, c) => {
        const i = at % v.length;
        fc.pre(v[i] !== c);
        expect(outcome(() => parseQris(v.slice(0, i) + c + v.slice(i + 1)))).toBe('qris-error');
      }),
    );
  });

  const label = fc
    .string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      minLength: 1,
      maxLength: 25,
    })
    .filter((s) => s !== '***');
  const amount = fc.integer({ min: 1, max: 10_000_000 });

  it('(c) toDynamic output parses, has 01=12 and 54=amount, and keeps every other tag in order', () => {
    const input = fc.oneof(
      fc.tuple(vector, fc.option(label, { nil: undefined }), fc.option(label, { nil: undefined })),
      fc.tuple(staticBody.map(buildQris), fc.constant(undefined), fc.constant(undefined)),
    );
    fc.assert(
      fc.property(input, amount, ([src, reference, terminal], amt) => {
        const before = parseQris(src).nodes;
        const out = toDynamic(src, {
          amount: amt,
          ...(reference !== undefined ? { reference } : {}),
          ...(terminal !== undefined ? { terminal } : {}),
        });
        const after = parseQris(out).nodes; // parses, so the CRC is right and nothing is duplicated
        expect(out.slice(-4)).toBe(oracleCrc(out.slice(0, -4)));
        expect(after[0]).toEqual(tlv('00', '01'));
        expect(after[1]).toEqual(tlv('01', '12'));
        expect(after.at(-1)?.id).toBe('63');
        const i54 = after.findIndex((n) => n.id === '54');
        expect(after[i54]).toEqual(tlv('54', String(amt)));
        const i58 = after.findIndex((n) => n.id === '58');
        // Right before 58, or appended last (just before the new 63) when there is no 58.
        expect(i58 < 0 ? i54 === after.length - 2 : i58 === i54 + 1).toBe(true);

        const labelled = reference !== undefined || terminal !== undefined;
        const changed = new Set(['01', '54', '55', '56', '57', '63', ...(labelled ? ['62'] : [])]);
        const keep = (ns: QrisNode[]) => ns.filter((n) => !changed.has(n.id));
        expect(keep(after)).toEqual(keep(before));

        if (labelled) {
          const subs = after.find((n) => n.id === '62')?.children ?? [];
          if (reference !== undefined) expect(subs.find((n) => n.id === '05')?.value).toBe(reference);
          if (terminal !== undefined) expect(subs.find((n) => n.id === '07')?.value).toBe(terminal);
          const untouched = (ns: QrisNode[]) =>
            ns.filter((n) => !(n.id === '05' && reference !== undefined) && !(n.id === '07' && terminal !== undefined));
          expect(untouched(subs)).toEqual(untouched(before.find((n) => n.id === '62')?.children ?? []));
        }
      }),
    );
  });
});
