import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BAD_CRC, C1, VALID } from './vectors.ts';

const root = join(import.meta.dirname, '../../..');
function qris(...args: string[]) {
  const r = spawnSync(process.execPath, ['scripts/qris.ts', ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run qris', () => {
  it('decode prints the summary and the tag tree of a valid payload', () => {
    const r = qris('decode', VALID.V08);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      valid: true,
      pointOfInitiation: 'static',
      merchantName: 'SPIN',
      merchantCity: 'Jakarta Pusat',
      nmid: 'ID1020038431489',
      amount: null,
      acquirers: [{ tag: '26', gui: 'ID.SPINPAY.WWW', mpan: '936008163431000624' }],
      crc: { expected: '5CDD', actual: '5CDD', valid: true },
    });
    expect(out.tags.map((n: { id: string }) => n.id)).toEqual([
      '00',
      '01',
      '26',
      '51',
      '52',
      '53',
      '58',
      '59',
      '60',
      '61',
      '62',
      '63',
    ]);
  });

  it('decode exits 1 with one line on stderr and nothing on stdout for a bad CRC', () => {
    const r = qris('decode', BAD_CRC.N03.payload);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('qris: CRC_MISMATCH: CRC is A79C, expected 7F7A\n');
  });

  it('dynamic prints only the dynamic payload (C1)', () => {
    const r = qris('dynamic', C1.from, '--amount', String(C1.amount));
    expect(r).toEqual({ code: 0, stdout: `${C1.to}\n`, stderr: '' });
  });

  it('dynamic passes the reference and terminal labels through', () => {
    const r = qris('dynamic', C1.from, '--amount', '1500', '--reference', 'OFF-1', '--terminal', 'TILL02');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('62190505OFF-10706TILL02');
  });

  it.each([['0'], ['10000001'], ['25.000'], ['25,000'], ['1e3'], ['-5'], ['']])(
    'dynamic refuses amount %s with one line on stderr',
    (amount) => {
      const r = qris('dynamic', C1.from, `--amount=${amount}`); // '=' so parseArgs takes '-5' as a value
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^qris: INVALID_AMOUNT: [^\n]+\n$/);
    },
  );

  it('refuses a bad command line with exit 2 and prints usage for --help', () => {
    for (const args of [[], ['encode', 'x'], ['dynamic', C1.from], ['decode'], ['decode', 'a', 'b'], ['--nope']]) {
      const r = qris(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^qris: [^\n]+\(see --help\)\n$/);
    }
    const help = qris('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage:/);
  });
});
