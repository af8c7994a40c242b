import { describe, expect, it } from 'vitest';
import { describeQris, parseQris, parseTlv, QrisError, toDynamic } from '../../../shared/qris/index.ts';
import { BAD_CRC, bodyOf, C1, C4, oracleCrc, VALID, withCrc } from './vectors.ts';

function errorOf(f: () => unknown): QrisError {
  try {
    f();
  } catch (e) {
    if (e instanceof QrisError) return e;
    throw e;
  }
  throw new Error('expected a QrisError');
}
const ids = (payload: string) => parseTlv(payload).map((n) => n.id);

describe('toDynamic', () => {
  it('reproduces C1 (V03 + Rp 25.000) and C4 (V02 + Rp 50.000) exactly', () => {
    expect(toDynamic(C1.from, { amount: C1.amount })).toBe(C1.to);
    expect(toDynamic(C4.from, { amount: C4.amount })).toBe(C4.to);
  });

  it('replaces an existing amount instead of adding a second 54, and keeps it just before 58', () => {
    const out = toDynamic(VALID.V05, { amount: 7 });
    expect(ids(out)).toEqual(['00', '01', '26', '51', '52', '53', '54', '58', '59', '60', '61', '62', '63']);
    expect(describeQris(out)).toMatchObject({ valid: true, amount: 7, amountRaw: '7', pointOfInitiation: 'dynamic' });
  });

  it('drops old tip and fee tags (55–57) so no fee rides along with the new amount', () => {
    const n01Fixed = withCrc(bodyOf(BAD_CRC.N01.payload)); // N01 with its CRC repaired
    expect(ids(n01Fixed)).toContain('57');
    const out = toDynamic(n01Fixed, { amount: 12_000 });
    expect(ids(out)).toEqual(['00', '01', '26', '52', '53', '54', '58', '59', '60', '61', '62', '63']);
  });

  it('inserts 01=12 right after 00 when the static QR has no 01', () => {
    const no01 = withCrc(bodyOf(VALID.V03).replace(/^000201010211/, '000201'));
    const out = toDynamic(no01, { amount: 25_000 });
    expect(out).toBe(C1.to);
  });

  it('appends 54 at the end when there is no 58', () => {
    const no58 = withCrc(bodyOf(VALID.V03).replace('5802ID', ''));
    expect(ids(toDynamic(no58, { amount: 1 })).slice(-3)).toEqual(['62', '54', '63']);
  });

  it('merges reference and terminal labels into an existing 62, keeping its other sub-tags in order', () => {
    const out = toDynamic(VALID.V08, { amount: 15_000, reference: 'OFF-7Q2K', terminal: 'TILL02' });
    const t62 = parseQris(out).nodes.find((n) => n.id === '62');
    expect(t62?.children).toEqual([
      { id: '01', value: '***' },
      { id: '05', value: 'OFF-7Q2K' },
      { id: '07', value: 'TILL02' },
    ]);
    expect(out.slice(-4)).toBe(oracleCrc(out.slice(0, -4)));
    expect(describeQris(out).additional).toMatchObject({ referenceLabel: 'OFF-7Q2K', terminalLabel: 'TILL02' });
  });

  it('keeps the static terminal label when only a reference is given', () => {
    const out = toDynamic(VALID.V03, { amount: 25_000, reference: 'R1' });
    expect(parseQris(out).nodes.find((n) => n.id === '62')?.value).toBe('0502R10703A01');
  });

  it('creates 62 before any higher tag when the static QR has none', () => {
    const no62 = withCrc(`${bodyOf(VALID.V03).replace('62070703A01', '')}64200002ZH0104最佳运输0202北京`);
    const out = toDynamic(no62, { amount: 500, terminal: 'K1' });
    expect(ids(out).slice(-4)).toEqual(['61', '62', '64', '63']);
    expect(parseQris(out).nodes.find((n) => n.id === '62')?.value).toBe('0702K1');
  });

  it('refuses a payload whose CRC does not verify, and a dynamic one', () => {
    expect(errorOf(() => toDynamic(BAD_CRC.N03.payload, { amount: 1 })).code).toBe('CRC_MISMATCH');
    expect(errorOf(() => toDynamic(C1.to, { amount: 1 })).code).toBe('NOT_STATIC');
  });

  it.each([0, -1, 1.5, 10_000_001, Number.NaN, Number.POSITIVE_INFINITY, '5' as unknown as number])(
    'refuses amount %s with INVALID_AMOUNT',
    (amount) => {
      expect(errorOf(() => toDynamic(VALID.V03, { amount })).code).toBe('INVALID_AMOUNT');
    },
  );

  it('accepts the limits 1 and 10,000,000 and writes them without leading zeros', () => {
    expect(parseTlv(toDynamic(VALID.V03, { amount: 1 })).find((n) => n.id === '54')?.value).toBe('1');
    expect(parseTlv(toDynamic(VALID.V03, { amount: 10_000_000 })).find((n) => n.id === '54')?.value).toBe('10000000');
  });

  it.each(['', 'x'.repeat(26), 'Kasir é', '***', 'tab\there'])('refuses label %j', (label) => {
    expect(errorOf(() => toDynamic(VALID.V03, { amount: 1, reference: label })).code).toBe('INVALID_FIELD');
    expect(errorOf(() => toDynamic(VALID.V03, { amount: 1, terminal: label })).code).toBe('INVALID_FIELD');
  });

  it('refuses labels that would push 62 past 99 characters', () => {
    const long62 = withCrc(bodyOf(VALID.V03).replace('62070703A01', `6264${'0160'}${'x'.repeat(60)}`));
    expect(parseQris(toDynamic(long62, { amount: 1, terminal: 'T1' })).raw).toContain('0702T1'); // room for one
    expect(
      errorOf(() => toDynamic(long62, { amount: 1, reference: 'y'.repeat(25), terminal: 'z'.repeat(25) })).code,
    ).toBe('TOO_LONG');
  });

  it('refuses labels when the existing 62 is not TLV', () => {
    const odd62 = withCrc(bodyOf(VALID.V03).replace('62070703A01', '6203abc'));
    expect(toDynamic(odd62, { amount: 1 })).toContain('6203abc'); // kept untouched when no label is asked for
    expect(errorOf(() => toDynamic(odd62, { amount: 1, terminal: 'T1' })).code).toBe('INVALID_FIELD');
  });
});
