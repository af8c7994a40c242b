import { describe, expect, it } from 'vitest';
import { crc16CcittFalse, formatCrc } from '../../../shared/qris/index.ts';
import { BAD_CRC, bodyOf, oracleCrc, VALID, VALID_CRC } from './vectors.ts';

describe('crc16CcittFalse', () => {
  it('gives the CCITT-FALSE check value 0x29B1 for "123456789"', () => {
    expect(crc16CcittFalse('123456789')).toBe(0x29b1);
    expect(crc16CcittFalse('')).toBe(0xffff); // init 0xFFFF, no xorout: not XMODEM (0) and not KERMIT
  });

  it('reproduces the worked example: V01 body including "6304" gives 58C7', () => {
    expect(formatCrc(crc16CcittFalse(`${bodyOf(VALID.V01)}6304`))).toBe('58C7');
  });

  it('reproduces every vector CRC, and the calculated value of the broken ones', () => {
    for (const [name, payload] of Object.entries(VALID)) {
      expect(formatCrc(crc16CcittFalse(payload.slice(0, -4))), name).toBe(VALID_CRC[name as keyof typeof VALID]);
    }
    expect(formatCrc(crc16CcittFalse(BAD_CRC.N01.payload.slice(0, -4)))).toBe(BAD_CRC.N01.calc);
    expect(formatCrc(crc16CcittFalse(BAD_CRC.N03.payload.slice(0, -4)))).toBe(BAD_CRC.N03.calc);
  });

  it('runs over UTF-8 bytes, agreeing with an independent table-driven oracle where a charCode loop does not', () => {
    const samples = ['Kedai Kopi Ñoño', '最佳运输', 'Warung 🍜 Bu Siti', 'é'.repeat(40), '\u{1F600}\u00e9a'];
    for (const s of samples) {
      const ours = formatCrc(crc16CcittFalse(s));
      expect(ours).toBe(oracleCrc(s));
      // The widespread JS bug feeds UTF-16 code units instead of bytes; it must not be what we compute.
      let naive = 0xffff;
      for (let i = 0; i < s.length; i++) {
        naive ^= s.charCodeAt(i) << 8;
        for (let b = 0; b < 8; b++) naive = naive & 0x8000 ? ((naive << 1) ^ 0x1021) & 0xffff : (naive << 1) & 0xffff;
      }
      expect(ours).not.toBe(formatCrc(naive & 0xffff));
    }
  });
});

describe('formatCrc', () => {
  it('pads to four uppercase hex digits', () => {
    expect(formatCrc(0x855)).toBe('0855');
    expect(formatCrc(0xfa0)).toBe('0FA0');
    expect(formatCrc(0x8af)).toBe('08AF');
    expect(formatCrc(0x7b)).toBe('007B'); // EMV's own example
    expect(formatCrc(0)).toBe('0000');
    expect(formatCrc(0xabcd)).toBe('ABCD');
  });

  it('refuses values that are not 16-bit CRCs', () => {
    for (const bad of [-1, 0x10000, 1.5, Number.NaN]) expect(() => formatCrc(bad)).toThrow(RangeError);
  });
});
