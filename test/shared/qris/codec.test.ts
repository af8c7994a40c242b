import { describe, expect, it } from 'vitest';
import {
  buildQris,
  codePointLength,
  describeQris,
  isValidAmountText,
  parseQris,
  parseTlv,
  QrisError,
  type QrisErrorCode,
  serializeQris,
  tlv,
} from '../../../shared/qris/index.ts';
import { BAD_CRC, bodyOf, oracleCrc, VALID, withCrc } from './vectors.ts';

function errorOf(f: () => unknown): QrisError {
  try {
    f();
  } catch (e) {
    if (e instanceof QrisError) return e;
    throw e;
  }
  throw new Error('expected a QrisError');
}

// A minimal valid body to build hostile cases from: everything but the fault is right, CRC included.
const HEAD = '000201010211';
const TAIL = '5204581253033605802ID5904SPIN6007JAKARTA';
const ACCOUNT = '26300014COM.GO-JEK.WWW0108G5456007';
const FIVE_FULL_TAGS = ['90', '91', '92', '93', '94'].map((id) => `${id}99${'x'.repeat(99)}`).join('');
const amountPayload = (a: string) =>
  withCrc(`${HEAD}${ACCOUNT}52045812530336054${String(a.length).padStart(2, '0')}${a}5802ID5904SPIN6007JAKARTA`);

describe('parseQris: vectors', () => {
  it.each(Object.entries(VALID))('accepts %s and serialises it back byte for byte', (_, payload) => {
    const p = parseQris(payload);
    expect(p.raw).toBe(payload);
    expect(p.nodes[0]).toEqual({ id: '00', value: '01' });
    expect(p.nodes.at(-1)?.id).toBe('63');
    expect(serializeQris(p)).toBe(payload);
  });

  it.each(Object.entries(BAD_CRC))('rejects %s with CRC_MISMATCH and says what the CRC should be', (_, v) => {
    const e = errorOf(() => parseQris(v.payload));
    expect(e.code).toBe('CRC_MISMATCH');
    expect(e.actual).toBe(v.payload.slice(-4));
    expect(e.expected).toBe(oracleCrc(v.payload.slice(0, -4)));
    if (v.calc) expect(e.expected).toBe(v.calc);
  });

  it('accepts leading-zero CRCs (V05 ends in 0855) and a hand-built 0-leading case', () => {
    expect(parseQris(VALID.V05).nodes.at(-1)?.value).toBe('0855');
    // Search a label whose CRC starts with "0" so the padding path is exercised on a payload of our own.
    let found = '';
    for (let i = 0; !found; i++) {
      const p = withCrc(`${HEAD}${ACCOUNT}${TAIL}62070703T${String(i).padStart(2, '0')}`);
      if (p.slice(-4).startsWith('00')) found = p;
    }
    expect(parseQris(found).raw).toBe(found);
  });

  it('accepts non-ASCII merchant data whose CRC is over UTF-8 and whose lengths count characters', () => {
    const payload = buildQris([
      ...parseTlv(VALID.V03)
        .slice(0, -1)
        .map((n) => (n.id === '59' ? tlv('59', 'Kedai Ñoño 🍜 最佳') : n)),
      tlv('64', '0002ZH0104最佳运输0202北京'),
    ]);
    expect(payload).toContain('5915Kedai Ñoño 🍜 最佳'); // 15 characters, 16 UTF-16 units, 24 bytes
    expect(payload.slice(-4)).toBe(oracleCrc(payload.slice(0, -4)));
    expect(parseQris(payload).nodes.find((n) => n.id === '64')?.children).toHaveLength(3);
  });
});

