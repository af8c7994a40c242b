/**
 * The QRIS code drawn from the payload the server returned, exactly as given: byte mode (EMV MPM §4.12),
 * error correction M and a 4-module quiet zone, at a size a phone camera reads from across the counter.
 */
import QRCode, { type QRCodeSegment } from 'qrcode';
import { useLayoutEffect, useRef, useState } from 'react';

// ~6 px per module even for the densest dynamic QRIS (version 10, 57 modules + quiet zone).
export const QR_SIZE_PX = 400;

export function QrCode({ payload, label }: { payload: string; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState(false);
  // Drawn during the commit (a layout effect, not a passive one), so the frame that shows the sheet already
  // shows the code: a passive effect may run after that frame is painted, and the QR would come one frame late.
  useLayoutEffect(() => {
    const el = canvas.current;
    if (!el) return;
    setFailed(false);
    // UTF-8 bytes: a merchant name may hold non-ASCII characters (EMV MPM §4.12).
    const segments: QRCodeSegment[] = [{ data: new TextEncoder().encode(payload), mode: 'byte' }];
    QRCode.toCanvas(el, segments, {
      errorCorrectionLevel: 'M',
      margin: 4,
      width: QR_SIZE_PX,
      color: { dark: '#000000', light: '#ffffff' },
    }).catch(() => setFailed(true));
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
