/**
 * Two small charts drawn as SVG by React, without a chart library: the dashboard needs one bar chart and one
 * line chart, each a few dozen points, and SVG gives them for free what a canvas library would need extra work
 * for under this page's CSP (no inline styles: every colour is a class in styles.css), in headless Chromium
 * (no canvas/WebGL), for screen readers (a title plus the same figures as a table) and for tests (each bar and
 * point carries its value). That is less code than wiring uPlot or Chart.js and no new dependency.
 */
import { type ReactNode, useId } from 'react';

export type ChartPoint = { label: string; value: number | null };

type ChartProps = {
  title: string;
  points: ChartPoint[];
  /** Formats a value for the axis, the tooltips and the table. */
  format: (v: number) => string;
  /** The top of the value axis; defaults to the largest value (at least 1). */
  max?: number;
  testId: string;
  valueHeader: string;
  labelHeader: string;
};

const W = 720;
const H = 240;
const PAD = { left: 56, right: 12, top: 12, bottom: 36 };
const innerW = W - PAD.left - PAD.right;
const innerH = H - PAD.top - PAD.bottom;

function ticks(max: number): number[] {
  return [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
}

/** Every n-th label only, so at most about 12 fit under the axis. */
function labelEvery(n: number): number {
  return Math.max(1, Math.ceil(n / 12));
}

function Frame({
  title,
  max,
  format,
  points,
  children,
  testId,
  valueHeader,
  labelHeader,
}: Omit<ChartProps, 'max'> & { max: number; children: ReactNode }) {
  const titleId = useId();
  const every = labelEvery(points.length);
  const step = points.length > 0 ? innerW / points.length : innerW;
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption id={titleId}>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={titleId} className="chart-svg">
        <title>{title}</title>
        {ticks(max).map((v) => {
          const y = PAD.top + innerH - (v / max) * innerH;
          return (
            <g key={v} className="chart-grid">
              <line x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} />
              <text x={PAD.left - 6} y={y + 4} textAnchor="end">
                {format(v)}
              </text>
            </g>
          );
        })}
        {points.map((p, i) =>
          i % every === 0 ? (
            <text
              key={p.label}
              className="chart-label"
              x={PAD.left + step * i + step / 2}
              y={H - PAD.bottom + 18}
              textAnchor="middle"
            >
              {p.label}
            </text>
          ) : null,
        )}
        {children}
      </svg>
      <details className="chart-table">
        <summary>{title}</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{labelHeader}</th>
              <th scope="col">{valueHeader}</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.label}>
                <td>{p.label}</td>
                <td>{p.value === null ? '—' : format(p.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

export function BarChart(props: ChartProps) {
  const { points, format } = props;
  // Counts: a top that is a multiple of 4, so the five grid lines fall on whole numbers.
  const top = Math.max(1, ...points.map((p) => p.value ?? 0));
  const max = props.max ?? Math.max(4, Math.ceil(top / 4) * 4);
  const step = points.length > 0 ? innerW / points.length : innerW;
  const barW = Math.max(2, step * 0.7);
  return (
    <Frame {...props} max={max}>
      {points.map((p, i) => {
        const v = p.value ?? 0;
        const h = (v / max) * innerH;
        return (
          <rect
            key={p.label}
            className="chart-bar"
            data-value={v}
            x={PAD.left + step * i + (step - barW) / 2}
            y={PAD.top + innerH - h}
            width={barW}
            height={h}
          >
            <title>{`${p.label}: ${format(v)}`}</title>
          </rect>
        );
      })}
    </Frame>
  );
}

export function LineChart(props: ChartProps) {
  const { points, format } = props;
  const max = props.max ?? Math.max(1, ...points.map((p) => p.value ?? 0));
  const step = points.length > 0 ? innerW / points.length : innerW;
  const xy = points.map((p, i) => ({
    p,
    x: PAD.left + step * i + step / 2,
    y: p.value === null ? null : PAD.top + innerH - (p.value / max) * innerH,
  }));
  // Hours without payments have no rate: the line breaks there instead of dropping to 0 %.
  let d = '';
  let pen = false;
  for (const q of xy) {
    if (q.y === null) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${q.x.toFixed(1)},${q.y.toFixed(1)} `;
    pen = true;
  }
  return (
    <Frame {...props} max={max}>
      <path className="chart-line" d={d.trim()} />
      {xy.map((q) =>
        q.y === null || q.p.value === null ? null : (
          <circle key={q.p.label} className="chart-dot" data-value={q.p.value} cx={q.x} cy={q.y} r={4}>
            <title>{`${q.p.label}: ${format(q.p.value)}`}</title>
          </circle>
        ),
      )}
    </Frame>
  );
}
