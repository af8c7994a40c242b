/**
 * A virtual receipt printer for tests (and demos): listens on TCP (port 0 by default, never a fixed 9100)
 * speaking the raw "port 9100" protocol — a client connects, writes ESC/POS bytes, closes — and parses the
 * stream the way a thermal printer interprets it: text with its line feeds, the QR codes' stored data, and
 * the paper cuts that end each receipt. `down()` refuses connections (printer off) on the same port; `up()`
 * turns it back on.
 */
import { createServer, type Server, type Socket } from 'node:net';

export type PrintedReceipt = {
  /** Lines as printed (alignment is spaces in the text, as the printer would lay them out). */
  lines: string[];
  text: string;
  /** Data stored into QR symbols (GS ( k fn 80), in order. */
  qr: string[];
  bold: string[];
  cut: boolean;
  bytes: number;
};

/** CP437's box-drawing bytes that receipts use for rules; everything else above 0x7f shows as '?'. */
const CP437: Record<number, string> = { 196: '─', 205: '═', 179: '│', 186: '║' };

export function parseEscPos(buf: Uint8Array): PrintedReceipt[] {
  const out: PrintedReceipt[] = [];
  let cur: PrintedReceipt = { lines: [], text: '', qr: [], bold: [], cut: false, bytes: 0 };
  let line = '';
  let bold = false;
  let boldText = '';
  const endLine = () => {
    cur.lines.push(line.replace(/\s+$/, ''));
    if (boldText.trim()) cur.bold.push(boldText.trim());
    line = '';
    boldText = '';
  };
  const finish = (cut: boolean) => {
    if (line !== '') endLine();
    cur.cut = cut;
    // Drop the feed lines before the cut; they are paper, not content.
    while (cur.lines.length > 0 && cur.lines.at(-1) === '') cur.lines.pop();
    cur.text = cur.lines.join('\n');
    out.push(cur);
    cur = { lines: [], text: '', qr: [], bold: [], cut: false, bytes: 0 };
  };
  let i = 0;
  const start = () => i;
  let jobStart = start();
  const u16 = (at: number) => (buf[at] ?? 0) | ((buf[at + 1] ?? 0) << 8);
  while (i < buf.length) {
    const b = buf[i]!;
    if (b === 0x1b) {
      const c = buf[i + 1];
      switch (c) {
        case 0x40: // ESC @ initialize
          bold = false;
          i += 2;
          break;
        case 0x45: // ESC E n bold
        case 0x47: // ESC G n double-strike
          if (c === 0x45) bold = (buf[i + 2] ?? 0) % 2 === 1;
          i += 3;
          break;
        case 0x64: // ESC d n: feed n lines
          {
            if (line !== '') endLine();
            const n = buf[i + 2] ?? 0;
            for (let k = 0; k < n; k++) endLine();
            i += 3;
            break;
          }
        case 0x74: // ESC t n codepage
        case 0x4d: // ESC M n font
        case 0x61: // ESC a n align
        case 0x21: // ESC ! n mode
        case 0x2d: // ESC - n underline
        case 0x33: // ESC 3 n line spacing
        case 0x4a: // ESC J n feed dots
        case 0x56: // ESC V n rotate
        case 0x7b: // ESC { n upside down
        case 0x52: // ESC R n international set
        case 0x34: // ESC 4 n italic
          i += 3;
          break;
        case 0x32: // ESC 2 default spacing
          i += 2;
          break;
        default:
          i += 2;
      }
      continue;
    }
    if (b === 0x1d) {
      const c = buf[i + 1];
      if (c === 0x28 && (buf[i + 2] === 0x6b || buf[i + 2] === 0x4c)) {
        // GS ( k / GS ( L pL pH data…: symbol and graphics functions.
        const len = u16(i + 3);
        const body = buf.subarray(i + 5, i + 5 + len);
        if (buf[i + 2] === 0x6b && body[0] === 0x31 && body[1] === 0x50) {
          cur.qr.push(Buffer.from(body.subarray(3)).toString('utf8'));
        }
        i += 5 + len;
        continue;
      }
      if (c === 0x56) {
        // GS V m [n]: cut (m 0/1/48/49 without n, 65/66 with n)
        const m = buf[i + 2] ?? 0;
        i += m >= 65 ? 4 : 3;
        cur.bytes = i - jobStart;
        finish(true);
        jobStart = i;
        continue;
      }
      if (c === 0x76 && buf[i + 2] === 0x30) {
        // GS v 0 m xL xH yL yH d…: raster image
        const w = u16(i + 4);
        const h = u16(i + 6);
        i += 8 + w * h;
        continue;
      }
      if (c === 0x6b) {
        // GS k m n d…: barcode (format B)
        const n = buf[i + 3] ?? 0;
        i += 4 + n;
        continue;
      }
      i += 3; // GS ! n, GS B n, GS h n, GS w n, GS H n, GS f n
      continue;
    }
    if (b === 0x1c) {
      // FS . / FS & (kanji off/on) take no argument; FS C n takes one.
      i += buf[i + 1] === 0x43 ? 3 : 2;
      continue;
    }
    if (b === 0x0a) {
      endLine();
      i++;
      continue;
    }
    if (b === 0x0d || b < 0x20) {
      i++;
      continue;
    }
    const ch = b < 0x80 ? String.fromCharCode(b) : (CP437[b] ?? '?');
    line += ch;
    if (bold) boldText += ch;
    i++;
  }
  if (line.trim() !== '' || cur.lines.some((l) => l.trim() !== '') || cur.qr.length > 0) {
    cur.bytes = i - jobStart;
    finish(false);
  }
  return out;
}

export class VirtualPrinter {
  readonly receipts: PrintedReceipt[] = [];
  /** Every connection's raw bytes, in arrival order. */
  readonly raw: Buffer[] = [];
  #server: Server | null = null;
  #port = 0;
  #waiters: { n: number; resolve: () => void }[] = [];
  #sockets = new Set<Socket>();

  get port(): number {
    return this.#port;
  }

  /** Starts listening (port 0 picks a free one; after `down()` it comes back on the same port). */
  async up(port = this.#port): Promise<number> {
    if (this.#server) return this.#port;
    const server = createServer((socket) => {
      this.#sockets.add(socket);
      const chunks: Buffer[] = [];
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('error', () => undefined);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('end', () => {
        const bytes = Buffer.concat(chunks);
        this.raw.push(bytes);
        this.receipts.push(...parseEscPos(bytes));
        socket.end();
        for (const w of [...this.#waiters]) {
          if (this.receipts.length >= w.n) {
            this.#waiters.splice(this.#waiters.indexOf(w), 1);
            w.resolve();
          }
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    const addr = server.address();
    this.#port = typeof addr === 'object' && addr ? addr.port : port;
    return this.#port;
  }

  /** The printer is switched off: new connections are refused. */
  async down(): Promise<void> {
    const s = this.#server;
    this.#server = null;
    for (const sock of this.#sockets) sock.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Resolves once `n` receipts in total have been printed (cut). */
  waitFor(n: number, timeoutMs = 10_000): Promise<PrintedReceipt[]> {
    if (this.receipts.length >= n) return Promise.resolve(this.receipts);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`printer got ${this.receipts.length}/${n} receipts`)), timeoutMs);
      this.#waiters.push({
        n,
        resolve: () => {
          clearTimeout(t);
          resolve(this.receipts);
        },
      });
    });
  }
}
