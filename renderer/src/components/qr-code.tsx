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
/** Matrices encoded ahead of time (primeQr), by payload; a few at most. */
const encoded = new Map<string, Modules>();

function encode(payload: string): Modules {
  const hit = encoded.get(payload);
  if (hit) return hit;
  // UTF-8 bytes: a merchant name may hold non-ASCII characters (EMV MPM §4.12).
  const segments: QRCodeSegment[] = [{ data: new TextEncoder().encode(payload), mode: 'byte' }];
  return QRCode.create(segments, { errorCorrectionLevel: 'M' }).modules;
}

/**
 * Encodes a payload that is about to be shown (the offline QR of the cart on screen), while the till is idle,
 * so that Charge only draws it. Encoding (with its choice among eight masks) is a few milliseconds.
 */
export function primeQr(payload: string): void {
  if (encoded.has(payload)) return;
  try {
    const m = encode(payload);
    if (encoded.size >= 4) encoded.delete(encoded.keys().next().value!);
    encoded.set(payload, m);
  } catch {
    // Not encodable: drawing it will say so.
  }
}

/**
 * Encodes with the qrcode library and draws the modules as one path of whole-pixel squares, centred. The
 * library's own toCanvas fills the 400×400 image pixel by pixel in JavaScript, which took ~10 ms of the
 * Charge → QR time; one path fill takes well under one, and whole-pixel modules are crisp for any camera.
 */
function drawQr(el: HTMLCanvasElement, payload: string): void {
  const modules = encode(payload);
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
}

export function QrCode({ payload, label }: { payload: string; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState(false);
  // Drawn during the commit (a layout effect, not a passive one), so the frame that shows the sheet already
  // shows the code: a passive effect may run after that frame is painted, and the QR would come one frame late.
  useLayoutEffect(() => {
    const el = canvas.current;
    if (!el) return;
    setFailed(false);
    try {
      drawQr(el, payload);
    } catch {
      setFailed(true);
    }
  }, [payload]);
  return (
    <canvas
      ref={canvas}
      width={QR_SIZE_PX}
      height={QR_SIZE_PX}
      role="img"
      aria-label={label}
      data-testid="qris-qr"
      data-failed={failed || undefined}
    />
  );
}
