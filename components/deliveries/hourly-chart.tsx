'use client';
// Deliveries per hour by status over the last 24 hours, as stacked CSS bars (hours in the reader's zone).
import type { HourBucket } from '@/lib/deliveries/stats';
import { useHydrated } from './local-time';

const SERIES = [
  { key: 'succeeded', label: 'Succeeded', color: 'bg-emerald-500' },
  { key: 'pending', label: 'Pending', color: 'bg-amber-400' },
  { key: 'failed', label: 'Failed', color: 'bg-red-500' },
  // Skipped by a webhook's transformation (SPEC §14), cancelled by a learner's retirement (SPEC §13): shown only
  // when there are some.
  { key: 'skipped', label: 'Skipped', color: 'bg-slate-400' },
  { key: 'cancelled', label: 'Cancelled', color: 'bg-slate-300' },
] as const;

export function HourlyChart({ buckets }: { buckets: HourBucket[] }) {
  const hydrated = useHydrated();
  const totals = buckets.map((b) => b.succeeded + b.pending + b.failed + b.skipped + b.cancelled);
  const max = Math.max(1, ...totals);
  const sum = (k: (typeof SERIES)[number]['key']) => buckets.reduce((n, b) => n + b[k], 0);
  const shown = SERIES.filter((s) => (s.key !== 'skipped' && s.key !== 'cancelled') || sum(s.key) > 0);
  const hourLabel = (iso: string) => {
    const d = new Date(iso);
    return hydrated ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }) : `${iso.slice(11, 16)} UTC`;
  };
  const summary = shown.map((s) => `${sum(s.key)} ${s.label.toLowerCase()}`).join(', ');
  return (
    <figure className="p-4" data-testid="hourly-chart">
      <figcaption className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
        <span className="text-sm font-semibold text-slate-900">Last 24 hours</span>
        <span className="flex flex-wrap gap-3 text-xs text-slate-600">
          {shown.map((s) => (
            <span key={s.key} className="inline-flex items-center gap-1.5">
              <span className={`size-2.5 rounded-sm ${s.color}`} aria-hidden />
              {s.label} <b className="tabular-nums text-slate-900">{sum(s.key).toLocaleString()}</b>
            </span>
          ))}
        </span>
      </figcaption>
      <div role="img" aria-label={`Deliveries per hour over the last 24 hours: ${summary}.`} className="flex h-24 items-end gap-px sm:gap-1">
        {buckets.map((b, i) => (
          <div
            key={b.hour}
            className="group relative flex h-full flex-1 flex-col justify-end rounded-t-sm bg-slate-100"
            title={`${hourLabel(b.hour)}: ${b.succeeded} succeeded, ${b.pending} pending, ${b.failed} failed${b.skipped ? `, ${b.skipped} skipped` : ''}${b.cancelled ? `, ${b.cancelled} cancelled` : ''}`}
          >
            {SERIES.map((s) =>
              b[s.key] > 0 ? (
                <div key={s.key} className={`${s.color} first:rounded-t-sm`} style={{ height: `${(b[s.key] / max) * 100}%`, minHeight: 2 }} />
              ) : null,
            ).reverse()}
            <span className="sr-only">{totals[i]}</span>
          </div>
        ))}
      </div>
      <div className="mt-1 flex justify-between text-[10px] text-slate-500" aria-hidden>
        {[0, 6, 12, 18, 23].map((i) => (
          <span key={i}>{i === 23 ? 'now' : hourLabel(buckets[i]!.hour)}</span>
        ))}
      </div>
    </figure>
  );
}
