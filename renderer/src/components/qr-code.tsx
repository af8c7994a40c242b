/**
 * The QRIS code drawn from the payload the server returned, exactly as given: byte mode (EMV MPM §4.12),
 * error correction M and a 4-module quiet zone, at a size a phone camera reads from across the counter.
 */
import QRCode, { type QRCodeSegment } from 'qrcode';
import { useLayoutEffect, useRef, useState } from 'react';

// ~6 px per module even for the densest dynamic QRIS (version 10, 57 modules + quiet zone).
export const QR_SIZE_PX = 400;

const MARGIN_MODULES = 4;

type Modules = ReturnType<typeof QRCode.create>['modules'];

function encode(payload: string): Modules {
  // UTF-8 bytes: a merchant name may hold non-ASCII characters (EMV MPM §4.12).
  const segments: QRCodeSegment[] = [{ data: new TextEncoder().encode(payload), mode: 'byte' }];
  return QRCode.create(segments, { errorCorrectionLevel: 'M' }).modules;
}

/**
 * Encodes with the qrcode library and draws the modules as one path of whole-pixel squares, centred. The
 * library's own toCanvas fills the 400×400 image pixel by pixel in JavaScript, which took ~10 ms of the
 * Charge → QR time; one path fill takes well under one, and whole-pixel modules are crisp for any camera.
 */
function drawQr(payload: string): HTMLCanvasElement {
  const modules = encode(payload);
  const el = document.createElement('canvas');
  el.width = QR_SIZE_PX;
  el.height = QR_SIZE_PX;
  const ctx = el.getContext('2d');
  if (!ctx) throw new Error('no 2d canvas');
  const n = modules.size;
  const unit = Math.floor(QR_SIZE_PX / (n + 2 * MARGIN_MODULES));
  const offset = Math.floor((QR_SIZE_PX - unit * n) / 2);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, QR_SIZE_PX, QR_SIZE_PX);
  const dark = new Path2D();
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (modules.data[row * n + col]) dark.rect(offset + col * unit, offset + row * unit, unit, unit);
    }
  }
  ctx.fillStyle = '#000000';
  ctx.fill(dark);
  return el;
}

/**
 * Codes drawn ahead of time (primeQr), by payload; a few at most. A drawn canvas is taken by the first code
 * shown with its payload (an element has one place in the page); a later one draws its own.
 */
const prepared = new Map<string, HTMLCanvasElement>();

/**
 * Encodes and draws a payload that is about to be shown (the offline QR of the cart on screen) while the till
 * is idle, so that Charge only puts the finished canvas in place. Encoding (with its choice among eight masks)
 * is a few milliseconds, and a canvas's first drawing allocates its pixels (~2.5 ms at 400×400).
 */
export function primeQr(payload: string): void {
  if (prepared.has(payload)) return;
  try {
    const el = drawQr(payload);
    if (prepared.size >= 4) prepared.delete(prepared.keys().next().value!);
    prepared.set(payload, el);
  } catch {
    // Not encodable: drawing it when shown will say so.
  }
}

function takeOrDraw(payload: string): HTMLCanvasElement {
  const ready = prepared.get(payload);
  if (!ready) return drawQr(payload);
  prepared.delete(payload);
  return ready;
}

export function QrCode({ payload, label }: { payload: string; label: string }) {
  const holder = useRef<HTMLSpanElement>(null);
  const [failed, setFailed] = useState(false);
  // Put in place during the commit (a layout effect, not a passive one), so the frame that shows the sheet
  // already shows the code: a passive effect may run after that frame is painted, and the QR would come one
  // frame late. The canvas is made outside React so that a code drawn ahead of time can be used as it is.
  useLayoutEffect(() => {
    const el = holder.current;
    if (!el) return;
    try {
      const canvas = takeOrDraw(payload);
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('data-testid', 'qris-qr');
      el.replaceChildren(canvas);
      setFailed(false);
    } catch {
      el.replaceChildren();
      setFailed(true);
    }
  }, [payload]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new payload puts a new canvas in place, which needs the label too.
  useLayoutEffect(() => {
    holder.current?.firstElementChild?.setAttribute('aria-label', label);
  }, [label, payload]);
  return <span ref={holder} className="qr-canvas" data-failed={failed || undefined} />;
}
