/**
 * Where the ESC/POS bytes go. The seam is one method, so a new way to reach a printer is one class:
 *
 * - `tcp`: raw port 9100 ("JetDirect"), what network and Wi-Fi receipt printers speak. Works everywhere.
 * - `device`: a character device the OS already gives the printer: Linux `usblp` (`/dev/usb/lp0`) for USB
 *   printers and `/dev/ttyUSB0`/`/dev/ttyS0` for serial ones (speed set beforehand with `stty`); macOS
 *   `/dev/cu.*` for serial. Writing the bytes to the file is all ESC/POS needs.
 *   Not covered: USB printers on Windows and macOS have no such file (they need the spooler in RAW mode or
 *   libusb, i.e. a native module this till does not ship); print to them over their network port or a share.
 */
import { open } from 'node:fs/promises';
import { Socket } from 'node:net';
import type { PrinterView } from '../../../shared/counter.ts';

export interface PrinterTransport {
  /** Resolves once every byte was handed to the printer; rejects with a message the cashier can read. */
  send(bytes: Uint8Array): Promise<void>;
}

export class TcpPrinter implements PrinterTransport {
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
  constructor(host: string, port: number, timeoutMs = 4_000) {
    this.host = host;
    this.port = port;
    this.timeoutMs = timeoutMs;
  }

  send(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      let settled = false;
      const done = (err?: Error) => {
        if (settled) return;
        settled = true;
        socket.destroy();
        if (err) reject(err);
        else resolve();
      };
      socket.setTimeout(this.timeoutMs, () => done(new Error(`printer ${this.host}:${this.port} timed out`)));
      socket.once('error', (e) => done(new Error(`printer ${this.host}:${this.port}: ${e.message}`)));
      socket.connect(this.port, this.host, () => {
        // end() flushes, then the printer's FIN (or our close) tells us it took everything.
        socket.end(Buffer.from(bytes), () => done());
      });
    });
  }
}

export class DevicePrinter implements PrinterTransport {
  readonly path: string;
  constructor(path: string) {
    this.path = path;
  }

  async send(bytes: Uint8Array): Promise<void> {
    let fh: Awaited<ReturnType<typeof open>> | null = null;
    try {
      // 'a': a device file is written, never truncated or created.
      fh = await open(this.path, 'a');
      await fh.write(bytes);
    } catch (e) {
      throw new Error(`printer ${this.path}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      await fh?.close().catch(() => undefined);
    }
  }
}

export function transportFor(p: PrinterView): PrinterTransport | null {
  if (p.transport === 'tcp' && p.host && p.port) return new TcpPrinter(p.host, p.port);
  if (p.transport === 'device' && p.host) return new DevicePrinter(p.host);
  return null;
}
