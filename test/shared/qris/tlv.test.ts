import { describe, expect, it } from 'vitest';
import {
  codePointLength,
  parseTlv,
  QrisError,
  type QrisNode,
  serializeTlv,
  template,
  tlv,
} from '../../../shared/qris/index.ts';
import { VALID } from './vectors.ts';

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof QrisError) return e.code;
    throw e;
  }
  throw new Error('expected a QrisError');
}

describe('parseTlv', () => {
  it('parses V08 into an ordered tree, reading tag 26 (length "63") as a template, not as a CRC', () => {
    const nodes = parseTlv(VALID.V08);
    expect(nodes.map((n) => n.id)).toEqual(['00', '01', '26', '51', '52', '53', '58', '59', '60', '61', '62', '63']);
    const t26 = nodes[2]!;
    expect(codePointLength(t26.value)).toBe(63);
    expect(t26.children).toEqual([
      { id: '00', value: 'ID.SPINPAY.WWW' },
      { id: '01', value: '936008163431000624' },
      { id: '02', value: '131431000624' },
      { id: '03', value: 'UMI' },
    ]);
    expect(nodes[10]).toEqual({
      id: '62',
      value: '0103***0703A01',
      children: [
        { id: '01', value: '***' },
        { id: '07', value: 'A01' },
      ],
    });
    expect(nodes[8]).toEqual({ id: '60', value: 'Jakarta Pusat' }); // primitives get no children
  });

  it('counts lengths in code points, so CJK and astral characters are one character each', () => {
    // EMV Annex example: "0104最佳运输" has length 04 although it is 12 UTF-8 bytes.
    const lang = '64200002ZH0104最佳运输0202北京';
    expect(parseTlv(lang)).toEqual([
      {
        id: '64',
        value: '0002ZH0104最佳运输0202北京',
        children: [
          { id: '00', value: 'ZH' },
          { id: '01', value: '最佳运输' },
          { id: '02', value: '北京' },
        ],
      },
    ]);
    // '🍜' is two UTF-16 units but one character: JS .length would say 9.
    expect(parseTlv('5908Warung 🍜6002ID')).toEqual([
      { id: '59', value: 'Warung 🍜' },
      { id: '60', value: 'ID' },
    ]);
    expect(serializeTlv([tlv('59', 'Warung 🍜')])).toBe('5908Warung 🍜');
  });

  it('keeps a template that is not valid TLV as a primitive, and unknown tags in their place', () => {
    const nodes = parseTlv('2605hello9903abc62040701');
    expect(nodes).toEqual([
      { id: '26', value: 'hello' },
      { id: '99', value: 'abc' },
      { id: '62', value: '0701' }, // "07" says 01 character follows but none does
    ]);
  });

  it('parses payment-system templates nested in 62 (50–99), leniently', () => {
    const [n62] = parseTlv('62230703A0150120008ID.CO.XY');
    expect(n62?.children?.[1]).toEqual({
      id: '50',
      value: '0008ID.CO.XY',
      children: [{ id: '00', value: 'ID.CO.XY' }],
    });
    const [gopay] = parseTlv('62325028A120260818025055rNt8gS9Lx9ID');
    expect(gopay?.children).toEqual([{ id: '50', value: 'A120260818025055rNt8gS9Lx9ID' }]);
  });

  it('round-trips every vector byte for byte', () => {
    for (const [name, payload] of Object.entries(VALID)) expect(serializeTlv(parseTlv(payload)), name).toBe(payload);
  });

  it.each([
    ['non-digit id', 'A102xx'],
    ['non-digit length', '000A01'],
    ['length 00', '0000'],
    ['value overruns the end', '000501'],
    ['truncated header', '000201590'],
    ['Arabic-Indic digits are not digits', '٠٠٠٢01'],
    ['a trailing newline from a scanner', '000201\n'],
  ])('rejects %s with TLV_MALFORMED', (_, s) => {
    expect(codeOf(() => parseTlv(s))).toBe('TLV_MALFORMED');
  });

  it('parses the empty string as no objects', () => {
    expect(parseTlv('')).toEqual([]);
  });
});

describe('serializeTlv', () => {
  it('writes templates from their children, so an edited child gets a correct parent length', () => {
    const t = template('62', [tlv('07', 'A01')]);
    expect(t.value).toBe('0703A01');
    const edited: QrisNode = { ...t, children: [tlv('05', 'INV-1'), tlv('07', 'A01')] };
    expect(serializeTlv([edited])).toBe('62160505INV-10703A01');
  });

  it('refuses values that TLV cannot carry', () => {
    expect(codeOf(() => serializeTlv([tlv('59', '')]))).toBe('TLV_MALFORMED');
    expect(codeOf(() => serializeTlv([tlv('5', 'x')]))).toBe('TLV_MALFORMED');
    expect(codeOf(() => serializeTlv([tlv('59', 'x'.repeat(100))]))).toBe('TOO_LONG');
    expect(serializeTlv([tlv('59', '🍜'.repeat(99))])).toBe(`5999${'🍜'.repeat(99)}`); // 99 characters, 198 units
    expect(codeOf(() => template('62', []))).toBe('TLV_MALFORMED');
  });
});