describe('parseQris: hostile input', () => {
  const cases: [string, string, QrisErrorCode][] = [
    ['empty', '', 'EMPTY'],
    ['well-formed but over 512 characters', withCrc(`${HEAD}${ACCOUNT}${TAIL}${FIVE_FULL_TAGS}`), 'TOO_LONG'],
    ['length 00', withCrc(`${HEAD}5900${TAIL}`), 'TLV_MALFORMED'],
    ['truncated CRC (overrun)', VALID.V01.slice(0, -1), 'TLV_MALFORMED'],
    ['non-digit id', withCrc(`${HEAD}A102xx${TAIL}`), 'TLV_MALFORMED'],
    ['non-digit length', withCrc(`${HEAD}59A2xx${TAIL}`), 'TLV_MALFORMED'],
    ['junk after the CRC', `${VALID.V01}0`, 'TLV_MALFORMED'],
    ['a trailing newline', `${VALID.V01}\n`, 'TLV_MALFORMED'],
    ['lowercase CRC', `${VALID.V07.slice(0, -4)}6d3f`, 'CRC_MISMATCH'],
    ['CRC off by one bit', `${VALID.V01.slice(0, -1)}6`, 'CRC_MISMATCH'],
    ['63 not last', `${VALID.V01}0102AB`, 'CRC_NOT_LAST'],
    ['no 63 at all', bodyOf(VALID.V01), 'CRC_MISSING'],
    ['63 with length 05', `${bodyOf(VALID.V01)}630558C70`, 'CRC_FORMAT'],
    ['63 with length 03', `${bodyOf(VALID.V01)}630358C`, 'CRC_FORMAT'],
    ['two CRCs (an indexOf-based stripper leaves these)', withCrc(VALID.V08), 'DUPLICATE_TAG'],
    ['duplicate root tag', withCrc(`${HEAD}${ACCOUNT}${TAIL}5904SPIN`), 'DUPLICATE_TAG'],
    ['duplicate sub-tag in 62', withCrc(`${HEAD}${ACCOUNT}${TAIL}62140703A010703A02`), 'DUPLICATE_TAG'],
    ['00 not first', withCrc(`010211000201${ACCOUNT}${TAIL}`), 'INVALID_FIELD'],
    ['00 not 01', withCrc(`000202010211${ACCOUNT}${TAIL}`), 'INVALID_FIELD'],
    ['01 before 00 missing entirely', withCrc(`010211${ACCOUNT}${TAIL}`), 'INVALID_FIELD'],
  ];
  it.each(cases)('rejects %s', (_, payload, code) => {
    expect(errorOf(() => parseQris(payload)).code).toBe(code);
  });

  it('accepts exactly 512 characters and refuses 513, counting characters rather than UTF-16 units', () => {
    const base = `${HEAD}${ACCOUNT}${TAIL}`;
    const sized = (n: number, ch: string) => {
      // Fill with 99-character tags 90, 91, … then one shorter tag, so the whole payload is n characters.
      let body = base;
      let tag = 90;
      while (n - 8 - codePointLength(body) > 103) body += `${tag++}99${ch.repeat(99)}`;
      const rest = n - 8 - codePointLength(body) - 4;
      return withCrc(`${body}${tag}${String(rest).padStart(2, '0')}${ch.repeat(rest)}`);
    };
    expect(codePointLength(sized(512, '🍜'))).toBe(512);
    expect(sized(512, '🍜').length).toBeGreaterThan(900); // a .length check would refuse this valid payload
    expect(parseQris(sized(512, '🍜')).nodes.at(-1)?.id).toBe('63');
    expect(errorOf(() => parseQris(sized(513, 'x'))).code).toBe('TOO_LONG');
  });

  it('names the duplicated tag with its path', () => {
    expect(errorOf(() => parseQris(withCrc(`${HEAD}${ACCOUNT}${TAIL}62140703A010703A02`))).tag).toBe('62.07');
  });

  it('explains a lowercase CRC', () => {
    expect(errorOf(() => parseQris(`${VALID.V07.slice(0, -4)}6d3f`)).message).toMatch(/uppercase/);
  });

  it('refuses a non-string without throwing anything but QrisError', () => {
    expect(errorOf(() => parseQris(undefined as unknown as string)).code).toBe('INVALID_FIELD');
    expect(errorOf(() => parseQris(42 as unknown as string)).code).toBe('INVALID_FIELD');
  });

  it.each([
    ['0', false],
    ['0.00', false],
    ['000', false],
    ['1.000', false], // an Indonesian thousands separator, not Rp 1
    ['1000,00', false],
    ['1 000', false],
    ['-5', false],
    ['+5', false],
    ['.5', false],
    ['1e3', false],
    ['1..0', false],
    ['12345678901234', false], // 14 characters; the limit is 13
    ['5', true],
    ['1000', true],
    ['1000.', true],
    ['1000.00', true],
    ['98.73', true],
    ['39000.00', true],
    ['1234567890123', true],
  ])('amount (54) "%s" valid=%s', (amount, ok) => {
    expect(isValidAmountText(amount)).toBe(ok);
    const payload = amountPayload(amount);
    if (ok) expect(parseQris(payload).nodes.find((n) => n.id === '54')?.value).toBe(amount);
    else expect(errorOf(() => parseQris(payload)).code).toBe('INVALID_AMOUNT');
  });
});

