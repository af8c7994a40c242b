/**
 * The words of the Electron quit confirmation (the renderer has its own, translated by i18next; the main
 * process has no i18next, so the two languages are written here).
 */
import type { Language, TillStatus } from '../../../shared/ipc.ts';
import { formatRupiah } from '../../../shared/money.ts';
import { unsyncedRisk } from '../../../shared/sync-risk.ts';

export type QuitPrompt = { title: string; message: string; detail: string; buttons: [stay: string, quit: string] };

/** null when nothing is at risk: the window closes without asking. */
export function quitPrompt(s: TillStatus, language: Language): QuitPrompt | null {
  const r = unsyncedRisk(s);
  if (!r) return null;
  const sales = formatRupiah(r.salesTotal);
  const unverified = formatRupiah(r.unverifiedTotal);
  if (language === 'en') {
    return {
      title: 'Unsynced sales',
      message: 'Some of this till’s data has not reached the server yet.',
      detail: [
        `${r.sales} sale(s) not yet sent (${sales}); ${r.entries} entr${r.entries === 1 ? 'y' : 'ies'} queued in total.`,
        r.unverifiedTotal > 0 ? `Offline QRIS not yet verified: ${unverified}.` : '',
        'They stay on this till and are sent when it runs again online. Quit anyway?',
      ]
        .filter(Boolean)
        .join('\n'),
      buttons: ['Keep running', 'Quit anyway'],
    };
  }
  return {
    title: 'Penjualan belum tersinkron',
    message: 'Sebagian data kasir ini belum sampai ke server.',
    detail: [
      `${r.sales} penjualan belum terkirim (${sales}); total ${r.entries} entri dalam antrean.`,
      r.unverifiedTotal > 0 ? `QRIS offline belum terverifikasi: ${unverified}.` : '',
      'Data tetap tersimpan di kasir ini dan dikirim saat kasir online lagi. Tetap keluar?',
    ]
      .filter(Boolean)
      .join('\n'),
    buttons: ['Tetap buka', 'Tetap keluar'],
  };
}
