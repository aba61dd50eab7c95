// The last 24 hours of one filter type's whole calls, hour by hour: p50 and p99 in ms (SVG, no chart library).
import type { HourPoint } from '@/lib/manage/filter-stats';

const W = 480;
const H = 120;
const PAD = { left: 40, right: 8, top: 8, bottom: 20 };

export function LatencyChart({ label, points, now }: { label: string; points: HourPoint[]; now: string }) {
  const end = Math.floor(Date.parse(now) / 3_600_000) * 3_600_000;
  const hours = Array.from({ length: 24 }, (_, i) => new Date(end - (23 - i) * 3_600_000).toISOString());
  const byHour = new Map(points.map((p) => [p.hour, p]));
  const max = Math.max(10, ...points.map((p) => p.p99_ms ?? 0));
  const x = (i: number) => PAD.left + (i * (W - PAD.left - PAD.right)) / 23;
  const y = (ms: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - ms / max);
  const line = (key: 'p50_ms' | 'p99_ms') =>
    hours
      .map((h, i) => [i, byHour.get(h)?.[key]] as const)
      .filter(([, v]) => v != null)
      .map(([i, v], j) => `${j ? 'L' : 'M'}${x(i).toFixed(1)},${y(v!).toFixed(1)}`)
      .join(' ');
  const summary = points.length
    ? `${points.reduce((a, p) => a + p.calls, 0)} calls in the last 24 hours; slowest hour p99 ${Math.max(...points.map((p) => p.p99_ms ?? 0))} ms.`
    : 'No calls in the last 24 hours.';
  return (
    <figure className="space-y-1" data-testid="latency-chart">
      <svg viewBox={`0 0 ${W} ${H}`} className="w-full max-w-xl" role="img" aria-label={`Latency of ${label}, last 24 hours: ${summary}`}>
        <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} className="stroke-slate-300" />
        <text x={PAD.left - 4} y={PAD.top + 8} textAnchor="end" className="fill-slate-500 text-[9px]">{max} ms</text>
        <text x={PAD.left - 4} y={H - PAD.bottom} textAnchor="end" className="fill-slate-500 text-[9px]">0</text>
        <text x={PAD.left} y={H - 6} className="fill-slate-500 text-[9px]">24 h ago</text>
        <text x={W - PAD.right} y={H - 6} textAnchor="end" className="fill-slate-500 text-[9px]">now</text>
        <path d={line('p99_ms')} className="fill-none stroke-amber-500" strokeWidth={2} data-testid="p99-line" />
        <path d={line('p50_ms')} className="fill-none stroke-indigo-600" strokeWidth={2} data-testid="p50-line" />
        {/* A dot per hour with calls: an hour alone makes no line. */}
        {hours.map((h, i) => {
          const p = byHour.get(h);
          if (!p) return null;
          return (
            <g key={h}>
              {p.p99_ms != null && <circle cx={x(i)} cy={y(p.p99_ms)} r={3} className="fill-amber-500" />}
              {p.p50_ms != null && <circle cx={x(i)} cy={y(p.p50_ms)} r={3} className="fill-indigo-600" />}
            </g>
          );
        })}
      </svg>
      <figcaption className="text-xs text-slate-600">
        <span className="font-medium text-indigo-700">p50</span> and <span className="font-medium text-amber-700">p99</span> per hour. {summary}
      </figcaption>
    </figure>
  );
}