describe('buildQris', () => {
  it('appends 6304 and the CRC, reproducing a vector from its nodes', () => {
    expect(buildQris(parseTlv(VALID.V05).slice(0, -1))).toBe(VALID.V05);
  });

  it('refuses nodes that already contain 63, and nodes that would not parse', () => {
    expect(errorOf(() => buildQris(parseTlv(VALID.V05))).code).toBe('INVALID_FIELD');
    expect(errorOf(() => buildQris([tlv('01', '11')])).code).toBe('INVALID_FIELD');
    expect(errorOf(() => buildQris([tlv('00', '01'), tlv('54', '0')])).code).toBe('INVALID_AMOUNT');
  });
});

describe('describeQris', () => {
  it('summarises a static QR for the till screen', () => {
    expect(describeQris(VALID.V01)).toEqual({
      valid: true,
      pointOfInitiation: 'static',
      merchantName: 'Warung Sayur Bu Sugeng',
      merchantCity: 'Kab. Demak',
      postalCode: '59567',
      mcc: '5812',
      currency: '360',
      countryCode: 'ID',
      amount: null,
      amountRaw: null,
      nmid: 'ID1020017611473',
      acquirers: [
        { tag: '26', gui: 'ID.DANA.WWW', mpan: '936009153022591481', merchantId: '022591481', criteria: 'UMI' },
      ],
      additional: {
        billNumber: null,
        mobileNumber: null,
        storeLabel: null,
        loyaltyNumber: null,
        referenceLabel: null,
        customerLabel: null,
        terminalLabel: null,
        purpose: null,
        consumerDataRequest: null,
      },
      crc: { expected: '58C7', actual: '58C7', valid: true },
    });
  });

  it('reads amounts: whole ones as rupiah, fractional ones only as raw text', () => {
    expect(describeQris(VALID.V05)).toMatchObject({ amount: 34000, amountRaw: '34000' });
    const body = `${HEAD.replace('11', '12')}${ACCOUNT}520458125303360`;
    expect(describeQris(withCrc(`${body}540839000.005802ID`))).toMatchObject({
      valid: true,
      pointOfInitiation: 'dynamic',
      amount: 39000,
      amountRaw: '39000.00',
    });
    expect(describeQris(withCrc(`${body}540598.735802ID`))).toMatchObject({
      valid: true,
      amount: null,
      amountRaw: '98.73',
    });
    expect(describeQris(withCrc(`${body}54051.0005802ID`))).toMatchObject({ valid: false, amount: null });
  });

  it('reads 62 sub-tags', () => {
    expect(describeQris(VALID.V08).additional).toMatchObject({ billNumber: '***', terminalLabel: 'A01' });
  });

  it('still shows whose QR it is when only the CRC is wrong', () => {
    const d = describeQris(BAD_CRC.N03.payload);
    expect(d).toMatchObject({
      valid: false,
      error: { code: 'CRC_MISMATCH' },
      merchantName: 'TEST MERCHANT',
      crc: { expected: '7F7A', actual: 'A79C', valid: false },
    });
  });

  it.each(['', 'hello', '\u{1F600}'.repeat(600), VALID.V01.slice(0, 40), undefined as unknown as string])(
    'never throws on garbage (%#)',
    (s) => {
      const d = describeQris(s);
      expect(d.valid).toBe(false);
      expect(d.error?.code).toBeTypeOf('string');
      expect(d.crc.valid).toBe(false);
    },
  );
});
