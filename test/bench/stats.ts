/** Small helpers for benchmark figures: percentiles over samples, and one printed line per figure. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const s = [...samples].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i]!;
}

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export type Figure = {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  target?: string;
  higherIsBetter?: boolean;
  /** 'speedup' (default): the baseline is an alternative, print how many times faster; 'share': it is a part or a floor. */
  compare?: 'speedup' | 'share';
};

export function printFigure(f: Figure): void {
  const v = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  let line = `${f.name.padEnd(52)} ${v(f.value).padStart(9)} ${f.unit}`;
  if (f.baseline) {
    const b = `   baseline ${f.baseline.name}: ${v(f.baseline.value)} ${f.unit}`;
    // A zero (a latency under the clock's 1 ms, read from a timestamp in another process) has no ratio.
    if (f.value === 0 || f.baseline.value === 0) line += `${b} → no ratio (a figure below the clock's resolution)`;
    else if (f.higherIsBetter) line += `${b} → ${(f.value / f.baseline.value).toFixed(2)}× of baseline`;
    else if (f.compare === 'share') line += `${b} → ${(f.value / f.baseline.value).toFixed(1)}× the baseline`;
    else {
      const r = f.baseline.value / f.value;
      line += `${b} → ${r.toFixed(r >= 10 ? 0 : 2)}× faster`;
    }
  }
  if (f.target) line += `   [target ${f.target}]`;
  process.stdout.write(`${line}\n`);
}
