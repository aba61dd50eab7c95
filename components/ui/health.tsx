// A target's delivery health for the lists: last delivery status and the last 24 hours' success rate.
import { StatusBadge } from './badge';
import { cn } from './cn';

export interface Health {
  last: { status: string; statusCode: number | null; at: string } | null;
  day: { succeeded: number; failed: number; pending: number };
  successRate: number | null;
}

function ago(iso: string): string {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function LastDelivery({ health }: { health: Health }) {
  if (!health.last) return <span className="text-sm text-slate-500">never</span>;
  const { status, statusCode, at } = health.last;
  return (
    <span className="flex flex-wrap items-center gap-x-2 gap-y-1" title={new Date(at).toLocaleString()}>
      <StatusBadge status={status} />
      {statusCode !== null && <span className="font-mono text-xs text-slate-600">{statusCode}</span>}
      <span className="text-xs text-slate-500" suppressHydrationWarning>
        {ago(at)}
      </span>
    </span>
  );
}

export function SuccessRate({ health }: { health: Health }) {
  const { day, successRate } = health;
  const done = day.succeeded + day.failed;
  if (successRate === null) {
    return <span className="text-sm text-slate-500">{day.pending ? `${day.pending} pending` : '—'}</span>;
  }
  const pct = Math.round(successRate * 1000) / 10;
  return (
    <span className="text-sm" title={`${day.succeeded} succeeded, ${day.failed} failed, ${day.pending} pending in the last 24 h`}>
      <span className={cn('font-medium', pct >= 99 ? 'text-emerald-700' : pct >= 90 ? 'text-amber-700' : 'text-red-700')}>{pct}%</span>
      <span className="text-xs text-slate-500"> of {done}</span>
    </span>
  );
}
