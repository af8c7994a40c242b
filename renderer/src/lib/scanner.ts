/**
 * Tells a barcode scanner from a person. A USB scanner is a keyboard that types a whole code in a few
 * milliseconds and ends with Enter; a person types far slower. The detector is fed keys with their event
 * timestamps (injected, so it is testable without a clock) and returns the code when a fast burst ends in Enter.
 */
export type ScanDetector = { feed(key: string, atMs: number): string | null; reset(): void };

export function createScanDetector(o: { maxGapMs?: number; minLength?: number } = {}): ScanDetector {
  const maxGap = o.maxGapMs ?? 50;
  const minLength = o.minLength ?? 4;
  let buf = '';
  let last = Number.NEGATIVE_INFINITY;
  return {
    feed(key, at) {
      const gap = at - last;
      last = at;
      if (key === 'Enter') {
        const code = buf;
        buf = '';
        return code.length >= minLength && gap <= maxGap ? code : null;
      }
      if (key.length !== 1) {
        buf = '';
        return null;
      }
      // A slow key starts a new burst: whatever came before was a person typing.
      buf = gap <= maxGap ? buf + key : key;
      return null;
    },
    reset() {
      buf = '';
      last = Number.NEGATIVE_INFINITY;
    },
  };
}
